"""Never lose a trained model silently: before an action replaces or closes it, ask Save / Discard
/ Cancel if it has trained since it was last saved or loaded. Training pauses while the question
is open, so that the model saved is the one the question describes."""

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from ..core.train.runner import TrainingRunner
from ..core.train.telemetry import Telemetry

Continue = Callable[[], None]
SaveThen = Callable[
    [Continue], None
]  # save (asking where), then call the continuation if it worked
FOLLOW_MS = 50  # the question's step count follows the model until the pause has taken effect


class UnsavedWork:
    def __init__(
        self, parent: QWidget, telemetry: Telemetry, save_then: SaveThen, runner: TrainingRunner
    ):
        self.parent = parent
        self.telemetry = telemetry
        self.save_then = save_then
        self.runner = runner
        self.kept_step = 0  # the step count of the model as last saved, loaded or built

    def mark_kept(self, step: int | None = None) -> None:
        """The model at `step` (now, when None) is saved, or fresh, or as loaded."""
        self.kept_step = self.telemetry.status.step if step is None else step

    @property
    def pending(self) -> bool:
        """Has the model trained since it was last kept?"""
        return self.telemetry.status.step != self.kept_step

    def _question(self, what: str) -> str:
        steps = self.telemetry.status.step - self.kept_step
        return f"The model has trained {steps:,} steps since it was last saved. {what} replaces it."

    def ask(self, what: str) -> QMessageBox.StandardButton:
        """Save, Discard or Cancel, as the user answers; Discard when nothing would be lost.
        Training pauses while the question is open, and goes on after Cancel."""
        if not self.pending:
            return QMessageBox.StandardButton.Discard
        training = self.telemetry.status.training
        if training:
            self.runner.pause()
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved model",
            self._question(what),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self.parent,
        )
        box.setInformativeText(
            "Training is paused meanwhile. Save it first?" if training else "Save it first?"
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        follow = QTimer(box)  # the steps taken before the pause arrived are counted too
        follow.timeout.connect(lambda: box.setText(self._question(what)))
        follow.start(FOLLOW_MS)
        answer = box.exec()
        follow.stop()
        box.deleteLater()
        if training and answer == QMessageBox.StandardButton.Cancel:
            self.runner.train()
        return QMessageBox.StandardButton(answer)

    def confirm(self, what: str, then: Continue) -> None:
        """Run `then` now if nothing would be lost or after Discard, after a successful Save, or
        not at all after Cancel."""
        answer = self.ask(what)
        if answer == QMessageBox.StandardButton.Discard:
            then()
        elif answer == QMessageBox.StandardButton.Save:
            self.save_then(then)
