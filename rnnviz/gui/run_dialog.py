"""Runs → Add: a form of every setting a run beside the window's may change (the table's run rows),
showing the live settings; the run is what the user changed. The dialog keeps what was entered,
so a refused run can be corrected rather than typed again."""

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout

from ..core.train.config import BY_FIELD, RUN_FIELDS, TrainConfig
from .settings_form import SettingsForm


class RunDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Add a run")
        self.setMinimumWidth(400)
        self.form = SettingsForm(tuple(BY_FIELD[name] for name in RUN_FIELDS), TrainConfig(), self)
        note = QLabel(
            "A run beside the window's own, trained on the same batches from the next step on. "
            "It starts from the live settings; change what it should do differently."
        )
        note.setWordWrap(True)
        rows = QFormLayout()
        for name, widget in self.form.widgets.items():
            rows.addRow(BY_FIELD[name].title, widget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.form.edited.connect(lambda _: self._enable())
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(rows)
        layout.addWidget(buttons)
        self.live: TrainConfig | None = None
        self._entered: dict = {}  # a refused run's changes, offered again

    def changes(self) -> dict:
        """The settings that differ from the live ones."""
        live = self.live or TrainConfig()
        return {k: v for k, v in self.form.values().items() if getattr(live, k) != v}

    def _enable(self) -> None:
        self.ok.setEnabled(bool(self.changes()))

    def offer_again(self, changes: dict) -> None:
        """The run was refused: the next dialog starts from its changes."""
        self._entered = changes

    def open_on(self, live: TrainConfig) -> None:
        """Show the live settings, with a refused run's changes on top."""
        self.live = live
        self.form.show(live.updated(**self._entered))
        self._entered = {}
        self._enable()

    def ask(self, live: TrainConfig) -> dict | None:
        """The run's changes, or None when cancelled."""
        self.open_on(live)
        return self.changes() if self.exec() else None
