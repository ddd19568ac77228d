"""What the network makes of one sentence: its hidden state and its opinion after every word."""

from dataclasses import dataclass, field

import numpy as np

from .data.text import Vocabulary
from .nn.model import SequenceModel


@dataclass(frozen=True)
class Probe:
    tokens: list[str]  # T tokens
    unknown: np.ndarray  # (T,) bool, read as <unk>
    states: np.ndarray  # (T, H) hidden state after each word
    probs: np.ndarray  # (T, C) class probabilities if the sentence ended at each word
    gates: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (T, H); gated cells

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
        )
        return kept, start

    @property
    def final(self) -> np.ndarray | None:
        """(C,) the prediction for the whole sentence, None for a sentence without tokens."""
        return self.probs[-1] if len(self.tokens) else None


def probe(
    model: SequenceModel, vocab: Vocabulary, text: str, temperature: float | None = None
) -> Probe:
    """Tokenize, look up and run the sentence through the model (one forward pass); the
    probabilities use `temperature` (None: the model's own)."""
    encoded = vocab.encode(text)
    if len(encoded.ids) == 0:
        H, C = model.hidden_size, model.num_classes
        return Probe([], encoded.unknown, np.zeros((0, H)), np.zeros((0, C)))
    states, probs, gates = model.trace(encoded.ids, temperature)
    return Probe(encoded.tokens, encoded.unknown, states, probs, gates)
