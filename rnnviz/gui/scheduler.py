"""Which panels need a redraw, and whose turn it is, within a frame budget.

Each timer tick draws one stale panel on screen, the one waiting longest, so that every paint
stays short however fast training runs; a panel redraws MIN_INTERVAL apart at the closest. A draw
is timed with the paint it causes, and a panel's cost is the median of its last draws. A draw
that moved a plot's view to follow its data (Panel.view_moves) is left out: it re-renders the
axes, which happens as often as the data outgrows a view whatever the rate, so resting the panel
for it only made each of its rare draws one that moved a view, and rested it again (the loss
panel drew once a second). On a slow or loaded machine a panel can cost more than FRAME_BUDGET:
after each of its draws the panels over the budget rest OVERRUN_REST times its overrun while the
others keep their turns, so the heaviest panels' redraw rate drops as far as they run over. A
rest is short enough for each of them to come round within MAX_WAIT, and one that has waited
MAX_WAIT all the same is drawn at its turn. A keystroke's panels are drawn at once (draw_now);
their overrun counts too; another step on the timeline hurries its panels (hurry: each at its
next turn, past the rests and MIN_INTERVAL, one a tick, those that read the first change named
first). A hidden panel is drawn when it is shown.
"""

import statistics
import time
from collections import Counter, deque
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QGraphicsView, QWidget

from .panel import Panel, PanelContext

FRAME_BUDGET = 0.006  # s of drawing per tick: with the tick's other work the 10 ms clock holds
OVERRUN_REST = 100.0  # s without over-budget draws per s a draw ran over the budget
MAX_WAIT = 2.0  # s a stale panel on screen waits at most, however loaded the machine
MIN_INTERVAL = 0.08  # s between two redraws of a panel: ~12 a second, what turns of 20 ms gave
COST_SAMPLES = 5  # draws a panel's cost is the median of: one slow draw is not its cost


def paint_now(panel: QWidget) -> None:
    """Paint what a draw changed in the panel's plots now: a plot's scene repaints its views when
    the update it posted is delivered, so sending it here puts the paint inside the draw's time."""
    for view in panel.findChildren(QGraphicsView):
        QCoreApplication.sendPostedEvents(view.scene(), 0)


class PanelScheduler:
    def __init__(
        self,
        panels: dict[str, Panel],
        shown: Callable[[str], bool],
        context: Callable[[], PanelContext],
        clock: Callable[[], float] = time.perf_counter,
        paint: Callable[[Panel], None] = paint_now,
    ):
        self.panels = panels  # key -> panel (the window's dict: rebuilt panels are seen here)
        self.shown = shown
        self.context = context
        self.clock = clock
        self.paint = paint
        self.stale: set[str] = set()
        self.drawn: Counter[str] = Counter()  # draws of each panel (benchmarks and tests read it)
        self._since: dict[str, float] = {}  # stale panel -> when it was first seen waiting
        self._costs: dict[str, deque[float]] = {}  # panel -> seconds of its last draws
        self._drawn_at: dict[str, float] = {}  # panel -> when its last draw started
        self._rest_until = 0.0  # no over-budget draw before this time
        self._hurried: set[str] = set()  # stale panels drawn at their turn even if drawn lately

    def mark(self, *changes: str) -> None:
        """The panels that read any of `changes` need a redraw."""
        self.stale.update(k for k, p in self.panels.items() if p.reads.intersection(changes))

    def cost(self, key: str) -> float:
        """Seconds a draw of the panel takes with its paint: the median of its last draws that
        moved no view (0 until it has drawn one)."""
        costs = self._costs.get(key)
        return statistics.median(costs) if costs else 0.0

    def draw_next(self) -> None:
        """A timer tick: draw the stale panel on screen that has waited longest (and not drawn in
        the last MIN_INTERVAL), of those within the budget or waiting MAX_WAIT while the panels
        over it rest, else of all."""
        now = self.clock()
        for key in self.stale:
            self._since.setdefault(key, now)
        waiting = sorted((k for k in self.stale if self.shown(k)), key=self._since.__getitem__)
        for key in waiting:
            recent = now - self._drawn_at.get(key, -MIN_INTERVAL) < MIN_INTERVAL
            if recent and key not in self._hurried:
                continue
            if (
                now >= self._rest_until
                or self.cost(key) <= FRAME_BUDGET
                or now - self._since[key] >= MAX_WAIT
            ):
                self.draw(key)
                return

    def mark_panel(self, key: str) -> None:
        """Panel `key` alone needs a redraw."""
        self.stale.add(key)

    def hurry(self, *changes: str) -> None:
        """The panels that read any of `changes` need a redraw, each at its next turn whatever
        the rests and however lately it drew (as if it had waited MAX_WAIT), those reading the
        first change first: another step chosen on the timeline is shown within a few ticks,
        one panel a tick, so that no tick holds up the clock for all."""
        self.mark(*changes)
        now = self.clock()
        for key, panel in self.panels.items():
            order = [i for i, change in enumerate(changes) if change in panel.reads]
            if order:
                self._since[key] = now - MAX_WAIT - (len(changes) - order[0]) * 1e-6
                self._hurried.add(key)

    @property
    def hurrying(self) -> bool:
        """Whether a hurried panel on screen is still to be drawn."""
        return any(k in self.stale and self.shown(k) for k in self._hurried)

    def draw_now(self, change: str) -> None:
        """Every panel that reads `change`, at once (a keystroke is answered at once)."""
        for key, panel in self.panels.items():
            if change in panel.reads:
                self.draw(key)

    def draw_if_stale(self, key: str) -> None:
        if key in self.stale:
            self.draw(key)

    def draw(self, key: str) -> None:
        """Draw and paint the panel, timed; a draw over the budget makes the heavy panels rest,
        unless it moved a view."""
        self.stale.discard(key)
        self._since.pop(key, None)
        self._hurried.discard(key)
        panel = self.panels[key]
        moves = panel.view_moves()
        started = self._drawn_at[key] = self.clock()
        panel.draw(self.context())
        self.paint(panel)
        ended = self.clock()
        self.drawn[key] += 1
        if panel.view_moves() != moves:
            return
        self._costs.setdefault(key, deque(maxlen=COST_SAMPLES)).append(ended - started)
        overrun = ended - started - FRAME_BUDGET
        if overrun > 0:  # the heavy panels take turns after each rest: all within MAX_WAIT
            heavy = sum(self.cost(k) > FRAME_BUDGET and self.shown(k) for k in self.panels)
            rest = min(OVERRUN_REST * overrun, MAX_WAIT / max(heavy, 1))
            self._rest_until = max(self._rest_until, ended + rest)

    def draw_all(self) -> None:
        context = self.context()
        for panel in self.panels.values():
            panel.draw(context)
        self.stale.clear()
        self._since.clear()
        self._hurried.clear()
