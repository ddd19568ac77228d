"""What a hidden unit means: where in the training set it fires most, and which units a phrase
switches on.

activations() runs the model over (a sample of) a dataset once and keeps h_t at every real token
position; everything else is a query on that table.
"""

from dataclasses import dataclass
from functools import partial

import numpy as np

from ..data.batching import EncodedSet
from ..data.corpus import lm_tokens
from ..data.text import tokenize
from ..nn.model import SequenceModel

MAX_SENTENCES = 4000  # activations() samples at most this many sentences (evenly spaced)
CONTEXT_WORDS = 6  # words shown on each side of the highlighted one
TOP_CONTEXTS = 20  # unit_contexts: contexts per side


@dataclass(frozen=True)
class Activations:
    states: np.ndarray  # (N, H) float32, h_t at every real position
    sentence: np.ndarray  # (N,) index of the position's sentence in the dataset
    position: np.ndarray  # (N,) token position in that sentence
    ids: np.ndarray  # (N,) the token id read there
    texts: list[str]  # the dataset's sentences (indexed by `sentence`)

    @property
    def hidden_size(self) -> int:
        return self.states.shape[1]


@dataclass(frozen=True)
class Context:
    value: float  # the unit's activation at the word
    sentence: int
    position: int
    before: list[str]  # up to CONTEXT_WORDS tokens before the word
    word: str
    after: list[str]
    glue: str = " "  # between tokens ("" for characters)

    def as_dict(self) -> dict:
        return {
            "value": self.value,
            "sentence": self.sentence,
            "position": self.position,
            "word": self.word,
            "context": self.glue.join([*self.before, f"[{self.word}]", *self.after]),
        }


def activations(
    model: SequenceModel,
    encoded: EncodedSet,
    texts: list[str],
    batch_size: int = 256,
    max_sentences: int = MAX_SENTENCES,
) -> Activations:
    """h_t (N, H) after every word of up to max_sentences sentences of `encoded` (positions
    count words: a language model's <s> is skipped)."""
    n = len(encoded)
    chosen = np.unique(np.linspace(0, n - 1, min(n, max_sentences)).round().astype(np.intp))
    states, sentences, positions, ids = [], [], [], []
    for start in range(0, len(chosen), batch_size):
        batch = encoded.batch(chosen[start : start + batch_size])
        hidden = model.forward(batch.ids, batch.lengths).hidden  # (B, T, H)
        steps = np.arange(batch.ids.shape[1])[None, :]
        real = (steps < batch.lengths[:, None]) & (steps >= encoded.leading)  # (B, T)
        rows, cols = np.nonzero(real)
        states.append(hidden[rows, cols].astype(np.float32))
        sentences.append(batch.indices[rows])
        positions.append(cols - encoded.leading)
        ids.append(batch.ids[rows, cols])
    if not states:
        empty = np.zeros(0, np.intp)
        return Activations(np.zeros((0, model.hidden_size), np.float32), empty, empty, empty, texts)
    return Activations(
        np.concatenate(states),
        np.concatenate(sentences),
        np.concatenate(positions),
        np.concatenate(ids),
        texts,
    )


def token_reader(language_model: bool, level: str):
    """(tokens_of, glue) that contexts read sentences with: the classifier's words, or a
    language model's word or character tokens (characters joined without spaces)."""
    if not language_model:
        return tokenize, " "
    return partial(lm_tokens, level=level), "" if level == "char" else " "


def top_positions(acts: Activations, unit: int, k: int = 20, sign: int = 1) -> np.ndarray:
    """Indices of the k positions where unit's h is highest (sign=1) or lowest (sign=-1), best
    first."""
    values = sign * acts.states[:, unit]
    k = min(k, len(values))
    if k == 0:
        return np.zeros(0, np.intp)
    best = np.argpartition(-values, k - 1)[:k]
    return best[np.argsort(-values[best], kind="stable")]


def contexts(
    acts: Activations, unit: int, k: int = 20, sign: int = 1, tokens_of=tokenize, glue=" "
) -> list[Context]:
    """The top k positions with the words around them (tokens_of: the texts' tokenizer; glue
    joins tokens)."""
    found = []
    for i in top_positions(acts, unit, k, sign):
        s, t = int(acts.sentence[i]), int(acts.position[i])
        tokens = tokens_of(acts.texts[s])
        word = tokens[t] if t < len(tokens) else "<unk>"
        found.append(
            Context(
                float(acts.states[i, unit]),
                s,
                t,
                tokens[max(t - CONTEXT_WORDS, 0) : t],
                word,
                tokens[t + 1 : t + 1 + CONTEXT_WORDS],
                glue,
            )
        )
    return found


def top_words(
    acts: Activations, vocab_tokens, k: int = 5, depth: int = 50
) -> tuple[list[list[str]], list[list[str]]]:
    """For every unit, the first k distinct words among its `depth` highest positions, and among
    its `depth` lowest: two lists of H word lists (shorter when the top positions repeat)."""
    N, H = acts.states.shape
    depth = min(depth, N)
    if depth == 0:
        return [[] for _ in range(H)], [[] for _ in range(H)]
    found = []
    for signed in (acts.states, -acts.states):
        top = np.argpartition(-signed, depth - 1, axis=0)[:depth]  # (depth, H) positions
        order = np.argsort(-np.take_along_axis(signed, top, axis=0), axis=0, kind="stable")
        ranked_ids = acts.ids[np.take_along_axis(top, order, axis=0)]  # (depth, H) best first
        found.append([[vocab_tokens[i] for i in _distinct(ranked_ids[:, u], k)] for u in range(H)])
    return found[0], found[1]


def _distinct(values: np.ndarray, k: int) -> list[int]:
    """The first k distinct values, in order."""
    seen: dict[int, None] = {}
    for v in values.tolist():
        seen.setdefault(v)
        if len(seen) == k:
            break
    return list(seen)


def units_for_span(states: np.ndarray, start: int, stop: int, k: int = 10) -> list[dict]:
    """Units that a phrase (words start..stop-1 of a sentence with states (T, H)) switches on:
    score_u = mean of h_u over the phrase minus its mean over the other words (0 when there are
    none), ranked by |score|."""
    inside = states[start:stop].mean(axis=0)
    rest = np.concatenate([states[:start], states[stop:]])
    outside = rest.mean(axis=0) if len(rest) else np.zeros_like(inside)
    score = inside - outside
    order = np.argsort(-np.abs(score), kind="stable")[:k]
    return [
        {"unit": int(u), "score": float(score[u]), "mean_inside": float(inside[u])} for u in order
    ]
