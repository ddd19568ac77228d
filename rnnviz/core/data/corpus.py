"""Text for a language model: sentences as word or character tokens between <s> and </s>, and
next-token batches (the inputs <s> w1 .. wn, the targets w1 .. wn </s>).

Words are the classifier's tokens; characters are the cleaned, lower-cased text with every run of
white space one " ". A sentence of n tokens is n + 1 predictions, the last one </s>.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .batching import Batch, EncodedSet
from .progress import Progress, counting
from .text import PAD_ID, UNK_ID, Vocabulary, clean, tokenize

BOS, EOS = "<s>", "</s>"
LEVELS = ("word", "char")


def lm_tokens(text: str, level: str) -> list[str]:
    """The tokens a language model reads of `text`: words, or characters."""
    if level == "word":
        return tokenize(text)
    if level == "char":
        return list(" ".join(clean(text).lower().split()))
    raise ValueError(f"unknown level {level!r}; choose from {LEVELS}")


def join(tokens: Sequence[str], level: str) -> str:
    """Tokens back into text: words with spaces (no space before punctuation), characters as
    they are."""
    if level == "char":
        return "".join(tokens)
    text = ""
    for token in tokens:
        glue = "" if not text or (len(token) == 1 and not token.isalnum()) else " "
        text += glue + token
    return text


def build_vocabulary(
    texts: Sequence[str], level: str, min_count: int, max_size: int, progress: Progress
) -> Vocabulary:
    """<pad>, <unk>, <s>, </s>, then the training tokens by count."""
    tokens = (
        lm_tokens(t, level)
        for t in counting(texts, progress, "building the vocabulary", len(texts))
    )
    return Vocabulary.build(tokens, min_count, max_size, specials=(BOS, EOS))


def chunks(sequence: np.ndarray, max_len: int | None) -> list[np.ndarray]:
    """A long [<s>, w1 .. wn, </s>] as pieces of at most max_len predictions each (max_len + 1
    ids): consecutive pieces share one id, the last input of one being the first of the next,
    so that every next token is still predicted exactly once. Nothing is cut."""
    if not max_len or len(sequence) - 1 <= max_len:
        return [sequence]
    return [sequence[a : a + max_len + 1] for a in range(0, len(sequence) - 1, max_len)]


@dataclass(frozen=True)
class NextTokenSet(EncodedSet):
    """Sentences as [<s>, ids..., </s>] (longer than max_len: in chunks, counted in
    `truncated`); a batch's labels are its (B, T) next tokens."""

    leading = 1  # <s>

    @classmethod
    def build_lm(
        cls,
        texts: Sequence[str],
        vocab: Vocabulary,
        level: str,
        max_len: int | None = None,
        progress: Progress | None = None,
    ) -> "NextTokenSet":
        bos, eos = vocab.index[BOS], vocab.index[EOS]
        sequences, split = [], 0
        for text in counting(texts, progress or Progress(), "encoding", len(texts)):
            whole = np.concatenate([[bos], vocab.ids(lm_tokens(text, level)), [eos]])
            pieces = chunks(whole.astype(np.int64), max_len)
            split += len(pieces) > 1
            sequences.extend(pieces)
        return cls(sequences, np.zeros(len(sequences), dtype=np.int64), split)

    def lengths(self) -> np.ndarray:
        """(N,) predictions per sentence: its tokens + 1."""
        return np.fromiter((len(s) - 1 for s in self.sequences), np.intp, len(self))

    def batch(self, indices: np.ndarray) -> Batch:
        """Inputs (B, T) = <s> w1 .. wn and labels (B, T) = w1 .. wn </s>, right-padded."""
        lengths = np.fromiter((len(self.sequences[i]) - 1 for i in indices), np.intp, len(indices))
        T = int(lengths.max())
        ids = np.full((len(indices), T), PAD_ID, dtype=np.int64)
        targets = np.full((len(indices), T), PAD_ID, dtype=np.int64)
        for row, i in enumerate(indices):
            sequence = self.sequences[i]
            ids[row, : lengths[row]] = sequence[:-1]
            targets[row, : lengths[row]] = sequence[1:]
        return Batch(ids, lengths, targets, np.asarray(indices))

    def unknown_share(self) -> float:
        if not self.sequences:
            return 0.0
        ids = np.concatenate([s[1:-1] for s in self.sequences])
        return float(np.count_nonzero(ids == UNK_ID) / max(len(ids), 1))

    def target_counts(self, vocab_size: int) -> np.ndarray:
        """(V,) how often each token is a target (</s> once per sentence)."""
        targets = np.concatenate([s[1:] for s in self.sequences])
        return np.bincount(targets, minlength=vocab_size)


def unigram_perplexity(train: NextTokenSet, test: NextTokenSet, vocab_size: int) -> float:
    """exp(mean over the test targets of -log p(token)), p the training targets' add-one
    smoothed frequencies: the perplexity of a model that ignores context (the baseline)."""
    counts = train.target_counts(vocab_size).astype(float) + 1.0
    counts[PAD_ID] = 0.0  # never a target
    with np.errstate(divide="ignore"):  # log 0 = -inf for <pad>, which no target is
        log_p = np.log(counts / counts.sum())
    targets = np.concatenate([s[1:] for s in test.sequences])
    return float(np.exp(-log_p[targets].mean()))
