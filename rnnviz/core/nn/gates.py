"""What the gated cells share: PyTorch's stacked parameter layout, sigmoid, truncation stops."""

import numpy as np

from .cell import Cell, ParamSpecs


class StackedGatesCell(Cell):
    """A cell whose gates are stacked as in PyTorch: W_ih (gates·H, V) read as token columns,
    W_hh (gates·H, H), b_ih and b_hh (gates·H,)."""

    gates = 1
    param_names = ("W_ih", "W_hh", "b_ih", "b_hh")
    input_matrix = "W_ih"

    def param_specs(self, vocab_size: int, hidden_size: int) -> ParamSpecs:
        V, H, G = vocab_size, hidden_size, self.gates * hidden_size
        return {
            "W_ih": ((G, V), V, H),
            "W_hh": ((G, H), H, H),
            "b_ih": ((G,), H, H),
            "b_hh": ((G,), H, H),
        }

    def prepare(self, params):
        return {**params, "W_ih": np.asfortranarray(params["W_ih"])}

    def hidden_size(self, params) -> int:
        return params["W_hh"].shape[1]

    def vocab_size(self, params) -> int:
        return params["W_ih"].shape[1]


def sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(x) = 1 / (1 + exp(-x)) = (1 + tanh(x / 2)) / 2: no overflow for any x, and numpy's
    tanh is faster than exp."""
    out = np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def stop_rows(carry: tuple[np.ndarray, ...], rows: np.ndarray | None) -> None:
    """Zero the carried gradients of the rows whose backprop window starts at this step."""
    if rows is not None:
        for c in carry:
            c[rows] = 0.0
