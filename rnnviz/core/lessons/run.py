"""A lesson's preset trained headless, and its checks evaluated at the end (rnnviz lesson --check).

The runs are trained as the window trains them, so that what the checks say is what the user
sees: the first run takes the batches of its own epochs, and the others are given each one beside
it (companions.py); when the first halts, all stop. Each check is then measured on its run, with
the code the window's live checks use (live.py).
"""

from dataclasses import dataclass

from ..data.datasets import load
from ..train.companions import SideRuns
from ..train.config import TrainConfig
from ..train.experiment import Experiment
from .lesson import Check, Lesson
from .measures import MEASURES, RunHistory


@dataclass(frozen=True)
class CheckResult:
    check: Check
    value: float

    @property
    def seen(self) -> bool:
        return self.check.holds(self.value)


def measured(check: Check, experiment: Experiment, history: RunHistory) -> CheckResult:
    """The check's measure on its run now (the headless and the window's checks alike)."""
    measure, _ = MEASURES[check.measure]
    return CheckResult(check, measure(experiment, history, check.at))


def window_settings(lesson: Lesson) -> TrainConfig:
    """The settings of the first run (the window's own): the lesson's, with the run's changes."""
    return lesson.settings.updated(**lesson.runs[0].changes)


def side_runs(lesson: Lesson) -> dict[str, dict]:
    """Each other run's changes to window_settings, by its label in the lesson: the lesson's
    settings with the run's own changes."""
    first = lesson.runs[0].changes
    return {
        run.label: {
            **{key: getattr(lesson.settings, key) for key in first if key not in run.changes},
            **run.changes,
        }
        for run in lesson.runs[1:]
    }


def run_lesson(lesson: Lesson, seed: int) -> list[CheckResult]:
    """Train the lesson's runs with `seed` for its epochs; each check's measured value."""
    main = Experiment.build(window_settings(lesson).updated(seed=seed), load([lesson.data]))
    beside = SideRuns()
    beside.follow(main)
    experiments = {lesson.runs[0].label: main}
    for label, changes in side_runs(lesson).items():
        beside.add(changes)
        experiments[label] = beside.runs[-1].built
    histories = {label: RunHistory.of(e.trainer) for label, e in experiments.items()}
    main.trainer.run(lesson.settings.epochs)
    return [measured(c, experiments[c.run], histories[c.run]) for c in lesson.checks]
