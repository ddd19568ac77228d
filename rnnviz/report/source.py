"""What a report is made of: a saved model (a checkpoint, or a history file's last step or any
step of it), the curves over training when the file kept them, the gradient flow of the step
shown when it is known, and, when its data can be read, its calibration and state space on the
held-out sentences (the run's own split: the same seed splits the same data the same way)."""

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..core.data.datasets import Dataset
from ..core.errors import CheckpointError, DatasetError
from ..core.history import SeriesView
from ..core.insight.state_space import StateSpace, analyse
from ..core.train import checkpoint, history_file
from ..core.train.calibration import Reliability
from ..core.train.checkpoint import Checkpoint
from ..core.train.experiment import Experiment
from ..core.train.scoring import score
from ..core.train.telemetry import Curves


@dataclass(frozen=True)
class SideRun:
    """A run trained beside the reported one on the same batches (the window's Runs menu)."""

    label: str  # its settings changes, "cell=lstm,lr=0.01"
    colour: str
    steps: SeriesView | None  # its per-step curves
    evaluations: dict[str, SeriesView]  # split -> its evaluations


@dataclass(frozen=True)
class LessonChecks:
    """The lesson the run came from and its checks as last measured (the window's)."""

    title: str
    measured: str  # "after epoch 3 of 8"
    rows: tuple[tuple[str, str, float | None, str, bool], ...]  # (claim, run, value (None:
    # pending), bound, seen)


@dataclass(frozen=True)
class ReportSource:
    ckpt: Checkpoint
    origin: str  # where it came from: a file's name, or "the window"
    curves: Curves | None = None  # the curves over training (a history file's, the window's)
    flow: dict[str, np.ndarray] = field(default_factory=dict)  # "h" (, "c") -> (T,) of a step:
    flow_step: int | None = None  # that step (None: the checkpoint's)
    reliability: Reliability | None = None  # on the test sentences (a classifier's)
    state_space: StateSpace | None = None  # on the held-out sentences
    runs: tuple[SideRun, ...] = ()  # beside it, drawn on its curves over training
    lesson: LessonChecks | None = None


def with_held_out(source: ReportSource, data: Dataset) -> ReportSource:
    """The source with its calibration and state space on `data`'s held-out part, split as the
    run split it (its settings' seed and fractions), the model and vocabulary its own."""
    ckpt = source.ckpt
    if not ckpt.model.is_language_model and tuple(data.classes) != tuple(ckpt.classes):
        raise DatasetError(
            f"{data.name} has classes {list(data.classes)}, the model {list(ckpt.classes)}"
        )
    experiment = Experiment.build(ckpt.config, data, vocab=ckpt.vocab, model=ckpt.model)
    batch = experiment.state_space_batch
    space = analyse(ckpt.model, batch.ids, batch.lengths, batch.labels, ckpt.summary.get("step", 0))
    table = None if ckpt.model.is_language_model else score(ckpt.model, experiment.test_set)
    return replace(source, reliability=table and table.reliability, state_space=space)


def read(path: str | Path, step: int | None = None) -> ReportSource:
    """A checkpoint, or a history file (at `step`, else its last step) with its curves."""
    path = Path(path)
    if not history_file.is_history(path):
        if step is not None:
            raise CheckpointError(f"{path}: --step needs a history file")
        return ReportSource(checkpoint.load(path), path.name)
    saved = history_file.load(path)
    history, ckpt = saved.history, saved.checkpoint
    if step is None or step == history.last_step:  # the present: copied with its flow
        return ReportSource(ckpt, path.name, saved.curves, history.copied_flow(history.last_step))
    ckpt, replay = history_file.replayed_at(ckpt, history, step)
    return ReportSource(ckpt, path.name, saved.curves, history.flow_of(replay))
