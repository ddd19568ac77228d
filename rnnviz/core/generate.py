"""What a language model makes of a prefix: the distribution of the next token, and sampled
continuations (temperature-scaled softmax, seeded)."""

from dataclasses import dataclass

import numpy as np

from .data.corpus import BOS, EOS, join, lm_tokens
from .data.text import PAD, UNK, Vocabulary
from .nn.losses import softmax
from .nn.model import SequenceModel

MAX_NEW_TOKENS = {"word": 40, "char": 200}  # a sample stops here if </s> has not come
NEVER_SAMPLED = (PAD, UNK, BOS)  # tokens a continuation may not contain
# Temperatures sampled at: far below, logits / T overflow (1e-308 gives inf - inf = NaN) and far
# above (inf) -inf / T is NaN; at either end the answer is argmax or uniform long before.
TEMPERATURE_RANGE = (1e-3, 1e3)


@dataclass(frozen=True)
class Prefix:
    tokens: list[str]  # the prefix's tokens (after <s>)
    unknown: np.ndarray  # (T,) bool
    states: np.ndarray  # (T + 1, H) hidden state after <s> and after each token
    probs: np.ndarray  # (T + 1, V) next-token distribution after <s> and after each token
    surprise: np.ndarray  # (T,) -log p(token t | the tokens before it): where the model is
    # surprised
    state: tuple  # the cell's state after the prefix, (1, H) arrays
    gates: dict[str, np.ndarray]  # the cell's gates by name, (T + 1, H) each

    @property
    def next(self) -> np.ndarray:
        """(V,) the distribution of the token after the prefix."""
        return self.probs[-1]


def read_prefix(
    model: SequenceModel, vocab: Vocabulary, text: str, level: str, temperature: float = 1.0
) -> Prefix:
    """<s> and the prefix's tokens through the model: its state, next-token distributions and
    the surprise -log p of each token."""
    tokens = lm_tokens(text, level)
    ids = np.concatenate([[vocab.index[BOS]], vocab.ids(tokens)]).astype(np.int64)
    trace = model.forward(ids[None, :], np.array([len(ids)]))
    states = trace.outputs[:, 0]  # (T + 1, H)
    probs = model.head.per_step_probs(model.params, states, temperature)
    with np.errstate(divide="ignore"):
        surprise = -np.log(probs[np.arange(len(tokens)), ids[1:]])
    unknown = ids[1:] == vocab.index[UNK]
    gates = {name: a[:, 0] for name, a in model.cell.gate_activations(trace).items()}
    return Prefix(tokens, unknown, states, probs, surprise, model.cell.final_state(trace), gates)


def sample(
    model: SequenceModel,
    vocab: Vocabulary,
    prefix: str,
    level: str,
    temperature: float = 1.0,
    n: int = 5,
    seed: int = 0,
    max_tokens: int | None = None,
) -> list[str]:
    """n continuations of `prefix`, drawn token by token from softmax(logits / temperature)
    until </s> (or max_tokens), all n in one batch; the same seed gives the same samples."""
    low, high = TEMPERATURE_RANGE
    if not low <= temperature <= high:  # NaN too
        raise ValueError(f"temperature must be between {low:g} and {high:g}")
    rng = np.random.default_rng(seed)
    start = read_prefix(model, vocab, prefix, level)
    banned = [vocab.index[t] for t in NEVER_SAMPLED if t in vocab.index]
    eos = vocab.index[EOS]
    state = tuple(np.repeat(s, n, axis=0) for s in start.state)  # (n, H) each
    logits = model.head.logits(model.params, start.states[-1])[None, :].repeat(n, axis=0)
    generated = np.zeros((n, 0), dtype=np.int64)
    running = np.ones(n, dtype=bool)
    for _ in range(max_tokens or MAX_NEW_TOKENS[level]):
        logits[:, banned] = -np.inf
        probs = softmax(logits / temperature)  # (n, V)
        drawn = (probs.cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
        drawn = np.where(running, drawn, eos)
        generated = np.concatenate([generated, drawn[:, None]], axis=1)
        running &= drawn != eos
        if not running.any():
            break
        trace = model.forward(drawn[:, None], np.ones(n, dtype=np.intp), state)
        state = model.cell.final_state(trace)
        logits = model.head.logits(model.params, trace.outputs[0])
    texts = []
    for row in generated:
        ends = np.flatnonzero(row == eos)
        kept = row[: ends[0]] if len(ends) else row
        continuation = join([vocab.tokens[i] for i in kept], level)
        texts.append(continuation)
    return texts
