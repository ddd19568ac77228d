"""What an empty plot shows instead of dummy axes: a short hint in the middle of its area, wrapped
to the area's width (never cut at its edges)."""

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextOption


class EmptyHint:
    def __init__(self, plot: pg.PlotItem, text: str):
        self.plot = plot
        self.view = plot.getViewBox()
        self.label = pg.TextItem(text, color=pg.getConfigOption("foreground"), anchor=(0.5, 0.5))
        self.label.textItem.document().setDefaultTextOption(
            QTextOption(Qt.AlignmentFlag.AlignHCenter)  # wrapped lines centred too
        )
        self.label.setParentItem(self.view)  # in pixels of the view: stays centred, any range
        self.view.sigResized.connect(self._centre)
        self.empty = None
        self.set_empty(True)

    def _centre(self, *_) -> None:
        """Centred, and wrapped at word boundaries when wider than the view."""
        width = self.view.width()
        self.label.setTextWidth(-1)  # its one-line width
        if width > 0 and self.label.boundingRect().width() > width:
            self.label.setTextWidth(width)
        self.label.setPos(self.view.rect().center())

    def set_text(self, text: str) -> None:
        """Another hint (centred again: its width changes)."""
        if text != self.label.toPlainText():
            self.label.setText(text)
            self._centre()

    def axes_relabelled(self) -> None:
        """The plot's axis labels were set again (pyqtgraph then shows the axis): hidden again
        while the plot is empty."""
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setVisible(not self.empty)

    def set_empty(self, empty: bool) -> None:
        """Hint and no axes while empty; axes and no hint once there is data."""
        if empty == self.empty:
            return
        self.empty = empty
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setVisible(not empty)
        grid = getattr(self.plot.getAxis("left"), "_rnnviz_grid", None)
        if grid is not None:
            grid.set_visible(not empty)
        self.label.setVisible(empty)
        legend = getattr(self.plot, "legend", None)
        if legend is not None and legend.parentItem() is self.view:  # inside: over the hint
            legend.setVisible(not empty)
        self._centre()
