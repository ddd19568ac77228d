"""The window's run's state and what its status line says: the seconds it has trained (the
trainer's clock, which checkpoints carry) and, while it trains, its speed, tokens/s = tokens seen /
seconds over stretches of at least RATE_EVERY seconds."""

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
        self._rate = (time.perf_counter(), 0, 0.0)  # (time, tokens seen, tokens/s)

    @property
    def running(self) -> bool:
        return self.state is RunState.TRAINING

    def set(self, state: RunState, message: str = "") -> None:
        self.state, self.message = state, message

    def status(self) -> Status:
        """The Status now. The speed is 0 when not training (a paused run has no speed), and its
        first stretch starts when training does."""
        trainer = self.trainer
        now = time.perf_counter()
        then, tokens_then, rate = self._rate
        if not self.running:
            self._rate = (now, trainer.tokens_seen, 0.0)
            rate = 0.0
        elif now - then >= RATE_EVERY:
            rate = (trainer.tokens_seen - tokens_then) / (now - then)
            self._rate = (now, trainer.tokens_seen, rate)
        return Status(
            self.state,
            self.message,
            trainer.step_count,
            trainer.epoch,
            rate,
            trainer.trained_seconds,
            trainer.clock_from,
            trainer.lr,
            trainer.best.step if trainer.best else 0,
            trainer.best.epoch if trainer.best else 0,
            trainer.config,
        )
