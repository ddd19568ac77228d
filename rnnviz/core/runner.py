"""TrainingRunner: a background thread that steps a Trainer and feeds Telemetry.

Commands (train, pause, step, reset, change a setting, save...) are queued and applied between
two steps, so the trainer is only ever touched by its own thread. The runner knows nothing of Qt:
the window, a test or a script drive it the same way. stop() ends the thread and waits for it.
"""

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from threadpoolctl import threadpool_limits

from .telemetry import Snapshot, Status, Telemetry
from .trainer import Halt, Trainer

PUBLISH_EVERY = 0.15  # seconds between snapshots of the weights for the window


class TrainingRunner:
    def __init__(
        self, trainer: Trainer, telemetry: Telemetry, publish_every: float = PUBLISH_EVERY
    ):
        self.telemetry = telemetry
        self.publish_every = publish_every
        self._trainer = trainer
        self._commands: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._running = False
        self._stopping = False
        self._steps_per_second: float | None = None  # None: as fast as possible
        self._state = "ready"
        self._message = ""
        self._published_step = -1
        self._elapsed = 0.0
        self._rate = (0.0, 0, 0.0)  # (time, tokens seen, tokens/s) for the status line
        self._thread = threading.Thread(target=self._loop, name="rnnviz-trainer", daemon=True)
        self._attach(trainer)

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

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def train(self) -> None:
        self._send(self._do_train)

    def pause(self) -> None:
        self._send(lambda: self._set_running(False, "paused"))

    def step_once(self) -> None:
        self._send(self._do_step_once)

    def set_speed(self, steps_per_second: float | None) -> None:
        """Slow motion for teaching: at most this many steps a second (None: full speed)."""
        self._send(lambda: setattr(self, "_steps_per_second", steps_per_second))

    def apply(self, **changes) -> Future:
        """Change hyperparameters between two steps; the Future holds the new config or error."""
        return self.call(lambda trainer: self._do_apply(trainer, changes))

    def reset(self, make_trainer: Callable[[], Trainer]) -> Future:
        """Replace the trainer with make_trainer() (built on the training thread), paused."""
        return self.call(lambda _: self._do_reset(make_trainer))

    def call(self, fn: Callable[[Trainer], object]) -> Future:
        """Run fn(trainer) on the training thread between two steps; its result in a Future."""
        future: Future = Future()

        def task() -> None:
            try:
                future.set_result(fn(self._trainer))
            except BaseException as error:  # handed to the caller through the future
                future.set_exception(error)

        self._send(task)
        return future

    # ------------------------------------------------------------- internals
    def _send(self, command: Callable[[], None]) -> None:
        self._commands.put(command)

    def _attach(self, trainer: Trainer) -> None:
        telemetry = self.telemetry
        trainer.on("step", telemetry.record_step)
        trainer.on("evaluation", telemetry.record_evaluation)
        trainer.on("epoch_end", lambda _: telemetry.record_epoch(trainer.step_count))
        trainer.on("halt", self._on_halt)
        self._publish(force=True)

    def _on_halt(self, halt: Halt) -> None:
        self.telemetry.record_event(halt.step, "non-finite: weights restored")
        self._set_running(False, "halted", halt.reason)

    def _set_running(self, running: bool, state: str | None = None, message: str = "") -> None:
        self._running = running
        self._message = message
        self._state = state or ("training" if running else "paused")
        self._publish_status()

    def _do_train(self) -> None:
        self._trainer.halt = None
        self._trainer.finished = False
        self._set_running(True)

    def _do_step_once(self) -> None:
        self._set_running(False, "paused")
        self._trainer.halt = None
        self._trainer.step()
        self._publish(force=True)

    def _do_apply(self, trainer: Trainer, changes: dict):
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

    def _do_reset(self, make_trainer: Callable[[], Trainer]) -> Trainer:
        trainer = make_trainer()
        self._trainer = trainer
        self._elapsed = 0.0
        self._rate = (time.perf_counter(), 0, 0.0)
        self.telemetry.clear()
        self._attach(trainer)
        self._set_running(False, "ready")
        return trainer

    def _loop(self) -> None:
        with threadpool_limits(limits=1):  # one BLAS thread: the GUI thread needs the other core
            last_publish = 0.0
            while not self._stopping:
                self._drain_commands(block=not self._running)
                if self._stopping:
                    break
                now = time.perf_counter()
                if self._running:
                    self._run_one_step()
                    now2 = time.perf_counter()
                    self._elapsed += now2 - now
                    if self._steps_per_second:
                        time.sleep(max(0.0, 1.0 / self._steps_per_second - (now2 - now)))
                if time.perf_counter() - last_publish >= self.publish_every:
                    self._publish()
                    last_publish = time.perf_counter()
            self._running = False
            self._state = "stopped"

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

    def _run_one_step(self) -> None:
        def step() -> None:
            self._trainer.step()
            if self._trainer.finished:
                self._set_running(
                    False, "finished", "early stopping: validation loss stopped improving"
                )

        self._run_guarded(step)

    def _run_guarded(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception as error:  # a bug must pause training visibly, not kill the thread
            self._set_running(False, "error", f"{type(error).__name__}: {error}")

    def _publish(self, force: bool = False) -> None:
        trainer = self._trainer
        if force or self._published_step != trainer.step_count:
            self._published_step = trainer.step_count
            self.telemetry.publish(
                Snapshot(
                    trainer.step_count,
                    trainer.model.copy(),
                    trainer.vocab,
                    trainer.classes,
                    trainer.gradient_flow(),
                )
            )
        self._publish_status()

    def _publish_status(self) -> None:
        trainer = self._trainer
        now = time.perf_counter()
        then, tokens_then, rate = self._rate
        if now - then >= 0.5:
            rate = (trainer.tokens_seen - tokens_then) / (now - then) if self._running else 0.0
            self._rate = (now, trainer.tokens_seen, rate)
        self.telemetry.set_status(
            Status(
                self._state,
                self._message,
                trainer.step_count,
                trainer.epoch,
                rate,
                self._elapsed,
                trainer.config.lr,
            )
        )
