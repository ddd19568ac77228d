"""What training reports, defined once: read by telemetry, the CLI, the CSV and the window."""

from dataclasses import dataclass, fields
from enum import Enum

from .calibration import Reliability


@dataclass(frozen=True)
class StepRecord:
    """One training step. The scalar fields, in order, are the columns of every per-step table
    (telemetry's history, the metrics CSV); the two norm dicts add a column per parameter."""

    step: int  # 1-based count of updates applied (or attempted, for a halted step)
    epoch: int  # completed epochs before this step (the step belongs to epoch `epoch + 1`)
    loss: float
    accuracy: float
    global_before: float  # ||g|| over all parameters before clipping
    global_after: float
    changed_fraction: float  # share of gradient entries clipping changed
    clipped: bool
    lr: float
    tokens: int
    seconds: float
    halted: bool  # non-finite: no update applied, weights restored
    norms_before: dict[str, float]  # parameter name -> ||g||
    norms_after: dict[str, float]

    @classmethod
    def scalar_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if not f.name.startswith("norms_"))

    def scalars(self) -> tuple:
        return tuple(getattr(self, name) for name in self.scalar_names())

    def columns(self) -> tuple[str, ...]:
        """Scalar names, then before/NAME and after/NAME for each parameter."""
        return (
            self.scalar_names()
            + tuple(f"before/{n}" for n in self.norms_before)
            + tuple(f"after/{n}" for n in self.norms_after)
        )

    def values(self) -> tuple:
        """The row under columns()."""
        return self.scalars() + tuple(self.norms_before.values()) + tuple(self.norms_after.values())


@dataclass(frozen=True)
class Evaluation:
    step: int
    epoch: int
    split: str
    loss: float
    accuracy: float
    ece: float = 0.0  # expected calibration error (calibration.py)
    reliability: Reliability | None = None  # its table per confidence bin
    temperature: float = 1.0  # the model's temperature when scored


@dataclass(frozen=True)
class Halt:
    step: int
    reason: str  # one sentence for the user


class RunState(str, Enum):
    """What the training worker is doing; the window's status bar describes each."""

    READY = "ready"
    TRAINING = "training"
    PAUSED = "paused"
    HALTED = "halted"  # a non-finite step: weights restored, paused
    FINISHED = "finished"  # early stopping fired
    ERROR = "error"  # a bug stopped a step: paused, with the message
    STOPPED = "stopped"  # the thread has ended
