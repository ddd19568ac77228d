"""Elementwise pieces the gated cells share."""

import numpy as np


def sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(x) = 1 / (1 + exp(-x)), without overflow warnings for large |x|."""
    with np.errstate(over="ignore"):
        out = np.negative(x, out=out)
        np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def stop_rows(carry: tuple[np.ndarray, ...], rows: np.ndarray | None) -> None:
    """Zero the carried gradients of the rows whose backprop window starts at this step."""
    if rows is not None:
        for c in carry:
            c[rows] = 0.0
