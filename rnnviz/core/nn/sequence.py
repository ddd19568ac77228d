"""Pieces every cell's time loop shares: padding, truncation windows, the token-column input."""

import numpy as np

from .sparse import Grad, SparseColumns

DENSE_INPUT_GRAD_LIMIT = 4096  # V x positions up to which dW_ih is built dense (one-hot product)
FREQUENT_FEW = 16  # when this few ids have positions left, each sums the rest of its rows at once


def all_full(lengths: np.ndarray, T: int) -> bool:
    """True when no sequence in the batch is padded."""
    return bool(lengths.min() == T)


def rows_by_value(values: np.ndarray) -> dict[int, np.ndarray]:
    """value -> indices of the rows holding it."""
    return {int(v): np.flatnonzero(values == v) for v in np.unique(values)}


def window_starts(lengths: np.ndarray, truncate: int | None) -> np.ndarray:
    """(B,) first step of each sequence's backprop window: 0, or length - k for truncate=k."""
    if not truncate:
        return np.zeros(len(lengths), dtype=np.intp)
    return np.maximum(lengths - truncate, 0)


def rows_operand(W: np.ndarray, rows: int) -> np.ndarray:
    """W.T for products h @ W.T with h (rows, H), as a C-contiguous copy when there are several
    rows: OpenBLAS's small-matrix path takes 1.5-2x longer on a transposed view at 32 rows (H =
    128: 15 µs vs 8), while for one row the copy (~1 ns an entry) costs more than it saves."""
    return W.T if rows == 1 else np.ascontiguousarray(W.T)


def gather_columns(W_ih: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """W_ih x_t for one-hot x_t, for every position: (G, V) weights, (B, T) ids -> (T, B, G).
    W_ih is stored column-major, so W_ih.T is a row-contiguous token table and this is a gather."""
    return W_ih.T[ids.T]


def scatter_columns(ids: np.ndarray, da: np.ndarray, vocab_size: int) -> Grad:
    """dW_ih[:, id] = sum of da over the positions holding id.  ids: (T, B); da: (T, B, G).

    Few positions and a small vocabulary: one tiny product with a one-hot (V, N) matrix gives the
    dense gradient fastest. Otherwise positions are sorted by id; each id's first row is copied,
    then its r-th rows are added for r = 1, 2, ... (one gather and add over all ids seen more than
    r times), and the last few frequent ids sum the rest of their rows at once. np.add.at and
    np.add.reduceat on rows cost 5-12 µs per id: at (T, B, G) = (50, 128, 1024) with uniform ids
    this takes 3.1 ms where they took 11.3, with Zipf-distributed ids 3.2 ms where they took 43.
    """
    G = da.shape[-1]
    flat_ids, flat_da = ids.ravel(), da.reshape(-1, G)  # (N,), (N, G)
    if vocab_size * len(flat_ids) <= DENSE_INPUT_GRAD_LIMIT:
        one_hot = np.zeros((vocab_size, len(flat_ids)), dtype=da.dtype)
        one_hot[flat_ids, np.arange(len(flat_ids))] = 1.0
        return (one_hot @ flat_da).T  # (G, V), column-major like W_ih
    order = np.argsort(flat_ids, kind="stable")
    sorted_ids = flat_ids[order]
    starts = np.flatnonzero(np.diff(sorted_ids, prepend=-1))  # (K,) each id's first sorted slot
    counts = np.diff(starts, append=len(sorted_ids))  # (K,) positions holding each id
    values = np.take(flat_da, order[starts], axis=0)  # (K, G)
    more, r = np.flatnonzero(counts > 1), 1  # ids with an r-th position still to add
    while len(more) > FREQUENT_FEW:
        values[more] += np.take(flat_da, order[starts[more] + r], axis=0)
        r += 1
        more = more[counts[more] > r]
    for k in more:
        rest = order[starts[k] + r : starts[k] + counts[k]]
        values[k] += np.take(flat_da, rest, axis=0).sum(axis=0)
    return SparseColumns(sorted_ids[starts], values, (G, vocab_size))
