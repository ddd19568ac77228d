"""Runs side by side: 2-4 experiments on the same data that see the same batches in the same
order, differing only in the model or how it is optimised (cell, size, learning rate, clipping,
initialisation ...).

Lockstep (the command line): one epoch plan (seeded like a single run's) is drawn for all; every
batch is given to each run that has not halted or stopped early, and each run ends its epochs,
evaluates and keeps its best weights by itself. The window's runs beside its own: companions.py.
"""

from dataclasses import dataclass

import numpy as np

from ..data.datasets import Dataset
from ..errors import ConfigError
from .config import BY_FIELD, RUN_FIELDS, RUN_KEYS, TrainConfig
from .experiment import Experiment

MAX_RUNS = 4


def parse_run(text: str) -> dict:
    """ "cell=lstm,lr=0.01" -> {"cell": "lstm", "lr": 0.01}; keys are RUN_KEYS, the command
    line's names (hidden-size or hidden; underscores for dashes too), values typed and checked
    like the command line's."""
    changes = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        key = RUN_KEYS.get(name.strip().replace("_", "-"))
        if not sep or key is None:
            keys = ", ".join(f.replace("_", "-") for f in RUN_FIELDS)
            raise ConfigError(f"a run is KEY=VALUE[,KEY=VALUE...] with keys {keys}; got {item!r}")
        kind = BY_FIELD[key].kind
        try:
            changes[key] = kind(value.strip())
        except ValueError:
            raise ConfigError(f"{key} wants a {kind.__name__}, got {value!r}") from None
    return changes


def run_label(changes: dict) -> str:
    """{"hidden_size": 16} -> "hidden-size=16": the changes as a run's KEY=VALUE is typed."""
    return ",".join(f"{k.replace('_', '-')}={v}" for k, v in changes.items()) or "base"


@dataclass
class Lockstep:
    experiments: list[Experiment]
    labels: list[str]
    rng: np.random.Generator

    @classmethod
    def build(cls, base: TrainConfig, data: Dataset, runs: list[dict]) -> "Lockstep":
        """One experiment per run, each `base` with the run's changes; one vocabulary."""
        if not 1 <= len(runs) <= MAX_RUNS:
            raise ConfigError(f"compare 1 to {MAX_RUNS} runs, got {len(runs)}")
        first = Experiment.build(base.updated(**runs[0]), data)
        others = [Experiment.build(base.updated(**r), data, vocab=first.vocab) for r in runs[1:]]
        labels = [run_label(r) for r in runs]
        if len(set(labels)) != len(labels):
            raise ConfigError("two runs have the same settings")
        return cls([first, *others], labels, np.random.default_rng(base.seed))

    @property
    def active(self) -> list[Experiment]:
        """The runs still training (not halted, not stopped early)."""
        return [e for e in self.experiments if not (e.trainer.halt or e.trainer.finished)]

    def run_epoch(self) -> None:
        """Every batch of one shuffled epoch to every active run, then each ends its epoch."""
        first = self.experiments[0]
        plan = first.train_set.plan_epoch(first.config.batch_size, self.rng)
        for indices in plan:
            batch = first.train_set.batch(indices)
            running = self.active
            if not running:
                return
            for experiment in running:
                experiment.trainer.step(batch)
        for experiment in self.active:
            experiment.trainer.end_epoch()
