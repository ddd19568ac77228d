"""Never lose a trained model silently: before an action replaces or closes it, ask Save / Discard
/ Cancel if it has trained since it was last saved or loaded."""

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from ..core.train.telemetry import Telemetry

Continue = Callable[[], None]
SaveThen = Callable[
    [Continue], None
]  # save (asking where), then call the continuation if it worked


class UnsavedWork:
    def __init__(self, parent: QWidget, telemetry: Telemetry, save_then: SaveThen):
        self.parent = parent
        self.telemetry = telemetry
        self.save_then = save_then
        self.kept_step = 0  # the step count of the model as last saved, loaded or built

    def mark_kept(self, step: int | None = None) -> None:
        """The model at `step` (now, when None) is saved, or fresh, or as loaded."""
        self.kept_step = self.telemetry.status.step if step is None else step

    @property
    def pending(self) -> bool:
        """Has the model trained since it was last kept?"""
        return self.telemetry.status.step != self.kept_step

    def ask(self, what: str) -> QMessageBox.StandardButton:
        """Save, Discard or Cancel, as the user answers; Discard when nothing would be lost."""
        if not self.pending:
            return QMessageBox.StandardButton.Discard
        steps = self.telemetry.status.step - self.kept_step
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved model",
            f"The model has trained {steps:,} steps since it was last saved. {what} replaces it.",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self.parent,
        )
        box.setInformativeText("Save it first?")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        return box.exec()

    def confirm(self, what: str, then: Continue) -> None:
        """Run `then` now if nothing would be lost or after Discard, after a successful Save, or
        not at all after Cancel."""
        answer = self.ask(what)
        if answer == QMessageBox.StandardButton.Discard:
            then()
        elif answer == QMessageBox.StandardButton.Save:
            self.save_then(then)
