"""Encoded datasets and mini-batches: right-padded id arrays with lengths, grouped by length."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .progress import Progress, counting
from .text import PAD_ID, UNK_ID, Vocabulary, tokenize


@dataclass(frozen=True)
class Batch:
    ids: np.ndarray  # (B, T) int64, right-padded with <pad>
    lengths: np.ndarray  # (B,) int, each >= 1
    labels: np.ndarray  # (B,) class ids
    indices: np.ndarray  # (B,) positions in the encoded dataset

    @property
    def tokens(self) -> int:
        return int(self.lengths.sum())

    def with_words_dropped(self, rate: float, rng: np.random.Generator) -> "Batch":
        """Word dropout: each real token becomes <unk> with probability `rate`, so the model
        learns to read sentences whose words it has not seen (as at test time)."""
        if rate <= 0:
            return self
        T = self.ids.shape[1]
        drop = (rng.random(self.ids.shape) < rate) & (np.arange(T) < self.lengths[:, None])
        return replace(self, ids=np.where(drop, UNK_ID, self.ids))


@dataclass(frozen=True)
class EncodedSet:
    """A dataset turned into id sequences once, so that epochs never tokenize again."""

    sequences: list[np.ndarray]  # N arrays of ids, each of length >= 1
    labels: np.ndarray  # (N,)
    truncated: int  # how many texts were cut to max_len
    leading = 0  # inputs before a sentence's first word (a language model's <s>: 1)

    def __len__(self) -> int:
        return len(self.sequences)

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        labels: np.ndarray,
        vocab: Vocabulary,
        max_len: int | None = None,
        progress: Progress | None = None,
    ) -> "EncodedSet":
        """Tokenize and look up; an empty text becomes a single <unk>; cut at max_len tokens."""
        sequences, truncated = [], 0
        for text in counting(texts, progress or Progress(), "encoding", len(texts)):
            ids = vocab.ids(tokenize(text)) if text else np.empty(0, dtype=np.int64)
            if len(ids) == 0:
                ids = np.array([1], dtype=np.int64)
            if max_len is not None and len(ids) > max_len:
                ids, truncated = ids[:max_len], truncated + 1
            sequences.append(ids)
        return cls(sequences, np.asarray(labels), truncated)

    def batch(self, indices: np.ndarray) -> Batch:
        """Pad the chosen sequences into one batch."""
        lengths = np.fromiter((len(self.sequences[i]) for i in indices), np.intp, len(indices))
        ids = np.full((len(indices), int(lengths.max())), PAD_ID, dtype=np.int64)
        for row, i in enumerate(indices):
            ids[row, : lengths[row]] = self.sequences[i]
        return Batch(ids, lengths, self.labels[indices], np.asarray(indices))

    def unknown_share(self) -> float:
        """Share of all tokens that are <unk>."""
        if not self.sequences:
            return 0.0
        ids = np.concatenate(self.sequences)
        return float(np.count_nonzero(ids == UNK_ID) / len(ids))

    def lengths(self) -> np.ndarray:
        """(N,) sequence lengths."""
        return np.fromiter((len(s) for s in self.sequences), np.intp, len(self))

    def plan_epoch(self, batch_size: int, rng: np.random.Generator, pool: int = 50) -> list:
        """Shuffled mini-batches (index arrays) with length bucketing: shuffle, sort each pool of
        pool * batch_size examples by length, cut into batches, shuffle the batch order."""
        order = rng.permutation(len(self))
        lengths = self.lengths()
        span = batch_size * pool
        chunks = []
        for start in range(0, len(order), span):
            block = order[start : start + span]
            chunks.extend(chunk(block[np.argsort(lengths[block], kind="stable")], batch_size))
        return [chunks[k] for k in rng.permutation(len(chunks))]

    def batches_in_order(self, batch_size: int) -> Iterator[Batch]:
        """Every example once, sorted by length (for evaluation: least padding)."""
        order = np.argsort(self.lengths(), kind="stable")
        for indices in chunk(order, batch_size):
            yield self.batch(indices)


def chunk(indices: np.ndarray, size: int) -> list[np.ndarray]:
    """Consecutive pieces of at most `size` indices."""
    return [indices[i : i + size] for i in range(0, len(indices), size)]
