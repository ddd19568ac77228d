"""What a report is made of: a saved model (a checkpoint, or a history file's last step or any
step of it), the curves over training when the file kept them, and the gradient flow of the step
shown when it is known."""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.errors import CheckpointError
from ..core.insight.flow import gradient_flow
from ..core.train import checkpoint, history_file
from ..core.train.checkpoint import Checkpoint
from ..core.train.telemetry import Curves


@dataclass(frozen=True)
class ReportSource:
    ckpt: Checkpoint
    origin: str  # where it came from: a file's name, or "the window"
    curves: Curves | None = None  # the curves over training (a history file's, the window's)
    flow: dict[str, np.ndarray] = field(default_factory=dict)  # "h" (, "c") -> (T,) of the step


def read(path: str | Path, step: int | None = None) -> ReportSource:
    """A checkpoint, or a history file (at `step`, else its last step) with its curves."""
    path = Path(path)
    if not history_file.is_history(path):
        if step is not None:
            raise CheckpointError(f"{path}: --step needs a history file")
        return ReportSource(checkpoint.load(path), path.name)
    saved = history_file.load(path)
    history, ckpt = saved.history, saved.checkpoint
    at = history.last_step if step is None else step
    if at != history.last_step:
        ckpt = history_file.model_at(ckpt, history, at)
    flow = history.copied_flow(at) or _replayed_flow(history, at)
    return ReportSource(ckpt, path.name, saved.curves, flow)


def _replayed_flow(history, step: int) -> dict[str, np.ndarray]:
    """The gradient flow of a step between copies: its replay's own batch."""
    if step == history.first_step:
        return {}
    return gradient_flow(history.trainer_at(step).last)
