"""The model at a past step, for the window's timeline: a thread of its own replays the run's
history (history.py), so that training and the window go on meanwhile. The newest request wins:
a drag of the slider asks for many steps, and only the one it stops at matters: a replay still
running when a newer ask comes is given up. A long replay reports how far it is. Once the
model is answered, and no newer ask waits, its state space is analysed and answered too (the
same snapshot with it)."""

import threading
import time
from collections.abc import Callable
from dataclasses import replace

from threadpoolctl import threadpool_limits

from ..insight.flow import gradient_flow
from ..insight.state_space import StateSpace
from ..nn.model import SequenceModel
from .experiment import Experiment
from .history import History, Progress
from .telemetry import Snapshot

Reply = Callable[[object, BaseException | None], None]  # on_done(snapshot, error)
Progressed = Callable[[int, float], None]  # on_progress(step, share replayed)
Analyse = Callable[[SequenceModel, int], StateSpace]  # analyse(model, step)
PROGRESS_EVERY_S = 0.1


class _SupersededError(Exception):
    """A newer ask came while a replay ran: it stops."""


def past_snapshot(
    history: History, experiment: Experiment, step: int, progress: Progress | None = None
) -> Snapshot:
    """The experiment's model as it was after `step` (before the trainer's), exactly: its
    weights, epoch and the step's gradient flow (replayed, or kept with its copy)."""
    replay = history.trainer_at(step, progress)
    return Snapshot(
        step,
        replay.model,
        experiment.vocab,
        experiment.classes,
        gradient_flow(replay.last) if replay.last is not None else history.copied_flow(step),
        experiment.config.level,
        None,
        replay.epoch,
        past=True,
    )


class PastModels:
    """Answers ask(history, experiment, step, on_done, on_progress, analyse) on its own thread,
    one at a time; an ask made while another waits replaces it, and stops the one being replayed
    (it gets no answer). on_done(snapshot, error) and on_progress(step, share) run on that
    thread; with `analyse`, on_done is called a second time with the snapshot's state space,
    unless a newer ask came first."""

    def __init__(self) -> None:
        self._asked: tuple | None = None
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
    ) -> None:
        with self._wake:
            self._asked = (history, experiment, step, on_done, on_progress, analyse)
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
                history, experiment, step, on_done, on_progress, analyse = asked
                try:
                    progress = self._progress(step, on_progress)
                    result, error = past_snapshot(history, experiment, step, progress), None
                except _SupersededError:
                    continue
                except Exception as failure:  # handed to the caller, never kills the thread
                    result, error = None, failure
                on_done(result, error)
                if result is not None and analyse is not None and self._asked is None:
                    self._analyse(result, analyse, on_done)

    def _analyse(self, snapshot: Snapshot, analyse: Analyse, on_done: Reply) -> None:
        """The snapshot again, with its state space (or the analysis' error)."""
        try:
            space = analyse(snapshot.model, snapshot.step)
        except Exception as failure:
            on_done(None, failure)
            return
        on_done(replace(snapshot, state_space=space), None)

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
