"""The bag-of-words baseline: each word adds its own vector to the state, wherever it stands.

    u_t = tanh(W_ih x_t + b_ih),  h_t = h_(t-1) + u_t,  so h_T = Σ_t u_t

The head reads h_T, a sum that is the same for any order of the words: "not good" and "good
not" are one sentence to it, and so are "rude but great" and "great but rude". It is what a
recurrent cell is measured against in the word-order lesson. Its state passes unchanged from
step to step (∂h_t/∂h_(t-1) = I): nothing vanishes, nothing explodes, and nothing is ordered.
It has no counterpart among PyTorch's or ONNX's recurrent layers, so it is not exported.
"""

import numpy as np

from .cell import Cell, CellTrace, StateNorms
from .sequence import gather_columns, scatter_columns, window_starts
from .sparse import Grad


class BagOfWordsCell(Cell):
    name = "bag"  # parameters: W_ih (H, V), b_ih (H,)
    export = None
    param_names = ("W_ih", "b_ih")
    equations = "u_t = tanh(W_ih x_t + b_ih), h_t = h_(t-1) + u_t (a sum: word order is lost)"

    def initialise(self, params, memory_bias: float = 0.0, radius: float = 0.0) -> None:
        """Nothing to adjust: no gate keeps the state (it is always kept), no W_hh to rescale."""

    def hidden_size(self, params: dict[str, np.ndarray]) -> int:
        return params["W_ih"].shape[0]

    def recurrent_weights(self, params: dict[str, np.ndarray]) -> np.ndarray:
        """∂h_t/∂h_(t-1) = I: the identity stands for W_hh (σ_max = ρ = 1)."""
        return np.eye(self.hidden_size(params), dtype=params["W_ih"].dtype)

    def forward(self, params, ids, lengths, state0=None) -> CellTrace:
        """u_t = tanh(W_ih[:, id_t] + b_ih), h_t = h_(t-1) + u_t, h_(-1) = state0 or 0."""
        words = gather_columns(params["W_ih"], ids)  # (T, B, H)
        words += params["b_ih"]
        np.tanh(words, out=words)
        states = np.cumsum(words, axis=0)  # (T, B, H)
        if state0 is not None:
            states += state0[0]
        return CellTrace(ids, lengths, state0, states, {"words": words})

    def final_state(self, trace: CellTrace) -> tuple:
        return (trace.last,)

    def step_map(self, params, state, x_term) -> np.ndarray:
        """F(h) = h + tanh(x_term + b_ih): every state moves by the same step."""
        return state + np.tanh(x_term + params["b_ih"])

    def linearise(self, params, state, x_term):
        """∂F/∂h = I."""
        return self.step_map(params, state, x_term), lambda v: v.copy()

    def backward(self, params, trace, d_outputs, truncate) -> tuple[dict[str, Grad], StateNorms]:
        """dh_t = Σ_(s ≥ t) d_outputs_s (u_t reaches h_t and every later state), zero before the
        truncation window's start (the state entering it is a constant)
        da_t = dh_t * (1 - u_t^2),  db_ih = Σ_t da_t,  dW_ih[:, id_t] += da_t"""
        words, ids = trace.cache["words"], trace.ids
        T = words.shape[0]
        dh = np.cumsum(d_outputs[::-1], axis=0)[::-1]  # (T, B, H) reversed running sums
        before = np.arange(T)[:, None] < window_starts(trace.lengths, truncate)[None, :]
        dh[before] = 0.0  # (T, B) mask: outside each sequence's window
        da = dh * (1.0 - words * words)
        grads: dict[str, Grad] = {
            "W_ih": scatter_columns(ids.T, da, self.vocab_size(params)),
            "b_ih": da.sum(axis=(0, 1)),
        }
        dh_norms = np.sqrt(np.einsum("tbh,tbh->bt", dh, dh))  # (B, T)
        return grads, {"h": dh_norms}
