"""What the network makes of one sentence: its hidden state and its opinion after every word."""

from dataclasses import dataclass, field

import numpy as np

from ..data.text import Vocabulary
from ..generate import read_prefix
from ..nn.model import SequenceModel

EXAMPLE = "this is not bad at all"  # the sentence shown before the user types one


@dataclass(frozen=True)
class Probe:
    tokens: list[str]  # T tokens
    unknown: np.ndarray  # (T,) bool, read as <unk>
    states: np.ndarray  # (T, H) hidden state after each word
    probs: np.ndarray  # (T, C) class probabilities if the sentence ended at each word
    gates: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (T, H); gated cells
    # a language model's: probs are the next-token distributions after each token, and
    surprise: np.ndarray | None = None  # (T,) -log p(token t | the tokens before it)
    opening: np.ndarray | None = None  # (V,) the distribution of the first token (after <s>)

    def last(self, n: int) -> tuple["Probe", int]:
        """The last n words (all of them if fewer) and the position of the first one kept."""
        start = max(len(self.tokens) - n, 0)
        if start == 0:
            return self, 0
        kept = Probe(
            self.tokens[start:],
            self.unknown[start:],
            self.states[start:],
            self.probs[start:],
            {name: a[start:] for name, a in self.gates.items()},
            None if self.surprise is None else self.surprise[start:],
            self.opening,
        )
        return kept, start

    @property
    def final(self) -> np.ndarray | None:
        """(C,) the prediction for the whole sentence (a language model's: the next token's
        distribution), None for a classifier's sentence without tokens."""
        return self.probs[-1] if len(self.tokens) else self.opening


def probe(
    model: SequenceModel,
    vocab: Vocabulary,
    text: str,
    temperature: float | None = None,
    level: str = "word",
) -> Probe:
    """Tokenize, look up and run the sentence through the model (one forward pass); the
    probabilities use `temperature` (None: the model's own). A language model reads <s> first
    and `level` tokens, and the probe carries its surprise at each token."""
    if model.is_language_model:
        t = model.temperature if temperature is None else temperature
        prefix = read_prefix(model, vocab, text, level, t)
        gates = {name: a[1:] for name, a in prefix.gates.items()}
        return Probe(
            prefix.tokens,
            prefix.unknown,
            prefix.states[1:],
            prefix.probs[1:],
            gates,
            prefix.surprise,
            prefix.probs[0],
        )
    encoded = vocab.encode(text)
    if len(encoded.ids) == 0:
        H, C = model.hidden_size, model.num_outputs
        return Probe([], encoded.unknown, np.zeros((0, H)), np.zeros((0, C)))
    states, probs, gates = model.trace(encoded.ids, temperature)
    return Probe(encoded.tokens, encoded.unknown, states, probs, gates)
