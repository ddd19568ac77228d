"""The memory horizon: how far back each cell can remember, measured on a generated task.

For each cell and distance N, a model is trained on the task at that distance (every cell on the
same sentences and the same batches, in the same order: they share the run's seed), then scored on
the task's test part: its accuracy, and the gradient ratio ‖∂L/∂h_{T-N}‖ / ‖∂L/∂h_T‖ of the word to
remember against the last word, the median over training. The horizon of a cell is the
longest distance it still learns (mean accuracy over seeds >= LEARNED at it and at every shorter
distance).
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..data.tasks import Task, generate
from ..train.config import TrainConfig
from ..train.experiment import Experiment
from .measures import RunHistory, gradient_ratio, test_accuracy

LEARNED = 0.9  # accuracy that counts as remembered (chance on recall: 0.5)


@dataclass(frozen=True)
class HorizonPoint:
    cell: str
    distance: int
    seed: int
    accuracy: float  # on the task's test part
    gradient_ratio: float  # ‖∂L/∂h_{T-N}‖ / ‖∂L/∂h_T‖, the median over the steps taken
    initial_ratio: float  # the same at the first step
    steps: int
    seconds: float


def measure(
    task: Task, config: TrainConfig, distance: int, stop: Callable[[], bool] = lambda: False
) -> HorizonPoint:
    """Train config's cell on the task at `distance` to the end of its epochs (or until stop()
    says yes: the point is then cut short); score it."""
    experiment = Experiment.build(config, generate(task.with_distance(distance)))
    history = RunHistory.of(experiment.trainer)
    started = time.perf_counter()
    experiment.trainer.run(should_stop=stop)
    return HorizonPoint(
        config.cell,
        distance,
        config.seed,
        test_accuracy(experiment, history, None),
        gradient_ratio(experiment, history, distance),
        gradient_ratio(experiment, RunHistory(flows=history.flows[:1]), distance),
        experiment.trainer.step_count,
        time.perf_counter() - started,
    )


def sweep(
    task: Task,
    config: TrainConfig,
    cells: Sequence[str],
    distances: Sequence[int],
    seeds: Sequence[int],
    done: Callable[[HorizonPoint], None] = lambda point: None,
    stop: Callable[[], bool] = lambda: False,
) -> list[HorizonPoint]:
    """Every cell at every distance and seed (`done` is told of each point as it comes), or
    those measured before stop() said yes (it is asked at every step)."""
    points: list[HorizonPoint] = []
    for distance in distances:
        for seed in seeds:
            for cell in cells:
                if stop():
                    return points
                point = measure(task, config.updated(cell=cell, seed=seed), distance, stop)
                if stop():  # cut short: not a point of the picture
                    return points
                done(point)
                points.append(point)
    return points


def horizons(points: Sequence[HorizonPoint]) -> dict[str, int]:
    """Cell -> the longest distance learned (mean accuracy over seeds >= LEARNED there and at
    every shorter distance measured); 0 when not even the shortest is."""
    result = {}
    for cell in dict.fromkeys(p.cell for p in points):
        reach = 0
        for distance in sorted({p.distance for p in points if p.cell == cell}):
            accuracy = np.mean(
                [p.accuracy for p in points if (p.cell, p.distance) == (cell, distance)]
            )
            if accuracy < LEARNED:
                break
            reach = distance
        result[cell] = reach
    return result
