"""A lesson's checks measured live on the window's runs: a Watcher of the training runner
(core/train/runner.py) that measures every check on the training thread at each epoch's end and
when training pauses, with the headless checks' code (run.measured), and hands the values to
`report` (the window forwards them to its own thread). After the lesson's epochs it pauses
training and its values stay: those `rnnviz lesson NAME --check` gives for the same seed."""

from collections.abc import Callable
from dataclasses import dataclass

from ..train.experiment import Experiment
from ..train.runner import Runs
from .lesson import Lesson
from .measures import RunHistory
from .run import CheckResult, measured, side_runs


@dataclass(frozen=True)
class LessonProgress:
    epoch: int  # epochs measured since the lesson's run started; 0: none yet, every check pending
    epochs: int  # the lesson's (0: no end)
    step: int  # of the window's run, when measured
    results: tuple[CheckResult | None, ...]  # one per check; None: pending

    @property
    def done(self) -> bool:
        return bool(self.epochs) and self.epoch >= self.epochs


class LiveChecks:
    def __init__(self, lesson: Lesson, report: Callable[[LessonProgress], None]):
        self.lesson = lesson
        self.report = report
        # the lesson's run labels -> the runner's (None: the window's own run)
        self.labels: dict[str, str | None] = {lesson.runs[0].label: None}
        self.labels |= {label: label for label in side_runs(lesson)}
        self._runs: dict[str, tuple[Experiment, RunHistory]] = {}
        self._main: Experiment | None = None
        self._first_epoch = 0  # the window's run's epoch count when it was first followed
        self._epoch = 0
        self.done = False  # the lesson's epochs are over: the values stay

    def follow(self, runs: Runs) -> None:
        """A history for each run that is new (a new window's run starts the checks again)."""
        main = runs[None]
        if main is not self._main:
            self.stop()
            self._main, self._first_epoch, self._epoch = main, main.trainer.epoch, 0
            self.done = False
            self.report(self._progress(tuple(None for _ in self.lesson.checks)))
        for label, key in self.labels.items():
            experiment, old = runs.get(key), self._runs.get(label)
            if old is not None and old[0] is experiment:
                continue
            if old is not None:
                old[1].detach()
                del self._runs[label]
            if experiment is not None and not self.done:
                self._runs[label] = (experiment, RunHistory.of(experiment.trainer))

    def epoch_ended(self) -> str:
        if self.done or self._main is None:
            return ""
        self._epoch = self._main.trainer.epoch - self._first_epoch
        self._measure()
        epochs = self.lesson.settings.epochs
        if epochs and self._epoch >= epochs:
            self.stop()
            self.done = True
            return f"the lesson's {epochs} epochs are done"
        return ""

    def paused(self) -> None:
        """The values now, once an epoch has been measured."""
        if self._epoch and not self.done:
            self._measure()

    def stop(self) -> None:
        for _, history in self._runs.values():
            history.detach()
        self._runs.clear()

    def _measure(self) -> None:
        self.report(
            self._progress(
                tuple(
                    measured(c, *self._runs[c.run]) if c.run in self._runs else None
                    for c in self.lesson.checks
                )
            )
        )

    def _progress(self, results: tuple[CheckResult | None, ...]) -> LessonProgress:
        step = self._main.trainer.step_count if self._main is not None else 0
        return LessonProgress(self._epoch, self.lesson.settings.epochs, step, results)
