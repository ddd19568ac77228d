"""Keep a plot's view on all of its data in coarse, round steps.

pyqtgraph's auto-range moves the view on every new point, and every move re-renders the axes
(tick text is the most expensive thing the window paints). Following the data in round steps
(1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k) re-renders them only when the data outgrows the
view. A zoom or pan by the user suspends following; the plot's "A" (auto-range) button resumes it.
While training runs, the x range also covers where the data will be LEAD_S seconds on at its
recent rate: from launch the steps grow 10 -> 2,000 in a dozen seconds, and the view followed them
in 17 moves of 12-30 ms of drawing each (the late ticks of the window's clock), 6 with the lead.
A legend inside the plot's top (theme.inside_legend) gets a band of its own above the data.
"""

import math
import time
from collections import deque
from collections.abc import Callable

import pyqtgraph as pg

ROUND_STEPS = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)  # at most 25% empty
LEAD_S = 2.0  # s of growth at the recent rate the x range leaves room for
RATE_WINDOW_S = 2.0  # s of updates the rate is measured over (at least)


def nice_ceiling(value: float) -> float:
    """The smallest round number (ROUND_STEPS x 10^k) that is >= value (value > 0)."""
    exponent = math.floor(math.log10(value))
    for step in ROUND_STEPS:
        if step * 10**exponent >= value * (1 - 1e-12):
            return step * 10**exponent
    return 10.0 ** (exponent + 1)


def sticky_ceiling(current: float | None, value: float, room: float = 0.0) -> float:
    """A round top for `value` + `room` (> 0) that stays `current` while value is in
    (current / 2 - room, current]: data that wobbles near a round number must not re-render the
    axis every frame, and room asked for is given when the value outgrows the top, not before."""
    if current is not None and current / 2 < value + room and value <= current:
        return current
    value += room
    return nice_ceiling(value)


def run_start(steps) -> float:
    """The step a history (x: its steps (n,), n >= 1) starts from: the one before its first
    record, 0 for a new model, the step a loaded one was saved at."""
    return float(steps[0] - 1)


class FollowRange:
    def __init__(
        self,
        plot: pg.PlotItem,
        follow_y: bool = True,
        clear_of: pg.LegendItem | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        """clear_of: a legend inside the plot's top, kept above the data while it is shown."""
        self.view = plot.getViewBox()
        self.clock = clock
        self._recent: deque[tuple[float, float]] = deque()  # (time, x_max) over RATE_WINDOW_S
        self._led = False  # the x range shown has room for growth
        self.follow_y = follow_y
        self.legend = clear_of
        self.log_y = False
        self.following = True
        self.moves = 0  # views set (each re-renders the axes: the scheduler's cost leaves them out)
        self._target: tuple | None = None
        self.view.disableAutoRange()
        self.view.sigRangeChangedManually.connect(self._user_moved)

    def _legend_share(self) -> float:
        """The share of the view's height the legend covers (0 when hidden; at most a half)."""
        height = self.view.height()
        if self.legend is None or not self.legend.isVisible() or height <= 0:
            return 0.0
        return min(0.5, self.legend.boundingRect().height() / height)

    def _user_moved(self, *_) -> None:
        self.following = False

    def _lead(self, x_max: float) -> float:
        """Growth of x in the next LEAD_S at its rate since `then`, the last update at least
        RATE_WINDOW_S back (or the first): (x_max - x_then) / (now - then) LEAD_S; 0 while x
        stands still, and from its new start when it falls (a new run)."""
        now = self.clock()
        recent = self._recent
        if recent and x_max < recent[-1][1]:
            recent.clear()
        recent.append((now, x_max))
        while len(recent) > 1 and now - recent[1][0] >= RATE_WINDOW_S:
            recent.popleft()  # the oldest kept is the last one at least RATE_WINDOW_S back
        then, x_then = recent[0]
        return (x_max - x_then) / (now - then) * LEAD_S if now > then else 0.0

    def set_log_y(self, on: bool) -> None:
        self.log_y = on
        self._target = None

    def update(
        self,
        x_max: float,
        y_low: float,
        y_high: float,
        x_min: float = 0.0,
        growing: bool = False,
    ) -> None:
        """Show x in [x_min, x_min + a round span to x_max] (x_min: the step the run started from,
        a loaded model's), and LEAD_S of growth beyond while `growing` (training runs), and y in
        rounded [y_low, y_high] (data units). When growth stops the view fits the data again."""
        if any(self.view.autoRangeEnabled()):  # the user pressed "A": follow again
            self.view.disableAutoRange()
            self.following, self._target = True, None
        if not self.following or not math.isfinite(y_low) or not math.isfinite(y_high):
            return
        shown_x, shown_y = self._target or ((None, None), None)
        span = shown_x[1] - x_min if shown_x[0] == x_min else None  # kept while it fits
        lead = self._lead(x_max) if growing else 0.0
        if not growing:
            self._recent.clear()
            if self._led:
                span = None  # the room left for growth goes with it
        x_range = (x_min, x_min + sticky_ceiling(span, max(x_max - x_min, 10.0), lead))
        if x_range != shown_x:
            self._led = lead > 0
        free = 1.0 - self._legend_share()  # the data stays in the view's lower `free` part
        if self.log_y:
            low = math.floor(math.log10(max(y_low, 1e-30)))
            high = math.ceil(low + (math.log10(max(y_high, 1e-30)) - low) / free)
            y_range = (float(low), float(high if high > low else low + 1))
            if shown_y is not None and shown_y[0] <= low and high <= shown_y[1] <= high + 1:
                y_range = shown_y  # within the decades shown, at most one to spare: keep them
        else:
            bottom = 0.0 if y_low >= 0 else -nice_ceiling(-y_low)
            y_high = bottom + (y_high - bottom) / free
            top = sticky_ceiling(shown_y and shown_y[1], y_high) if y_high > 0 else 1.0
            y_range = (bottom, top)
        target = (x_range, y_range if self.follow_y else None)
        if target != self._target:
            self._target = target
            self.moves += 1
            if self.follow_y:
                self.view.setRange(xRange=x_range, yRange=y_range, padding=0.02)
            else:
                self.view.setXRange(*x_range, padding=0.02)
