"""What the window hands its panels, and what a panel declares so that the window can drive it
without knowing it: a key, where it sits, what it reads, and how it draws."""

from dataclasses import dataclass, field

from ..core.insight.probe import Probe
from ..core.train.config import TrainConfig
from ..core.train.experiment import Overview
from ..core.train.telemetry import Snapshot, TelemetryView
from .remembered import Check

TELEMETRY = "telemetry"  # new steps, evaluations, status
SNAPSHOT = "snapshot"  # newer weights
PROBE = "probe"  # the typed sentence run through the newest weights
CONFIG = "config"  # settings changed
MAX_DRAWN_WORDS = 200  # words drawn per sentence: tick text of thousands would freeze the window


@dataclass(frozen=True)
class PanelContext:
    view: TelemetryView | None  # the newest telemetry
    probe: Probe | None  # the typed sentence under the weights shown (one probe for all)
    config: TrainConfig
    runs: tuple = field(default_factory=tuple)  # RunView of each run beside the window's own
    past: Snapshot | None = None  # the model at the timeline's step, looking back; None: live
    pinned: Snapshot | None = None  # A, the model the one shown (B) is compared with; None: none
    pinned_probe: Probe | None = None  # the typed sentence under A's weights

    @property
    def snapshot(self) -> Snapshot | None:
        """The weights shown: the past step's while looking back, else the newest."""
        if self.past is not None:
            return self.past
        return self.view.snapshot if self.view is not None else None

    @property
    def viewed_step(self) -> int | None:
        """The step the timeline looks at (the plots mark it); None: live."""
        return None if self.past is None else self.past.step


def weights_at(snapshot: Snapshot) -> str:
    """Which weights a readout was computed with: "at step 990", looking back on the timeline
    "at past step 800", or after Restore best (until the next step) "at best step 495", the step
    of the best-validation weights put back (the loss plot's "best" line; short: it ends a
    one-line readout)."""
    if snapshot.past:
        return f"at past step {snapshot.step:,}"
    if snapshot.restored is None:
        return f"at step {snapshot.step:,}"
    return f"at best step {snapshot.restored[1]:,}"


class Panel:
    """Mixin for the window's panels, built as cls(theme, view_state). key names it, title names
    its dock; slot ("top" / "bottom" row, or "tabs": tabbed in the bottom row's last place),
    stretch (share of its row's width) and tab_with place it (layout.py); reads says which
    changes make it redraw. What the window needs of a panel beyond drawing is said here, so
    that it never reaches inside one."""

    key = "panel"
    slot = "top"
    title = ""
    stretch = 2  # share of its row's width
    tab_with = ""  # a "tabs" panel's place on a laptop's screen: behind this panel
    reads: frozenset[str] = frozenset()
    remembered: dict[str, Check] = {}  # each key of state() with the check a file's value passes

    def draw(self, context: PanelContext) -> None:
        raise NotImplementedError

    def show_viewed_step(self, step: int | None) -> None:
        """Mark `step`, the one the timeline looks at (None: live), on the plots over training
        at once, without a draw (each draw marks context.viewed_step too)."""

    def view_moves(self) -> int:
        """How often its plots' views moved to follow their data so far (follow_range.py): a draw
        that moves one costs more, as often as the data outgrows a view, whatever the rate."""
        return 0

    def requests(self) -> dict:
        """The panel's signals that ask the training thread for a command, by the command's
        name (the window connects them: panels never hold the runner)."""
        return {}

    def show_overview(self, overview: Overview) -> None:
        """A new experiment (dataset, model) replaced the old one."""

    def state(self) -> dict:
        """The user's choices in the panel (plain values), kept across sessions and colours."""
        return {}

    def restore(self, state: dict) -> None:
        """Take back what state() gave (from a file: the keys of `remembered` that passed)."""

    def view_entries(self, menu) -> dict:
        """Add the panel's own entries to the View menu; returns them by name."""
        return {}

    def show_readouts_at(self, step: float) -> None:
        """Show the plots' hover readouts at training step `step` (scripted pictures)."""

    def take_focus(self) -> bool:
        """Put the keyboard focus where the user types, if the panel has such a place."""
        return False
