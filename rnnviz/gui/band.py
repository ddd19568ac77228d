"""A decimated history series as a line of bucket means over a translucent min-max band."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ..core.train.history import SeriesView

BAND_ALPHA = "40"  # hex alpha of the band's fill: the curves behind stay readable


class Band:
    def __init__(self, plot: pg.PlotItem, colour: str, name: str, line_alpha: str = "ff"):
        """The line (named, in the legend; `line_alpha` its hex opacity) and, behind it, the band
        between two unnamed edges; both follow the plot's log mode and downsampling."""
        self.line = plot.plot(pen=pg.mkPen(colour + line_alpha, width=1), name=name)
        self.low, self.high = (plot.plot(pen=pg.mkPen(None)) for _ in range(2))
        self.fill = pg.FillBetweenItem(
            self.low,
            self.high,
            brush=pg.mkBrush(colour + BAND_ALPHA),
            fillRule=Qt.FillRule.WindingFill,  # downsampled edges may cross: no holes
        )
        self.fill.setZValue(-10)
        plot.addItem(self.fill)
        self._banded = False  # the edges hold data

    def set(self, view: SeriesView, metric: str, transform=None) -> None:
        """Means as the line; the band once a bucket covers more than one step (a one-step
        bucket's min and max are its mean). transform: applied to every array (e.g. positive)."""
        keep = transform or (lambda y: y)
        self.line.setData(view.x, keep(view.mean[metric]))
        if view.width > 1:
            self.low.setData(view.x, keep(view.low[metric]))
            self.high.setData(view.x, keep(view.high[metric]))
            self._banded = True
        elif self._banded:  # a new run: back to one step a point
            self._clear_band()

    def clear(self) -> None:
        self.line.setData([], [])
        self._clear_band()

    def _clear_band(self) -> None:
        empty = np.zeros(0)
        self.low.setData(empty, empty)
        self.high.setData(empty, empty)
        self._banded = False
