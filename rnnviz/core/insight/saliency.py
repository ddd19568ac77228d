"""Why this prediction: how much each word of a sentence pushes the model towards a class.

Two methods, each a (T,) score per word (positive: the word supports the class):

- occlusion: p(c | sentence) - p(c | sentence with word t read as <unk>), all T variants in one
  batched forward pass;
- gradient x input: d log p(c) / d u_t · u_t, where u_t = W_ih[:, id_t] is the word's input
  column, from one backward pass (the first-order Taylor estimate of what removing u_t costs).
"""

from dataclasses import dataclass, replace

import numpy as np

from ..data.text import UNK_ID, Vocabulary
from ..nn.model import SequenceModel
from ..nn.sparse import to_dense

METHODS = {
    "occlusion": "p(c) − p(c with the word read as <unk>)",
    "gradient": "∂ log p(c)/∂u_t · u_t, u_t = the word's input column W_ih[:, id_t]",
}


@dataclass(frozen=True)
class Saliency:
    tokens: list[str]  # T tokens
    unknown: np.ndarray  # (T,) bool
    method: str
    target: int  # the class the scores explain
    probs: np.ndarray  # (C,) the model's probabilities for the whole sentence
    scores: np.ndarray  # (T,) each word's contribution to the target class

    def as_dict(self, classes: tuple[str, ...]) -> dict:
        return {
            "method": self.method,
            "class": classes[self.target],
            "probabilities": dict(zip(classes, map(float, self.probs), strict=True)),
            "words": [
                {"token": tok, "unknown": bool(unk), "score": None if np.isnan(s) else float(s)}
                for tok, unk, s in zip(self.tokens, self.unknown, self.scores, strict=True)
            ],
        }


OCCLUSION_BLOCKS = 4  # occluded positions are run in this many blocks (see occluded_probs)
BLOCK_BUDGET = 1 << 24  # at most this many gate activations (rows x steps x gates·H) per block


def sentence_model(model: SequenceModel, ids: np.ndarray, dtype=None) -> SequenceModel:
    """The model restricted to the input columns W_ih[:, ids] (G, len(ids)), token k of the
    result reads column ids[k]; optionally cast (only the small matrices are copied)."""
    params = {**model.params, "W_ih": np.asfortranarray(model.params["W_ih"][:, ids])}
    if dtype is not None:
        params = {n: p.astype(dtype, copy=False) for n, p in params.items()}
    local = SequenceModel(model.cell, model.head, params)
    local.temperature = model.temperature
    return local


def occluded_probs(model: SequenceModel, ids: np.ndarray, first: int = 0) -> np.ndarray:
    """(T,) ids -> (T + 1 - first, C) probabilities: row 0 of the sentence itself, row k + 1 with
    word first + k read as <unk>; the occluded copies in float32 (the view needs no more, and it
    halves the time).

    Occluding word t leaves the states before t as they were, so the positions are run in blocks
    [a, b): each block is a batch of b - a copies of the words from a on, one occluded per row,
    starting from the sentence's own state after a words. Four blocks do ~60% of the work of one
    (T + 1, T) batch; a long sentence takes more, smaller blocks (BLOCK_BUDGET)."""
    T = len(ids)
    sentence = model.forward(ids[None, :], np.array([T]))
    probs = [model.head.per_step_probs(model.params, sentence.last, model.temperature)]
    n = T - first  # words occluded: token k of the local model is ids[first + k], token n <unk>
    local = sentence_model(model, np.append(ids[first:], UNK_ID), np.float32)
    local_ids = np.arange(n)
    width = local.params["W_ih"].shape[0]  # stacked x H
    size = max(1, min(-(-n // OCCLUSION_BLOCKS), BLOCK_BUDGET // (n * width)))
    for a in range(0, n, size):
        b = min(a + size, n)
        suffix = np.tile(local_ids[a:], (b - a, 1))  # (b - a, n - a)
        suffix[np.arange(b - a), np.arange(b - a)] = n
        state0 = None
        if first + a > 0:
            prefix = replace(sentence, lengths=np.array([first + a]))
            state0 = tuple(
                np.repeat(s.astype(np.float32), b - a, axis=0)
                for s in model.cell.final_state(prefix)
            )
        trace = local.forward(suffix, np.full(b - a, n - a), state0)
        probs.append(local.head.per_step_probs(local.params, trace.last, local.temperature))
    return np.concatenate(probs).astype(np.float64)


def gradient_times_input(model: SequenceModel, ids: np.ndarray, target: int) -> np.ndarray:
    """(T,) ids -> (T,) d log p(target) / d u_t · u_t.

    Each position gets a vocabulary of its own (sentence_model(ids), read as 0..T-1), so the
    input matrix's gradient, column t, is dL/du_t at that position alone (a repeated word is not
    summed)."""
    T = len(ids)
    local = sentence_model(model, ids)
    result = local.loss_and_grads(np.arange(T)[None, :], np.array([T]), np.array([target]))
    d_columns = to_dense(result.grads["W_ih"])  # (G, T) dL/du_t with L = -log p(target)
    return -np.einsum("gt,gt->t", d_columns, local.params["W_ih"])


def explain(
    model: SequenceModel,
    vocab: Vocabulary,
    text: str,
    method: str = "occlusion",
    target: int | None = None,
    last: int | None = None,
) -> Saliency | None:
    """Each word's contribution to `target` (None: the predicted class); None for no words.
    last: score only the last `last` words (the others' scores are NaN), to bound the time."""
    if method not in METHODS:
        raise ValueError(f"unknown saliency method {method!r}; choose from {list(METHODS)}")
    encoded = vocab.encode(text)
    ids = encoded.ids
    if len(ids) == 0:
        return None
    first = 0 if last is None else max(len(ids) - last, 0)
    scores = np.full(len(ids), np.nan)
    if method == "occlusion":
        every = occluded_probs(model, ids, first)  # (T + 1 - first, C)
        probs = every[0]
        target = int(probs.argmax()) if target is None else target
        scores[first:] = probs[target] - every[1:, target]
    else:
        trace = model.forward(ids[None, :], np.array([len(ids)]))
        probs = model.head.per_step_probs(model.params, trace.last, model.temperature)[0]
        target = int(probs.argmax()) if target is None else target
        scores[first:] = gradient_times_input(model, ids, target)[first:]
    return Saliency(encoded.tokens, encoded.unknown, method, target, probs, scores)
