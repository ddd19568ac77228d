"""The frame budget: which panel each timer tick draws, on a fake clock (a draw costs what the
test says), and that a real draw is timed with the paint it causes."""

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QGraphicsView

from rnnviz.gui.panel import PROBE, SNAPSHOT, TELEMETRY, PanelContext
from rnnviz.gui.scheduler import (
    FRAME_BUDGET,
    MAX_WAIT,
    MIN_INTERVAL,
    OVERRUN_REST,
    PanelScheduler,
)

TICK = 0.020  # the window's timer interval (s)
MS = 0.001


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakePanel:
    """A panel whose draw takes `costs` seconds on the clock (the last one repeats); `moving(n)`
    says whether its n-th draw (from 0) moves a plot's view."""

    def __init__(self, key: str, reads: set[str], clock: Clock, *costs: float, moving=None):
        self.key, self.reads, self.clock = key, frozenset(reads), clock
        self.costs = list(costs)
        self.moving = moving or (lambda n: False)
        self.draws: list[float] = []  # when each draw started
        self.moves = 0

    def view_moves(self) -> int:
        return self.moves

    def draw(self, context: PanelContext) -> None:
        self.moves += self.moving(len(self.draws))
        self.draws.append(self.clock.now)
        self.clock.now += self.costs.pop(0) if len(self.costs) > 1 else self.costs[0]


def scheduler(clock: Clock, *panels: FakePanel, paint=lambda panel: None, hidden=()):
    return PanelScheduler(
        {p.key: p for p in panels},
        lambda key: key not in hidden,
        lambda: PanelContext(None, None, None),
        clock=clock,
        paint=paint,
    )


def train(clock: Clock, s: PanelScheduler, seconds: float) -> None:
    """Ticks every TICK for `seconds`, new telemetry before each (training at full speed); a
    tick due while a draw runs is skipped, as a QTimer's is."""
    tick, end = clock.now, clock.now + seconds
    while tick < end:
        clock.now = tick
        s.mark(TELEMETRY)
        s.draw_next()
        tick += TICK
        while tick < clock.now:
            tick += TICK


def gaps(panel: FakePanel) -> list[float]:
    return [b - a for a, b in zip(panel.draws, panel.draws[1:], strict=False)]


def test_each_tick_draws_the_stale_panel_that_has_waited_longest():
    clock = Clock()
    panels = [FakePanel(k, {TELEMETRY}, clock, 1 * MS) for k in "abcdef"]
    s = scheduler(clock, *panels)
    train(clock, s, 60 * TICK)
    assert s.drawn == dict.fromkeys("abcdef", 10)  # one panel a tick, in turn
    assert all(g == pytest.approx(6 * TICK) for p in panels for g in gaps(p))


def test_a_panel_redraws_min_interval_apart_at_the_closest():
    clock = Clock()
    panel = FakePanel("plot", {TELEMETRY}, clock, 1 * MS)
    s = scheduler(clock, panel)
    train(clock, s, 2.0)
    assert min(gaps(panel)) >= MIN_INTERVAL and max(gaps(panel)) < MIN_INTERVAL + TICK
    s.mark(TELEMETRY)
    s.draw_now(TELEMETRY)  # a keystroke's panels draw at once all the same
    assert clock.now - panel.draws[-1] == pytest.approx(1 * MS)


def test_a_panel_over_the_budget_redraws_less_often_as_far_as_it_runs_over():
    intervals = {}
    for overrun in (2 * MS, 4 * MS):
        clock = Clock()
        heavy = FakePanel("heavy", {TELEMETRY}, clock, FRAME_BUDGET + overrun)
        light = FakePanel("light", {TELEMETRY}, clock, 1 * MS)
        s = scheduler(clock, heavy, light)
        train(clock, s, 10.0)
        rest = OVERRUN_REST * overrun
        assert all(rest <= g <= rest + 2 * TICK for g in gaps(heavy))
        intervals[overrun] = sum(gaps(heavy)) / len(gaps(heavy))
        # the light panel keeps its rate (a heavy draw may take one of its ticks)
        assert max(gaps(light)) <= MIN_INTERVAL + 2 * TICK
    assert intervals[4 * MS] > 1.8 * intervals[2 * MS]


def test_heavy_panels_take_turns_within_max_wait_evenly_spaced():
    clock = Clock()
    heavy = [FakePanel(k, {TELEMETRY}, clock, FRAME_BUDGET + 10 * MS) for k in "abcd"]
    s = scheduler(clock, *heavy, FakePanel("light", {TELEMETRY}, clock, 1 * MS))
    train(clock, s, 30.0)
    # each overrun would rest 1 s, four panels taking turns 4 s: the rest is cut to 2 s / 4
    for panel in heavy:
        assert all(g <= MAX_WAIT + len(heavy) * (panel.costs[0] + TICK) for g in gaps(panel)[1:])
    starts = sorted(t for panel in heavy for t in panel.draws if t > 5.0)  # costs known by then
    spacing = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(spacing) >= MAX_WAIT / len(heavy) - 2 * TICK  # one at a time, never a burst


def test_no_panel_waits_for_ever_however_heavy():
    clock = Clock()
    heavy = [FakePanel(k, {TELEMETRY}, clock, 0.5) for k in "xyz"]  # 100 x the budget
    s = scheduler(clock, *heavy, FakePanel("light", {TELEMETRY}, clock, 1 * MS))
    train(clock, s, 30.0)
    for panel in heavy:  # overdue after MAX_WAIT, then behind at most the other two
        assert len(panel.draws) >= 10
        assert max(gaps(panel)) <= MAX_WAIT + len(heavy) * (0.5 + TICK)


def test_the_paint_a_draw_causes_counts_in_its_cost():
    clock = Clock()
    panel = FakePanel("plot", {TELEMETRY}, clock, 1 * MS)

    def paint(p):
        clock.now += 10 * MS

    s = scheduler(clock, panel, paint=paint)
    train(clock, s, 5.0)
    assert s.cost("plot") == pytest.approx(11 * MS)
    assert min(gaps(panel)) >= OVERRUN_REST * (11 * MS - FRAME_BUDGET)


def test_one_slow_draw_does_not_make_a_panel_heavy():
    clock = Clock()
    panel = FakePanel("plot", {TELEMETRY}, clock, 1 * MS, 1 * MS, 1 * MS, 50 * MS, 1 * MS)
    s = scheduler(clock, panel)
    train(clock, s, 3.0)
    assert s.cost("plot") == pytest.approx(1 * MS)  # the median of its last draws
    # the slow draw made the heavy panels rest 2 s, but this one is not heavy: it keeps its rate
    assert len(panel.draws) > 30 and max(gaps(panel)) <= MIN_INTERVAL + TICK


def test_a_draw_that_moves_a_view_neither_counts_in_the_cost_nor_rests_the_panel():
    """A plot that follows its data re-renders its axes whenever the data outgrows the view: as
    often as the data grows, whatever the rate. Resting the plot for those draws made every one
    of its draws one that moved the view (the loss panel drew once a second)."""
    clock = Clock()
    costs = [2 * MS, 30 * MS, 30 * MS] * 200  # two draws in three move a view (a run's start)
    mostly_moving = FakePanel("loss", {TELEMETRY}, clock, *costs, moving=lambda n: n % 3 != 0)
    s = scheduler(clock, mostly_moving, FakePanel("light", {TELEMETRY}, clock, 1 * MS))
    train(clock, s, 4.0)
    assert s.cost("loss") == pytest.approx(2 * MS)
    assert len(mostly_moving.draws) > 25
    assert max(gaps(mostly_moving)) <= MIN_INTERVAL + 3 * TICK  # no rest after the 30 ms


def test_a_keystroke_is_drawn_at_once_and_its_overrun_defers_heavy_panels():
    clock = Clock()
    prediction = FakePanel("prediction", {PROBE}, clock, FRAME_BUDGET + 4 * MS)
    loss = FakePanel("loss", {TELEMETRY}, clock, FRAME_BUDGET + 4 * MS)
    s = scheduler(clock, prediction, loss)
    train(clock, s, 3 * TICK)  # the loss panel ran over: it rests
    resting_until = loss.draws[-1] + loss.costs[0] + OVERRUN_REST * 4 * MS
    s.draw_now(PROBE)  # resting or not, the typed sentence's panels draw now
    typed = clock.now
    assert prediction.draws == [pytest.approx(typed - prediction.costs[0])]
    train(clock, s, 2.0)
    assert typed + OVERRUN_REST * 4 * MS <= loss.draws[1] and loss.draws[1] > resting_until


def test_a_hidden_panel_is_drawn_when_it_is_shown():
    clock = Clock()
    hidden = FakePanel("dynamics", {TELEMETRY, SNAPSHOT}, clock, 1 * MS)
    s = scheduler(clock, hidden, hidden={"dynamics"})
    train(clock, s, 10 * TICK)
    assert hidden.draws == [] and "dynamics" in s.stale
    s.draw_if_stale("dynamics")  # its tab came to the front
    assert len(hidden.draws) == 1 and "dynamics" not in s.stale


class Paints(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self, widget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        self.count += event.type() == QEvent.Type.Paint
        return False


def test_a_draw_is_timed_with_the_paint_it_causes(qtbot, window):
    window.runner.call(lambda run: [run.trainer.step() for _ in range(30)]).result(60)
    window.refresh()  # the newest telemetry
    window.scheduler.draw("loss")  # the first draw of the 30 steps moves the views to them
    view = window.panels["loss"].findChildren(QGraphicsView)[0]
    paints = Paints(view.viewport())
    window.scheduler.draw("loss")
    assert paints.count >= 1  # painted before the draw returned: inside its measured time
    assert window.scheduler.cost("loss") > 0


def test_a_step_chosen_on_the_timeline_hurries_its_panels_past_the_rests():
    """Heavy panels resting after overruns are drawn at their next turns once hurried (another
    step looked at), one a tick, not after up to MAX_WAIT."""
    clock = Clock()
    heavy = FakePanel("heavy", {SNAPSHOT}, clock, 30 * MS)
    other = FakePanel("other", {PROBE}, clock, 30 * MS)
    s = scheduler(clock, heavy, other)
    s.mark(SNAPSHOT, PROBE)
    for _ in range(2):  # both draw once and run over: the heavy panels rest
        s.draw_next()
        clock.now += TICK
    assert len(heavy.draws) == len(other.draws) == 1 and s._rest_until > clock.now
    clock.now += MIN_INTERVAL
    s.hurry(SNAPSHOT, PROBE)
    drawn_at = clock.now
    for _ in range(2):
        assert s.hurrying
        s.draw_next()
        clock.now += TICK
    assert len(heavy.draws) == len(other.draws) == 2  # both within two ticks, one a tick
    assert not s.hurrying
    assert heavy.draws[1] != other.draws[1] and max(heavy.draws[1], other.draws[1]) < drawn_at + 0.1


def test_hurried_panels_come_in_the_order_of_their_changes_even_just_after_a_draw():
    """The past model came: the sentence's views (PROBE) before the plots that mark the step
    (TELEMETRY), and a panel drawn a tick ago for live telemetry does not wait MIN_INTERVAL."""
    clock = Clock()
    plot = FakePanel("plot", {TELEMETRY}, clock, 2 * MS)
    sentence = FakePanel("sentence", {PROBE}, clock, 2 * MS)
    s = scheduler(clock, plot, sentence)
    s.mark(TELEMETRY, PROBE)
    for _ in range(2):
        s.draw_next()
        clock.now += TICK
    assert len(plot.draws) == len(sentence.draws) == 1
    s.hurry(PROBE, TELEMETRY)  # within MIN_INTERVAL of both draws
    s.draw_next()
    assert (len(sentence.draws), len(plot.draws)) == (2, 1)  # the sentence's view first
    clock.now += TICK
    s.draw_next()
    assert len(plot.draws) == 2
    clock.now += TICK
    s.mark(TELEMETRY)  # no longer hurried: the usual MIN_INTERVAL holds again
    s.draw_next()
    assert len(plot.draws) == 2
