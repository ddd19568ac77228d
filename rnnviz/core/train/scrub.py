"""The model at a past step, for the window's timeline: a thread of its own replays the run's
history (history.py), so that training and the window go on meanwhile. The newest request wins:
a drag of the slider asks for many steps, and only the one it stops at matters: a replay still
running when a newer ask comes is given up, or gone on with when the newer step is ahead of it
(as is the last one answered: a drag to the right replays only the steps in between), and a step
back goes from a state a replay went through (Trail). A long replay reports how far it is. Once
the model is answered and no newer ask has come for ANALYSE_AFTER_S (the slider rests), its
state space is analysed and answered too."""

import threading
import time
from collections.abc import Callable

from threadpoolctl import threadpool_limits

from ..insight.state_space import StateSpace
from ..nn.model import SequenceModel
from .experiment import Experiment
from .history import History, Progress, TrainerState, state_of
from .telemetry import Snapshot
from .trainer import Trainer

Reply = Callable[[object, BaseException | None], None]  # on_done(snapshot, error)
Progressed = Callable[[int, float], None]  # on_progress(step, share replayed)
Analyse = Callable[[SequenceModel, int], StateSpace]  # analyse(model, step)
PROGRESS_EVERY_S = 0.1
TRAIL_SPACING = 5  # steps between the states a replay passes that are kept
TRAIL_SHARE = 1 / 8  # of the history's budget, at most, for them
ANALYSE_AFTER_S = 0.25  # a drag asks again sooner: the analysis (0.4-0.7 s) would hold it up


class Trail:
    """States the replays of one history went through, every TRAIL_SPACING steps, the newest
    within TRAIL_SHARE of its budget (none when one does not fit): a step back from one looked
    at (the <- key, a drag to the left) is replayed from the nearest, not from the copy before
    it, up to the history's spacing of steps back."""

    def __init__(self, history: History):
        self.history = history
        self.states: dict[int, TrainerState] = {}  # step -> state, oldest first

    def passed(self, replay: Trainer) -> None:
        step = replay.step_count
        if step % TRAIL_SPACING or step in self.states or step in self.history.states:
            return
        state = state_of(replay, pinned=False)
        room = int(TRAIL_SHARE * self.history.budget_bytes) // state.nbytes
        if room:
            self.states[step] = state
        while len(self.states) > room:
            del self.states[next(iter(self.states))]


class _SupersededError(Exception):
    """A newer ask came while a replay ran: it stops."""


def past_snapshot(
    history: History, experiment: Experiment, step: int, progress: Progress | None = None
) -> Snapshot:
    """The experiment's model as it was after `step` (before the trainer's), exactly: its
    weights, epoch and the step's gradient flow (replayed, or kept with its copy)."""
    return snapshot_of(history, experiment, history.trainer_at(step, progress))


def snapshot_of(
    history: History, experiment: Experiment, replay: Trainer, copied: bool = False
) -> Snapshot:
    """The Snapshot of a trainer_at() replay (with a copy of its model when `copied`: the
    replay goes on)."""
    return Snapshot(
        replay.step_count,
        replay.model.copy() if copied else replay.model,
        experiment.vocab,
        experiment.classes,
        history.flow_of(replay),
        experiment.config.level,
        None,
        replay.epoch,
        past=True,
    )


class PastModels:
    """Answers ask(history, experiment, step, on_done, on_progress, analyse, on_space) on its
    own thread, one at a time; an ask made while another waits replaces it, and stops the one
    being replayed (it gets no answer). on_done(snapshot, error), on_progress(step, share) and
    on_space(state space, error) run on that thread; on_space only when no newer ask came for
    ANALYSE_AFTER_S after the snapshot was answered."""

    def __init__(self) -> None:
        self._asked: tuple | None = None
        self._kept: tuple[History, Trainer] | None = None  # the last replay, to go on from
        self._trail: Trail | None = None
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="rnnviz-history", daemon=True)
        self._thread.start()

    def ask(
        self,
        history: History,
        experiment: Experiment,
        step: int,
        on_done: Reply,
        on_progress: Progressed | None = None,
        analyse: Analyse | None = None,
        on_space: Reply | None = None,
    ) -> None:
        with self._wake:
            self._asked = (history, experiment, step, on_done, on_progress, analyse, on_space)
            self._wake.notify()

    def stop(self, timeout: float = 2.0) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join(timeout)

    def _loop(self) -> None:
        with threadpool_limits(limits=1):  # the run's own BLAS setting: the replay is bitwise
            while True:
                with self._wake:
                    while self._asked is None and not self._stopping:
                        self._wake.wait()
                    if self._stopping:
                        return
                    asked, self._asked = self._asked, None
                assert asked is not None
                history, experiment, step, on_done, on_progress, analyse, on_space = asked
                try:
                    progress = self._progress(step, on_progress)
                    result, error = self._replayed(history, experiment, step, progress), None
                except _SupersededError:
                    continue
                except Exception as failure:  # handed to the caller, never kills the thread
                    result, error, self._kept = None, failure, None
                on_done(result, error)
                if result is not None and analyse is not None and on_space is not None:
                    self._analyse(result, analyse, on_space)

    def _replayed(
        self, history: History, experiment: Experiment, step: int, progress: Progress
    ) -> Snapshot:
        """The model after `step`, replayed on from the last replay (answered, or stopped by a
        newer ask) when that is on the way from the copy before `step` to it: a drag of the
        slider to the right, or the next step, replays only the steps in between; else from
        the nearest state before it that a replay went through (Trail) or copy. Memory: the
        replay (one copy's bytes, beyond the history's budget) is held between asks as during
        one, the answer's model is a copy of its weights, and the trail takes at most
        TRAIL_SHARE of the budget."""
        kept = self._kept[1] if self._kept is not None and self._kept[0] is history else None
        self._kept = None
        if self._trail is None or self._trail.history is not history:
            self._trail = Trail(history)
        trail = self._trail
        replay = history.replayer(step, kept, trail.states)
        self._kept = (history, replay)  # stopped by a newer ask, it is at a step's end

        def stepped(done: int, total: int) -> None:
            trail.passed(replay)
            progress(done, total)

        history.run_to(replay, step, stepped)
        return snapshot_of(history, experiment, replay, copied=True)

    def _analyse(self, snapshot: Snapshot, analyse: Analyse, on_space: Reply) -> None:
        """The snapshot's state space (or the analysis' error), once the asks rest."""
        with self._wake:
            self._wake.wait_for(lambda: self._asked is not None or self._stopping, ANALYSE_AFTER_S)
            if self._asked is not None or self._stopping:
                return
        try:
            space, error = analyse(snapshot.model, snapshot.step), None
        except Exception as failure:  # handed to the caller, never kills the thread
            space, error = None, failure
        on_space(space, error)

    def _progress(self, step: int, on_progress: Progressed | None) -> Progress:
        """The replay's progress: stops it when a newer ask waits, reports it now and then."""
        said = [time.perf_counter()]

        def progress(done: int, total: int) -> None:
            if self._asked is not None or self._stopping:
                raise _SupersededError
            if on_progress is not None and time.perf_counter() - said[0] >= PROGRESS_EVERY_S:
                said[0] = time.perf_counter()
                on_progress(step, done / total)

        return progress
