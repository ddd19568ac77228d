"""Every hyperparameter of a training run, in one plain dataclass."""

from dataclasses import asdict, dataclass, fields, replace

from .errors import ConfigError
from .init import INIT_SCHEMES
from .optim import CLIP_MODES, OPTIMIZERS

DTYPES = ("float32", "float64")
# What can change between two steps; the rest rebuilds the model (the window's Reset).
LIVE_FIELDS = ("lr", "optimizer", "clip_mode", "clip", "batch_size", "bptt_truncate")


@dataclass(frozen=True)
class TrainConfig:
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

    def __post_init__(self) -> None:
        checks = [
            (self.hidden_size >= 1, "hidden size must be >= 1"),
            (self.lr > 0, "learning rate must be > 0"),
            (self.optimizer in OPTIMIZERS, f"optimizer must be one of {', '.join(OPTIMIZERS)}"),
            (self.clip_mode in CLIP_MODES, f"clip mode must be one of {', '.join(CLIP_MODES)}"),
            (self.clip > 0, "clip threshold must be > 0"),
            (self.batch_size >= 1, "batch size must be >= 1"),
            (self.epochs >= 0, "epochs must be >= 0"),
            (self.bptt_truncate >= 0, "BPTT truncation must be >= 0 (0 = full)"),
            (0 <= self.seed < 2**32, "seed must be between 0 and 4294967295"),
            (self.init in INIT_SCHEMES, f"init must be one of {', '.join(INIT_SCHEMES)}"),
            (self.dtype in DTYPES, f"dtype must be one of {', '.join(DTYPES)}"),
            (self.eval_every >= 0, "eval interval must be >= 0"),
            (self.min_count >= 1, "min count must be >= 1"),
            (self.max_vocab >= 3, "max vocabulary must be >= 3"),
            (self.max_len >= 0, "max length must be >= 0 (0 = no limit)"),
            (0 < self.test_fraction < 1, "test fraction must be between 0 and 1"),
            (0 <= self.validation_fraction < 1, "validation fraction must be in [0, 1)"),
            (self.patience >= 0, "patience must be >= 0"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)

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
