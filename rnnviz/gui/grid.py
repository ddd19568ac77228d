"""A plot grid drawn as two opaque line sets behind the data.

pyqtgraph draws its grid (`showGrid`) by stretching each axis over the whole plot: every change of
range then repaints a plot-sized, alpha-blended cache per axis (5-10 ms a frame on 2 cores). Here
the lines of the axes' major and minor ticks are two paths in the view, recomputed only when the
range or the size changes, in colours mixed once from the theme.
"""

import weakref

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

MAJOR_SHARE, MINOR_SHARE = 0.16, 0.07  # of the foreground mixed into the background


def mix(background: str, foreground: str, share: float) -> QColor:
    """An opaque colour `share` of the way from background to foreground."""
    low = np.array(QColor(background).getRgbF()[:3])
    high = np.array(QColor(foreground).getRgbF()[:3])
    return QColor.fromRgbF(*(low + share * (high - low)))


class Grid:
    def __init__(self, plot: pg.PlotItem, background: str, foreground: str):
        """The axes keep the grid alive (and refresh it: theme.set_ticks); it refers to the plot
        weakly. A reference cycle through pyqtgraph items would leave them to the cyclic garbage
        collector, which may run on the training thread, and Qt objects must not be deleted
        there."""
        self._plot = weakref.ref(plot)
        view = plot.getViewBox()
        self.lines = []
        for share, z in ((MINOR_SHARE, -101), (MAJOR_SHARE, -100)):
            item = pg.PlotCurveItem(pen=pg.mkPen(mix(background, foreground, share), width=1))
            item.setZValue(z)
            view.addItem(item, ignoreBounds=True)
            self.lines.append(item)
        self.minor, self.major = self.lines
        for side in ("bottom", "left"):
            plot.getAxis(side)._rnnviz_grid = self
        view.sigRangeChanged.connect(self.update)
        view.sigResized.connect(self.update)

    def set_visible(self, visible: bool) -> None:
        for item in self.lines:
            item.setVisible(visible)

    def update(self, *_) -> None:
        """Lines at the ticks the axes show now: level 0 major, level 1 minor."""
        plot = self._plot()
        if plot is None:
            return
        view = plot.getViewBox()
        (x0, x1), (y0, y1) = view.viewRange()
        width, height = view.width(), view.height()
        if width <= 0 or height <= 0:
            return
        segments = {0: [], 1: []}  # level -> [(x, y) of segment starts and ends]
        for side, low, high, pixels in (("bottom", x0, x1, width), ("left", y0, y1, height)):
            axis = plot.getAxis(side)
            for level, values in enumerate(_tick_levels(axis, low, high, pixels)[:2]):
                for v in values:
                    if low <= v <= high:
                        ends = ((v, y0), (v, y1)) if side == "bottom" else ((x0, v), (x1, v))
                        segments[level].extend(ends)
        for level, item in ((0, self.major), (1, self.minor)):
            points = np.array(segments[level], dtype=float).reshape(-1, 2)
            item.setData(points[:, 0], points[:, 1], connect="pairs")


def _tick_levels(axis: pg.AxisItem, low: float, high: float, pixels: float) -> list[list[float]]:
    """Tick values per level: the explicit ticks an axis was given (theme.set_ticks), or the
    ones it computes for the range."""
    explicit = getattr(axis, "_rnnviz_ticks", None)
    if explicit is not None:
        return [[value for value, _ in explicit]]
    return [list(values) for _, values in axis.tickValues(low, high, pixels)]
