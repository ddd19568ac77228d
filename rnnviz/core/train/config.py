"""Every hyperparameter of a training run, in one plain dataclass (limits: hyperparameters.py)."""

from dataclasses import asdict, dataclass, fields, replace

from ..errors import ConfigError
from .hyperparameters import HYPERPARAMETERS

# The classic many-to-one tutorial's way of training: a vanilla cell, a fixed number of epochs, no
# validation, dropout or schedule. Also what a checkpoint's missing setting means: format versions
# 1 and 2 predate these settings, so their runs were trained this way, whatever today's default.
CLASSIC_SETTINGS = {
    "cell": "vanilla",
    "epochs": 40,
    "validation_fraction": 0.0,
    "patience": 0,
    "monitor": "loss",
    "lr_schedule": "constant",
    "dropout": 0.0,
    "word_dropout": 0.0,
    "weight_decay": 0.0,
    "min_count": 1,
    "hidden_size": 64,
}


@dataclass(frozen=True)
class TrainConfig:
    task: str = "classify"  # or "lm" (next token; monitored by validation loss = log perplexity)
    level: str = "word"  # a language model's tokens: "word" or "char"
    cell: str = "gru"
    hidden_size: int = 128
    lr: float = 0.002
    optimizer: str = "adam"
    clip_mode: str = "norm"
    clip: float = 1.0
    batch_size: int = 16
    epochs: int = 0  # 0 = by data size (trainer.auto_epochs)
    bptt_truncate: int = 0  # keep the last k steps of each sequence; 0 = full BPTT
    init: str = "uniform"
    seed: int = 0
    dtype: str = "float64"
    eval_every: int = 0  # steps between test evaluations; 0 = at every epoch end
    min_count: int = 2  # words seen once in training are read as <unk>
    max_vocab: int = 20_000
    max_len: int = 0  # cut texts to this many tokens; 0 = no limit
    test_fraction: float = 0.2  # used when the data has no split of its own
    validation_fraction: float = 0.1  # of all the data, taken from the training part
    patience: int = 8  # early stopping: epochs without validation progress; 0 = off
    monitor: str = "accuracy"  # what progress on validation means: "accuracy" or "loss"
    lr_schedule: str = "plateau"  # or "constant"; plateau: see trainer.PLATEAU_EPOCHS
    dropout: float = 0.5  # on the last hidden state, before the output layer
    word_dropout: float = 0.2  # share of training tokens replaced by <unk>
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

    @classmethod
    def classic(cls, **changes) -> "TrainConfig":
        """CLASSIC_SETTINGS (and `changes`) on top of the defaults."""
        return cls(**{**CLASSIC_SETTINGS, **changes})

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
