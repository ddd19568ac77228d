"""The main window: control column, the registered panels, status bar; one timer pulls telemetry.

The window never waits on the training thread: it posts commands to the runner and handles each
answer when it arrives (replies.py), on its own thread.
"""

import contextlib
import json
import threading
from dataclasses import asdict
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.data.datasets import DEFAULT_DATASET, DataSource, bundled_names
from ..core.data.progress import LoadCancelledError, Progress
from ..core.errors import RnnvizError
from ..core.probe import Probe, probe
from ..core.train import checkpoint
from ..core.train.config import TrainConfig
from ..core.train.experiment import Experiment, Overview
from ..core.train.lockstep import parse_run
from ..core.train.records import RunState
from ..core.train.runner import TrainingRunner
from ..core.train.telemetry import Telemetry, TelemetryView
from . import colour_scheme, report
from .collector import GuiThreadCollector
from .controls_panel import OPEN_DATASET, SPEEDS, ControlsPanel
from .dataset_dialog import DatasetDialog
from .inspection import UnitInspection
from .menus import build_menus, fill_runs_menu
from .messages import Icon, show_error
from .panel import CONFIG, PROBE, SNAPSHOT, TELEMETRY, PanelContext
from .panels import PANELS
from .replies import Replies
from .side_runs import SideRuns
from .status_bar import StatusBar
from .theme import configure_pyqtgraph, current_theme
from .unsaved import UnsavedWork

REFRESH_MS = 20  # timer ticks; one panel is redrawn per tick
BUILD_DIALOG_AFTER_MS = 400  # a reset that takes longer shows its progress


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None, dataset: str | None = None):
        """dataset: a bundled name; None reopens the dataset of the last session (on the training
        thread, after the window shows) or, the first time, DEFAULT_DATASET."""
        super().__init__()
        self.settings = settings or QSettings("rnnviz", "rnnviz")
        self.colour_scheme = str(self.settings.value("colour_scheme", "system"))
        colour_scheme.apply(self.colour_scheme)
        self.theme = current_theme()
        configure_pyqtgraph(self.theme)
        self.setWindowTitle("rnnviz: watch a recurrent network learn")
        self.config = self._saved_config()
        self.source = DataSource((dataset or DEFAULT_DATASET,))
        self.telemetry = Telemetry()
        experiment = Experiment.build(self.config, self.source.load())  # before the worker starts
        self.runner = TrainingRunner(experiment, self.telemetry)
        self.replies = Replies(self)
        self._version = -1
        self._view: TelemetryView | None = None
        self._snapshot = None
        self._probe: Probe | None = None
        self._stale: set[str] = set()  # keys of the panels to redraw
        self._calibrated = True  # typed sentences use the fitted temperature
        self._closing = False  # the user has said the model may go

        self.inspection = UnitInspection(self.runner, self.replies)
        self.side_runs = SideRuns()
        self.unsaved = UnsavedWork(self, self.telemetry, lambda then: self.save_model(then=then))
        self.controls = ControlsPanel(bundled_names(), self.config)
        self.panels = {cls.key: cls(self.theme) for cls in PANELS}
        self._rotation = list(self.panels)
        self._build_layout()
        self.status = StatusBar(self, self.theme)
        self._connect()
        self.actions = build_menus(self)
        self._show_overview(experiment.overview())
        self._restore_settings()
        self._typed_text = self.panels["prediction"].text

        self.collector = GuiThreadCollector(self)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.runner.start()
        self.runner.set_speed(SPEEDS[self.controls.speed.currentText()])
        self.timer.start()
        if dataset is None:
            self._reopen_last_dataset()

    def _reopen_last_dataset(self) -> None:
        """Load the dataset the last session had open, or say why not."""
        try:
            last = DataSource.from_dict(json.loads(self.settings.value("dataset", "null")))
        except (TypeError, ValueError):
            return  # nothing remembered (or unreadable): stay on the default
        if last == self.source:
            return
        gone = [
            s
            for s in (*last.sources, *last.test, *last.validation)
            if s not in bundled_names() and not Path(s).exists()
        ]
        if gone:
            self.statusBar().showMessage(
                f"the dataset of the last session is gone ({gone[0]}): opened "
                f"{self.source.sources[0]} instead",
                15000,
            )
            return
        self.reset(last)

    # ---------------------------------------------------------------- layout
    def _build_layout(self) -> None:
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        column = QWidget()  # the settings scroll; Train, Step, Reset ... always stay in view
        column.setMinimumWidth(270)
        column.setMaximumWidth(340)
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 0, 0)
        column_layout.addWidget(scroll, 1)
        column_layout.addWidget(self.controls.button_bar)
        self.top_split = QSplitter(Qt.Orientation.Horizontal)
        self.bottom_split = QSplitter(Qt.Orientation.Horizontal)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(lambda _: self._draw_current_tab())
        rows = {"top": self.top_split, "bottom": self.bottom_split}
        for panel in self.panels.values():
            panel.setMinimumSize(300, 220)
            if panel.slot == "tabs":
                self.tabs.addTab(panel, panel.title)
            else:
                rows[panel.slot].addWidget(panel)
        self.bottom_split.addWidget(self.tabs)
        stretches = [p.stretch for p in self.panels.values() if p.slot == "bottom"]
        stretches.append(max(p.stretch for p in self.panels.values() if p.slot == "tabs"))
        for index, stretch in enumerate(stretches):
            self.bottom_split.setStretchFactor(index, stretch)
        self.center_split = QSplitter(Qt.Orientation.Vertical)
        self.center_split.addWidget(self.top_split)
        self.center_split.addWidget(self.bottom_split)
        self.center_split.setStretchFactor(0, 1)
        self.center_split.setStretchFactor(1, 1)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.addWidget(column)
        self.main_split.addWidget(self.center_split)
        self.main_split.setStretchFactor(1, 1)
        self.setCentralWidget(self.main_split)
        self.resize(1440, 900)

    def _connect(self) -> None:
        c = self.controls
        c.train_clicked.connect(self.toggle_training)
        c.step_clicked.connect(self.runner.step_once)
        c.reset_clicked.connect(self.confirm_reset)
        c.save_clicked.connect(self.save_model)
        c.load_clicked.connect(self.load_model)
        c.best_clicked.connect(self.keep_best)
        c.dataset_chosen.connect(self.choose_dataset)
        c.live_changed.connect(self.apply_live)
        c.speed_changed.connect(self.runner.set_speed)
        self._connect_panels()
        shortcuts = {
            "Space": self.toggle_training,
            "S": self.runner.step_once,
            "Ctrl+R": self.confirm_reset,
            "Ctrl+S": self.save_model,
            "Ctrl+O": self.load_model,
            "Ctrl+D": lambda: self.choose_dataset(OPEN_DATASET),
            "Ctrl+L": lambda: self.panels["prediction"].entry.setFocus(),
            "Ctrl+E": self.export_report,
            "Ctrl+Q": self.close,
        }
        for key, action in shortcuts.items():
            QShortcut(QKeySequence(key), self).activated.connect(action)

    def _connect_panels(self) -> None:
        self.panels["calibration"].temperature_toggled.connect(self._apply_temperature)
        self.panels["prediction"].text_changed.connect(self._typed)
        self.panels["prediction"].unit_requested.connect(self.inspect_unit)
        self.panels["hidden"].unit_clicked.connect(self.inspect_unit)

    def add_run(self, text: str) -> None:
        """A run beside this one with the settings `text` changes ("cell=lstm,lr=0.01"), on the
        same batches from the next step on."""
        try:
            changes = parse_run(text)
        except RnnvizError as error:
            show_error(self, "Run not added", str(error), Icon.Warning)
            return

        def added(result, error: BaseException | None) -> None:
            if error is not None:
                show_error(self, "Run not added", str(error), Icon.Warning)
                return
            label, telemetry = result
            self.side_runs.add(label, telemetry, self.theme)
            fill_runs_menu(self)
            self._mark(TELEMETRY, PROBE)

        self.runner.add_run(changes, on_done=self.replies.to(added))

    def remove_run(self, label: str) -> None:
        self.runner.remove_run(label)
        self.side_runs.remove(label)
        fill_runs_menu(self)
        self._mark(TELEMETRY, PROBE)

    def pause_run(self, label: str, paused: bool) -> None:
        """Hold one run beside this one (it skips batches meanwhile), or let it go on."""
        self.runner.pause_run(label, paused)
        self.side_runs.runs[label].paused = paused

    def inspect_unit(self, unit: int) -> None:
        """Open the unit inspector on `unit` (a heatmap row, or a unit of a selected phrase)."""
        self.inspection.inspect(unit, self.overview.hidden_size, self.theme, self)
        self._follow_inspector()

    def _follow_inspector(self) -> None:
        view = self._view
        if view is not None:
            step = view.snapshot.step if view.snapshot else 0
            self.inspection.follow(step, self._probe, view.insight.unit_words)

    def set_colour_scheme(self, scheme: str) -> None:
        """Switch to light, dark or the system's colours now: the panels are built again in the
        new colours (the curves come back from the history; the view choices are kept)."""
        self.colour_scheme = scheme
        self.settings.setValue("colour_scheme", scheme)
        colour_scheme.apply(scheme)
        self.theme = current_theme()
        configure_pyqtgraph(self.theme)
        self.status.set_theme(self.theme)
        self.inspection.close()
        self.side_runs.recolour(self.theme)
        old_loss, old_prediction = self.panels["loss"], self.panels["prediction"]
        current_tab = self.tabs.currentIndex()
        for cls in PANELS:
            old = self.panels[cls.key]
            new = cls(self.theme)
            new.setMinimumSize(old.minimumSize())
            if cls.slot == "tabs":
                index = self.tabs.indexOf(old)
                shown = self.tabs.isTabVisible(index)
                self.tabs.removeTab(index)
                self.tabs.insertTab(index, new, new.title)
                self.tabs.setTabVisible(index, shown)
            else:
                new.setHidden(old.isHidden())
                splitter = old.parentWidget()
                splitter.replaceWidget(splitter.indexOf(old), new)
            self.panels[cls.key] = new
            old.deleteLater()
        self.tabs.setCurrentIndex(current_tab)
        loss = self.panels["loss"]
        loss.log_box.setChecked(old_loss.log_box.isChecked())
        loss.set_smoothing(old_loss.smoothing)
        self.panels["prediction"].entry.setText(old_prediction.text)
        self._connect_panels()
        self.menuBar().clear()
        self.actions = build_menus(self)
        self._show_overview(self.overview)
        self.redraw_all()

    # ------------------------------------------------------------- actions
    def toggle_training(self) -> None:
        if self.telemetry.status.state == RunState.TRAINING:
            self.runner.pause()
        else:
            self.runner.train()

    def apply_live(self, changes: dict) -> None:
        """Post live settings; the trainer applies them between two steps and answers."""

        def applied(config: TrainConfig | None, error: BaseException | None) -> None:
            if error is not None:
                self.controls.show_config(self.config)
                show_error(self, "Setting refused", str(error), Icon.Warning)
                return
            self.config = config
            self._mark(CONFIG)

        self.runner.apply(changes, on_done=self.replies.to(applied))

    def confirm_reset(self) -> None:
        """Reset, after asking whether to save a model that has trained since its last save."""
        self.unsaved.confirm("Reset", self.reset)

    def reset(self, source: DataSource | None = None, make_experiment=None, after=None) -> None:
        """Post a new experiment (on a new data source, if given) built from the controls'
        settings: the data is loaded and encoded on the training thread, with a progress dialog
        that can cancel it; history is cleared when the new experiment arrives.
        make_experiment(progress) replaces the default builder (a resumed checkpoint); after
        (overview) is called once the new experiment is shown."""
        source = source or self.source
        try:
            config = self.controls.config(self.config)
        except RnnvizError as error:
            show_error(self, "Cannot reset", str(error))
            return
        make = make_experiment or (
            lambda progress: Experiment.build(config, source.load(progress), progress=progress)
        )
        cancel = threading.Event()
        dialog = QProgressDialog(f"Loading {', '.join(source.sources)}…", "Cancel", 0, 100, self)
        dialog.setWindowTitle("Building the model")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(BUILD_DIALOG_AFTER_MS)  # quick builds never show it
        # a lambda, not the bound method cancel.set: PySide would watch `cancel` with a weakref
        # whose callback disconnects, and the last reference to `cancel` (in the progress
        # reporter) is dropped on the training thread: a disconnect there crashes Qt
        dialog.canceled.connect(lambda: cancel.set())
        dialog.setValue(0)
        progress = Progress(self.replies.to(partial(_show, dialog)), cancel.is_set)

        def done(overview: Overview | None, error: BaseException | None) -> None:
            dialog.reset()
            dialog.deleteLater()
            if isinstance(error, LoadCancelledError):
                self.statusBar().showMessage(str(error), 5000)
                return
            if error is not None:
                show_error(self, "Cannot reset", str(error))
                return
            self.source, self.config = source, overview.config
            self.controls.show_config(self.config)
            self.status.shown_halt = ""
            self.unsaved.mark_kept()
            self._show_overview(overview)
            if after is not None:
                after(overview)

        self.runner.reset(lambda: make(progress), on_done=self.replies.to(done))

    def choose_dataset(self, name: str) -> None:
        if name == OPEN_DATASET:
            dialog = DatasetDialog(self, self.settings.value("last_dir", str(Path.home())))
            if not dialog.exec() or dialog.source is None:
                self._show_overview(self.overview)  # the drop-down shows the current data again
                return
            self.settings.setValue("last_dir", dialog.start_dir)
            source = dialog.source
        else:
            source = DataSource((name,))
        self.unsaved.confirm("Opening another dataset", lambda: self.reset(source))
        self._show_overview(self.overview)  # until the new data arrives, if it does

    def save_model(self, path: str | None = None, then=None) -> None:
        """Ask where, then let the training thread write the checkpoint; say how it went, and
        call then() once it is written."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, "Save model", str(Path.home() / "model.npz"), "rnnviz model (*.npz)"
            )
        if not path:
            return

        def saved(result: tuple[Path, int] | None, error: BaseException | None) -> None:
            if error is not None:
                show_error(self, "Cannot save model", str(error))
                return
            written, step = result
            self.unsaved.mark_kept(step)
            self.statusBar().showMessage(f"saved {written}", 5000)
            if then is not None:
                then()

        self.runner.save(path, on_done=self.replies.to(saved))

    def export_report(self, folder: str | None = None) -> None:
        """Every panel as PNG, each plot's curves as CSV, the history and the settings, into a
        folder the user picks."""
        if not folder:
            start = self.settings.value("last_dir", str(Path.home()))
            folder = QFileDialog.getExistingDirectory(self, "Export report into", start)
        if not folder:
            return
        try:
            written = report.export_report(
                Path(folder), self.panels, self._view, self.controls.config(self.config)
            )
        except (OSError, RnnvizError) as error:
            show_error(self, "Cannot export the report", str(error))
            return
        self.statusBar().showMessage(f"report: {len(written)} files in {folder}", 8000)

    def export_history(self, path: str | None = None) -> None:
        """The training history (one row per plotted point) as CSV."""
        if not path:
            start = str(Path(self.settings.value("last_dir", str(Path.home()))) / "history.csv")
            path, _ = QFileDialog.getSaveFileName(self, "Export history", start, "CSV (*.csv)")
        if not path:
            return
        try:
            rows = report.write_history(Path(path), self._view)
        except OSError as error:
            show_error(self, "Cannot export the history", f"{path}: {error.strerror or error}")
            return
        self.statusBar().showMessage(f"history: {rows:,} rows in {path}", 8000)

    def keep_best(self) -> None:
        """Restore the best-validation weights and fit the temperature, on the training thread."""

        def kept(outcome, error: BaseException | None) -> None:
            if error is not None:
                show_error(self, "Cannot restore the best weights", str(error))
            elif outcome.best_epoch is None:
                self.statusBar().showMessage(
                    "no best weights yet: they need a validation share and one finished epoch",
                    8000,
                )
            else:
                self.statusBar().showMessage(
                    f"restored the weights of epoch {outcome.best_epoch}; temperature "
                    f"{outcome.temperature:.2f}",
                    8000,
                )

        self.runner.keep_best(on_done=self.replies.to(kept))

    def _apply_temperature(self, on: bool) -> None:
        self._calibrated = on
        self._update_probe()

    def load_model(self, path: str | None = None) -> bool:
        """Read a checkpoint (refused with the reason if it is bad) and continue from it."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, "Load model", str(Path.home()), "rnnviz model (*.npz);;All files (*)"
            )
        if not path:
            return False
        try:
            ckpt = checkpoint.load(path)
            if ckpt.classes != self.overview.classes:
                raise RnnvizError(
                    f"the model predicts {list(ckpt.classes)}, the open dataset has "
                    f"{list(self.overview.classes)}: open a matching dataset first"
                )
        except RnnvizError as error:
            show_error(self, "Cannot load model", str(error))
            return False
        source = self.source

        def resumed(progress: Progress) -> Experiment:
            data = source.load(progress)
            experiment = Experiment.build(
                ckpt.config, data, vocab=ckpt.vocab, model=ckpt.model, progress=progress
            )
            experiment.trainer.resume(
                ckpt.summary.get("step", 0), ckpt.summary.get("epoch", 0), ckpt.optimizer_state
            )
            return experiment

        def loaded(overview: Overview) -> None:
            self.statusBar().showMessage(
                f"loaded {Path(path).name}: it reads with its own vocabulary of "
                f"{len(ckpt.vocab):,} words; {overview.unknown_share:.1%} of the training words "
                f"of {overview.name} are unknown to it and read as <unk>",
                15000,
            )

        def load() -> None:
            self.controls.show_config(ckpt.config)
            self.reset(make_experiment=resumed, after=loaded)

        self.unsaved.confirm("Loading a model", load)
        return True

    def _show_overview(self, overview: Overview) -> None:
        self.overview = overview
        counts = ", ".join(
            f"{c} {n}" for c, n in zip(overview.classes, overview.class_counts, strict=True)
        )
        name = overview.name if len(overview.name) < 40 else overview.name[:37] + "…"
        self.controls.set_dataset_label(
            name,
            f"{overview.train_size} train / {overview.test_size} test · {counts} · vocabulary "
            f"{overview.vocab_size}",
        )
        for panel in self.panels.values():
            panel.show_overview(overview)
        self.inspection.set_hidden_size(overview.hidden_size)
        self._mark(CONFIG, PROBE, SNAPSHOT)

    # ------------------------------------------------------------- drawing
    def _typed(self, text: str) -> None:
        self._typed_text = text
        self._update_probe()

    def _update_probe(self, now: bool = True) -> None:
        """One forward pass of the typed sentence under the newest weights, shared by every panel
        that reads PROBE. now: those panels redraw at once (a keystroke is answered at once);
        else they take their turn (newer weights, one panel per tick)."""
        snapshot = self._snapshot
        if snapshot is None:
            return
        temperature = None if self._calibrated else 1.0
        self._probe = probe(
            snapshot.model, snapshot.vocab, self._typed_text, temperature, snapshot.level
        )
        self.side_runs.probe(self._typed_text, temperature)
        if not now:
            self._mark(PROBE)
            return
        context = self._context()
        for key, panel in self.panels.items():
            if PROBE in panel.reads:
                panel.draw(context)
                self._stale.discard(key)
        self._follow_inspector()

    def _mark(self, *changes: str) -> None:
        """The panels that read any of `changes` need a redraw."""
        self._stale.update(k for k, p in self.panels.items() if p.reads.intersection(changes))

    def _context(self) -> PanelContext:
        return PanelContext(self._view, self._probe, self.config, self.side_runs.views())

    def refresh(self) -> None:
        """Timer tick: pull the newest telemetry, update the status bar, and redraw the next panel
        whose data changed. One panel per tick keeps every paint short, so the window stays
        responsive however fast training runs (each panel still redraws ~12 times a second)."""
        view = self.telemetry.read(self._version)
        if view is not None:
            self._version = view.version
            self._view = view
            self._mark(TELEMETRY)
            if view.snapshot is not self._snapshot:
                self._snapshot = view.snapshot
                self._mark(SNAPSHOT)
                self._update_probe(now=False)
            self.controls.set_running(view.status.state == RunState.TRAINING)
            self.status.show(view)
            self._follow_inspector()
        changed, weights = self.side_runs.read()
        if changed:
            self._mark(TELEMETRY)
        if weights:
            self.side_runs.probe(self._typed_text, None if self._calibrated else 1.0)
            self._mark(PROBE)
        for _ in range(len(self._rotation)):
            key = self._rotation[0]
            self._rotation.append(self._rotation.pop(0))
            if key in self._stale and self.panel_shown(key):  # hidden: drawn when shown
                self._stale.discard(key)
                self.panels[key].draw(self._context())
                return

    def panel_shown(self, key: str) -> bool:
        """Is the panel on screen (its tab, if it is one, visible and chosen)?"""
        panel = self.panels[key]
        return not panel.isHidden() and (panel.slot != "tabs" or self.tabs.currentWidget() is panel)

    def show_panel(self, key: str, shown: bool) -> None:
        """View menu: show or hide a panel (or its tab)."""
        panel = self.panels[key]
        if panel.slot == "tabs":
            self.tabs.setTabVisible(self.tabs.indexOf(panel), shown)
            self.tabs.setVisible(any(self.tabs.isTabVisible(i) for i in range(self.tabs.count())))
        else:
            panel.setVisible(shown)
        self._draw_current_tab()

    def _draw_current_tab(self) -> None:
        """A tab comes to the front: draw it now if its data changed while it was behind."""
        panel = self.tabs.currentWidget()
        if panel is not None and panel.key in self._stale:
            self._stale.discard(panel.key)
            panel.draw(self._context())

    def redraw_all(self) -> None:
        """Bring every panel up to date at once (screenshots, tests)."""
        self.refresh()
        context = self._context()
        for panel in self.panels.values():
            panel.draw(context)
        self._stale.clear()

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
        loss = self.panels["loss"]
        loss.log_box.setChecked(self.settings.value("log_scale") in (True, "true"))
        with contextlib.suppress(TypeError, ValueError):  # unreadable: keep the default
            loss.set_smoothing(float(self.settings.value("smoothing", loss.smoothing)))
        text = self.settings.value("sentence")
        if isinstance(text, str):
            self.panels["prediction"].entry.setText(text)

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
        self.settings.setValue("dataset", json.dumps(asdict(self.source)))
        self.settings.setValue("log_scale", self.panels["loss"].log_box.isChecked())
        self.settings.setValue("smoothing", self.panels["loss"].smoothing)
        self.settings.setValue("sentence", self.panels["prediction"].text)
        self.settings.sync()

    def shutdown(self) -> bool:
        """Stop drawing and the training thread; True when the thread has ended."""
        self.timer.stop()
        stopped = self.runner.stop(2.0)
        self.collector.stop(thread_ended=stopped)
        return stopped

    def closeEvent(self, event) -> None:
        if not self._closing:
            if self.unsaved.pending:
                self.runner.pause()  # the model stops changing while the user decides
            answer = self.unsaved.ask("Closing the window")
            if answer != QMessageBox.StandardButton.Discard:
                event.ignore()
                if answer == QMessageBox.StandardButton.Save:
                    self.save_model(then=self.close_now)
                return
        self.save_settings()
        self.shutdown()
        event.accept()

    def close_now(self) -> None:
        """Close without asking about an unsaved model."""
        self._closing = True
        self.close()


def _show(dialog: QProgressDialog, stage: str, share: float) -> None:
    """A progress report from the training thread, shown if the dialog is still there."""
    if shiboken6.isValid(dialog):
        dialog.setLabelText(stage)
        dialog.setValue(round(100 * share))
