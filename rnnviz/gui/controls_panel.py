"""The control column: dataset, model settings (applied on Reset), live settings; and the
buttons, in a bar of their own that the window keeps in view under the settings."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.nn.registry import CELLS
from ..core.train.config import TrainConfig
from ..core.train.hyperparameters import BY_FIELD, LIVE_FIELDS
from .theme import plain_label

OPEN_DATASET = "Open dataset…"
SPEEDS = {
    "full speed": None,
    "200 steps/s": 200.0,
    "50 steps/s": 50.0,
    "10 steps/s": 10.0,
    "2 steps/s": 2.0,
}


def _spin(field: str, value, tip: str = ""):
    """A spin box whose range, step and decimals come from the hyperparameter table."""
    h = BY_FIELD[field]
    box = QSpinBox() if h.kind is int else QDoubleSpinBox()
    if h.kind is float:
        box.setDecimals(h.decimals or 2)
    box.setRange(*h.spin_range())
    box.setSingleStep(h.step)
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


def _combo(field: str, current: str, tip: str = ""):
    """A drop-down of the choices the hyperparameter table allows."""
    box = QComboBox()
    box.addItems(list(BY_FIELD[field].choices))
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
    best_clicked = Signal()

    def __init__(self, bundled: list[str], config: TrainConfig, parent=None):
        super().__init__(parent)
        c = config
        self.dataset = QComboBox()
        self.dataset.addItems([*bundled, OPEN_DATASET])
        self.dataset.setToolTip("Bundled datasets, or open your own file or folder.")
        self.dataset.activated.connect(
            lambda _: self.dataset_chosen.emit(self.dataset.currentText())
        )
        self.dataset_info = plain_label()
        self.dataset_info.setWordWrap(True)
        self.task = _combo(
            "task",
            c.task,
            "classify: sentiment (or any labels) of a sentence, one prediction at its end; lm: a "
            "language model predicting the next token at every step, labels ignored (applies "
            "on Reset).",
        )
        self.level = _combo(
            "level",
            c.level,
            "A language model's tokens: words, or characters (applies on Reset).",
        )

        self.cell = _combo(
            "cell",
            c.cell,
            "Recurrent cell (applies on Reset): "
            + "; ".join(f"{name}: {cell.equations}" for name, cell in CELLS.items()),
        )
        self.hidden = _spin("hidden_size", c.hidden_size, "Hidden units H (applies on Reset).")
        self.init = _combo(
            "init",
            c.init,
            "uniform: U(±1/√H) like PyTorch; xavier: "
            "U(±√(6/(fan_in+fan_out))); tutorial: N(0,1)/1000 (applies on Reset).",
        )
        self.seed = _spin(
            "seed", c.seed, "Seed of weights, split and batch order (applies on Reset)."
        )
        self.dtype = _combo("dtype", c.dtype, "Floating-point type of the weights (on Reset).")

        self.lr = _spin("lr", c.lr, "Learning rate η: w ← w − η·update (applies at once).")
        self.optimizer = _combo(
            "optimizer",
            c.optimizer,
            "Update rule (applies at once; a new optimizer starts with fresh state).",
        )
        self.clip_mode = _combo(
            "clip_mode",
            c.clip_mode,
            "norm: g ← g·min(1, c/‖g‖); value: each "
            "entry clipped to [−c, c]; none: no clipping (applies at once).",
        )
        self.clip = _spin("clip", c.clip, "Clip threshold c.")
        self.batch = _spin(
            "batch_size", c.batch_size, "Sentences per mini-batch (applies at once)."
        )
        self.bptt = _spin(
            "bptt_truncate",
            c.bptt_truncate,
            "Backpropagate only the last K words of each sentence; 0 = full BPTT (live).",
        )
        self.bptt.setSpecialValueText("full")
        self.dropout = _spin(
            "dropout",
            c.dropout,
            "Inverted dropout on the last hidden state during training: each unit is zeroed "
            "with this probability and the rest scaled by 1/(1−p) (live).",
        )
        self.word_dropout = _spin(
            "word_dropout",
            c.word_dropout,
            "Share of training words read as <unk>, so that the network learns to cope with "
            "words it has not seen (live).",
        )
        self.weight_decay = _spin(
            "weight_decay",
            c.weight_decay,
            "Decoupled weight decay: matrices shrink by w ← w·(1 − η·λ) every step (live).",
        )
        self.validation = _spin(
            "validation_fraction",
            c.validation_fraction,
            "Share of the data held out to choose the best weights, stop early and fit the "
            "temperature; 0 = none (on Reset).",
        )
        self.patience = _spin(
            "patience",
            c.patience,
            "Stop after this many epochs without validation progress; 0 = never (on Reset).",
        )
        self.patience.setSpecialValueText("off")
        self.monitor = _combo(
            "monitor",
            c.monitor,
            "What picks the best weights and counts as progress: validation accuracy (ties go "
            "to the lower loss) or validation loss (on Reset).",
        )
        self.lr_schedule = _combo(
            "lr_schedule",
            c.lr_schedule,
            "constant: η as set; plateau: η halves after every 2 epochs without validation "
            "progress (on Reset).",
        )
        self.speed = QComboBox()
        self.speed.addItems(list(SPEEDS))
        self.speed.setCurrentText("50 steps/s")
        self.speed.setToolTip("Slow motion for watching, or full speed.")

        live_boxes = (self.lr, self.clip, self.batch, self.bptt)
        for box in (*live_boxes, self.dropout, self.word_dropout, self.weight_decay):
            box.valueChanged.connect(lambda _: self.live_changed.emit(self.live_settings()))
        for box in (self.optimizer, self.clip_mode):
            box.currentTextChanged.connect(lambda _: self.live_changed.emit(self.live_settings()))
        self.speed.currentTextChanged.connect(lambda t: self.speed_changed.emit(SPEEDS[t]))
        self.task.currentTextChanged.connect(self._show_task)
        self._show_task(c.task)

        self.train_button = QPushButton("Train")
        self.train_button.setToolTip("Start or pause training (Space).")
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("Run one mini-batch, then pause (S).")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("New model from the settings above; history cleared (Ctrl+R).")
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip(
            "Save the model: weights, vocabulary, settings and temperature to .npz (Ctrl+S)."
        )
        self.load_button = QPushButton("Load…")
        self.load_button.setToolTip("Load a model: continue from a saved .npz checkpoint (Ctrl+O).")
        self.best_button = QPushButton("Restore best")
        self.best_button.setToolTip(
            "Put back the weights of the best validation epoch so far and fit the temperature "
            "on validation (early stopping does this by itself)."
        )
        self.best_button.clicked.connect(self.best_clicked)
        self.train_button.clicked.connect(self.train_clicked)
        self.step_button.clicked.connect(self.step_clicked)
        self.reset_button.clicked.connect(self.reset_clicked)
        self.save_button.clicked.connect(self.save_clicked)
        self.load_button.clicked.connect(self.load_clicked)
        self.train_button.setMinimumHeight(34)

        data_box = _form_box(
            "Data",
            [
                ("Dataset", self.dataset),
                (None, self.dataset_info),
                ("Task", self.task),
                ("Tokens", self.level),
            ],
        )
        model_box = _form_box(
            "Model (on Reset)",
            [
                ("Cell", self.cell),
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
        generalisation_box = _form_box(
            "Generalisation",
            [
                ("Dropout", self.dropout),
                ("Word dropout", self.word_dropout),
                ("Weight decay", self.weight_decay),
                ("Validation share", self.validation),
                ("Patience", self.patience),
                ("Monitor", self.monitor),
                ("LR schedule", self.lr_schedule),
            ],
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
        for widget in (data_box, model_box, live_box, generalisation_box):
            layout.addWidget(widget)
        layout.addStretch(1)

    def _fields(self) -> dict:
        """Config field -> the widget that edits it."""
        return {
            "task": self.task,
            "level": self.level,
            "cell": self.cell,
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
            "dropout": self.dropout,
            "word_dropout": self.word_dropout,
            "weight_decay": self.weight_decay,
            "validation_fraction": self.validation,
            "patience": self.patience,
            "monitor": self.monitor,
            "lr_schedule": self.lr_schedule,
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
        self._show_task(config.task)

    def _show_task(self, task: str) -> None:
        """Only the settings the task reads are enabled: Tokens for a language model, Monitor for
        a classifier (a language model is always monitored by its validation loss)."""
        self.level.setEnabled(task == "lm")
        self.monitor.setEnabled(task != "lm")

    def set_running(self, running: bool) -> None:
        self.train_button.setText("Pause" if running else "Train")

    def set_dataset_label(self, name: str, text: str) -> None:
        if self.dataset.findText(name) < 0:
            self.dataset.insertItem(self.dataset.count() - 1, name)
        self.dataset.setCurrentText(name)
        self.dataset_info.setText(text)
