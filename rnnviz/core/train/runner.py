"""TrainingRunner: a background thread that owns an Experiment, steps its trainer and feeds
Telemetry.

A closed set of commands (train, pause, step, reset, change a setting, save, a unit's
contexts...) is queued and applied between two steps, so the experiment is only ever touched by
its own thread. A command that answers takes an `on_done(result, error)` callback, called on the
worker thread (the window forwards it to its own thread), and also returns a Future for scripts
and tests; the window never waits on one. The runner knows nothing of Qt. stop() ends the thread
and waits for it. Beside it: companions.py (runs beside this one), recorder.py (what it
records of the network's insides), run_status.py (its state and speed); a Watcher (a lesson's
live checks) follows its runs on its thread.
"""

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Protocol

from threadpoolctl import threadpool_limits

from ..errors import RnnvizError
from ..insight import state_space, units
from ..insight.state_space import StateSpace
from ..nn.model import SequenceModel
from . import checkpoint, history_file
from .companions import SideRuns
from .experiment import Experiment
from .history import DEFAULT_BUDGET_MB, History
from .recorder import InsightRecorder, unit_contexts
from .records import Halt, RunState
from .run_status import RunStatus
from .scrub import PastModels, Progressed
from .telemetry import Telemetry

PUBLISH_EVERY = 0.15  # seconds between snapshots of the weights for the window
Reply = Callable[[object, BaseException | None], None]  # on_done(result, error)
Runs = dict[str | None, Experiment]  # by label; None: the window's own


class Watcher(Protocol):
    """What follows the runs on the training thread (a lesson's live checks)."""

    def follow(self, runs: Runs) -> None:
        """The runs now: at once, after each reset and when a run beside it comes or goes."""

    def epoch_ended(self) -> str:
        """The window's run and those beside it ended an epoch: why to pause here, or ""."""

    def paused(self) -> None:
        """Training paused (Pause, or one Step)."""

    def stop(self) -> None:
        """It is followed no more."""


class TrainingRunner:
    def __init__(
        self,
        experiment: Experiment,
        telemetry: Telemetry,
        publish_every: float = PUBLISH_EVERY,
        history_mb: float = DEFAULT_BUDGET_MB,
    ):
        """history_mb: the memory the run's history (history.py) may take; 0: none kept."""
        self.telemetry = telemetry
        self.publish_every = publish_every
        self.history_mb = history_mb
        self.history: History | None = None  # the window's run's, from its first step shown
        self._past: PastModels | None = None  # its thread, from the first past_snapshot()
        self._commands: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._stopping = False
        self._steps_per_second: float | None = None  # None: as fast as possible
        self._side_runs = SideRuns()  # runs beside this one (training thread only)
        self._watcher: Watcher | None = None
        self._thread = threading.Thread(target=self._loop, name="rnnviz-trainer", daemon=True)
        self._use(experiment)

    # ------------------------------------------------------------ public API
    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the thread to finish after the current step and wait; True when it has ended."""
        self._stopping = True
        self._commands.put(lambda: None)  # wake it up if it waits for a command
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._past is not None:
            self._past.stop(timeout)
        return not self._thread.is_alive()

    def train(self) -> None:
        self._send(self._do_train)

    def pause(self) -> None:
        self._send(self._do_pause)

    def step_once(self) -> None:
        self._send(self._do_step_once)

    def set_speed(self, steps_per_second: float | None) -> None:
        """Slow motion for teaching: at most this many steps a second (None: full speed)."""
        self._send(lambda: setattr(self, "_steps_per_second", steps_per_second))

    def apply(self, changes: dict, on_done: Reply | None = None) -> Future:
        """Change hyperparameters between two steps; the reply is the new config (or the error)."""
        return self._ask(lambda: self._do_apply(changes), on_done)

    def reset(
        self,
        make_experiment: Callable[[], Experiment],
        on_done: Reply | None = None,
        opened: history_file.Saved | None = None,
    ):
        """Replace the experiment with make_experiment() (built on the training thread), paused;
        the reply is the new experiment's Overview. `opened`: a history file whose last step
        the new experiment starts from: its history is recorded on, its curves drawn on."""
        return self._ask(lambda: self._do_reset(make_experiment, opened), on_done)

    def save(self, path, on_done: Reply | None = None, history: bool = False) -> Future:
        """Write a checkpoint of the current run to `path` (on the training thread), with the
        run's history beside it if `history` (history_file.py); the reply is (the path written,
        the step count saved)."""

        def write():
            ckpt = checkpoint.from_experiment(self._experiment)
            if not history:
                return checkpoint.save(path, ckpt), ckpt.summary["step"]
            if self.history is None:
                raise RnnvizError("no history is kept (history_mb is 0)")
            written = history_file.save(path, ckpt, self.history, self.telemetry.curves())
            return written, ckpt.summary["step"]

        return self._ask(write, on_done)

    def copy_checkpoint(self, on_done: Reply | None = None) -> Future:
        """The reply is a checkpoint of the run now (its own copy of the weights), for a report
        written elsewhere."""
        return self._ask(lambda: checkpoint.from_experiment(self._experiment), on_done)

    def keep_best(self, on_done: Reply | None = None) -> Future:
        """Put the best-validation weights back and fit the temperature (Experiment.finish); the
        reply is the TrainingReport."""
        return self._ask(self._do_keep_best, on_done)

    def unit_contexts(
        self, unit: int, on_done: Reply | None = None, top: int = units.TOP_CONTEXTS
    ) -> Future:
        """The reply is (step, top positive contexts, top negative contexts) of `unit` on the
        training data (recorder.unit_contexts)."""
        return self._ask(lambda: unit_contexts(self._experiment, unit, top), on_done)

    def add_run(
        self, changes: dict, on_done: Reply | None = None, label: str | None = None
    ) -> Future:
        """A run beside this one, with `changes` to its settings (lockstep.RUN_FIELDS), trained
        on the same batches from now on, called `label` (default: its changes); the reply is
        (label, its Telemetry)."""
        return self._ask(lambda: self._watched(self._side_runs.add(changes, label)), on_done)

    def remove_run(self, label: str) -> None:
        def remove() -> None:
            self._side_runs.remove(label)
            self._watched(None)

        self._send(remove)

    def pause_run(self, label: str, paused: bool) -> None:
        """Hold one run beside this one (it skips the batches meanwhile) or let it go on."""
        self._send(lambda: self._side_runs.pause(label, paused))

    def train_steps(self, n: int) -> Future:
        """Up to n steps on the training thread, as Train would run them (a script's: screenshots,
        tests); they stop early where Train would stop, at a halt or early stopping."""

        def steps() -> int:
            done, trainer = 0, self._experiment.trainer
            while done < n and not (trainer.halt or trainer.finished):
                self._timed_step()
                done += 1
            return done

        return self._ask(steps)

    def record_insight(self, state_space: bool = True) -> Future:
        """Record the gradient flow and the recurrence's figures now (scripted sessions that
        train in chunks of steps, without the loop's publishing in between), and the state
        space too unless told not to (an analysis costs 0.1-0.7 s: a script's last chunk)."""

        def record() -> None:
            self._insight.record_dynamics(force=True)
            if state_space:
                self._insight.record_state_space(force=True)

        return self._ask(record)

    def past_snapshot(
        self,
        step: int,
        on_done: Reply,
        on_progress: Progressed | None = None,
        on_space: Reply | None = None,
    ) -> None:
        """The window's model as it was after `step` (a step of the history before the newest),
        replayed on a thread of its own: on_done(snapshot, error), and on_progress(step, share)
        during a long replay, on that thread; then, once the asks rest, on_space(state space,
        error) of that step (in the basis the live one is drawn in). A newer ask replaces one not
        yet done."""
        if self.history is None:
            on_done(None, RuntimeError("no history is kept (history_mb is 0)"))
            return
        if self._past is None:
            self._past = PastModels()
        self.history.expect_looks()  # more looks at steps near the present are likely
        batch, basis = self._experiment.state_space_batch, self._insight.basis

        def analyse(model: SequenceModel, at: int) -> StateSpace:
            return state_space.analyse(
                model, batch.ids, batch.lengths, batch.labels, at, basis=basis
            )

        self._past.ask(
            self.history, self._experiment, step, on_done, on_progress, analyse, on_space
        )

    def refit_state_space(self) -> None:
        """Analyse the state space now in a new basis fitted to the states of now."""
        self._send(lambda: self._insight.record_state_space(refit=True))

    def watch(self, watcher: Watcher | None) -> None:
        """Follow the runs with `watcher` from now on (None: with none), on the training thread."""

        def use() -> None:
            if self._watcher is not None:
                self._watcher.stop()
            self._watcher = watcher
            self._watched(None)

        self._send(use)

    def call(self, fn: Callable[[Experiment], object], on_done: Reply | None = None) -> Future:
        """Run fn(experiment) on the training thread between two steps, for scripts and tests
        (the window sends only the named commands above). Its result (or error) goes to
        on_done(result, error) on that thread, and into the returned Future."""
        return self._ask(lambda: fn(self._experiment), on_done)

    # ------------------------------------------------------------- internals
    def _send(self, command: Callable[[], None]) -> None:
        self._commands.put(command)

    def _ask(self, fn: Callable[[], object], on_done: Reply | None = None) -> Future:
        """Queue fn(); its result or error goes to on_done and into the returned Future."""
        future: Future = Future()

        def task() -> None:
            try:
                result, error = fn(), None
            except Exception as failure:  # handed to the caller, never kills the thread
                result, error = None, failure
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)
            if on_done is not None:
                on_done(result, error)

        self._send(task)
        return future

    def _use(self, experiment: Experiment, opened: history_file.Saved | None = None) -> None:
        """Everything that belongs to one experiment, fresh: its telemetry, insight recorder,
        status and the runs beside it, and its history (an opened one's gone on, or a new one);
        published at once."""
        self._experiment = experiment
        if self.history is not None:
            self.history.detach()
        self.history = None
        if opened is not None:
            opened.history.attach(experiment.trainer, go_on=True)
            self.history = opened.history
        elif self.history_mb > 0:
            self.history = History(budget_bytes=int(self.history_mb * 2**20))
            self.history.attach(experiment.trainer)
        self._published_step = -1
        self._status = RunStatus(experiment.trainer)
        self.telemetry.clear()
        if opened is not None and opened.curves is not None:
            self.telemetry.restore(opened.curves)
        self.telemetry.follow(experiment.trainer)
        self._insight = InsightRecorder(experiment, self.telemetry)
        self._side_runs.follow(experiment)
        experiment.trainer.on("halt", self._on_halt)
        experiment.trainer.on("epoch_end", self._on_epoch_end)  # after the side runs' epochs
        self._watched(None)
        self._publish(force=True)

    def _watched(self, result: object) -> object:
        """Tell the watcher the runs as they are now; `result` passed through."""
        if self._watcher is not None:
            runs: dict[str | None, Experiment] = {None: self._experiment}
            runs.update((run.label, run.built) for run in self._side_runs.runs)
            self._watcher.follow(runs)
        return result

    def _on_epoch_end(self, _: int) -> None:
        reason = self._watcher.epoch_ended() if self._watcher is not None else ""
        if reason and self._status.running:
            self._set_state(RunState.PAUSED, reason)

    def _on_halt(self, halt: Halt) -> None:
        self._set_state(RunState.HALTED, halt.reason)

    def _set_state(self, state: RunState, message: str = "") -> None:
        self._status.set(state, message)
        self._publish()  # with the weights of its step: a pause shows the paused model

    def _do_train(self) -> None:
        self._resume_trainer()
        self._set_state(RunState.TRAINING)

    def _do_pause(self) -> None:
        self._set_state(RunState.PAUSED)
        self._tell_paused()

    def _do_step_once(self) -> None:
        self._set_state(RunState.PAUSED)
        self._resume_trainer()
        self._timed_step()
        self._publish(force=True)
        self._tell_paused()

    def _tell_paused(self) -> None:
        if self._watcher is not None:
            self._watcher.paused()

    def _resume_trainer(self) -> None:
        """Train or Step after a halt or early stopping: the user asked for more."""
        trainer = self._experiment.trainer
        trainer.halt = None
        trainer.finished = False

    def _do_apply(self, changes: dict):
        trainer = self._experiment.trainer
        old = trainer.config
        new = trainer.apply(**changes)
        described = [
            f"{k} {getattr(old, k)}→{getattr(new, k)}"
            for k in changes
            if getattr(old, k) != getattr(new, k)
        ]
        if described and trainer.step_count:
            self.telemetry.record_event(trainer.step_count, ", ".join(described))
        self._publish()
        return new

    def _do_keep_best(self):
        experiment = self._experiment
        report = experiment.finish()
        if report.best_epoch is not None:
            step = experiment.trainer.best.step
            self.telemetry.record_event(
                experiment.trainer.step_count,
                f"kept epoch {report.best_epoch} (step {step}), T={report.temperature:.2f}",
            )
            experiment.trainer.report_evaluations()
        self._publish(force=True)
        return report

    def _do_reset(
        self, make_experiment: Callable[[], Experiment], opened: history_file.Saved | None
    ):
        experiment = make_experiment()
        self._use(experiment, opened)
        return experiment.overview()

    def _loop(self) -> None:
        with threadpool_limits(limits=1):  # one BLAS thread: the GUI thread needs the other core
            last_publish = 0.0
            while not self._stopping:
                self._drain_commands(block=not self._status.running)
                if self._stopping:
                    break
                if self._status.running:
                    seconds = self._timed_step()
                    if self._steps_per_second:
                        time.sleep(max(0.0, 1.0 / self._steps_per_second - seconds))
                if time.perf_counter() - last_publish >= self.publish_every:
                    self._publish()
                    last_publish = time.perf_counter()
            self._status.set(RunState.STOPPED)

    def _drain_commands(self, block: bool) -> None:
        try:
            command = self._commands.get(timeout=0.05) if block else self._commands.get_nowait()
        except queue.Empty:
            return
        while True:
            self._run_guarded(command)
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return

    def _timed_step(self) -> float:
        """One step of the window's run (Train, Step or a script); its seconds."""
        started = time.perf_counter()
        self._run_guarded(self._step)
        return time.perf_counter() - started

    def _step(self) -> None:
        trainer = self._experiment.trainer
        trainer.step()
        if trainer.finished:
            report = self._do_keep_best()
            self._set_state(
                RunState.FINISHED, "; ".join(report.describe(trainer.config, trainer.epoch))
            )

    def _run_guarded(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception as error:  # a bug must pause training visibly, not kill the thread
            self._set_state(RunState.ERROR, f"{type(error).__name__}: {error}")

    def _publish(self, force: bool = False) -> None:
        """The status, with a snapshot of the weights when they changed (force: always), in one
        telemetry version; then the insight recorded and the runs beside this one."""
        experiment = self._experiment
        snapshot = None
        if force or self._published_step != experiment.trainer.step_count:
            self._published_step = experiment.trainer.step_count
            snapshot = experiment.snapshot()
        self.telemetry.publish(self._status.status(), snapshot)
        if snapshot is not None:
            self._insight.record_dynamics()
            self._insight.record_state_space()
        self._side_runs.publish()
