"""The main window: control column, four live panels, status bar; one timer pulls telemetry."""

import json
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
)

from ..core import checkpoint
from ..core.config import TrainConfig
from ..core.datasets import Dataset, bundled_names, load
from ..core.errors import RnnvizError
from ..core.runner import TrainingRunner
from ..core.telemetry import Telemetry, TelemetryView
from ..core.trainer import Trainer
from .controls_panel import OPEN_DATASET, SPEEDS, ControlsPanel
from .dataset_dialog import DatasetDialog
from .gradient_panel import GradientPanel
from .hidden_state_panel import HiddenStatePanel
from .loss_panel import LossPanel
from .prediction_panel import PredictionPanel
from .theme import configure_pyqtgraph, current_theme

REFRESH_MS = 20  # timer ticks; one panel is redrawn per tick


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None, dataset: str = "tiny"):
        super().__init__()
        self.settings = settings or QSettings("rnnviz", "rnnviz")
        self.theme = current_theme()
        configure_pyqtgraph(self.theme)
        self.setWindowTitle("rnnviz: watch a recurrent network learn")
        self.config = self._saved_config()
        self.data = load([dataset])
        self.telemetry = Telemetry()
        trainer = Trainer(self.config, self.data)
        self.runner = TrainingRunner(trainer, self.telemetry)
        self._version = -1
        self._snapshot = None
        self._view: TelemetryView | None = None
        self._dirty: set[str] = set()
        self._rotation = ["loss", "gradients", "prediction", "hidden"]
        self._shown_halt = ""

        self.controls = ControlsPanel(bundled_names(), self.config)
        self.loss_panel = LossPanel(self.theme)
        self.gradient_panel = GradientPanel(self.theme)
        self.hidden_panel = HiddenStatePanel(self.theme)
        self.prediction_panel = PredictionPanel(self.theme)
        self.gradient_panel.set_clip(self.config.clip_mode, self.config.clip)
        self._build_layout()
        self._build_status_bar()
        self._connect()
        self._show_dataset(trainer)
        self._restore_settings()

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.runner.start()
        self.runner.set_speed(SPEEDS[self.controls.speed.currentText()])
        self.timer.start()

    # ---------------------------------------------------------------- layout
    def _build_layout(self) -> None:
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(270)
        scroll.setMaximumWidth(340)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.top_split = QSplitter(Qt.Orientation.Horizontal)
        self.top_split.addWidget(self.loss_panel)
        self.top_split.addWidget(self.gradient_panel)
        self.bottom_split = QSplitter(Qt.Orientation.Horizontal)
        self.bottom_split.addWidget(self.prediction_panel)
        self.bottom_split.addWidget(self.hidden_panel)
        self.bottom_split.setStretchFactor(0, 2)
        self.bottom_split.setStretchFactor(1, 3)
        self.center_split = QSplitter(Qt.Orientation.Vertical)
        self.center_split.addWidget(self.top_split)
        self.center_split.addWidget(self.bottom_split)
        self.center_split.setStretchFactor(0, 1)
        self.center_split.setStretchFactor(1, 1)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.addWidget(scroll)
        self.main_split.addWidget(self.center_split)
        self.main_split.setStretchFactor(1, 1)
        for panel in (
            self.loss_panel,
            self.gradient_panel,
            self.hidden_panel,
            self.prediction_panel,
        ):
            panel.setMinimumSize(300, 220)
        self.setCentralWidget(self.main_split)
        self.resize(1440, 900)

    def _build_status_bar(self) -> None:
        self.state_label = QLabel()
        self.fields = {name: QLabel() for name in ("epoch", "step", "speed", "elapsed", "lr")}
        bar = self.statusBar()
        bar.addWidget(self.state_label, 1)
        for label in self.fields.values():
            label.setMinimumWidth(90)
            bar.addPermanentWidget(label)

    def _connect(self) -> None:
        c = self.controls
        c.train_clicked.connect(self.toggle_training)
        c.step_clicked.connect(self.runner.step_once)
        c.reset_clicked.connect(self.reset)
        c.save_clicked.connect(self.save_model)
        c.load_clicked.connect(self.load_model)
        c.dataset_chosen.connect(self.choose_dataset)
        c.live_changed.connect(self.apply_live)
        c.speed_changed.connect(self.runner.set_speed)
        self.prediction_panel.text_changed.connect(self.hidden_panel.set_typed)
        self.hidden_panel.set_typed(self.prediction_panel.text)
        shortcuts = {
            "Space": self.toggle_training,
            "S": self.runner.step_once,
            "Ctrl+R": self.reset,
            "Ctrl+S": self.save_model,
            "Ctrl+O": self.load_model,
            "Ctrl+D": lambda: self.choose_dataset(OPEN_DATASET),
            "Ctrl+L": self.prediction_panel.entry.setFocus,
            "Ctrl+Q": self.close,
        }
        for key, action in shortcuts.items():
            QShortcut(QKeySequence(key), self).activated.connect(action)

    # ------------------------------------------------------------- actions
    def toggle_training(self) -> None:
        if self.telemetry.status.state == "training":
            self.runner.pause()
        else:
            self.runner.train()

    def apply_live(self, changes: dict) -> None:
        try:
            self.config = self.runner.apply(**changes).result(timeout=10)
        except RnnvizError as error:
            QMessageBox.warning(self, "Setting refused", str(error))
            return
        self.gradient_panel.set_clip(self.config.clip_mode, self.config.clip)

    def reset(self, data: Dataset | None = None, trainer_factory=None) -> bool:
        """New model (and dataset, if given) from the controls' settings; history cleared."""
        data = data or self.data
        try:
            config = self.controls.config(self.config)
            factory = trainer_factory or (lambda: Trainer(config, data))
            trainer = self.runner.reset(factory).result(timeout=60)
        except RnnvizError as error:
            QMessageBox.critical(self, "Cannot reset", str(error))
            return False
        self.data, self.config = data, trainer.config
        self.controls.show_config(self.config)
        self.gradient_panel.set_clip(self.config.clip_mode, self.config.clip)
        self._show_dataset(trainer)
        self._shown_halt = ""
        return True

    def choose_dataset(self, name: str) -> None:
        if name == OPEN_DATASET:
            dialog = DatasetDialog(self, self.settings.value("last_dir", str(Path.home())))
            if not dialog.exec() or dialog.dataset is None:
                self.controls.set_dataset_label(self.data.name, self.controls.dataset_info.text())
                return
            self.settings.setValue("last_dir", dialog.start_dir)
            data = dialog.dataset
        else:
            try:
                data = load([name])
            except RnnvizError as error:
                QMessageBox.critical(self, "Cannot open dataset", str(error))
                return
        self.reset(data)

    def save_model(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save model", str(Path.home() / "model.npz"), "rnnviz model (*.npz)"
        )
        if not path:
            return
        try:
            ckpt = self.runner.call(checkpoint.from_trainer).result(timeout=30)
            checkpoint.save(path, ckpt)
        except RnnvizError as error:
            QMessageBox.critical(self, "Cannot save model", str(error))
            return
        self.statusBar().showMessage(f"saved {path}", 5000)

    def load_model(self, path: str | None = None) -> bool:
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, "Load model", str(Path.home()), "rnnviz model (*.npz);;All files (*)"
            )
        if not path:
            return False
        try:
            ckpt = checkpoint.load(path)
            if ckpt.classes != self.data.classes:
                raise RnnvizError(
                    f"the model predicts {list(ckpt.classes)}, the open dataset has "
                    f"{list(self.data.classes)}: open a matching dataset first"
                )
        except RnnvizError as error:
            QMessageBox.critical(self, "Cannot load model", str(error))
            return False

        def resumed() -> Trainer:
            trainer = Trainer(ckpt.config, self.data, vocab=ckpt.vocab, model=ckpt.model)
            trainer.resume(
                ckpt.summary.get("step", 0), ckpt.summary.get("epoch", 0), ckpt.optimizer_state
            )
            return trainer

        self.controls.show_config(ckpt.config)
        return self.reset(trainer_factory=resumed)

    def _show_dataset(self, trainer: Trainer) -> None:
        counts = ", ".join(
            f"{c} {n}" for c, n in zip(trainer.classes, self.data.class_counts(), strict=True)
        )
        name = self.data.name if len(self.data.name) < 40 else self.data.name[:37] + "…"
        self.controls.set_dataset_label(
            name,
            f"{len(trainer.train_set)} train / "
            f"{len(trainer.test_set)} test · {counts} · vocabulary "
            f"{len(trainer.vocab)}",
        )
        self.hidden_panel.set_dataset({"train": trainer.splits.train, "test": trainer.splits.test})

    # ------------------------------------------------------------- drawing
    def refresh(self) -> None:
        """Timer tick: pull the newest telemetry, update the status bar, and redraw the next panel
        whose data changed. One panel per tick keeps every paint short, so the window stays
        responsive however fast training runs (each panel still redraws ~12 times a second)."""
        view = self.telemetry.read(self._version)
        if view is not None:
            self._version = view.version
            self._view = view
            self._dirty.update(("loss", "gradients"))
            if view.snapshot is not self._snapshot:
                self._snapshot = view.snapshot
                self._dirty.update(("prediction", "hidden"))
            self._show_status(view)
        for _ in range(len(self._rotation)):
            panel = self._rotation[0]
            self._rotation.append(self._rotation.pop(0))
            if panel in self._dirty:
                self._dirty.discard(panel)
                self._draw(panel)
                return

    def redraw_all(self) -> None:
        """Bring every panel up to date at once (screenshots, tests)."""
        self.refresh()
        while self._dirty:
            self._draw(self._dirty.pop())

    def _draw(self, panel: str) -> None:
        view = self._view
        if panel == "loss":
            self.loss_panel.update_view(view)
        elif panel == "gradients":
            self.gradient_panel.update_view(view)
        elif panel == "prediction":
            self.prediction_panel.set_snapshot(view.snapshot)
        else:
            self.hidden_panel.set_snapshot(view.snapshot)

    def _show_status(self, view: TelemetryView) -> None:
        s = view.status
        self.controls.set_running(s.state == "training")
        minutes, seconds = divmod(int(s.elapsed), 60)
        self.fields["epoch"].setText(f"epoch {s.epoch}")
        self.fields["step"].setText(f"step {s.step:,}")
        self.fields["speed"].setText(f"{s.tokens_per_s:,.0f} tokens/s")
        self.fields["elapsed"].setText(f"{minutes}:{seconds:02d} trained")
        self.fields["lr"].setText(f"lr {s.lr:g}")
        describe = {
            "ready": "Ready: press Train (Space) to start",
            "training": "Training…",
            "paused": "Paused",
            "halted": "Stopped",
            "finished": "Finished",
            "error": "Error",
        }
        text = describe.get(s.state, s.state)
        if s.message:
            text += f": {s.message}"
        colour = self.theme.warning if s.state in ("halted", "error") else self.theme.foreground
        self.state_label.setStyleSheet(f"color: {colour};")
        self.state_label.setText(text)
        if s.state in ("halted", "error") and s.message != self._shown_halt:
            self._shown_halt = s.message
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Training stopped",
                s.message,
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.open()  # not exec(): drawing goes on behind it

    # ------------------------------------------------------------ settings
    def _saved_config(self) -> TrainConfig:
        try:
            return TrainConfig.from_dict(json.loads(self.settings.value("config", "{}")))
        except (RnnvizError, ValueError, TypeError):
            return TrainConfig()

    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        for key, splitter in self._splitters().items():
            state = self.settings.value(key)
            if state is not None:
                splitter.restoreState(state)
        speed = self.settings.value("speed")
        if speed in SPEEDS:
            self.controls.speed.setCurrentText(speed)
        text = self.settings.value("sentence")
        if isinstance(text, str):
            self.prediction_panel.entry.setText(text)

    def _splitters(self) -> dict[str, QSplitter]:
        return {
            "split/main": self.main_split,
            "split/center": self.center_split,
            "split/top": self.top_split,
            "split/bottom": self.bottom_split,
        }

    def save_settings(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        for key, splitter in self._splitters().items():
            self.settings.setValue(key, splitter.saveState())
        self.settings.setValue("config", json.dumps(self.controls.config(self.config).to_dict()))
        self.settings.setValue("speed", self.controls.speed.currentText())
        self.settings.setValue("sentence", self.prediction_panel.text)
        self.settings.sync()

    def shutdown(self) -> bool:
        """Stop drawing and the training thread; True when the thread has ended."""
        self.timer.stop()
        return self.runner.stop(2.0)

    def closeEvent(self, event) -> None:
        self.save_settings()
        self.shutdown()
        event.accept()
