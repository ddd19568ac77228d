"""Tokenizer and vocabulary.

Tokens are lower-case words (letters, digits, inner apostrophes: "don't" stays one token) and
single punctuation marks or symbols (each emoji is its own token). Text is NFC-normalised first so
that an accented letter is one character; control characters and the zero-width space separate
words like spaces, other format characters are dropped.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_DROPPED_CATEGORIES = {"Cf", "Cs", "Co", "Cn"}
_VARIATION_SELECTORS = {"\ufe0e", "\ufe0f"}
# ASCII's only control characters; every other ASCII character is kept and is already NFC.
_ASCII_CONTROLS = dict.fromkeys([*range(0x20), 0x7F], " ")
ZERO_WIDTH_SPACE = (
    "\u200b"  # a format character, but one that marks a word break: "great\u200bfilm"
)


def clean(text: str, keep_format: bool = False) -> str:
    """NFC-normalised text in which control characters (tab, newline, U+0085 ...) and the
    zero-width space become spaces, so that they separate words instead of gluing them, and
    (unless keep_format) format, surrogate, private-use and variation-selector characters are
    removed."""
    if text.isascii():  # most text: the same result 7x faster than character by character
        return text.translate(_ASCII_CONTROLS)
    text = unicodedata.normalize("NFC", text)
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc" or ch == ZERO_WIDTH_SPACE:
            out.append(" ")
        elif keep_format or (
            category not in _DROPPED_CATEGORIES and ch not in _VARIATION_SELECTORS
        ):
            out.append(ch)
    return "".join(out)


def tokenize(text: str) -> list[str]:
    """Lower-case word and punctuation tokens of `text`."""
    return _TOKEN.findall(clean(text).lower())


@dataclass(frozen=True)
class Encoded:
    ids: np.ndarray  # (T,) token ids
    tokens: list[str]  # the T tokens as written (lower-cased)
    unknown: np.ndarray  # (T,) bool, True where the token is not in the vocabulary


class Vocabulary:
    """Token <-> id. <pad> = 0, <unk> = 1, then tokens by descending count, ties alphabetical:
    the order never depends on hashing, so the same data always gives the same ids."""

    def __init__(self, tokens: Sequence[str]):
        if list(tokens[:2]) != [PAD, UNK]:
            raise ValueError("a vocabulary starts with <pad>, <unk>")
        self.tokens: tuple[str, ...] = tuple(tokens)
        self.index = {tok: i for i, tok in enumerate(self.tokens)}
        if len(self.index) != len(self.tokens):
            raise ValueError("duplicate tokens in vocabulary")

    @classmethod
    def build(
        cls,
        token_lists: Iterable[Sequence[str]],
        min_count: int = 1,
        max_size: int | None = None,
        specials: Sequence[str] = (),
    ) -> "Vocabulary":
        """From tokenized training texts; `specials` (a language model's <s> and </s>) follow
        <pad> and <unk>; max_size counts them all."""
        counts = Counter(tok for tokens in token_lists for tok in tokens)
        reserved = (PAD, UNK, *specials)
        ranked = sorted(
            (tok for tok, n in counts.items() if n >= min_count and tok not in reserved),
            key=lambda tok: (-counts[tok], tok),
        )
        if max_size is not None:
            ranked = ranked[: max(max_size - len(reserved), 0)]
        return cls([*reserved, *ranked])

    def __len__(self) -> int:
        return len(self.tokens)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self.tokens == other.tokens

    __hash__ = None  # type: ignore[assignment]

    def ids(self, tokens: Sequence[str]) -> np.ndarray:
        """(T,) ids, <unk> for tokens not in the vocabulary."""
        get = self.index.get
        return np.fromiter((get(tok, UNK_ID) for tok in tokens), dtype=np.int64, count=len(tokens))

    def encode(self, text: str) -> Encoded:
        """Tokenize and look up, remembering which tokens were unknown."""
        tokens = tokenize(text)
        ids = self.ids(tokens)
        return Encoded(ids, tokens, ids == UNK_ID)
