"""What telemetry keeps of the network's insides over training, for the window to draw."""

from dataclasses import dataclass, field

from ..history import SeriesView
from .flow import FlowImage
from .state_space import StateSpace


@dataclass(frozen=True)
class UnitWords:
    """Each hidden unit's top words on the training data at one step (units.top_words)."""

    step: int
    positive: list[list[str]]  # H lists: words where the unit is most positive
    negative: list[list[str]]


@dataclass(frozen=True)
class Insight:
    """What the window draws of the network's insides over training (rebuilt only when a new
    record arrives, so reading it costs nothing)."""

    flow: dict[str, FlowImage] = field(default_factory=dict)  # "h" (, "c") -> image
    dynamics: SeriesView | None = None  # sigma_max, rho, saturation over steps
    unit_words: tuple[UnitWords, ...] = ()
    state_space: StateSpace | None = None  # the newest analysis (state_space.analyse)
