"""Scores of many classes: the trainer's evaluations keep no C x C confusion matrix (at 10,000
classes each kept 800 MB: three evaluations took the process from 55 MB to 2.4 GB), and the
confusion matrix `rnnviz eval` prints is counted as before."""

import dataclasses

import numpy as np
import pytest

from rnnviz.core.data.datasets import Dataset
from rnnviz.core.train.calibration import Reliability
from rnnviz.core.train.config import TrainConfig
from rnnviz.core.train.experiment import Experiment
from rnnviz.core.train.scoring import scores_of


@pytest.mark.parametrize("n_classes", [2, 9, 10_000])
def test_the_confusion_matrix_is_counted_only_when_asked_for(n_classes):
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(300, n_classes))
    labels = rng.integers(0, n_classes, 300)
    plain, counted = scores_of(logits, labels), scores_of(logits, labels, confusion=True)
    expected = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(expected, (labels, logits.argmax(axis=1)), 1)
    assert plain.confusion is None and np.array_equal(counted.confusion, expected)
    assert plain.accuracy == counted.accuracy == np.trace(expected) / 300
    assert plain.loss == counted.loss and plain.ece == counted.ece


def test_an_evaluation_of_many_classes_keeps_nothing_of_their_square():
    n_classes = 2000
    texts = [f"word{c % 30} w{c}" for c in range(n_classes) for _ in range(3)]
    labels = np.repeat(np.arange(n_classes), 3)
    classes = tuple(f"c{c:04d}" for c in range(n_classes))
    data = Dataset("many", texts, labels, classes, [None] * len(texts))
    config = TrainConfig(hidden_size=8, validation_fraction=0.0, patience=0)
    experiment = Experiment.build(config, data)
    evaluation = experiment.trainer.evaluate("test")
    arrays = [getattr(evaluation, f.name) for f in dataclasses.fields(evaluation)]
    arrays += [getattr(evaluation.reliability, f.name) for f in dataclasses.fields(Reliability)]
    sizes = [a.size for a in arrays if isinstance(a, np.ndarray)]
    assert sizes and max(sizes) < n_classes  # the reliability table's bins
    assert "confusion" not in {f.name for f in dataclasses.fields(evaluation)}
