"""The window's run's state and what its status line says: the seconds it has trained and its
speed, tokens/s = tokens seen / seconds over stretches of at least RATE_EVERY seconds."""

import time

from .records import RunState
from .telemetry import Status
from .trainer import Trainer

RATE_EVERY = 0.5  # seconds: the shortest stretch the speed is measured over


class RunStatus:
    def __init__(self, trainer: Trainer):
        self.trainer = trainer
        self.state = RunState.READY
        self.message = ""
        self.elapsed = 0.0  # seconds spent in the run's steps
        self._rate = (time.perf_counter(), 0, 0.0)  # (time, tokens seen, tokens/s)

    @property
    def running(self) -> bool:
        return self.state is RunState.TRAINING

    def set(self, state: RunState, message: str = "") -> None:
        self.state, self.message = state, message

    def status(self) -> Status:
        """The Status now; while paused the speed of the last stretch of training stays."""
        trainer = self.trainer
        now = time.perf_counter()
        then, tokens_then, rate = self._rate
        if now - then >= RATE_EVERY:
            if self.running:
                rate = (trainer.tokens_seen - tokens_then) / (now - then)
            self._rate = (now, trainer.tokens_seen, rate)
        return Status(
            self.state,
            self.message,
            trainer.step_count,
            trainer.epoch,
            rate,
            self.elapsed,
            trainer.lr,
            trainer.best.step if trainer.best else 0,
            trainer.best.epoch if trainer.best else 0,
            trainer.config,
        )
