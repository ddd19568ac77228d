"""Gradients that are zero outside a few columns, and the few operations clipping and optimizers
need, written once for dense arrays and column-sparse gradients alike.

Why: the input matrix W_ih (H, V) of a one-hot RNN only receives gradient in the columns of the
tokens a batch contains. With V = 20,000 and a batch touching 500 tokens, a dense gradient is 40x
more memory traffic than the information it carries.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class SparseColumns:
    """Gradient of an (R, N) matrix, zero except in columns `cols`: dense[:, cols] = values.T.

    cols: (K,) sorted unique column ids; values: (K, R), row k holds column cols[k].
    """

    cols: np.ndarray
    values: np.ndarray
    shape: tuple[int, int]

    @property
    def size(self) -> int:
        return self.shape[0] * self.shape[1]

    def to_dense(self) -> np.ndarray:
        """The same gradient as a dense (R, N) array."""
        dense = np.zeros(self.shape[::-1], dtype=self.values.dtype)  # (N, R)
        dense[self.cols] = self.values
        return dense.T


Grad = np.ndarray | SparseColumns


def to_dense(g: Grad) -> np.ndarray:
    """A dense array for either kind of gradient."""
    return g.to_dense() if isinstance(g, SparseColumns) else g


def _data(g: Grad) -> np.ndarray:
    """The stored entries: every entry of a dense array, the kept columns of a sparse one."""
    return g.values if isinstance(g, SparseColumns) else g


def sq_norm(g: Grad) -> float:
    """||g||^2 (entries outside a sparse gradient's columns are zero)."""
    flat = _data(g).ravel(order="K")
    return float(np.dot(flat, flat))


def scale_(g: Grad, factor: float) -> None:
    """g <- factor * g, in place."""
    _data(g)[...] *= factor


def count_nonzero(g: Grad) -> int:
    """Number of nonzero entries."""
    return int(np.count_nonzero(_data(g)))


def clip_values_(g: Grad, threshold: float) -> int:
    """g <- clip(g, -c, c) in place; returns how many entries changed."""
    data = _data(g)
    changed = int(np.count_nonzero(np.abs(data) > threshold))
    if changed:
        np.clip(data, -threshold, threshold, out=data)
    return changed


def add_(target: np.ndarray, g: Grad, alpha: float = 1.0) -> None:
    """target <- target + alpha * g, in place (target is a dense (R, N) array)."""
    if isinstance(g, SparseColumns):
        target.T[g.cols] += alpha * g.values
    else:
        target += alpha * g if alpha != 1.0 else g


def add_square_(target: np.ndarray, g: Grad, alpha: float = 1.0) -> None:
    """target <- target + alpha * g**2, in place."""
    if isinstance(g, SparseColumns):
        target.T[g.cols] += alpha * (g.values * g.values)
    else:
        target += alpha * (g * g)


def summed(grads: list[Grad]) -> Grad:
    """The sum of gradients of one parameter (chunks of a truncated sequence): column-sparse if
    all are, with the columns they share added, else dense."""
    if len(grads) == 1:
        return grads[0]
    sparse = [g for g in grads if isinstance(g, SparseColumns)]
    if len(sparse) != len(grads):
        total = to_dense(grads[0]).copy()
        for g in grads[1:]:
            add_(total, g)
        return total
    cols = np.concatenate([g.cols for g in sparse])
    values = np.concatenate([g.values for g in sparse])  # (sum K, R)
    order = np.argsort(cols, kind="stable")
    cols, values = cols[order], values[order]
    starts = np.flatnonzero(np.diff(cols, prepend=-1) != 0)
    return SparseColumns(cols[starts], np.add.reduceat(values, starts, axis=0), sparse[0].shape)
