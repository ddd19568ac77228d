"""TrainingRunner: a background thread that owns an Experiment, steps its trainer and feeds
Telemetry.

Commands (train, pause, step, reset, change a setting, save...) are queued and applied between
two steps, so the experiment is only ever touched by its own thread. A command that answers takes
an `on_done(result, error)` callback, called on the worker thread (the window forwards it to its
own thread), and also returns a Future for scripts and tests; the window never waits on one. The
runner knows nothing of Qt. stop() ends the thread and waits for it.
"""

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from threadpoolctl import threadpool_limits

from ..errors import ConfigError
from ..insight import dynamics, units
from . import checkpoint
from .experiment import Experiment
from .flow_history import FlowAverage
from .lockstep import MAX_RUNS, Companion, run_label
from .records import Halt, RunState
from .telemetry import Status, Telemetry, UnitWords

PUBLISH_EVERY = 0.15  # seconds between snapshots of the weights for the window
DYNAMICS_EVERY = 0.5  # seconds between records of the gradient flow and the recurrence figures
UNIT_WORDS_EVERY = 5.0  # seconds at least between two records of every unit's top words (taken
# at epoch ends; each is a forward pass over UNIT_WORDS_SENTENCES training sentences, ~0.1 s)
UNIT_WORDS_SENTENCES = 1000
Reply = Callable[[object, BaseException | None], None]  # on_done(result, error)


class TrainingRunner:
    def __init__(
        self, experiment: Experiment, telemetry: Telemetry, publish_every: float = PUBLISH_EVERY
    ):
        self.telemetry = telemetry
        self.publish_every = publish_every
        self._experiment = experiment
        self._commands: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._running = False
        self._stopping = False
        self._steps_per_second: float | None = None  # None: as fast as possible
        self._state = RunState.READY
        self._message = ""
        self._published_step = -1
        self._dynamics_at = (0.0, -1)  # (time, step) of the last dynamics record
        self._flow = FlowAverage()  # gradient flow of the steps since that record
        self._unit_words_at = -UNIT_WORDS_EVERY  # time of the last top-words record
        self._elapsed = 0.0
        self._rate = (0.0, 0, 0.0)  # (time, tokens seen, tokens/s) for the status line
        self._companions: list[Companion] = []  # runs beside this one (training thread only)
        self._thread = threading.Thread(target=self._loop, name="rnnviz-trainer", daemon=True)
        self._attach(experiment)

    # ------------------------------------------------------------ public API
    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the thread to finish after the current step and wait; True when it has ended."""
        self._stopping = True
        self._commands.put(lambda: None)  # wake it up if it waits for a command
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def train(self) -> None:
        self._send(self._do_train)

    def pause(self) -> None:
        self._send(lambda: self._set_running(False, RunState.PAUSED))

    def step_once(self) -> None:
        self._send(self._do_step_once)

    def set_speed(self, steps_per_second: float | None) -> None:
        """Slow motion for teaching: at most this many steps a second (None: full speed)."""
        self._send(lambda: setattr(self, "_steps_per_second", steps_per_second))

    def apply(self, changes: dict, on_done: Reply | None = None) -> Future:
        """Change hyperparameters between two steps; the reply is the new config (or the error)."""
        return self.call(lambda experiment: self._do_apply(experiment, changes), on_done)

    def reset(self, make_experiment: Callable[[], Experiment], on_done: Reply | None = None):
        """Replace the experiment with make_experiment() (built on the training thread), paused;
        the reply is the new experiment's Overview."""
        return self.call(lambda _: self._do_reset(make_experiment), on_done)

    def save(self, path, on_done: Reply | None = None) -> Future:
        """Write a checkpoint of the current run to `path` (on the training thread); the reply is
        (the path written, the step count saved)."""

        def write(experiment: Experiment):
            ckpt = checkpoint.from_experiment(experiment)
            return checkpoint.save(path, ckpt), ckpt.summary["step"]

        return self.call(write, on_done)

    def keep_best(self, on_done: Reply | None = None) -> Future:
        """Put the best-validation weights back and fit the temperature (Experiment.finish); the
        reply is the TrainingReport."""
        return self.call(self._do_keep_best, on_done)

    def add_run(self, changes: dict, on_done: Reply | None = None) -> Future:
        """A run beside this one, with `changes` to its settings (lockstep.RUN_SETTINGS), trained
        on the same batches from now on; the reply is (label, its Telemetry)."""

        def add(experiment: Experiment):
            label = run_label(changes)
            if len(self._companions) + 1 >= MAX_RUNS:
                raise ConfigError(f"at most {MAX_RUNS} runs side by side")
            if label in (c.label for c in self._companions):
                raise ConfigError(f"a run with {label} is already there")
            companion = Companion(label, changes, Telemetry())
            companion.build(experiment)
            companion.publish()
            self._companions.append(companion)
            return label, companion.telemetry

        return self.call(add, on_done)

    def remove_run(self, label: str) -> None:
        self._send(lambda: self._set_companions([c for c in self._companions if c.label != label]))

    def pause_run(self, label: str, paused: bool) -> None:
        """Hold one run beside this one (it skips the batches meanwhile) or let it go on."""

        def pause() -> None:
            for companion in self._companions:
                if companion.label == label:
                    companion.paused = paused
                    companion.publish()

        self._send(pause)

    def _set_companions(self, companions: list[Companion]) -> None:
        self._companions = companions

    def train_steps(self, n: int) -> Future:
        """Up to n steps on the training thread, as Train would run them (a script's: screenshots,
        tests); they stop early where Train would stop, at a halt or early stopping."""

        def steps(experiment: Experiment) -> int:
            done = 0
            while done < n and not (experiment.trainer.halt or experiment.trainer.finished):
                self._timed_step()
                done += 1
            return done

        return self.call(steps)

    def call(self, fn: Callable[[Experiment], object], on_done: Reply | None = None) -> Future:
        """Run fn(experiment) on the training thread between two steps. Its result (or error)
        goes to on_done(result, error) on that thread, and into the returned Future."""
        future: Future = Future()

        def task() -> None:
            try:
                result, error = fn(self._experiment), None
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

    # ------------------------------------------------------------- internals
    def _send(self, command: Callable[[], None]) -> None:
        self._commands.put(command)

    def _attach(self, experiment: Experiment) -> None:
        telemetry, trainer = self.telemetry, experiment.trainer
        trainer.on("step", telemetry.record_step)
        trainer.on("evaluation", telemetry.record_evaluation)
        trainer.on("epoch_end", lambda _: telemetry.record_epoch(trainer.step_count))
        trainer.on("epoch_end", lambda _: self._record_unit_words(experiment))
        trainer.on("step", lambda _: self._flow.add(trainer.gradient_flow()))
        trainer.on("step", lambda _: self._step_companions(trainer))
        trainer.on("epoch_end", lambda _: [c.end_epoch() for c in self._companions])
        for companion in self._companions:  # a new experiment: the runs beside it start anew
            companion.build(experiment)
        trainer.on("halt", self._on_halt)
        self._publish(force=True)

    def _step_companions(self, trainer) -> None:
        for companion in self._companions:
            companion.step(trainer.last_batch)

    def _on_halt(self, halt: Halt) -> None:
        self.telemetry.record_event(halt.step, "non-finite: weights restored")
        self._set_running(False, RunState.HALTED, halt.reason)

    def _set_running(self, running: bool, state: RunState | None = None, message: str = "") -> None:
        self._running = running
        self._message = message
        self._state = state or (RunState.TRAINING if running else RunState.PAUSED)
        self._publish_status()

    def _do_train(self) -> None:
        self._resume_trainer()
        self._set_running(True)

    def _do_step_once(self) -> None:
        self._set_running(False, RunState.PAUSED)
        self._resume_trainer()
        self._timed_step()
        self._publish(force=True)

    def _resume_trainer(self) -> None:
        """Train or Step after a halt or early stopping: the user asked for more."""
        trainer = self._experiment.trainer
        trainer.halt = None
        trainer.finished = False

    def _do_apply(self, experiment: Experiment, changes: dict):
        trainer = experiment.trainer
        old = trainer.config
        new = trainer.apply(**changes)
        described = [
            f"{k} {getattr(old, k)}→{getattr(new, k)}"
            for k in changes
            if getattr(old, k) != getattr(new, k)
        ]
        if described and trainer.step_count:
            self.telemetry.record_event(trainer.step_count, ", ".join(described))
        self._publish_status()
        return new

    def _do_keep_best(self, experiment: Experiment):
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

    def _do_reset(self, make_experiment: Callable[[], Experiment]):
        experiment = make_experiment()
        self._experiment = experiment
        self._elapsed = 0.0
        self._rate = (time.perf_counter(), 0, 0.0)
        self._dynamics_at = (0.0, -1)
        self._flow = FlowAverage()
        self._unit_words_at = -UNIT_WORDS_EVERY
        self.telemetry.clear()
        self._attach(experiment)
        self._set_running(False, RunState.READY)
        return experiment.overview()

    def _loop(self) -> None:
        with threadpool_limits(limits=1):  # one BLAS thread: the GUI thread needs the other core
            last_publish = 0.0
            while not self._stopping:
                self._drain_commands(block=not self._running)
                if self._stopping:
                    break
                if self._running:
                    seconds = self._timed_step()
                    if self._steps_per_second:
                        time.sleep(max(0.0, 1.0 / self._steps_per_second - seconds))
                if time.perf_counter() - last_publish >= self.publish_every:
                    self._publish()
                    last_publish = time.perf_counter()
            self._running = False
            self._state = RunState.STOPPED

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
        """One step of the window's run (Train, Step or a script); its seconds, which count on
        the "trained" clock."""
        started = time.perf_counter()
        self._run_one_step()
        seconds = time.perf_counter() - started
        self._elapsed += seconds
        return seconds

    def _run_one_step(self) -> None:
        def step() -> None:
            trainer = self._experiment.trainer
            trainer.step()
            if trainer.finished:
                report = self._do_keep_best(self._experiment)
                self._set_running(
                    False,
                    RunState.FINISHED,
                    f"early stopping: no validation progress ({trainer.config.monitor}) for "
                    f"{trainer.config.patience} epochs; kept the weights of epoch "
                    f"{report.best_epoch}, temperature {report.temperature:.2f}",
                )

        self._run_guarded(step)

    def _run_guarded(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception as error:  # a bug must pause training visibly, not kill the thread
            self._set_running(False, RunState.ERROR, f"{type(error).__name__}: {error}")

    def _publish(self, force: bool = False) -> None:
        experiment = self._experiment
        trainer = experiment.trainer
        if force or self._published_step != trainer.step_count:
            self._published_step = trainer.step_count
            self.telemetry.publish(experiment.snapshot())
            self._record_dynamics()
        for companion in self._companions:
            companion.publish()
        self._publish_status()

    def record_insight(self) -> Future:
        """Record the gradient flow and the recurrence's figures now (scripted sessions that
        train in chunks of steps, without the loop's publishing in between)."""
        return self.call(lambda _: self._record_dynamics(force=True))

    def _record_dynamics(self, force: bool = False) -> None:
        """Gradient flow averaged over the steps since the last record, sigma_max / rho of W_hh
        and saturation on the probe batch: at most every DYNAMICS_EVERY seconds (unless
        forced), and only after new steps."""
        trainer = self._experiment.trainer
        then, step = self._dynamics_at
        now = time.perf_counter()
        if trainer.last is None or step == trainer.step_count:
            return
        if now - then < DYNAMICS_EVERY and not force:
            return
        self._dynamics_at = (now, trainer.step_count)
        probe = self._experiment.probe_batch
        figures = dynamics.measure(trainer.model, probe.ids, probe.lengths)
        self.telemetry.record_dynamics(trainer.step_count, self._flow.take(), figures)

    def _record_unit_words(self, experiment: Experiment) -> None:
        """Every unit's top words on the training data (at an epoch's end, at most every
        UNIT_WORDS_EVERY seconds)."""
        now = time.perf_counter()
        if now - self._unit_words_at < UNIT_WORDS_EVERY:
            return
        self._unit_words_at = now
        acts = units.activations(
            experiment.model,
            experiment.train_set,
            experiment.splits.train.texts,
            max_sentences=UNIT_WORDS_SENTENCES,
        )
        positive, negative = units.top_words(acts, experiment.vocab.tokens)
        self.telemetry.record_unit_words(
            UnitWords(experiment.trainer.step_count, positive, negative)
        )

    def _publish_status(self) -> None:
        trainer = self._experiment.trainer
        now = time.perf_counter()
        then, tokens_then, rate = self._rate
        if now - then >= 0.5:
            if self._running:  # paused: the speed of the last stretch of training stays shown
                rate = (trainer.tokens_seen - tokens_then) / (now - then)
            self._rate = (now, trainer.tokens_seen, rate)
        self.telemetry.set_status(
            Status(
                self._state,
                self._message,
                trainer.step_count,
                trainer.epoch,
                rate,
                self._elapsed,
                trainer.lr,
                trainer.best.step if trainer.best else 0,
                trainer.best.epoch if trainer.best else 0,
            )
        )
