"""What the gated cells share: both biases, sigmoid, truncation stops."""

import numpy as np

from .cell import Cell


class StackedGatesCell(Cell):
    """A cell whose gates are stacked as in PyTorch, with both biases b_ih and b_hh: the GRU's
    reset gate multiplies W_hn h + b_hn, so there b_hh is a parameter of its own; the LSTM keeps
    both as nn.LSTM does."""

    param_names = ("W_ih", "W_hh", "b_ih", "b_hh")


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
