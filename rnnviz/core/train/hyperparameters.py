"""One table of every hyperparameter's limits and help: TrainConfig validates against it, the
command line builds its options from it and the window's spin boxes take their ranges from it."""

from dataclasses import dataclass

from ..data.corpus import LEVELS
from ..nn.init import INIT_SCHEMES
from ..nn.registry import CELLS, TASKS
from .optim import CLIP_MODES, OPTIMIZERS

DTYPES = ("float32", "float64")
LR_SCHEDULES = ("constant", "plateau")
MONITORS = ("accuracy", "loss")


@dataclass(frozen=True)
class Hyperparameter:
    field: str  # TrainConfig field
    label: str  # for messages and the window
    help: str
    kind: type = int
    flag: str | None = None  # command-line option; None: --field-with-dashes
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # the value must be > low (not >=)
    high_open: bool = False
    choices: tuple[str, ...] | None = None
    live: bool = False  # applies between two steps (else on Reset)
    step: float = 1  # spin-box step
    decimals: int | None = None  # spin-box decimals (floats)

    @property
    def option(self) -> str:
        return self.flag or "--" + self.field.replace("_", "-")

    def problem(self, value) -> str | None:
        """Why `value` is refused, or None."""
        if self.choices is not None:
            return None if value in self.choices else f"must be one of {', '.join(self.choices)}"
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return f"must be {'>' if self.low_open else '>='} {_number(self.low)}"
        if self.high is not None and (value >= self.high if self.high_open else value > self.high):
            return f"must be {'<' if self.high_open else '<='} {_number(self.high)}"
        return None

    def spin_range(self) -> tuple[float, float]:
        """The closed range a spin box can offer (open ends nudged inside)."""
        tiny = 10.0 ** -(self.decimals or 0) if self.kind is float else 1
        low = (self.low or 0) + (tiny if self.low_open else 0)
        high = (2**31 - 1) if self.high is None else self.high - (tiny if self.high_open else 0)
        return low, min(high, 2**31 - 1)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


_H = Hyperparameter


def _probability(field: str, label: str, help: str) -> Hyperparameter:
    """A live probability in [0, 1)."""
    return _H(
        field, label, help, float, low=0, high=1, high_open=True, live=True, step=0.05, decimals=2
    )


HYPERPARAMETERS = (
    _H(
        "task",
        "task",
        "classify sentences, or lm: a language model predicting the next token",
        str,
        choices=tuple(TASKS),
    ),
    _H("level", "level", "a language model's tokens: words or characters", str, choices=LEVELS),
    _H("cell", "cell", "recurrent cell", str, choices=tuple(CELLS)),
    _H("hidden_size", "hidden size", "hidden units H", flag="--hidden", low=1, high=4096),
    _H(
        "lr",
        "learning rate",
        "learning rate",
        float,
        low=0,
        low_open=True,
        live=True,
        step=0.001,
        decimals=5,
    ),
    _H("optimizer", "optimizer", "optimizer", str, choices=tuple(OPTIMIZERS), live=True),
    _H("clip_mode", "clip mode", "gradient clipping", str, choices=CLIP_MODES, live=True),
    _H(
        "clip",
        "clip threshold",
        "clip threshold c",
        float,
        low=0,
        low_open=True,
        high=1e4,
        live=True,
        step=0.5,
        decimals=4,
    ),
    _H("batch_size", "batch size", "sentences per mini-batch", low=1, high=4096, live=True),
    _H("epochs", "epochs", "passes over the training split (0 = by data size)", low=0),
    _H(
        "bptt_truncate",
        "BPTT truncation",
        "backprop only the last K steps (0 = full)",
        low=0,
        high=10_000,
        live=True,
    ),
    _H("init", "init", "weight initialisation", str, choices=INIT_SCHEMES),
    _H("seed", "seed", "seed of weights, split and batch order", low=0, high=2**32 - 1),
    _H("dtype", "dtype", "floating-point type", str, choices=DTYPES),
    _H("eval_every", "eval interval", "steps between test evaluations (0 = per epoch)", low=0),
    _H("min_count", "min count", "drop words seen fewer times in training", low=1),
    _H("max_vocab", "max vocabulary", "largest vocabulary, <pad> and <unk> included", low=3),
    _H("max_len", "max length", "cut sentences to N tokens (0 = no limit)", low=0),
    _H(
        "test_fraction",
        "test fraction",
        "test share when the data has no split",
        float,
        low=0,
        low_open=True,
        high=1,
        high_open=True,
        step=0.05,
        decimals=2,
    ),
    _H(
        "validation_fraction",
        "validation fraction",
        "validation share of all the data, taken from training (0 = none)",
        float,
        low=0,
        high=1,
        high_open=True,
        step=0.05,
        decimals=2,
    ),
    _H("patience", "patience", "early stopping after N epochs without progress", low=0),
    _H(
        "monitor",
        "monitor",
        "what picks the best weights and counts as progress: validation accuracy (ties: lower "
        "loss) or validation loss",
        str,
        choices=MONITORS,
    ),
    _H(
        "lr_schedule",
        "lr schedule",
        "constant, or plateau: halve the learning rate after every 2 epochs without validation "
        "progress",
        str,
        choices=LR_SCHEDULES,
    ),
    _probability("dropout", "dropout", "dropout on the last hidden state (training only)"),
    _probability("word_dropout", "word dropout", "share of training words replaced by <unk>"),
    _H(
        "weight_decay",
        "weight decay",
        "decoupled weight decay of the weight matrices",
        float,
        low=0,
        live=True,
        step=0.0001,
        decimals=5,
    ),
)
BY_FIELD = {h.field: h for h in HYPERPARAMETERS}
LIVE_FIELDS = tuple(h.field for h in HYPERPARAMETERS if h.live)
