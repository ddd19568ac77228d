"""Every hyperparameter of a training run, in one plain dataclass (limits: hyperparameters.py)."""

from dataclasses import asdict, dataclass, fields, replace

from ..errors import ConfigError
from .hyperparameters import HYPERPARAMETERS


@dataclass(frozen=True)
class TrainConfig:
    cell: str = "vanilla"
    hidden_size: int = 64
    lr: float = 0.002
    optimizer: str = "adam"
    clip_mode: str = "norm"
    clip: float = 1.0
    batch_size: int = 16
    epochs: int = 40
    bptt_truncate: int = 0  # keep the last k steps of each sequence; 0 = full BPTT
    init: str = "uniform"
    seed: int = 0
    dtype: str = "float64"
    eval_every: int = 0  # steps between test evaluations; 0 = at every epoch end
    min_count: int = 1
    max_vocab: int = 20_000
    max_len: int = 0  # cut texts to this many tokens; 0 = no limit
    test_fraction: float = 0.2  # used when the data has no split of its own
    validation_fraction: float = 0.0
    patience: int = 0  # early stopping: epochs without a better validation loss; 0 = off
    lr_schedule: str = "constant"  # or "plateau": halve lr after an epoch without progress
    dropout: float = 0.0  # on the last hidden state, before the output layer
    word_dropout: float = 0.0  # share of training tokens replaced by <unk>
    weight_decay: float = 0.0  # decoupled, on the weight matrices

    def __post_init__(self) -> None:
        for h in HYPERPARAMETERS:
            value = getattr(self, h.field)
            if h.choices is None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise ConfigError(f"{h.label} must be a number, got {value!r}")
            problem = h.problem(value)
            if problem:
                raise ConfigError(f"{h.label} {problem}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "TrainConfig":
        """Known keys only (a newer file's extra keys are ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})

    def updated(self, **changes) -> "TrainConfig":
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **changes)
