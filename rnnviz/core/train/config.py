"""Every hyperparameter of a training run: one field of TrainConfig each, holding its default and
its row of the table (hyperparameters.py). Adding a setting is one field here and its use in the
trainer: the command line, the window's form and the side runs are built from these rows."""

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from ..data.corpus import LEVELS
from ..data.datasets import Dataset
from ..errors import ConfigError
from ..nn.init import INIT_SCHEMES
from ..nn.registry import ALL_CELLS, TASKS
from .hyperparameters import (
    DTYPES,
    LR_SCHEDULES,
    MONITORS,
    Hyperparameter,
    probability,
    setting,
)
from .optim import CLIP_MODES, OPTIMIZERS

PLATEAU_FACTOR = 0.5  # lr_schedule "plateau": the lr's factor after PLATEAU_EPOCHS epochs
PLATEAU_EPOCHS = 2  # without validation progress

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
_CELL_HELP = "recurrent cell: " + "; ".join(f"{n}: {c.equations}" for n, c in ALL_CELLS.items())


@dataclass(frozen=True)
class TrainConfig:
    task: str = setting(
        "classify",
        "task",
        "classify: the class of a sentence (sentiment or any labels), predicted at its end; "
        "lm: a language model predicting the next token at every step (labels ignored)",
        str,
        choices=tuple(TASKS),
        group="data",
    )
    level: str = setting(
        "word",
        "tokens",
        "a language model's tokens: words or characters",
        str,
        choices=LEVELS,
        group="data",
        tasks=("lm",),
    )
    cell: str = setting(
        "gru", "cell", _CELL_HELP, str, choices=tuple(ALL_CELLS), run=True, group="model"
    )
    hidden_size: int = setting(
        128,
        "hidden size",
        "hidden units H",
        alias="hidden",
        low=1,
        high=4096,
        run=True,
        group="model",
    )
    init: str = setting(
        "uniform",
        "init",
        "weight initialisation: uniform U(±1/√H) like PyTorch; xavier U(±√(6/(fan_in+fan_out))); "
        "tutorial N(0,1)/1000",
        str,
        choices=INIT_SCHEMES,
        run=True,
        group="model",
    )
    memory_bias: float = setting(
        0.0,
        "memory bias",
        "added at the start to the bias of the gate that keeps the state (LSTM forget gate f, "
        "GRU update gate z), so that a fresh cell remembers longer (Gers et al. 2000; the "
        "LSTM's forget bias is 1 + this); vanilla: no gate, no effect",
        float,
        low=-10,
        high=10,
        run=True,
        group="model",
        step=0.5,
        decimals=2,
    )
    recurrent_radius: float = setting(
        0.0,
        "recurrent ρ",
        "W_hh (a gated cell: its candidate block) rescaled at the start so that its spectral "
        "radius ρ is this; 0: as drawn. Above 1 the gradient can explode going back (Pascanu et "
        "al. 2013)",
        float,
        low=0,
        high=10,
        run=True,
        group="model",
        step=0.25,
        decimals=2,
    )
    seed: int = setting(
        0, "seed", "seed of weights, split and batch order", low=0, high=2**32 - 1, group="model"
    )
    dtype: str = setting(
        "float64",
        "number type",
        "floating-point type of the weights",
        str,
        choices=DTYPES,
        run=True,
        group="model",
    )
    lr: float = setting(
        0.002,
        "learning rate",
        "learning rate η: w ← w − η·update",
        float,
        low=0,
        low_open=True,
        live=True,
        run=True,
        group="training",
        step=0.001,
        decimals=5,
    )
    optimizer: str = setting(
        "adam",
        "optimizer",
        "update rule (a new optimizer starts with fresh state)",
        str,
        choices=tuple(OPTIMIZERS),
        live=True,
        run=True,
        group="training",
    )
    clip_mode: str = setting(
        "norm",
        "clip mode",
        "gradient clipping: norm g ← g·min(1, c/‖g‖); value: each entry clipped to [−c, c]; "
        "none: no clipping",
        str,
        choices=CLIP_MODES,
        live=True,
        run=True,
        group="training",
    )
    clip: float = setting(
        1.0,
        "clip threshold",
        "clip threshold c",
        float,
        low=0,
        low_open=True,
        high=1e4,
        live=True,
        run=True,
        group="training",
        step=0.5,
        decimals=4,
    )
    batch_size: int = setting(
        16,
        "batch size",
        "sentences per mini-batch",
        low=1,
        high=4096,
        live=True,
        group="training",
    )
    bptt_truncate: int = setting(
        0,
        "BPTT truncation",
        "backpropagate only the last K steps of each sequence (0 = full)",
        low=0,
        high=10_000,
        live=True,
        run=True,
        group="training",
        zero="full",
    )
    epochs: int = setting(0, "epochs", "passes over the training split (0 = by data size)", low=0)
    eval_every: int = setting(
        0, "eval interval", "steps between test evaluations (0 = at every epoch end)", low=0
    )
    min_count: int = setting(
        2, "min count", "read words seen fewer times in training as <unk>", low=1
    )
    max_vocab: int = setting(
        20_000, "max vocabulary", "largest vocabulary, <pad> and <unk> included", low=3
    )
    max_len: int = setting(0, "max length", "cut texts to N tokens (0 = no limit)", low=0)
    test_fraction: float = setting(
        0.2,
        "test fraction",
        "test share when the data has no split of its own",
        float,
        low=0,
        low_open=True,
        high=1,
        high_open=True,
        step=0.05,
        decimals=2,
    )
    validation_fraction: float = setting(
        0.1,
        "validation fraction",
        "share of all the data held out from training to choose the best weights, stop early and "
        "fit the temperature (0 = none)",
        float,
        low=0,
        high=1,
        high_open=True,
        group="generalisation",
        step=0.05,
        decimals=2,
    )
    patience: int = setting(
        8,
        "patience",
        "early stopping after N epochs without validation progress (0 = never)",
        low=0,
        group="generalisation",
        zero="off",
    )
    monitor: str = setting(
        "accuracy",
        "monitor",
        "what picks the best weights and counts as progress: validation accuracy (ties: lower "
        "loss) or validation loss (a language model is always monitored by its loss)",
        str,
        choices=MONITORS,
        group="generalisation",
        tasks=("classify",),
    )
    lr_schedule: str = setting(
        "plateau",
        "LR schedule",
        f"constant, or plateau: the learning rate is multiplied by {PLATEAU_FACTOR:g} after "
        f"every {PLATEAU_EPOCHS} epochs without validation progress",
        str,
        choices=LR_SCHEDULES,
        run=True,
        group="generalisation",
    )
    dropout: float = probability(
        0.5,
        "dropout",
        "inverted dropout on the last hidden state during training: each unit is zeroed with "
        "this probability and the rest scaled by 1/(1−p)",
        live=True,
        run=True,
        group="generalisation",
    )
    word_dropout: float = probability(
        0.2,
        "word dropout",
        "share of training words read as <unk>, so that the network learns to cope with words "
        "it has not seen",
        live=True,
        run=True,
        group="generalisation",
    )
    weight_decay: float = setting(
        0.0,
        "weight decay",
        "decoupled weight decay: the matrices shrink by w ← w·(1 − η·λ) every step",
        float,
        low=0,
        live=True,
        run=True,
        group="generalisation",
        step=0.0001,
        decimals=5,
    )

    def __post_init__(self) -> None:
        for h in HYPERPARAMETERS:
            problem = h.problem(getattr(self, h.field))
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


HYPERPARAMETERS: tuple[Hyperparameter, ...] = tuple(
    replace(f.metadata["row"], field=f.name) for f in fields(TrainConfig)
)
BY_FIELD = {h.field: h for h in HYPERPARAMETERS}
LIVE_FIELDS = tuple(h.field for h in HYPERPARAMETERS if h.live)
RUN_FIELDS = tuple(h.field for h in HYPERPARAMETERS if h.run)  # what a side run may change
# KEY of a run's KEY=VALUE (the command line's option names, without dashes) -> its field
RUN_KEYS = {name: h.field for h in HYPERPARAMETERS if h.run for name in h.names}


# Data of fewer than SMALL_DATA sentences trains as the tutorial trains tiny (sized_for). Its 10%
# validation split would be under 20 sentences, too few to choose weights or stop by (tiny's 8
# stopped every run within 10 epochs, 40 steps, at 50-70%), so there is none and a fixed budget
# instead: 100 epochs, as the tutorial's, of batches of 8 (with 16, an epoch of tiny is 4 steps).
# On so few sentences word dropout teaches the set's accidents: with it on every seed tried, and
# with batches of 16 on half of them, tiny's "i am great now" came out negative ("i am" is
# negative in 6 of its 8 training sentences with it).
SMALL_DATA = 200
SMALL_DATA_SETTINGS = {
    "validation_fraction": 0.0,
    "patience": 0,
    "word_dropout": 0.0,
    "batch_size": 8,
    "epochs": 100,
}
EARLY_STOPPING = ("validation_fraction", "patience")  # one choice: patience needs validation


def sized_for(
    config: TrainConfig, data: Dataset, given: Collection[str] = ()
) -> tuple[TrainConfig, str]:
    """The config for `data`: below SMALL_DATA sentences, SMALL_DATA_SETTINGS replace the settings
    not in `given` (the validation fraction and patience count as one: either given, or a
    validation part of the data's own, keeps both). Returns it and a note of what changed, or ""."""
    if len(data) >= SMALL_DATA:
        return config, ""
    kept = set(given)
    if kept & set(EARLY_STOPPING) or "validation" in data.parts:
        kept |= set(EARLY_STOPPING)
    changes = {
        k: v for k, v in SMALL_DATA_SETTINGS.items() if k not in kept and getattr(config, k) != v
    }
    if not changes:
        return config, ""
    settings = ", ".join(f"{BY_FIELD[k].label} {v:g}" for k, v in changes.items())
    note = (
        f"{data.name}: {len(data)} sentences, fewer than {SMALL_DATA}, so the small-data defaults"
    )
    return config.updated(**changes), f"{note}: {settings}"


def resized_for(
    config: TrainConfig, data: Dataset, applied: Mapping[str, Any]
) -> tuple[TrainConfig, str, dict[str, Any]]:
    """sized_for for the window, whose settings stay from one dataset to the next: those the
    small-data rule `applied` to the last dataset and still as it set them are the rule's, not
    the user's (on larger data they go back to the defaults); the user's own are those that
    differ from the defaults. Returns the config, sized_for's note and what the rule applied."""
    default = TrainConfig()
    rules = {k: getattr(default, k) for k, v in applied.items() if getattr(config, k) == v}
    base = config.updated(**rules)
    given = [f.name for f in fields(base) if getattr(base, f.name) != getattr(default, f.name)]
    sized, note = sized_for(base, data, given)
    now = {k: v for k, v in SMALL_DATA_SETTINGS.items() if getattr(sized, k) != getattr(base, k)}
    return sized, note, now
