"""A model's figures on a whole set: accuracy, NLL, ECE and the confusion matrix."""

from dataclasses import dataclass

import numpy as np

from ..data.batching import EncodedSet
from ..nn.model import SequenceModel
from .calibration import Reliability, nll, probabilities, reliability


@dataclass(frozen=True)
class Scores:
    loss: float  # mean negative log-likelihood under the model's temperature
    accuracy: float
    confusion: np.ndarray  # (C, C) rows true class, columns predicted
    ece: float  # expected calibration error of the top-class probability
    reliability: Reliability  # the table behind it (the window's reliability diagram)


def logits_of(model: SequenceModel, data: EncodedSet, batch_size: int = 256):
    """(N, C) logits (temperature not applied) and (N,) labels of a set, in the set's order
    (computed in batches of similar length, then put back in place)."""
    logits = np.zeros((len(data), model.num_outputs), dtype=model.dtype)
    for batch in data.batches_in_order(batch_size):
        logits[batch.indices] = model.logits(batch.ids, batch.lengths)
    return logits, np.asarray(data.labels, dtype=np.int64)


def scores_of(logits: np.ndarray, labels: np.ndarray, temperature: float = 1.0) -> Scores:
    C = logits.shape[1]
    confusion = np.zeros((C, C), dtype=np.int64)
    np.add.at(confusion, (labels, logits.argmax(axis=1)), 1)
    n = max(len(labels), 1)
    table = reliability(probabilities(logits, temperature), labels)
    return Scores(
        nll(logits, labels, temperature),
        float(np.trace(confusion) / n),
        confusion,
        table.ece,
        table,
    )


def score(model: SequenceModel, data: EncodedSet, batch_size: int = 256) -> Scores:
    """The model's figures on data, with its temperature."""
    return scores_of(*logits_of(model, data, batch_size), model.temperature)
