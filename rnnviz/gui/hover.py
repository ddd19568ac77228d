"""A crosshair that reads the plots: a vertical line at the step under the cursor on every plot of
a group (plots sharing their x axis), and on each a one-line box at the top of its view with that
step and the value of every named curve there, each after a swatch of its curve's colour (the
legend names the colours; a box of one line per curve hid half of a short plot)."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from .theme import PlotsView, Theme


class HoverReadout:
    def __init__(
        self, widget: PlotsView, plots: list[pg.PlotItem], theme: Theme, unit: str = "step"
    ):
        """widget: the view holding `plots`; unit: what x counts, for the readout's first line."""
        self.plots = plots
        self.unit = unit
        self.theme = theme
        pen = pg.mkPen(theme.foreground, width=1, style=Qt.PenStyle.DotLine)
        self.lines, self.boxes = [], []
        for plot in plots:
            line = pg.InfiniteLine(angle=90, movable=False, pen=pen)
            box = pg.TextItem(anchor=(0, 0), fill=pg.mkBrush(theme.background + "d8"))
            box.setZValue(1000)
            for item in (line, box):
                plot.addItem(item, ignoreBounds=True)
                item.hide()
            self.lines.append(line)
            self.boxes.append(box)
        widget.scene().sigMouseMoved.connect(self._moved)  # Qt compresses mouse moves
        widget.left.connect(self.hide)

    def hide(self) -> None:
        for item in (*self.lines, *self.boxes):
            item.hide()

    def _moved(self, position) -> None:
        for plot in self.plots:
            view = plot.getViewBox()
            if plot.isVisible() and view.sceneBoundingRect().contains(position):
                self.show_at(view.mapSceneToView(position).x())
                return
        self.hide()

    def show_at(self, x: float) -> None:
        """The line at x on every plot, and each plot's readout beside it."""
        for plot, line, box in zip(self.plots, self.lines, self.boxes, strict=True):
            rows = _values_at(plot, x)
            if not rows:
                line.hide()
                box.hide()
                continue
            line.setValue(x)
            line.show()
            entries = [f"{self.unit} {x:,.0f}"] + [
                f'<span style="color:{colour}">■</span>&nbsp;{value}' for colour, value in rows
            ]
            box.setHtml(
                f'<div style="color:{self.theme.foreground}; font-size:8pt">'
                + " &nbsp; ".join(entries)
                + "</div>"
            )
            _place(box, plot.getViewBox(), x)
            box.show()


def _place(box: pg.TextItem, view: pg.ViewBox, x: float) -> None:
    """The box at the top of the view, beside the line at x on the side with more room, pushed
    back inside the view where it would stick out (wrapped when wider than the view)."""
    width = view.width()
    box.setTextWidth(-1)  # its one-line width
    if box.boundingRect().width() > width:
        box.setTextWidth(max(width, 1.0))
    size = box.boundingRect().width()  # pixels: a TextItem ignores the view's scale
    (x0, x1), (_, y1) = view.viewRange()
    scale = (x1 - x0) / width if width > 0 and x1 > x0 else 0.0
    line = (x - x0) / scale if scale else 0.0  # the line's pixel column
    left = line - size if line > width / 2 else line
    box.setAnchor((0, 0))
    box.setPos(x0 + min(max(left, 0.0), max(width - size, 0.0)) * scale, y1)


def _values_at(plot: pg.PlotItem, x: float) -> list[tuple[str, str]]:
    """(colour, value text) of each visible named curve at its point nearest to x; a
    sparse curve (an evaluation every epoch) says at which step its point is."""
    rows = []
    for item in plot.listDataItems():
        if not isinstance(item, pg.PlotDataItem):  # a band's bars: the readout names the line
            continue
        name = item.name()
        xs, ys = item.getOriginalDataset()
        if not name or not item.isVisible() or xs is None or len(xs) == 0:
            continue
        i = int(np.clip(np.searchsorted(xs, x), 1, len(xs) - 1)) if len(xs) > 1 else 0
        if i and abs(xs[i - 1] - x) <= abs(xs[i] - x):
            i -= 1
        value = f"{ys[i]:.4g}"
        if getattr(item, "rnnviz_points", False) and abs(xs[i] - x) > 0.5:  # an evaluation
            value += f" (at {xs[i]:,.0f})"
        pen = item.opts.get("pen")
        colour = pg.mkPen(pen).color().name() if pen is not None else "#888888"
        rows.append((colour, value))
    return rows
