"""Telemetry: the only hand-off from the training thread to the window.

The trainer's thread writes (records, evaluations, events, snapshots) under a lock in O(1); the
window pulls a consistent copy at its own pace, only when something changed. Memory is bounded
whatever the number of steps.
"""

import threading
from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from ..data.text import Vocabulary
from ..history import DecimatingHistory, SeriesView
from ..insight.dynamics import MEASURES, Dynamics
from ..insight.flow import FlowHistory
from ..insight.records import Insight, UnitWords
from ..insight.state_space import StateSpace
from ..nn.model import SequenceModel
from .config import TrainConfig
from .records import Evaluation, RunState, StepRecord
from .trainer import Trainer

EVAL_METRICS = ("loss", "accuracy", "ece")
MAX_EPOCH_MARKS = 256
MAX_EVENTS = 500
HALT_EVENT = "non-finite: weights restored"
MAX_UNIT_WORDS = 64  # recorded top-word lists kept (thinned to every other one beyond)


@dataclass(frozen=True)
class Snapshot:
    """A read-only copy of the model at one step: what the window predicts and draws with."""

    step: int
    model: SequenceModel
    vocab: Vocabulary
    classes: tuple[str, ...]
    gradient_flow: dict[str, np.ndarray]  # "h" (, "c") -> (T,) mean ||dL/d·|| by distance from
    # the sentence end
    level: str = "word"  # a language model's tokens (what the typed text is read as)
    restored: tuple[int, int] | None = None  # (epoch, step) of the best-validation weights it
    # holds, put back by Restore best and not trained since; None: the weights of step `step`
    epoch: int = 0  # epochs completed at `step`
    past: bool = False  # replayed from the run's history (the timeline), not the live weights
    state_space: StateSpace | None = None  # a past step's, analysed after its weights came (the
    # live weights' is the telemetry's insight)


@dataclass(frozen=True)
class Status:
    state: RunState = RunState.READY
    message: str = ""
    step: int = 0
    epoch: int = 0
    tokens_per_s: float = 0.0  # while training; 0 otherwise (no speed is current then)
    elapsed: float = 0.0  # seconds spent training since step `clock_from`
    clock_from: int = 0  # 0, or the step of a loaded model whose file did not record its time
    lr: float = 0.0  # of the next step (the schedule's factor included)
    best_step: int = 0  # step of the best-validation weights so far; 0 = none yet
    best_epoch: int = 0
    config: TrainConfig | None = None  # the live settings (the trainer's: the one copy)

    @property
    def training(self) -> bool:
        return self.state is RunState.TRAINING


@dataclass(frozen=True)
class Curves:
    """What a run's history file keeps of its telemetry: the curves over training (every step's
    columns, each split's evaluations), the epoch ends and the events, as the window drew them."""

    steps: DecimatingHistory | None
    param_names: tuple[str, ...]
    evaluations: dict[str, DecimatingHistory]
    epoch_marks: list[int]
    epoch_stride: int
    epochs_seen: int
    events: list[tuple[int, str]]


@dataclass(frozen=True)
class TelemetryView:
    version: int
    steps: SeriesView | None
    evaluations: dict[str, SeriesView]  # split -> history of loss/accuracy/ECE
    latest: dict[str, Evaluation]  # split -> its newest evaluation (reliability table included)
    epoch_marks: list[int]  # steps at which epochs ended (thinned when many)
    events: list[tuple[int, str]]  # (step, what changed)
    snapshot: Snapshot | None
    status: Status
    param_names: tuple[str, ...] = field(default_factory=tuple)
    insight: Insight = field(default_factory=Insight)


class Telemetry:
    def __init__(self, capacity: int = 4096):
        self.capacity = capacity
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._steps: DecimatingHistory | None = None
            self._param_names: tuple[str, ...] = ()
            self._evaluations: dict[str, DecimatingHistory] = {}
            self._latest: dict[str, Evaluation] = {}
            self._epoch_marks: list[int] = []
            self._epoch_stride = 1
            self._epochs_seen = 0
            self._events: deque[tuple[int, str]] = deque(maxlen=MAX_EVENTS)
            self._snapshot: Snapshot | None = None
            self._flow: dict[str, FlowHistory] = {}
            self._dynamics = DecimatingHistory(MEASURES, self.capacity)
            self._unit_words: list[UnitWords] = []
            self._insight = Insight()
            # the settings stay until the new experiment publishes its own (readers never see
            # a status without them)
            self._status = Status(config=getattr(self, "_status", Status()).config)
            self._version = getattr(self, "_version", 0) + 1

    def follow(self, trainer: Trainer) -> None:
        """Record the trainer's steps, evaluations, epoch ends and halts from now on."""
        trainer.on("step", self.record_step)
        trainer.on("evaluation", self.record_evaluation)
        trainer.on("epoch_end", lambda _: self.record_epoch(trainer.step_count))
        trainer.on("halt", lambda halt: self.record_event(halt.step, HALT_EVENT))

    def curves(self) -> Curves:
        """A copy of the curves over training (for a history file)."""
        with self._lock:
            return Curves(
                self._steps.copy() if self._steps is not None else None,
                self._param_names,
                {split: h.copy() for split, h in self._evaluations.items()},
                list(self._epoch_marks),
                self._epoch_stride,
                self._epochs_seen,
                list(self._events),
            )

    def restore(self, curves: Curves) -> None:
        """Start from the curves of a run gone before (a history file opened): the steps recorded
        from now on extend them."""
        with self._lock:
            self._steps = curves.steps.copy() if curves.steps is not None else None
            self._param_names = curves.param_names
            self._evaluations = {split: h.copy() for split, h in curves.evaluations.items()}
            self._epoch_marks = list(curves.epoch_marks)
            self._epoch_stride, self._epochs_seen = curves.epoch_stride, curves.epochs_seen
            self._events.extend(curves.events)
            self._version += 1

    def record_step(self, record: StepRecord) -> None:
        values = np.array(record.values(), dtype=float)
        with self._lock:
            if self._steps is None:
                self._steps = DecimatingHistory(record.columns(), self.capacity)
                self._param_names = tuple(record.norms_before)
            self._steps.append(record.step, values)
            self._version += 1

    def record_evaluation(self, evaluation: Evaluation) -> None:
        with self._lock:
            history = self._evaluations.get(evaluation.split)
            if history is None:
                history = self._evaluations[evaluation.split] = DecimatingHistory(
                    EVAL_METRICS, self.capacity
                )
            history.append(evaluation.step, (evaluation.loss, evaluation.accuracy, evaluation.ece))
            self._latest[evaluation.split] = evaluation
            self._version += 1

    def record_epoch(self, step: int) -> None:
        """Epoch boundary at `step`; past MAX_EPOCH_MARKS only every 2nd, 4th, ... is kept."""
        with self._lock:
            self._epochs_seen += 1
            if self._epochs_seen % self._epoch_stride == 0:
                self._epoch_marks.append(step)
                if len(self._epoch_marks) > MAX_EPOCH_MARKS:
                    self._epoch_marks = self._epoch_marks[1::2]
                    self._epoch_stride *= 2
            self._version += 1

    def record_event(self, step: int, text: str) -> None:
        with self._lock:
            self._events.append((step, text))
            self._version += 1

    def record_dynamics(self, step: int, flow: dict[str, np.ndarray], dynamics: Dynamics) -> None:
        """The gradient flow of the newest batch ("h" (, "c") -> (T,)) and the recurrence's
        figures at `step`."""
        with self._lock:
            for name, values in flow.items():
                self._flow.setdefault(name, FlowHistory()).append(step, values)
            self._dynamics.append(step, dynamics.values())
            self._insight = replace(
                self._insight,
                flow={name: history.view() for name, history in self._flow.items()},
                dynamics=self._dynamics.view(),
            )
            self._version += 1

    def record_unit_words(self, words: UnitWords) -> None:
        with self._lock:
            self._unit_words.append(words)
            if len(self._unit_words) > MAX_UNIT_WORDS:
                self._unit_words = [*self._unit_words[:-1:2], self._unit_words[-1]]
            self._insight = replace(self._insight, unit_words=tuple(self._unit_words))
            self._version += 1

    def record_state_space(self, space: StateSpace) -> None:
        with self._lock:
            self._insight = replace(self._insight, state_space=space)
            self._version += 1

    def publish(self, status: Status, snapshot: Snapshot | None = None) -> None:
        """The newest status, and newer weights when given, in one version: a reader never sees
        the weights of one step with the status of another."""
        with self._lock:
            if snapshot is None and status == self._status:
                return
            if snapshot is not None:
                self._snapshot = snapshot
            self._status = status
            self._version += 1

    @property
    def status(self) -> Status:
        """The newest status alone (no copy of the histories)."""
        with self._lock:
            return self._status

    @property
    def version(self) -> int:
        return self._version

    def read(self, since: int = -1) -> TelemetryView | None:
        """A consistent copy, or None when nothing changed after version `since`."""
        with self._lock:
            if self._version == since:
                return None
            return TelemetryView(
                self._version,
                self._steps.view() if self._steps is not None else None,
                {split: h.view() for split, h in self._evaluations.items()},
                dict(self._latest),
                list(self._epoch_marks),
                list(self._events),
                self._snapshot,
                self._status,
                self._param_names,
                self._insight,
            )

    def nbytes(self) -> int:
        """Bytes held by the bounded histories."""
        with self._lock:
            total = self._steps.nbytes() if self._steps is not None else 0
            total += self._dynamics.nbytes() + sum(h.nbytes() for h in self._flow.values())
            return total + sum(h.nbytes() for h in self._evaluations.values())
