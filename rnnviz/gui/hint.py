"""What an empty plot shows instead of dummy axes: a short hint in the middle of its area."""

import pyqtgraph as pg


class EmptyHint:
    def __init__(self, plot: pg.PlotItem, text: str):
        self.plot = plot
        self.view = plot.getViewBox()
        self.label = pg.TextItem(text, color=pg.getConfigOption("foreground"), anchor=(0.5, 0.5))
        self.label.setParentItem(self.view)  # in pixels of the view: stays centred, any range
        self.view.sigResized.connect(self._centre)
        self.empty = None
        self.set_empty(True)

    def _centre(self, *_) -> None:
        self.label.setPos(self.view.rect().center())

    def set_text(self, text: str) -> None:
        """Another hint (centred again: its width changes)."""
        if text != self.label.toPlainText():
            self.label.setText(text)
            self._centre()

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
        self._centre()
