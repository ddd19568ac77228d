"""A decimated history series as a line of bucket means over a translucent min-max band."""

import numpy as np
import pyqtgraph as pg

from ..core.history import SeriesView

BAND_ALPHA = "40"  # hex alpha of the band's fill: the curves behind stay readable


class BucketBars(pg.BarGraphItem):
    """One bar per bucket from its min to its max, each as wide as the gap to the next bucket, so
    that side by side they read as a band. Axis-aligned rectangles are what the raster engine fills
    fastest: a polygon between the two jagged edges (FillBetweenItem) took 6 ms to build and 18 ms
    to paint with 2,048 buckets in a 900-pixel plot, these bars 0.1 ms and 5 ms. They follow the
    plot's logarithmic y axis (PlotItem calls setLogMode on its items); steps are never logged."""

    def __init__(self, colour: str):
        empty = np.zeros(0)
        super().__init__(
            x0=empty, width=empty, y0=empty, y1=empty, pen=pg.mkPen(None), brush=colour
        )
        self.log_y = False
        self.edges = (empty, empty, empty)  # x, low, high (N,) each, as given

    def setLogMode(self, x_log: bool, y_log: bool) -> None:  # noqa: N802 (pyqtgraph's name)
        self.log_y = y_log
        self.show_buckets(*self.edges)

    def show_buckets(self, x: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
        """Bar i spans [x_i, x_{i+1}) and [low_i, high_i] (the last one as wide as the one
        before it); in log mode, bars with a bound <= 0 are left out."""
        self.edges = (x, low, high)
        width = np.diff(x, append=2 * x[-1] - x[-2]) if len(x) > 1 else np.ones(len(x))
        if self.log_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                low, high = np.log10(low), np.log10(high)
            keep = np.isfinite(low) & np.isfinite(high)
            x, width, low, high = x[keep], width[keep], low[keep], high[keep]
        self.setOpts(x0=x, width=width, y0=low, y1=high)


class Band:
    def __init__(self, plot: pg.PlotItem, colour: str, name: str, line_alpha: str = "ff"):
        """The line (named, in the legend; `line_alpha` its hex opacity) and, behind it, the band;
        both follow the plot's log mode, the line its downsampling too."""
        self.line = plot.plot(pen=pg.mkPen(colour + line_alpha, width=1), name=name)
        self.bars = BucketBars(colour + BAND_ALPHA)
        self.bars.setZValue(-10)
        plot.addItem(self.bars)

    def set(self, view: SeriesView, metric: str, transform=None) -> None:
        """Means as the line; the band once a bucket covers more than one step (a one-step
        bucket's min and max are its mean). transform: applied to every array (e.g. positive)."""
        keep = transform or (lambda y: y)
        self.line.setData(view.x, keep(view.mean[metric]))
        if view.width > 1:
            self.bars.show_buckets(view.x, keep(view.low[metric]), keep(view.high[metric]))
        elif len(self.bars.edges[0]):  # a new run: back to one step a point
            self._clear_band()

    def clear(self) -> None:
        self.line.setData([], [])
        self._clear_band()

    def _clear_band(self) -> None:
        empty = np.zeros(0)
        self.bars.show_buckets(empty, empty, empty)
