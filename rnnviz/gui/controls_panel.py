"""The control column: dataset, model settings (applied on Reset), live settings; and the
buttons, in a bar of their own that the window keeps in view under the settings."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ..core.train.config import BY_FIELD, HYPERPARAMETERS, LIVE_FIELDS, TrainConfig
from .actions import tooltip
from .settings_form import ChoiceBox, SettingsForm
from .task_dialog import ABOUT, TASK_ITEMS
from .theme import plain_label

OPEN_DATASET = "Open dataset…"
SPEEDS = {
    "full speed": None,
    "200 steps/s": 200.0,
    "50 steps/s": 50.0,
    "10 steps/s": 10.0,
    "2 steps/s": 2.0,
}


class ControlsPanel(QWidget):
    dataset_chosen = Signal(str)  # a bundled name, or OPEN_DATASET
    live_changed = Signal(dict)  # settings that apply between two steps
    speed_changed = Signal(object)  # steps per second, None for full speed
    train_clicked = Signal()
    step_clicked = Signal()
    reset_clicked = Signal()
    save_clicked = Signal()
    load_clicked = Signal()
    best_clicked = Signal()

    def __init__(self, bundled: list[str], config: TrainConfig, parent=None):
        super().__init__(parent)
        self.dataset = ChoiceBox()
        self.dataset.addItems([*bundled, *TASK_ITEMS, OPEN_DATASET])
        for item, task in TASK_ITEMS.items():
            self.dataset.setItemData(
                self.dataset.findText(item), ABOUT[task], Qt.ItemDataRole.ToolTipRole
            )
        self.dataset.setToolTip(
            "Bundled datasets, a generated memory task (its distance and other knobs in a form), "
            "or open your own file or folder."
        )
        self.dataset.activated.connect(
            lambda _: self.dataset_chosen.emit(self.dataset.currentText())
        )
        self.dataset_info = plain_label()
        self.dataset_info.setWordWrap(True)
        self.form = SettingsForm(tuple(h for h in HYPERPARAMETERS if h.group), config, self)
        self.form.edited.connect(self._edited)
        self.speed = ChoiceBox()
        self.speed.addItems(list(SPEEDS))
        self.speed.setCurrentText("50 steps/s")
        self.speed.setToolTip("Slow motion for watching, or full speed.")

        self.speed.currentTextChanged.connect(lambda t: self.speed_changed.emit(SPEEDS[t]))
        self.form.enable_for_task(config.task)

        self.train_button = QPushButton("Train")
        self.train_button.setToolTip(tooltip("train"))
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip(tooltip("step"))
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip(tooltip("reset"))
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip(tooltip("save"))
        self.load_button = QPushButton("Load…")
        self.load_button.setToolTip(tooltip("load"))
        self.best_button = QPushButton("Restore best")
        self.best_button.setToolTip(tooltip("best"))
        self.best_button.clicked.connect(self.best_clicked)
        self.train_button.clicked.connect(self.train_clicked)
        self.step_button.clicked.connect(self.step_clicked)
        self.reset_button.clicked.connect(self.reset_clicked)
        self.save_button.clicked.connect(self.save_clicked)
        self.load_button.clicked.connect(self.load_clicked)
        self.train_button.setMinimumHeight(34)

        boxes = self.form.groups(
            before={"data": [("Dataset", self.dataset), (None, self.dataset_info)]},
            after={"training": [("Speed", self.speed)]},
        )
        self.button_bar = QWidget()  # the window keeps it in view under the scrolling settings
        buttons = QVBoxLayout(self.button_bar)
        buttons.setContentsMargins(9, 0, 9, 4)
        for widgets in (
            (self.train_button, self.step_button, self.reset_button),
            (self.best_button, self.save_button, self.load_button),
        ):
            row = QHBoxLayout()
            for widget in widgets:
                row.addWidget(widget)
            buttons.addLayout(row)
        layout = QVBoxLayout(self)
        # the group boxes' frames are the margin: with 9 px each side the column's content was
        # 18 px wider than its view at 1024 and 1366 px, and the spin boxes' arrows were cut
        layout.setContentsMargins(0, layout.contentsMargins().top(), 0, 0)
        for box in boxes:
            layout.addWidget(box)
        layout.addStretch(1)

    def _edited(self, name: str) -> None:
        if name == "task":
            self.form.enable_for_task(self.form.values()["task"])
        if BY_FIELD[name].live:
            self.live_changed.emit(self.live_settings())

    def live_settings(self) -> dict:
        """The settings that apply between two steps, as shown."""
        values = self.form.values()
        return {name: values[name] for name in LIVE_FIELDS}

    def config(self, base: TrainConfig) -> TrainConfig:
        """`base` with every setting shown here (what Reset builds)."""
        return base.updated(**self.form.values())

    def show_config(self, config: TrainConfig) -> None:
        """Display `config` without sending changes back."""
        self.form.show(config)
        self.form.enable_for_task(config.task)

    def set_running(self, running: bool) -> None:
        self.train_button.setText("Pause" if running else "Train")

    def set_dataset_label(self, name: str, text: str) -> None:
        if self.dataset.findText(name) < 0:
            self.dataset.insertItem(self.dataset.count() - 1, name)
        self.dataset.setCurrentText(name)
        self.dataset_info.setText(text)
