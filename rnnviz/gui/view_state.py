"""What the user is looking at, with one owner: the typed sentence and its probe (one forward pass
under the weights shown, shared by every panel), the weights shown (the newest, or a past step's
from the timeline), the step pinned as A to compare with them, the selected words, the
calibration switch and the selected unit. Panels
read it and set it; no panel and no window method keeps a copy."""

from PySide6.QtCore import QObject, Signal

from ..core.insight.probe import EXAMPLE, Probe, probe
from ..core.insight.units import token_reader
from ..core.train.telemetry import Snapshot


class ViewState(QObject):
    text_changed = Signal(str)
    probe_changed = Signal(bool)  # True: answer at once (a keystroke), False: in turn (weights)
    selection_changed = Signal()
    calibrated_changed = Signal(bool)
    unit_selected = Signal(int)
    view_step_changed = Signal()

    def __init__(self, text: str = EXAMPLE, parent=None):
        super().__init__(parent)
        self.text = text
        self.calibrated = True  # typed sentences use the fitted temperature
        self.probe: Probe | None = None  # `text` under `snapshot`'s weights
        self.snapshot: Snapshot | None = None
        self.selection = (-1, 0)  # (first character, length) of the selected text; -1: none
        self.unit: int | None = None
        self.view_step: int | None = None  # the timeline's step, looking back; None: live
        self.pinned: Snapshot | None = None  # A: the weights the ones shown (B) are compared with
        self.pinned_probe: Probe | None = None  # `text` under `pinned`'s weights

    @property
    def past(self) -> Snapshot | None:
        """The past step's model shown (it may lag view_step while it is replayed); None: live."""
        return self.snapshot if self.snapshot is not None and self.snapshot.past else None

    @property
    def temperature(self) -> float | None:
        """The temperature typed sentences are read with (None: the model's fitted one)."""
        return None if self.calibrated else 1.0

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.text_changed.emit(text)
            self._reprobe(urgent=True)

    def set_calibrated(self, on: bool) -> None:
        if on != self.calibrated:
            self.calibrated = on
            self.calibrated_changed.emit(on)
            self._reprobe(urgent=True)

    def set_view_step(self, step: int | None) -> None:
        """Look back at `step` (its model comes with set_snapshot), or None: live again."""
        if step != self.view_step:
            self.view_step = step
            self.view_step_changed.emit()

    def set_snapshot(self, snapshot: Snapshot | None) -> None:
        """Other weights: the sentence is read again (the panels redraw in turn)."""
        if snapshot is not self.snapshot:
            self.snapshot = snapshot
            self._reprobe(urgent=False, pinned_too=False)

    def analysed(self, snapshot: Snapshot) -> None:
        """The same weights shown with more known of them (a past step's state space): no new
        probe, nothing else redraws."""
        self.snapshot = snapshot

    def pin(self, snapshot: Snapshot | None) -> None:
        """Compare the weights shown from now on with `snapshot`'s (A), or with none."""
        if snapshot is not self.pinned:
            self.pinned = snapshot
            self._reprobe(urgent=True)

    def set_selection(self, start: int, length: int) -> None:
        if (start, length) != self.selection:
            self.selection = (start, length)
            self.selection_changed.emit()

    def select_unit(self, unit: int) -> None:
        self.unit = unit
        self.unit_selected.emit(unit)

    def selected_tokens(self) -> tuple[int, int] | None:
        """The selection as tokens [first, stop) of the probe (a word cut by the selection's start
        is out), read with the model's own tokenizer; None: nothing selected or no probe."""
        start, length = self.selection
        if start < 0 or self.probe is None or self.snapshot is None:
            return None
        model = self.snapshot.model
        tokens_of = token_reader(model.is_language_model, self.snapshot.level)[0]
        first = len(tokens_of(self.text[:start]))
        stop = min(len(tokens_of(self.text[: start + length])), len(self.probe.tokens))
        return first, stop

    def _reprobe(self, urgent: bool, pinned_too: bool = True) -> None:
        if pinned_too:
            self.pinned_probe = self._read(self.pinned)
        self.probe = self._read(self.snapshot)
        if self.probe is not None:
            self.probe_changed.emit(urgent)

    def _read(self, snapshot: Snapshot | None) -> Probe | None:
        """The typed sentence under `snapshot`'s weights (None: no weights)."""
        if snapshot is None:
            return None
        return probe(snapshot.model, snapshot.vocab, self.text, self.temperature, snapshot.level)
