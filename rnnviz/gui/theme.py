"""Colours and plot defaults that follow the system's light or dark palette."""

import html
import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QPalette
from PySide6.QtWidgets import QApplication, QGraphicsItem, QLabel

from .grid import Grid


@dataclass(frozen=True)
class Theme:
    dark: bool
    background: str
    foreground: str
    faint: str  # raw per-step curves
    train: str  # smoothed training curve
    test: str
    validation: str
    best: str  # the best-validation mark
    before: str  # gradient norm before clipping
    after: str  # after clipping
    threshold: str
    marker: str  # epoch lines
    event: str  # settings changed mid-run (not `best`: the two lines must not be confused)
    warning: str
    highlight: str  # a panel a lesson points at
    viewed: str  # the past step the timeline looks at
    classes: tuple[str, ...]  # one colour per class
    runs: tuple[str, ...]  # one colour per run beside the window's own (which keeps `train`)


def current_theme() -> Theme:
    """The theme matching the application palette (call after QApplication exists)."""
    palette = QApplication.palette()
    background = palette.color(QPalette.ColorRole.Base)
    dark = background.lightness() < 128
    common = {
        "dark": dark,
        "background": background.name(),
        "foreground": palette.color(QPalette.ColorRole.Text).name(),
    }
    if dark:
        return Theme(
            **common,
            faint="#5a6a80",
            train="#7fb2ff",
            test="#ffb454",
            validation="#c792ea",
            best="#98c379",
            before="#ff8f6b",
            after="#6cc6ff",
            threshold="#e06c75",
            marker="#50566a",
            event="#c8a27a",
            warning="#ff6b6b",
            highlight="#ffb000",
            viewed="#e5e5e5",
            classes=("#ff7b72", "#56d364", "#79c0ff", "#d2a8ff", "#ffa657", "#a5d6ff"),
            runs=("#4dd0c4", "#f06292", "#d4b106"),
        )
    return Theme(
        **common,
        faint="#b8c4d6",
        train="#1f5fbf",
        test="#d9770b",
        validation="#8e44ad",
        best="#2e8b57",
        before="#e4572e",
        after="#1f77b4",
        threshold="#c0392b",
        marker="#c8ccd4",
        event="#8a5a2b",
        warning="#c62828",
        highlight="#f29900",
        viewed="#202020",
        classes=("#d1495b", "#2e933c", "#1f77b4", "#8e44ad", "#e67e22", "#17becf"),
        runs=("#0e9484", "#c2185b", "#8a6d00"),
    )


def configure_pyqtgraph(theme: Theme) -> None:
    pg.setConfigOptions(
        antialias=False,
        background=theme.background,
        foreground=theme.foreground,
        imageAxisOrder="row-major",
    )


AXIS_WIDTH = 62  # pixels for the left axis: its ticks and its label


def style_plot(plot: pg.PlotItem, title: str, left: str, bottom: str) -> None:
    """Common look: title, axis labels, light grid."""
    plot.setTitle(title, size="10pt")
    plot.setLabel("left", left)
    plot.setLabel("bottom", bottom)
    Grid(plot, pg.getConfigOption("background"), pg.getConfigOption("foreground"))
    plot.setMenuEnabled(False, enableViewBoxMenu=True)  # right-click: view all, Export…
    plot.getAxis("left").setWidth(AXIS_WIDTH)  # tick text of another width must not re-lay out
    for side in ("left", "bottom", "top", "right"):  # tick text is costly: repaint from cache
        axis = plot.getAxis(side)
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        axis.enableAutoSIPrefix(False)  # else every change of range re-renders the axis label


class LogAxis(pg.AxisItem):
    """A log-scale axis whose labels never crowd: decades first (every k-th one when there are
    many), then 2x and 5x each decade when there is room, and the other ticks unlabelled
    (pyqtgraph labels every decade and all nine minor ticks when it can)."""

    LABEL_PIXELS = 18  # room one label needs along the axis

    def __init__(self, orientation: str = "left"):
        super().__init__(orientation)
        self.setStyle(maxTextLevel=1)

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802 (pyqtgraph's name)
        low, high = int(np.floor(minVal)), int(np.ceil(maxVal))
        decades = [v for v in range(low, high + 1) if minVal <= v <= maxVal]
        stride = max(1, int(np.ceil(len(decades) * self.LABEL_PIXELS / max(size, 1.0))))
        labelled = [float(v) for v in decades if v % stride == 0]
        others = [float(v) for v in decades if v % stride]
        if stride > 1:  # dense decades: every k-th labelled, the rest marked, no minor ticks
            return [(None, labelled), (None, []), (None, others)]
        levels = [(None, labelled)]
        for multiples in ((2, 5), (3, 4, 6, 7, 8, 9)):
            values = [v + np.log10(m) for v in range(low, high) for m in multiples]
            levels.append((None, [v for v in values if minVal <= v <= maxVal]))
        return levels


class PlotsView(pg.GraphicsLayoutWidget):
    """A GraphicsLayoutWidget that says when the cursor leaves it (an event filter would be
    called while the widget is being destroyed, on Python objects already gone)."""

    left = Signal()

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.left.emit()
        super().leaveEvent(event)


def plot_rows(
    stretches: tuple[int, ...],
    legends: tuple[bool, ...] | None = None,
    legend_columns: int = 6,
) -> tuple[pg.GraphicsLayoutWidget, list[pg.PlotItem]]:
    """A widget of plots one above the other (heights in the ratio of `stretches`), each with its
    legend (where `legends` says so, default all) under it in rows of `legend_columns` entries,
    outside the data (pyqtgraph's own legend sits on the curves)."""
    widget = PlotsView()
    layout = widget.ci.layout
    layout.setVerticalSpacing(0)
    plots = []
    for i, (stretch, has_legend) in enumerate(
        zip(stretches, legends or (True,) * len(stretches), strict=True)
    ):
        plot = widget.addPlot(row=2 * i, col=0)
        layout.setRowStretchFactor(2 * i, stretch)
        plots.append(plot)
        if not has_legend:
            continue
        legend = pg.LegendItem(
            colCount=legend_columns, labelTextSize="8pt", verSpacing=-6, horSpacing=12
        )
        widget.addItem(legend, row=2 * i + 1, col=0)
        plot.legend = legend  # PlotItem.plot(name=...) and addItem add entries here
    return widget, plots


def inside_legend(plot: pg.PlotItem, corner: str = "right") -> pg.LegendItem:
    """A one-row legend inside the plot, in a top corner, on a translucent background: for plots
    too short to give a legend a row of its own; shown while the plot is at least 1.5 times its
    height. PlotItem.plot(name=...) adds entries to it."""
    legend = pg.LegendItem(
        colCount=8,
        labelTextSize="8pt",
        verSpacing=-6,
        horSpacing=10,
        brush=pg.mkBrush(pg.getConfigOption("background") + "c0"),
    )
    view = plot.getViewBox()
    legend.setParentItem(view)
    place_legend(legend, corner)
    plot.legend = legend

    def fit(*_) -> None:  # in a squeezed plot it would cover the data and stick out of the view
        room = view.height() >= 1.5 * legend.boundingRect().height()
        if legend.isVisibleTo(view) != room:
            legend.setVisible(room)

    view.sigResized.connect(fit)
    legend.geometryChanged.connect(fit)  # entries added or removed
    return legend


def place_legend(legend: pg.LegendItem, corner: str) -> None:
    """Move an inside_legend to the top "left" or "right" corner of its plot."""
    side = 1 if corner == "right" else 0
    legend.anchor(itemPos=(side, 0), parentPos=(side, 0), offset=(-4 if side else 4, 2))


MAX_SYMBOLS = 200  # a curve with more points is drawn as a line: dots would merge anyway, and
# pyqtgraph's scatter items hold native memory in proportion to the points they ever drew


def set_points(curve: pg.PlotDataItem, x, y) -> None:
    """setData for a points_curve, skipped when its points are the ones shown (same count, same
    last point): dots while there are few points, a plain line beyond."""
    key = (len(x), float(x[-1]), float(y[-1])) if len(x) else ()
    if getattr(curve, "_rnnviz_key", None) == key:  # evaluations are appended: nothing new
        return
    curve._rnnviz_key = key
    symbol = "o" if len(x) <= MAX_SYMBOLS else None
    if curve.opts["symbol"] != symbol:
        curve.setSymbol(symbol)
    curve.setData(x, y)


def plain_label(text: str = "") -> QLabel:
    """A label that never renders its text as HTML (it may show words from a file or the user)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def points_curve(
    plot: pg.PlotItem, colour: str, name: str | None = None, width: float = 1, size: int = 5
) -> pg.PlotDataItem:
    """A line with a dot at every data point (evaluations: readouts say where each one is)."""
    curve = plot.plot(
        pen=pg.mkPen(colour, width=width),
        symbol="o",
        symbolSize=size,
        symbolBrush=colour,
        symbolPen=None,
        name=None if name is None else html.escape(name),  # legends render HTML
    )
    curve.rnnviz_points = True
    return curve


def line_label(theme: Theme, colour: str, position: float, anchor: tuple) -> dict:
    """labelOpts for an InfiniteLine's label: translucent, and draggable along its line, so that
    it never has to hide a curve."""
    return {
        "position": position,
        "color": colour,
        "fill": theme.background + "b0",
        "movable": True,
        "anchors": [anchor, anchor],
    }


def label_when_room(line: pg.InfiniteLine, plot: pg.PlotItem) -> None:
    """Show the line's label only while its plot is at least twice the label's height: in a
    squeezed plot it would stick out (the line's tooltip says the same)."""
    view = plot.getViewBox()

    def fit(*_) -> None:
        line.label.setVisible(view.height() >= 2 * line.label.boundingRect().height())

    view.sigResized.connect(fit)
    fit()


def summary_label(text: str, lines: int = 2) -> QLabel:
    """A word-wrapped label of fixed height: text that changes every frame must never re-layout
    the plots beside it (a re-layout repaints every axis)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setFixedHeight(label.fontMetrics().lineSpacing() * lines + 4)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


WORD_GAP = 6  # pixels at least between two word labels of an axis


def word_ticks(axis: pg.AxisItem, ticks: list, width: float) -> list:
    """Every k-th of `ticks` ((position, word) one unit apart, over `width` pixels), k the
    smallest that keeps the widest word clear of its neighbours: words never run together."""
    if len(ticks) < 2 or width <= 0:
        return ticks
    metrics = QFontMetrics(axis.style.get("tickFont") or QApplication.font())
    widest = max(metrics.horizontalAdvance(word) for _, word in ticks) + WORD_GAP
    every = max(1, math.ceil(widest / (width / len(ticks))))
    return ticks[::every]


def set_ticks(axis: pg.AxisItem, ticks: list) -> None:
    """axis.setTicks([ticks]) unless the axis already shows exactly these (re-rendering tick text
    is the costliest part of a redraw)."""
    if getattr(axis, "_rnnviz_ticks", None) != ticks:
        axis._rnnviz_ticks = ticks
        axis.setTicks([ticks])
        grid = getattr(axis, "_rnnviz_grid", None)
        if grid is not None:
            grid.update()


def set_view(plot: pg.PlotItem, x_range: tuple, y_range: tuple | None = None, padding=0.0) -> None:
    """plot.setRange(...) unless the view already has exactly this target."""
    target = (x_range, y_range, padding)
    if getattr(plot, "_rnnviz_view", None) != target:
        plot._rnnviz_view = target
        if y_range is None:
            plot.setXRange(*x_range, padding=padding)
        else:
            plot.setRange(xRange=x_range, yRange=y_range, padding=padding)


def history_plot(plot: pg.PlotItem) -> None:
    """A plot of a long per-step history: draw only what is in view, peak-downsampled."""
    plot.setClipToView(True)
    plot.setDownsampling(auto=True, mode="peak")


def colour_bar(colour_map, values: tuple[float, float], label: str, width: int) -> pg.ColorBarItem:
    """A fixed (not draggable) colour scale for an image, labelled, without pyqtgraph's menu."""
    return pg.ColorBarItem(
        values=values,
        colorMap=colour_map,
        interactive=False,
        label=label,
        colorMapMenu=False,
        width=width,
    )
