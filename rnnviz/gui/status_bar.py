"""The status bar: run state (red when training stopped on its own), epoch, step, speed (while
training only), time trained and learning rate, and one box that reports why training stopped.

Every field has a fixed width and changes only when its text does: a label that grows re-lays out
the window, and a re-layout repaints every plot.
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QSizePolicy

from ..core.train.records import RunState
from ..core.train.telemetry import TelemetryView
from .messages import Icon, message_box
from .theme import Theme, plain_label

STATE_TEXT = {
    RunState.READY: "Ready: press Train (Space) to start",
    RunState.TRAINING: "Training…",
    RunState.PAUSED: "Paused",
    RunState.HALTED: "Stopped",
    RunState.FINISHED: "Finished",
    RunState.ERROR: "Error",
    RunState.STOPPED: "Stopped",
}
FIELD_WIDTHS = {  # widest text each field shows, to size it once
    "epoch": "epoch 9,999",
    "step": "step 99,999,999",
    "speed": "9,999,999 tokens/s",
    "elapsed": "9999:59 since load",
    "lr": "lr 0.000001",
}


class StatusBar:
    def __init__(self, window: QMainWindow, theme: Theme):
        self.window = window
        self.theme = theme
        self.state_label = plain_label()
        self.fields = {name: QLabel() for name in FIELD_WIDTHS}
        self._colour = ""
        self.shown_halt = ""  # the halt message already reported in a box
        self.halt_box = None
        bar = window.statusBar()
        self.state_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.state_label, 1)  # its text never widens the window
        for name, label in self.fields.items():
            width = label.fontMetrics().horizontalAdvance(FIELD_WIDTHS[name]) + 8
            label.setFixedSize(width, label.sizeHint().height())  # fixed both ways: no re-layout
            bar.addPermanentWidget(label)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._colour = ""  # the state's colour is set again on the next update

    def show(self, view: TelemetryView) -> None:
        s = view.status
        self.fields["epoch"].setText(f"epoch {s.epoch}")
        self.fields["step"].setText(f"step {s.step:,}")
        training = s.training  # a paused run has no speed
        self.fields["speed"].setText(f"{s.tokens_per_s:,.0f} tokens/s" if training else "")
        self._show_elapsed(s.elapsed, s.clock_from)
        self.fields["lr"].setText(f"lr {s.lr:g}")
        text = STATE_TEXT.get(s.state, str(s.state))
        if s.message:
            text += f": {s.message}"
        warn = s.state in (RunState.HALTED, RunState.ERROR)
        colour = self.theme.warning if warn else self.theme.foreground
        if colour != self._colour:  # a style sheet re-polishes the widget: only on change
            self._colour = colour
            self.state_label.setStyleSheet(f"color: {colour};")
        width = max(self.state_label.width(), 80)  # a long message ends in "…", whole in its tip
        shown = self.state_label.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width)
        self.state_label.setText(shown)
        tip = text if shown != text else ""
        if tip != self.state_label.toolTip():  # each tick: only a change re-polishes
            self.state_label.setToolTip(tip)
        if warn and s.message != self.shown_halt:
            self.shown_halt = s.message
            if self.halt_box is None:  # one box, whose text follows the newest halt
                self.halt_box = message_box(
                    self.window, Icon.Warning, "Training stopped", s.message
                )
            self.halt_box.setText(s.message)
            self.halt_box.open()  # not exec(): drawing goes on behind it

    def _show_elapsed(self, elapsed: float, clock_from: int) -> None:
        """The time trained; for a model loaded from a file that did not record its time, the
        time since it was loaded, said so."""
        minutes, seconds = divmod(int(elapsed), 60)
        label = self.fields["elapsed"]
        if clock_from:
            label.setText(f"{minutes}:{seconds:02d} since load")
            tip = (
                f"Time trained since the model was loaded at step {clock_from:,}: its file does "
                "not record the time before."
            )
        else:
            label.setText(f"{minutes}:{seconds:02d} trained")
            tip = "Time spent in training steps (a saved model keeps it)."
        if tip != label.toolTip():
            label.setToolTip(tip)
