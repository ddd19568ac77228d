"""What a remembered value must be: one check per setting the window keeps between sessions,
applied by the one reader of them (settings_store.py). A check says why a value is refused, or
returns None."""

from collections.abc import Callable, Sequence
from typing import Any

from ..core.data.importers import FORMATS
from ..core.train.config import HYPERPARAMETERS
from ..core.train.hyperparameters import Hyperparameter, number_problem

Check = Callable[[Any], str | None]
MAX_REMEMBERED_BYTES = 1 << 32  # a remembered file size limit above this is refused


def number(kind: type = float, **limits) -> Check:
    """A finite number of `kind` within `limits` (number_problem's low, high, low_open,
    high_open)."""
    return lambda value: number_problem(value, kind, **limits)


def one_of(choices: Sequence[str]) -> Check:
    return lambda value: None if value in choices else f"must be one of {', '.join(choices)}"


def boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false, got {value!r}"


def string(value: Any) -> str | None:
    return None if isinstance(value, str) else f"must be text, got {value!r}"


def paths(least: int = 0) -> Check:
    """A list of at least `least` paths (text)."""

    def check(value: Any) -> str | None:
        if (
            isinstance(value, list)
            and len(value) >= least
            and all(isinstance(p, str) for p in value)
        ):
            return None
        return f"must be a list of {'one or more ' if least else ''}paths, got {value!r}"

    return check


def shown_setting(h: Hyperparameter) -> Check:
    """TrainConfig's check of row `h`, and for a number of the window's settings form, its spin
    box's range (a remembered seed of 3,000,000,000 overflowed the spin box)."""

    def check(value: Any) -> str | None:
        problem = h.problem(value)
        if problem or h.group is None or h.choices is not None:
            return problem
        low, high = h.spin_range()
        if low <= value <= high:
            return None
        return f"must be from {_figure(low)} to {_figure(high)} in the window"

    return check


def _figure(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


CONFIG = {h.field: shown_setting(h) for h in HYPERPARAMETERS}
DATA_SOURCE = {  # DataSource's fields
    "sources": paths(least=1),
    "fmt": one_of(FORMATS),
    "lenient": boolean,
    "max_bytes": number(int, low=1, high=MAX_REMEMBERED_BYTES),
    "test": paths(),
    "validation": paths(),
}
