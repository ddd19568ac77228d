"""The control column: dataset, model settings (applied on Reset), live settings, buttons."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.config import DTYPES, LIVE_FIELDS, TrainConfig
from ..core.init import INIT_SCHEMES
from ..core.optim import CLIP_MODES, OPTIMIZERS

OPEN_DATASET = "Open dataset…"
SPEEDS = {
    "full speed": None,
    "200 steps/s": 200.0,
    "50 steps/s": 50.0,
    "10 steps/s": 10.0,
    "2 steps/s": 2.0,
}


def _spin(low, high, value, step=1, decimals=None, tip=""):
    box = QSpinBox() if decimals is None else QDoubleSpinBox()
    if decimals is not None:
        box.setDecimals(decimals)
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setValue(value)
    box.setToolTip(tip)
    box.setKeyboardTracking(False)  # apply when typing is done, not on every digit
    return box


def _form_box(title: str, rows: list) -> QGroupBox:
    """A titled group of (label, widget) rows; a row without a label spans both columns."""
    box = QGroupBox(title)
    form = QFormLayout(box)
    for label, widget in rows:
        if label is None:
            form.addRow(widget)
        else:
            form.addRow(label, widget)
    return box


def _value(widget):
    """What a spin box or combo box currently holds."""
    return widget.currentText() if isinstance(widget, QComboBox) else widget.value()


def _combo(items, current, tip=""):
    box = QComboBox()
    box.addItems(list(items))
    box.setCurrentText(current)
    box.setToolTip(tip)
    return box


class ControlsPanel(QWidget):
    dataset_chosen = Signal(str)  # a bundled name, or OPEN_DATASET
    live_changed = Signal(dict)  # settings that apply between two steps
    speed_changed = Signal(object)  # steps per second, None for full speed
    train_clicked = Signal()
    step_clicked = Signal()
    reset_clicked = Signal()
    save_clicked = Signal()
    load_clicked = Signal()

    def __init__(self, bundled: list[str], config: TrainConfig, parent=None):
        super().__init__(parent)
        c = config
        self.dataset = QComboBox()
        self.dataset.addItems([*bundled, OPEN_DATASET])
        self.dataset.setToolTip("Bundled datasets, or open your own file or folder.")
        self.dataset.activated.connect(
            lambda _: self.dataset_chosen.emit(self.dataset.currentText())
        )
        self.dataset_info = QLabel()
        self.dataset_info.setWordWrap(True)

        self.hidden = _spin(1, 1024, c.hidden_size, tip="Hidden units H (applies on Reset).")
        self.init = _combo(
            INIT_SCHEMES,
            c.init,
            "uniform: U(±1/√H) like PyTorch; xavier: "
            "U(±√(6/(fan_in+fan_out))); tutorial: N(0,1)/1000 (applies on Reset).",
        )
        self.seed = _spin(
            0, 2**31 - 1, c.seed, tip="Seed of weights, split and batch order (applies on Reset)."
        )
        self.dtype = _combo(
            DTYPES, c.dtype, "Floating-point type of the weights (applies on Reset)."
        )

        self.lr = _spin(
            1e-5,
            100.0,
            c.lr,
            step=0.001,
            decimals=5,
            tip="Learning rate η: w ← w − η·update (applies at once).",
        )
        self.optimizer = _combo(
            OPTIMIZERS,
            c.optimizer,
            "Update rule (applies at once; a new optimizer starts with fresh state).",
        )
        self.clip_mode = _combo(
            CLIP_MODES,
            c.clip_mode,
            "norm: g ← g·min(1, c/‖g‖); value: each "
            "entry clipped to [−c, c]; none: no clipping (applies at once).",
        )
        self.clip = _spin(1e-4, 1e4, c.clip, step=0.5, decimals=4, tip="Clip threshold c.")
        self.batch = _spin(1, 4096, c.batch_size, tip="Sentences per mini-batch (applies at once).")
        self.bptt = _spin(
            0,
            10_000,
            c.bptt_truncate,
            tip="Backpropagate only the last K words "
            "of each sentence; 0 = full BPTT (applies at once).",
        )
        self.bptt.setSpecialValueText("full")
        self.speed = _combo(SPEEDS, "50 steps/s", "Slow motion for watching, or full speed.")

        for box in (self.lr, self.clip, self.batch, self.bptt):
            box.valueChanged.connect(lambda _: self.live_changed.emit(self.live_settings()))
        for box in (self.optimizer, self.clip_mode):
            box.currentTextChanged.connect(lambda _: self.live_changed.emit(self.live_settings()))
        self.speed.currentTextChanged.connect(lambda t: self.speed_changed.emit(SPEEDS[t]))

        self.train_button = QPushButton("Train")
        self.train_button.setToolTip("Start or pause training (Space).")
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("Run one mini-batch, then pause (S).")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("New model from the settings above; history cleared (Ctrl+R).")
        self.save_button = QPushButton("Save model…")
        self.save_button.setToolTip("Write weights, vocabulary and settings to .npz (Ctrl+S).")
        self.load_button = QPushButton("Load model…")
        self.load_button.setToolTip("Continue from a saved .npz checkpoint (Ctrl+O).")
        self.train_button.clicked.connect(self.train_clicked)
        self.step_button.clicked.connect(self.step_clicked)
        self.reset_button.clicked.connect(self.reset_clicked)
        self.save_button.clicked.connect(self.save_clicked)
        self.load_button.clicked.connect(self.load_clicked)
        self.train_button.setMinimumHeight(34)

        data_box = _form_box("Data", [("Dataset", self.dataset), (None, self.dataset_info)])
        model_box = _form_box(
            "Model (on Reset)",
            [
                ("Hidden size", self.hidden),
                ("Init", self.init),
                ("Seed", self.seed),
                ("dtype", self.dtype),
            ],
        )
        live_box = _form_box(
            "Training (live)",
            [
                ("Learning rate", self.lr),
                ("Optimizer", self.optimizer),
                ("Clip mode", self.clip_mode),
                ("Clip threshold", self.clip),
                ("Batch size", self.batch),
                ("BPTT steps", self.bptt),
                ("Speed", self.speed),
            ],
        )
        buttons = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(self.train_button, 2)
        row.addWidget(self.step_button, 1)
        buttons.addLayout(row)
        buttons.addWidget(self.reset_button)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.load_button)
        buttons.addLayout(row)
        layout = QVBoxLayout(self)
        for widget in (data_box, model_box, live_box):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def _fields(self) -> dict:
        """Config field -> the widget that edits it."""
        return {
            "hidden_size": self.hidden,
            "init": self.init,
            "seed": self.seed,
            "dtype": self.dtype,
            "lr": self.lr,
            "optimizer": self.optimizer,
            "clip_mode": self.clip_mode,
            "clip": self.clip,
            "batch_size": self.batch,
            "bptt_truncate": self.bptt,
        }

    def live_settings(self) -> dict:
        """The settings that apply between two steps, as shown."""
        fields = self._fields()
        return {name: _value(fields[name]) for name in LIVE_FIELDS}

    def config(self, base: TrainConfig) -> TrainConfig:
        """`base` with every setting shown here."""
        return base.updated(**{name: _value(w) for name, w in self._fields().items()})

    def show_config(self, config: TrainConfig) -> None:
        """Display `config` without sending changes back."""
        for name, widget in self._fields().items():
            widget.blockSignals(True)
            if isinstance(widget, QComboBox):
                widget.setCurrentText(getattr(config, name))
            else:
                widget.setValue(getattr(config, name))
            widget.blockSignals(False)

    def set_running(self, running: bool) -> None:
        self.train_button.setText("Pause" if running else "Train")

    def set_dataset_label(self, name: str, text: str) -> None:
        if self.dataset.findText(name) < 0:
            self.dataset.insertItem(self.dataset.count() - 1, name)
        self.dataset.setCurrentText(name)
        self.dataset_info.setText(text)
