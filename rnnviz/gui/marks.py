"""Vertical lines at given steps over the whole height of a plot, drawn as one path: one item
instead of one InfiniteLine per mark (each costs a Python paint call per frame)."""

import numpy as np
import pyqtgraph as pg


class VerticalMarks:
    def __init__(self, plot: pg.PlotItem, pen):
        self.view = plot.getViewBox()
        self.item = pg.PlotCurveItem(pen=pen)
        self.item.setZValue(-50)  # behind the curves, above the grid
        self.view.addItem(self.item, ignoreBounds=True)
        self.xs = np.zeros(0)
        self.view.sigYRangeChanged.connect(self._redraw)

    def set(self, xs) -> None:
        xs = np.asarray(xs, dtype=float)
        if np.array_equal(xs, self.xs):
            return
        self.xs = xs
        self._redraw()

    def _redraw(self, *_) -> None:
        y0, y1 = self.view.viewRange()[1]
        self.item.setData(np.repeat(self.xs, 2), np.tile([y0, y1], len(self.xs)), connect="pairs")
