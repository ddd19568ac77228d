"""A model's figures on a whole set: accuracy, NLL, ECE and, when asked for, the confusion
matrix (C² counts: 800 MB at 10,000 classes, kept by every evaluation of a run before)."""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..data.batching import EncodedSet
from ..nn.model import SequenceModel
from ..nn.next_token import NextToken
from .calibration import Reliability, nll, probabilities, reliability


@dataclass(frozen=True)
class Scores:
    loss: float  # mean negative log-likelihood under the model's temperature
    accuracy: float
    ece: float  # expected calibration error of the top-class probability
    reliability: Reliability | None  # the table behind it (None for a language model)
    confusion: np.ndarray | None = None  # (C, C) rows true class, columns predicted; if asked


def logits_of(
    model: SequenceModel, data: EncodedSet, batch_size: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """(N, C) logits (temperature not applied) and (N,) labels of a set, in the set's order
    (computed in batches of similar length, then put back in place)."""
    logits = np.zeros((len(data), model.num_outputs), dtype=model.dtype)
    for batch in data.batches_in_order(batch_size):
        logits[batch.indices] = model.logits(batch.ids, batch.lengths)
    return logits, np.asarray(data.labels, dtype=np.int64)


def scores_of(
    logits: np.ndarray, labels: np.ndarray, temperature: float = 1.0, confusion: bool = False
) -> Scores:
    C = logits.shape[1]
    predicted = logits.argmax(axis=1)
    table = reliability(probabilities(logits, temperature), labels)
    return Scores(
        nll(logits, labels, temperature),
        float(np.count_nonzero(predicted == labels) / max(len(labels), 1)),
        table.ece,
        table,
        np.bincount(labels * C + predicted, minlength=C * C).reshape(C, C) if confusion else None,
    )


def score(
    model: SequenceModel, data: EncodedSet, batch_size: int = 256, confusion: bool = False
) -> Scores:
    """The model's figures on data, with its temperature (and its confusion matrix)."""
    if model.is_language_model:
        return next_token_scores(model, data)
    return scores_of(*logits_of(model, data, batch_size), model.temperature, confusion)


SCORED_ROWS = 4096  # steps whose (rows, V) logits are computed at once


def next_token_logits(
    model: SequenceModel, data: EncodedSet, batch_size: int = 64
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """A language model's (rows, V) logits (temperature not applied) and (rows,) targets over
    every real step of a set, SCORED_ROWS rows at a time."""
    head = model.head
    if not isinstance(head, NextToken):
        raise TypeError(f"next-token scores need a language model, not a {type(head).__name__}")
    for batch in data.batches_in_order(batch_size):
        trace = model.forward(batch.ids, batch.lengths)
        t, b = head.real_steps(trace)
        for start in range(0, len(t), SCORED_ROWS):
            rows = slice(start, start + SCORED_ROWS)
            yield (
                head.logits(model.params, trace.outputs[t[rows], b[rows]]),
                batch.labels[b[rows], t[rows]],
            )


def next_token_scores(model: SequenceModel, data: EncodedSet, batch_size: int = 64) -> Scores:
    """A language model's mean -log p(next token) over every real step (exp of it is the
    perplexity) and its top-1 accuracy; no confusion matrix or calibration table."""
    total_nll, correct, count = 0.0, 0, 0
    for logits, targets in next_token_logits(model, data, batch_size):
        total_nll += nll(logits, targets, model.temperature) * len(targets)
        correct += int(np.count_nonzero(logits.argmax(axis=1) == targets))
        count += len(targets)
    n = max(count, 1)
    return Scores(total_nll / n, correct / n, 0.0, None)
