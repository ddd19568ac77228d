"""What a row of the hyperparameter table says: limits, help, whether it applies live, where the
window shows it. The rows themselves are TrainConfig's fields (config.py): one row a setting, read
by TrainConfig's checks, the command line's options, the window's settings form and the side
runs' settings alike."""

import math
from dataclasses import dataclass, field
from typing import Any

DTYPES = ("float32", "float64")
LR_SCHEDULES = ("constant", "plateau")
MONITORS = ("accuracy", "loss")
# The window's settings groups, in order: (key, title). A group whose settings all apply live, or
# all on Reset, says so in its title.
GROUPS = (
    ("data", "Data"),
    ("model", "Model"),
    ("training", "Training"),
    ("generalisation", "Generalisation"),
)


@dataclass(frozen=True)
class Hyperparameter:
    label: str  # for messages; capitalised, the window's form label
    help: str  # the command line's help and the window's tooltip
    kind: type = int
    field: str = ""  # the TrainConfig field (filled in from the dataclass)
    alias: str | None = None  # an older name, still accepted ("hidden": --hidden, hidden=)
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # the value must be > low (not >=)
    high_open: bool = False
    choices: tuple[str, ...] | None = None
    live: bool = False  # applies between two steps (else on Reset)
    run: bool = False  # a run beside another may set it (the data and its split are shared)
    group: str | None = None  # the window's settings group (GROUPS); None: command line only
    zero: str | None = None  # what the window shows for 0 ("full", "off")
    tasks: tuple[str, ...] | None = None  # the tasks that read it (None: every task)
    step: float = 1  # spin-box step
    decimals: int | None = None  # spin-box decimals (floats)

    @property
    def names(self) -> tuple[str, ...]:
        """What the command line and a run's KEY=VALUE call it: the field with dashes, then the
        alias (`--hidden-size` and `hidden-size=`, `--hidden` and `hidden=`)."""
        return (self.field.replace("_", "-"), *((self.alias,) if self.alias else ()))

    @property
    def title(self) -> str:
        return self.label[:1].upper() + self.label[1:]

    @property
    def applies(self) -> str:
        return "applies at once" if self.live else "applies on Reset"

    def problem(self, value: Any) -> str | None:
        """Why `value` is refused, or None. NaN and infinities are refused by every number."""
        if self.choices is not None:
            return None if value in self.choices else f"must be one of {', '.join(self.choices)}"
        return number_problem(value, self.kind, self.low, self.high, self.low_open, self.high_open)

    def spin_range(self) -> tuple[float, float]:
        """The closed range a spin box can offer (open ends nudged inside)."""
        tiny = 10.0 ** -(self.decimals or 0) if self.kind is float else 1
        low = (self.low or 0) + (tiny if self.low_open else 0)
        high = (2**31 - 1) if self.high is None else self.high - (tiny if self.high_open else 0)
        return low, min(high, 2**31 - 1)


def number_problem(
    value: Any,
    kind: type = float,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> str | None:
    """Why `value` is not a finite number of `kind` (int: a whole one; never a bool) within
    [low, high] (an open end excluded), or None."""
    whole = kind is int
    if isinstance(value, bool) or not isinstance(value, int if whole else int | float):
        return f"must be {'a whole number' if whole else 'a number'}, got {value!r}"
    # an int is finite (and math.isfinite(10**400) would overflow)
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, got {value!r}"
    if low is not None and (value <= low if low_open else value < low):
        return f"must be {'>' if low_open else '>='} {_number(low)}"
    if high is not None and (value >= high if high_open else value > high):
        return f"must be {'<' if high_open else '<='} {_number(high)}"
    return None


def setting(default: Any, label: str, help: str, kind: type = int, **row: Any) -> Any:
    """A TrainConfig field with its default and its row of the table (Hyperparameter)."""
    return field(default=default, metadata={"row": Hyperparameter(label, help, kind, **row)})


def probability(default: float, label: str, help: str, **row: Any) -> Any:
    """A live probability in [0, 1)."""
    return setting(
        default, label, help, float, low=0, high=1, high_open=True, step=0.05, decimals=2, **row
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
