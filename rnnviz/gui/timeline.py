"""The timeline under the panels: a slider over the steps the run's history holds. Dragging it
back asks for the model at that step (replayed on a thread of its own: core/train/scrub.py), and
every view that reads weights shows it while training goes on; "Back to live" (or dragging to
the end) returns to the newest weights. "Pin as A" keeps the step shown to compare with: drag
on to B and the prediction and the hidden state show both. The widget only shows and asks: the
steps looked at are the view state's, and the window fetches their models."""

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QSlider, QToolButton, QWidget

from ..core.train.telemetry import Snapshot


class Timeline(QWidget):
    step_chosen = Signal(int)  # the user moved to a past step
    live_chosen = Signal()
    pin_chosen = Signal(bool)  # pin the step shown as A (True) or compare no more (False)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.first = 0  # the history's first step
        self.live = 0  # the newest step
        self.looking_back = False
        title = QLabel("<b>Timeline</b>")
        title.setToolTip(
            "Every step since the model was built or loaded is kept (copies of the weights every "
            "few steps, the rest replayed exactly): drag back to see the model as it was"
        )
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.slider.setMinimumWidth(160)
        self.slider.setToolTip("Drag back to show every view at a past step; to the end: live")
        self.slider.valueChanged.connect(self._moved)
        self.label = QLabel()
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance("0" * 44))
        self.live_button = QToolButton()
        self.live_button.setText("Back to live")
        self.live_button.setToolTip("Show the newest weights again (End)")
        self.live_button.clicked.connect(self.live_chosen)
        self.live_button.setEnabled(False)
        self.pin_button = QToolButton()
        self.pin_button.setCheckable(True)
        self.pin_button.setToolTip(
            "Keep the step shown as A, then drag to another step, B: the prediction panel shows "
            "both answers for the typed sentence and the hidden state can show B − A. Click "
            "again to stop comparing."
        )
        self.pin_button.toggled.connect(self.pin_chosen)
        self.show_pinned(None)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 0, 6, 0)
        row.addWidget(title)
        row.addWidget(self.slider, 1)
        row.addWidget(self.label)
        row.addWidget(self.live_button)
        row.addWidget(self.pin_button)
        self._say_live()

    def follow(self, first: int, live: int) -> None:
        """The steps held now: first..live (the handle stays at the end while live)."""
        if (first, live) == (self.first, self.live):
            return
        self.first, self.live = first, live
        with QSignalBlocker(self.slider):
            self.slider.setRange(first, max(live, first))
            if not self.looking_back:
                self.slider.setValue(live)
        if not self.looking_back:
            self._say_live()

    def show_live(self) -> None:
        self.looking_back = False
        with QSignalBlocker(self.slider):
            self.slider.setValue(self.live)
        self.live_button.setEnabled(False)
        self._say_live()

    def show_waiting(self, step: int, share: float = 0.0) -> None:
        """Step `step` is being replayed (`share` of it done, said once known)."""
        self.looking_back = True
        self.live_button.setEnabled(True)
        done = f" {share:.0%}" if share else ""
        self.label.setText(f"replaying to step {step:,}…{done}")

    def show_past(self, snapshot: Snapshot) -> None:
        self.label.setText(
            f"viewing step {snapshot.step:,} · epoch {snapshot.epoch} (live: {self.live:,})"
        )

    def show_pinned(self, step: int | None) -> None:
        """The button says which step is A (None: nothing pinned)."""
        with QSignalBlocker(self.pin_button):
            self.pin_button.setChecked(step is not None)
        self.pin_button.setText("Pin as A" if step is None else f"A: step {step:,} ✕")

    def show_error(self, message: str) -> None:
        self.label.setText(message)

    def _moved(self, step: int) -> None:
        if step >= self.live:
            self.live_chosen.emit()
        else:
            self.step_chosen.emit(step)

    def _say_live(self) -> None:
        if self.live > self.first:
            self.label.setText(f"live · step {self.live:,} · drag back to step {self.first:,}")
        else:
            self.label.setText(f"live · step {self.live:,} · the history starts here")
