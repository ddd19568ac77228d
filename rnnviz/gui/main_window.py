"""The main window: control column, the registered panels, status bar; one timer pulls telemetry.

The window never waits on the training thread: it posts commands to the runner and handles each
answer when it arrives (replies.py), on its own thread. It keeps no copy of the settings (the
trainer's are live, read from telemetry) nor of what the user looks at (view_state.py).
"""

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
)

from ..core.data import tasks
from ..core.data.datasets import DEFAULT_DATASET, DataSource, bundled_names
from ..core.errors import RnnvizError
from ..core.insight.probe import EXAMPLE
from ..core.nn.registry import CELLS
from ..core.train.config import TrainConfig, resized_for
from ..core.train.experiment import Experiment, Overview
from ..core.train.history import DEFAULT_BUDGET_MB
from ..core.train.lockstep import MAX_RUNS
from ..core.train.runner import TrainingRunner
from ..core.train.telemetry import Telemetry, TelemetryView
from ..core.words import class_summary
from . import colour_scheme, history_files, html_report, messages, model_files
from .actions import make_actions
from .collector import GuiThreadCollector
from .controls_panel import OPEN_DATASET, SPEEDS, ControlsPanel
from .dataset_dialog import DatasetDialog
from .horizon_dialog import DISTANCES, HorizonDialog
from .inspection import UnitInspection
from .layout import PanelLayout, default_size
from .lessons import Lessons
from .menus import build_menus, fill_runs_menu
from .messages import Icon
from .panel import CONFIG, PROBE, SNAPSHOT, TELEMETRY, PanelContext
from .panels import PANELS
from .rebuild import rebuild
from .replies import Replies
from .run_dialog import RunDialog
from .scheduler import PanelScheduler
from .scrubbing import Scrubbing
from .settings_store import WindowSettings
from .side_runs import SideRuns
from .status_bar import StatusBar
from .task_dialog import TASK_ITEMS, TaskDialog
from .theme import configure_pyqtgraph, current_theme
from .unsaved import UnsavedWork
from .view_state import ViewState

REFRESH_MS = 20  # timer ticks; one panel is redrawn per tick, within a frame budget (scheduler.py)
START_NOTES_MS = 30_000  # how long what the window says as it opens stays (a file's path, say)


class MainWindow(QMainWindow):
    def __init__(
        self,
        settings: QSettings | None = None,
        dataset: str | None = None,
        notes: Sequence[str] = (),
        history_mb: float | None = None,
    ):
        """dataset: a bundled name; None reopens the dataset of the last session (on the training
        thread, after the window shows) or, the first time, DEFAULT_DATASET. notes: what to tell
        the user as the window opens (the crash reporter's), before the settings' own.
        history_mb: the memory the timeline's history may take (0: none; None: the default)."""
        super().__init__()
        self.stored = WindowSettings(settings or QSettings("rnnviz", "rnnviz"))
        self.colour_scheme = self.stored.colour_scheme()
        colour_scheme.apply(self.colour_scheme)
        self.theme = current_theme()
        configure_pyqtgraph(self.theme)
        self.setWindowTitle("rnnviz: watch a recurrent network learn")
        first_start = not self.stored.qsettings.contains("config")
        config = self.stored.config()
        self.source = DataSource((dataset or DEFAULT_DATASET,))
        data = self.source.load()
        # what the small-data rule set for the dataset shown (sized_for: as `rnnviz train` sizes
        # the defaults); on a first start the defaults are sized, remembered settings are kept
        self.small_data: dict = {}
        sized = ""
        if first_start:
            config, sized, self.small_data = resized_for(config, data, {})
        self.telemetry = Telemetry()
        experiment = Experiment.build(config, data)  # before the worker starts
        budget = DEFAULT_BUDGET_MB if history_mb is None else history_mb
        self.runner = TrainingRunner(experiment, self.telemetry, history_mb=budget)
        self.replies = Replies(self)
        self.view: TelemetryView | None = None  # the newest telemetry
        sentence = self.stored.text("sentence")
        self.state = ViewState(EXAMPLE if sentence is None else sentence, self)
        self._closing = False  # the user has said the model may go

        self.inspection = UnitInspection(self.runner, self.replies)
        self.side_runs = SideRuns()
        self.horizon_dialog: HorizonDialog | None = None  # Runs → Memory horizon, once opened
        self.run_dialog: RunDialog | None = None
        self.unsaved = UnsavedWork(
            self, self.telemetry, lambda then: self.save_model(then=then), self.runner
        )
        self.controls = ControlsPanel(bundled_names(), config)
        self.panels = {cls.key: cls(self.theme, self.state) for cls in PANELS}
        self.scheduler = PanelScheduler(self.panels, self.panel_shown, self._context)
        self._build_layout()
        self.scrubbing = Scrubbing(self)
        self.status = StatusBar(self, self.theme)
        self.actions = make_actions(self, self._commands())
        self.lessons = Lessons(self)
        self._connect()
        build_menus(self)
        self._show_overview(experiment.overview())
        self._restore_layout()

        self.collector = GuiThreadCollector(self)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.runner.start()
        self.runner.set_speed(SPEEDS[self.controls.speed.currentText()])
        self.timer.start()
        if dataset is None:
            self._reopen_last_dataset()
        notes = [*notes, *self.stored.notes, *([sized] if sized else [])]
        if notes:
            self.statusBar().showMessage("; ".join(notes), START_NOTES_MS)

    @property
    def config(self) -> TrainConfig:
        """The live settings, as the trainer last published them (the window keeps no copy)."""
        return self.telemetry.status.config or TrainConfig()

    def _commands(self) -> dict:
        """The slot of each command of actions.COMMANDS."""
        return {
            "train": self.toggle_training,
            "step": self.runner.step_once,
            "reset": self.confirm_reset,
            "open": lambda: self.choose_dataset(OPEN_DATASET),
            "save": self.save_model,
            "load": self.load_model,
            "save_history": lambda: history_files.save_history(self),
            "open_history": lambda: history_files.open_history(self),
            "best": self.keep_best,
            "history": self.export_history,
            "report": self.export_report,
            "report_html": lambda: html_report.export_html(self),
            "type": lambda: any(p.take_focus() for p in self.panels.values()),
            "quit": self.close,
        }

    def _reopen_last_dataset(self) -> None:
        """Load the dataset the last session had open, or say why not."""
        last = self.stored.dataset()
        if last is None or last == self.source:
            return
        gone = [
            s
            for s in (*last.sources, *last.test, *last.validation)
            if s not in bundled_names() and not Path(s).exists() and not tasks.is_task(s)
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
        self.panel_layout = PanelLayout(self, self.controls, self.controls.button_bar, self.panels)
        self.panel_layout.when_shown(lambda key: self.scheduler.draw_if_stale(key))
        self.resize(default_size(self.screen().availableGeometry().size()))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """The automatic arrangement follows the width (until the user makes their own)."""
        super().resizeEvent(event)
        self.panel_layout.fit(event.size().width())

    def reset_layout(self) -> None:
        """View → Reset layout."""
        self.panel_layout.reset(self.width())

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
        self.state.probe_changed.connect(self._probed)
        self.state.unit_selected.connect(self.inspect_unit)
        for panel in self.panels.values():
            self._connect_requests(panel)

    def _connect_requests(self, panel) -> None:
        """What a panel asks of the training thread, by name (panels never hold the runner)."""
        commands = {"refit_state_space": self.runner.refit_state_space}
        for name, signal in panel.requests().items():
            signal.connect(commands[name])

    # ------------------------------------------------------------- side runs
    def ask_for_run(self) -> None:
        """Runs → Add: a form of what a side run may change, starting from the live settings."""
        if self.run_dialog is None:
            self.run_dialog = RunDialog(self)
        changes = self.run_dialog.ask(self.config)
        if changes is not None:
            self.add_run(changes)

    def add_run(self, changes: dict, label: str | None = None) -> None:
        """A run beside this one with `changes` to the live settings, on the same batches from
        the next step on, called `label` (default: its changes)."""

        def added(result, error: BaseException | None) -> None:
            if error is not None:
                if self.run_dialog is not None:
                    self.run_dialog.offer_again(changes)
                messages.show_error(self, "Run not added", str(error), Icon.Warning)
                return
            label, telemetry = result
            self.side_runs.add(label, telemetry, self.theme)
            fill_runs_menu(self)
            self.scheduler.mark(TELEMETRY, PROBE)

        self.runner.add_run(changes, on_done=self.replies.to(added), label=label)

    @property
    def can_add_run(self) -> bool:
        return len(self.side_runs.runs) + 1 < MAX_RUNS

    def remove_run(self, label: str) -> None:
        self.runner.remove_run(label)
        self.side_runs.remove(label)
        fill_runs_menu(self)
        self.scheduler.mark(TELEMETRY, PROBE)

    def pause_run(self, label: str, paused: bool) -> None:
        """Hold one run beside this one (it skips batches meanwhile), or let it go on."""
        self.runner.pause_run(label, paused)
        self.side_runs.runs[label].paused = paused

    # ------------------------------------------------------------- inspector
    def inspect_unit(self, unit: int) -> None:
        """Open the unit inspector on `unit` (a heatmap row, or a unit of a selected phrase)."""
        self.inspection.inspect(unit, self.overview.hidden_size, self.theme, self)
        self._follow_inspector()

    def _follow_inspector(self) -> None:
        view = self.view
        if view is not None:
            shown = self.state.snapshot
            step = shown.step if shown else 0
            self.inspection.follow(step, self.state.probe, view.insight.unit_words)

    def set_colour_scheme(self, scheme: str) -> None:
        """Switch to light, dark or the system's colours now: the panels are built again in the
        new colours (the curves come back from the history; each panel's choices are kept)."""
        self.colour_scheme = scheme
        self.stored.save(colour_scheme=scheme)
        colour_scheme.apply(scheme)
        self.theme = current_theme()
        configure_pyqtgraph(self.theme)
        self.status.set_theme(self.theme)
        self.inspection.close()
        self.side_runs.recolour(self.theme)
        self.lessons.set_theme(self.theme)
        for cls in PANELS:
            new = cls(self.theme, self.state)
            new.restore(self.panels[cls.key].state())
            self._connect_requests(new)
            self.panel_layout.replace(cls.key, new)
        self.menuBar().clear()
        build_menus(self)
        self._show_overview(self.overview)
        self.redraw_all()

    # ------------------------------------------------------------- actions
    def toggle_training(self) -> None:
        if self.telemetry.status.training:
            self.runner.pause()
        else:
            self.runner.train()

    def apply_live(self, changes: dict) -> None:
        """Post live settings; the trainer applies them between two steps and answers."""

        def applied(config: TrainConfig | None, error: BaseException | None) -> None:
            if error is not None:
                self.controls.show_config(self.config)
                messages.show_error(self, "Setting refused", str(error), Icon.Warning)
                return
            self.scheduler.mark(CONFIG)

        self.runner.apply(changes, on_done=self.replies.to(applied))

    def confirm_reset(self) -> None:
        """Reset, after asking whether to save a model that has trained since its last save."""
        self.unsaved.confirm("Reset", self.reset)

    def reset(
        self, source: DataSource | None = None, make_experiment=None, after=None, opened=None
    ) -> None:
        """A new experiment (on a new data source, if given) from the settings shown, built on the
        training thread; make_experiment(progress) replaces the default builder (a resumed
        checkpoint; `opened`: the history file it goes on from); after(overview) is called once the
        new experiment is shown."""
        source = source or self.source
        try:
            config = self.controls.config(self.config)
        except RnnvizError as error:
            messages.show_error(self, "Cannot reset", str(error))
            return
        new_data = make_experiment is None and source != self.source
        previous = dict(self.small_data)  # read here: make() runs on the training thread
        sized: dict = {"note": "", "applied": previous}  # make()'s, read in shown(), after it

        def make_default(progress) -> Experiment:
            data = source.load(progress)
            built = config
            if new_data:  # another dataset: the small-data rule again (a Reset keeps the form's)
                built, sized["note"], sized["applied"] = resized_for(config, data, previous)
            return Experiment.build(built, data, progress=progress)

        make = make_experiment or make_default

        def shown(overview: Overview) -> None:
            self.source = source
            if make_experiment is not None:  # a checkpoint's or a lesson's settings are their own
                self.small_data = {}
            else:
                self.small_data = sized["applied"]
                if sized["note"] and sized["applied"] != previous:  # said once, not on each set
                    current = self.statusBar().currentMessage()  # what the window opened with
                    said = f"{current}; {sized['note']}" if current else sized["note"]
                    self.statusBar().showMessage(said, START_NOTES_MS)
            self.controls.show_config(self.config)
            self.status.shown_halt = ""
            self.unsaved.mark_kept(overview.step)  # the status shown may be the old model's
            self.scrubbing.pin(False)  # nothing of the old model to compare with
            self._show_overview(overview)
            if after is not None:
                after(overview)

        cancelled = lambda message: self.statusBar().showMessage(message, 5000)  # noqa: E731
        rebuild(self, self.runner, self.replies, source, make, shown, cancelled, opened)

    def show_horizon(self, distances: Sequence[int] = DISTANCES) -> HorizonDialog:
        """Runs → Memory horizon: the cells on screen (the window's and the runs beside it) on the
        recall task shown (else `recall` with its defaults), with the running model's settings."""
        old = self.horizon_dialog
        if old is not None and old.running:  # one sweep at a time: each takes a core
            old.show()
            old.raise_()
            old.activateWindow()
            return old
        if old is not None:
            old.deleteLater()
        task = self._task_shown("recall")  # echo ends on its label: a classifier reads it there
        configs = [
            self.config,
            *(run.telemetry.status.config for run in self.side_runs.runs.values()),
        ]
        cells = [c for c in dict.fromkeys(c.cell for c in configs if c is not None) if c in CELLS]
        dialog = HorizonDialog(
            self,
            task,
            self.config.updated(task="classify"),
            cells or list(CELLS),
            self.theme,
            distances,
        )
        dialog.show()
        self.horizon_dialog = dialog
        return dialog

    def _task_shown(self, name: str) -> tasks.Task:
        """The generated task `name` on screen with its knobs, else that task with its defaults."""
        sources = self.source.sources
        if len(sources) == 1 and tasks.is_task(sources[0]):
            shown = tasks.parse(sources[0])
            if shown.name == name:
                return shown
        return tasks.Task(name)

    def choose_dataset(self, name: str) -> None:
        if name == OPEN_DATASET:
            dialog = DatasetDialog(self, self.stored.last_dir())
            if not dialog.exec() or dialog.source is None:
                self._show_overview(self.overview)  # the drop-down shows the current data again
                return
            self.stored.remember_dir(dialog.start_dir)
            source = dialog.source
        elif name in TASK_ITEMS:
            knobs = TaskDialog(self, self._task_shown(TASK_ITEMS[name]))  # from the one shown
            if not knobs.exec():
                self._show_overview(self.overview)
                return
            source = DataSource((knobs.task().spec,))
        else:
            source = DataSource((name,))
        self.unsaved.confirm("Opening another dataset", lambda: self.reset(source))
        self._show_overview(self.overview)  # until the new data arrives, if it does

    def save_model(self, path: str | None = None, then=None) -> None:
        model_files.save_model(self, path, then)

    def load_model(self, path: str | None = None) -> bool:
        return model_files.load_model(self, path)

    def keep_best(self) -> None:
        model_files.keep_best(self)

    def export_report(self, folder: str | None = None) -> None:
        model_files.export_report(self, folder)

    def export_history(self, path: str | None = None) -> None:
        model_files.export_history(self, path)

    def _show_overview(self, overview: Overview) -> None:
        self.overview = overview
        counts = class_summary(overview.classes, overview.class_counts)
        name = overview.name if len(overview.name) < 40 else overview.name[:37] + "…"
        self.controls.set_dataset_label(
            name,
            f"{overview.train_size} train / {overview.test_size} test · {counts} · vocabulary "
            f"{overview.vocab_size}",
        )
        for panel in self.panels.values():
            panel.show_overview(overview)
        self.inspection.set_hidden_size(overview.hidden_size)
        self.scrubbing.go_live()  # another model: another history
        self.scheduler.mark(CONFIG, PROBE, SNAPSHOT)

    # ------------------------------------------------------------- drawing
    def _probed(self, urgent: bool) -> None:
        """The typed sentence was read again: the side runs read it too; on a keystroke every
        panel that shows it redraws at once, after newer weights each takes its turn."""
        self.side_runs.probe(self.state.text, self.state.temperature)
        if urgent:
            self.scheduler.draw_now(PROBE)
            self._follow_inspector()
        else:
            self.scheduler.mark(PROBE)

    def _context(self) -> PanelContext:
        state = self.state
        return PanelContext(
            self.view,
            state.probe,
            self.config,
            self.side_runs.views(),
            state.past,
            state.pinned,
            state.pinned_probe,
        )

    def refresh(self) -> None:
        """Timer tick: pull the newest telemetry, update the status bar, and redraw the next panel
        whose data changed. One panel per tick keeps every paint short, so the window stays
        responsive however fast training runs (each panel redraws up to ~12 times a second; on a
        slow machine the scheduler's frame budget lowers the rate of the panels that run over)."""
        view = self.telemetry.read(self.view.version if self.view else -1)
        if view is not None:
            newer_weights = self.view is None or view.snapshot is not self.view.snapshot
            self.view = view
            self.scheduler.mark(TELEMETRY)
            if newer_weights and self.state.view_step is None:  # else: looking back
                self.scheduler.mark(SNAPSHOT)
                self.state.set_snapshot(view.snapshot)
            self.scrubbing.follow(view)
            self.controls.set_running(view.status.training)
            self.status.show(view)
            self._follow_inspector()
        changed, weights = self.side_runs.read()
        if changed:
            self.scheduler.mark(TELEMETRY)
        if weights:
            self.side_runs.probe(self.state.text, self.state.temperature)
            self.scheduler.mark(PROBE)
        self.scheduler.draw_next()

    def panel_shown(self, key: str) -> bool:
        return self.panel_layout.shown(key)

    def show_panel(self, key: str, shown: bool) -> None:
        """Show or close a panel's dock (it is drawn as it comes on screen, if it is stale)."""
        self.panel_layout.show(key, shown)

    def show_tab(self, key: str) -> None:
        """Bring a panel to the front of its tabs."""
        self.panel_layout.bring_to_front(key)

    def redraw_all(self) -> None:
        """Bring every panel up to date at once (screenshots, tests)."""
        self.refresh()
        self.scheduler.draw_all()

    # ------------------------------------------------------------ settings
    def _restore_layout(self) -> None:
        geometry = self.stored.state("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.panel_layout.restore(
            self.stored.state("layout"), self.stored.text("arrangement"), self.width()
        )
        speed = self.stored.text("speed", tuple(SPEEDS))
        if speed is not None:
            self.controls.speed.setCurrentText(speed)
        states = self.stored.panel_states({k: p.remembered for k, p in self.panels.items()})
        for key, state in states.items():
            self.panels[key].restore(state)

    def save_settings(self) -> None:
        self.stored.save(
            geometry=self.saveGeometry(),
            **self.panel_layout.state(),
            config=self.controls.config(self.config),
            speed=self.controls.speed.currentText(),
            dataset=asdict(self.source),
            panels={key: panel.state() for key, panel in self.panels.items()},
            sentence=self.state.text,
        )

    def shutdown(self) -> bool:
        """Stop drawing and the training thread; True when the thread has ended."""
        self.timer.stop()
        if self.horizon_dialog is not None:
            self.horizon_dialog.stop()  # its thread ends at its next step
        stopped = self.runner.stop(2.0)
        self.collector.stop(thread_ended=stopped)
        return stopped

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self._closing:
            answer = self.unsaved.ask("Closing the window")  # training pauses meanwhile
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
