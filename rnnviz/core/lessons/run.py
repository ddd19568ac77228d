"""A lesson's preset trained headless, and its checks evaluated at the end (rnnviz lesson --check).

Every run of the lesson sees the same batches in the same order (a Lockstep), for the preset's
epochs; each check is then measured on its run.
"""

from collections.abc import Callable
from dataclasses import dataclass

from ..data.datasets import load
from ..train.lockstep import Lockstep
from .lesson import Check, Lesson
from .measures import MEASURES, RunHistory


@dataclass(frozen=True)
class CheckResult:
    check: Check
    value: float

    @property
    def seen(self) -> bool:
        return self.check.holds(self.value)


def run_lesson(
    lesson: Lesson, seed: int, epoch_done: Callable[[int], None] = lambda epoch: None
) -> list[CheckResult]:
    """Train the lesson's runs with `seed` for its epochs; each check's measured value."""
    settings = lesson.settings.updated(seed=seed)
    data = load([lesson.data])
    lockstep = Lockstep.build(settings, data, [dict(run.changes) for run in lesson.runs])
    experiments = dict(zip((run.label for run in lesson.runs), lockstep.experiments, strict=True))
    histories = {label: RunHistory.of(e.trainer) for label, e in experiments.items()}
    for epoch in range(1, settings.epochs + 1):
        if not lockstep.active:
            break
        lockstep.run_epoch()
        epoch_done(epoch)
    results = []
    for check in lesson.checks:
        measure, _ = MEASURES[check.measure]
        value = measure(experiments[check.run], histories[check.run], check.at)
        results.append(CheckResult(check, value))
    return results
