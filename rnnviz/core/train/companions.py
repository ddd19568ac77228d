"""Runs beside the window's own: each built on its data and vocabulary with a few settings
changed (config.RUN_FIELDS), given every batch the window's run trains on and ending its
epochs with it, telling its own Telemetry. A run counts its steps and epochs on from the window's
run's counts when it was built, so that both are drawn on one step axis (a run added at step
3,736 takes its first step as step 3,737). They live on the training thread."""

from dataclasses import dataclass, field

from ..data.batching import Batch
from ..errors import ConfigError
from .experiment import Experiment
from .lockstep import MAX_RUNS, run_label
from .records import RunState
from .telemetry import Status, Telemetry


@dataclass
class Companion:
    """One run beside the window's, labelled by its changes (run_label)."""

    label: str
    changes: dict
    telemetry: Telemetry
    experiment: Experiment | None = None
    paused: bool = False
    _published: int = field(default=-1, repr=False)

    def build(self, main: Experiment) -> None:
        """A fresh experiment beside `main` (on its data and vocabulary, counting from its step
        and epoch); history cleared."""
        config = main.config.updated(**self.changes)
        self.experiment = Experiment.build(config, main.data, vocab=main.vocab)
        self.experiment.trainer.resume(main.trainer.step_count, main.trainer.epoch, {})
        self.telemetry.clear()
        self._published = -1
        self.telemetry.follow(self.experiment.trainer)

    @property
    def built(self) -> Experiment:
        """Its experiment: SideRuns builds every run before it steps or publishes it."""
        assert self.experiment is not None, f"run {self.label} used before build()"
        return self.experiment

    @property
    def active(self) -> bool:
        trainer = self.built.trainer
        return not (self.paused or trainer.halt or trainer.finished)

    def step(self, batch: Batch) -> None:
        if self.active:
            self.built.trainer.step(batch)

    def end_epoch(self) -> None:
        if self.active:
            self.built.trainer.end_epoch()

    def publish(self) -> None:
        """Its newest weights and status for the window (when it has stepped)."""
        experiment = self.built
        trainer = experiment.trainer
        snapshot = None
        if trainer.step_count != self._published:
            self._published = trainer.step_count
            snapshot = experiment.snapshot()
        state = (
            RunState.HALTED
            if trainer.halt
            else RunState.FINISHED
            if trainer.finished
            else (RunState.PAUSED if self.paused else RunState.TRAINING)
        )
        status = Status(
            state, "", trainer.step_count, trainer.epoch, lr=trainer.lr, config=trainer.config
        )
        self.telemetry.publish(status, snapshot)


class SideRuns:
    """The companions of the window's run, by label (at most MAX_RUNS runs in all)."""

    def __init__(self) -> None:
        self.runs: list[Companion] = []
        self._main: Experiment | None = None

    def follow(self, main: Experiment) -> None:
        """Beside a new experiment: every run starts anew on its data, and is given its batches
        and epoch ends from now on."""
        self._main, trainer = main, main.trainer

        def stepped(_: object) -> None:
            batch = trainer.last_batch
            assert batch is not None, "a step event comes after the trainer took its batch"
            self.step(batch)

        trainer.on("step", stepped)
        trainer.on("epoch_end", lambda _: self.end_epoch())
        for run in self.runs:
            run.build(main)

    def add(self, changes: dict, label: str | None = None) -> tuple[str, Telemetry]:
        """A new run with `changes`, called `label` (default: its changes, run_label); (its
        label, its Telemetry)."""
        label = label or run_label(changes)
        if len(self.runs) + 1 >= MAX_RUNS:
            raise ConfigError(f"at most {MAX_RUNS} runs side by side")
        if label in (run.label for run in self.runs):
            raise ConfigError(f"a run with {label} is already there")
        run = Companion(label, changes, Telemetry())
        assert self._main is not None, "runs are added beside a followed experiment"
        run.build(self._main)
        run.publish()
        self.runs.append(run)
        return label, run.telemetry

    def remove(self, label: str) -> None:
        self.runs = [run for run in self.runs if run.label != label]

    def pause(self, label: str, paused: bool) -> None:
        """Hold one run (it skips the batches meanwhile) or let it go on."""
        for run in self.runs:
            if run.label == label:
                run.paused = paused
                run.publish()

    def step(self, batch: Batch) -> None:
        for run in self.runs:
            run.step(batch)

    def end_epoch(self) -> None:
        for run in self.runs:
            run.end_epoch()

    def publish(self) -> None:
        for run in self.runs:
            run.publish()
