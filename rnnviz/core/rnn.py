"""Many-to-one vanilla (Elman) RNN classifier: batched forward, BPTT backward, diagnostics.

    h_t    = tanh(W_xh x_t + W_hh h_{t-1} + b_h)      x_t one-hot, so W_xh x_t = W_xh[:, id_t]
    logits = W_hy h_last + b_y,   p = softmax(logits)

Batches are right-padded id arrays (B, T) with lengths (B,). A sequence's state is read at its own
last token (t = length - 1), so what the padding computes afterwards never reaches the loss and
gets exactly zero gradient: no masks are needed inside the recurrence.

Code works in rows (h is (B, H)), so W_hh h becomes h @ W_hh.T and the chain rule's W_hh.T @ dh
becomes dh @ W_hh. W_xh is stored column-major so that W_xh.T, the (V, H) token table, is
row-contiguous and gathering one column per token is a fast row gather.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import init as initialisation
from .losses import cross_entropy, softmax
from .sparse import Grad, SparseColumns

PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
DENSE_INPUT_GRAD_LIMIT = 4096  # V x positions up to which dW_xh is built dense (one-hot product)


@dataclass(frozen=True)
class Forward:
    """Everything the backward pass and the diagnostics need from one forward pass."""

    ids: np.ndarray  # (B, T) int token ids, right-padded
    lengths: np.ndarray  # (B,) int, each >= 1
    h0: np.ndarray | None  # (B, H) initial state, None for zeros
    states: np.ndarray  # (T, B, H) hidden states, time-major
    h_last: np.ndarray  # (B, H) state at each sequence's last token
    logits: np.ndarray  # (B, C)

    @cached_property
    def probs(self) -> np.ndarray:
        """(B, C) softmax of the logits (computed on first use: training never needs it)."""
        return softmax(self.logits)

    @property
    def hidden(self) -> np.ndarray:
        """Hidden states batch-major, (B, T, H) (a view)."""
        return self.states.transpose(1, 0, 2)


@dataclass(frozen=True)
class Gradients:
    """Result of one forward + backward on a labelled batch."""

    loss: float  # mean cross-entropy
    correct: int  # number of argmax hits
    grads: dict[str, Grad]  # parameter name -> gradient (W_xh column-sparse)
    dh_norms: np.ndarray  # (B, T) ||dL/dh_t||, zero on padding and before a truncation window
    forward: Forward


class VanillaRNN:
    """The cell: owns its parameters by name; trainer, clipping and optimizers never look inside."""

    kind = "rnn"
    param_names = PARAM_NAMES

    def __init__(self, params: dict[str, np.ndarray]):
        missing = [n for n in PARAM_NAMES if n not in params]
        if missing:
            raise ValueError(f"missing parameters: {missing}")
        H, V = params["W_xh"].shape
        C = params["W_hy"].shape[0]
        expected = {"W_xh": (H, V), "W_hh": (H, H), "b_h": (H,), "W_hy": (C, H), "b_y": (C,)}
        dtypes = {params[n].dtype for n in PARAM_NAMES}
        for name, shape in expected.items():
            if params[name].shape != shape:
                raise ValueError(f"{name} has shape {params[name].shape}, expected {shape}")
        if len(dtypes) != 1 or next(iter(dtypes)) not in (np.float32, np.float64):
            raise ValueError(f"parameters must share one float32/float64 dtype, got {dtypes}")
        self.params = {n: np.ascontiguousarray(params[n]) for n in PARAM_NAMES}
        self.params["W_xh"] = np.asfortranarray(params["W_xh"])

    @classmethod
    def create(
        cls,
        vocab_size: int,
        hidden_size: int,
        num_classes: int,
        *,
        init: str = "uniform",
        seed: int = 0,
        dtype: str | np.dtype = "float64",
    ) -> "VanillaRNN":
        """A fresh model; the same arguments give the same weights bit for bit."""
        rng = np.random.default_rng(seed)
        V, H, C = vocab_size, hidden_size, num_classes
        fan = H if init == "uniform" else None
        shapes = {  # name -> (shape, fan_in, fan_out)
            "W_xh": ((H, V), fan or V, H),
            "W_hh": ((H, H), fan or H, H),
            "b_h": ((H,), fan or H, H),
            "W_hy": ((C, H), fan or H, C),
            "b_y": ((C,), fan or H, C),
        }
        params = {
            name: initialisation.draw(init, shape, fi, fo, rng).astype(dtype)
            for name, (shape, fi, fo) in shapes.items()
        }
        return cls(params)

    @property
    def hidden_size(self) -> int:
        return self.params["W_hh"].shape[0]

    @property
    def vocab_size(self) -> int:
        return self.params["W_xh"].shape[1]

    @property
    def num_classes(self) -> int:
        return self.params["W_hy"].shape[0]

    @property
    def dtype(self) -> np.dtype:
        return self.params["W_hh"].dtype

    def copy(self) -> "VanillaRNN":
        """An independent model with the same weights (same memory layout)."""
        return type(self)({n: p.copy(order="K") for n, p in self.params.items()})

    # ------------------------------------------------------------------ forward
    def forward(
        self, ids: np.ndarray, lengths: np.ndarray, h0: np.ndarray | None = None
    ) -> Forward:
        """h_t = tanh(W_xh[:, id_t] + W_hh h_{t-1} + b_h) for t < T; logits at each last token."""
        W_xh, W_hh, b_h, W_hy, b_y = (self.params[n] for n in PARAM_NAMES)
        B, T = ids.shape
        states = W_xh.T[ids.T]  # (T, B, H): input term, later overwritten by h_t
        states += b_h
        full = _all_full(lengths, T)
        # One full sequence runs on (H,) rows: a matrix-vector product beats a (1, H) matmul.
        if B == 1 and full:
            rows, recur = states[:, 0], W_hh.dot
        else:
            rows, recur = states, lambda h: h @ W_hh.T  # noqa: E731
        if h0 is not None:
            states[0] += h0 @ W_hh.T
        np.tanh(rows[0], out=rows[0])
        for t in range(1, T):
            step = rows[t]
            step += recur(rows[t - 1])  # W_hh h_{t-1}
            np.tanh(step, out=step)
        h_last = states[-1] if full else states[lengths - 1, np.arange(B)]
        logits = h_last @ W_hy.T + b_y  # (B, C)
        return Forward(ids, lengths, h0, states, h_last, logits)

    def trace(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One sentence (T,) -> hidden states (T, H) and probabilities after each word (T, C)."""
        fwd = self.forward(ids[None, :], np.array([len(ids)]))
        states = fwd.states[:, 0]  # (T, H)
        probs = softmax(states @ self.params["W_hy"].T + self.params["b_y"])
        return states, probs

    # ----------------------------------------------------------------- backward
    def backward(
        self, fwd: Forward, dlogits: np.ndarray, truncate: int | None = None
    ) -> tuple[dict[str, Grad], np.ndarray]:
        """Backprop through time from dL/dlogits (B, C).

        dW_hy = dz^T h_last, db_y = sum_b dz, dh_last = dz W_hy
        dh_t  = [dh_last if t is the last token] + da_{t+1} W_hh      (rows: W_hh^T da in columns)
        da_t  = dh_t * (1 - h_t^2)
        dW_hh = sum_t da_t^T h_{t-1},  db_h = sum_t da_t,  dW_xh[:, id] += da_t
        truncate=k keeps only the last k steps of each sequence (h before them is a constant).
        Returns (grads, ||dL/dh_t|| as (B, T)).
        """
        W_hh, W_hy = self.params["W_hh"], self.params["W_hy"]
        states, lengths, ids = fwd.states, fwd.lengths, fwd.ids
        T, B, H = states.shape
        grads: dict[str, Grad] = {
            "W_hy": dlogits.T @ fwd.h_last,  # (C, H)
            "b_y": dlogits.sum(axis=0),  # (C,)
        }
        dh_last = dlogits @ W_hy  # (B, H)
        full = _all_full(lengths, T)
        starts = np.zeros(B, dtype=np.intp) if not truncate else np.maximum(lengths - truncate, 0)
        t_min = int(starts.min())
        inject = {T - 1: slice(None)} if full else _rows_by_value(lengths - 1)
        stop = _rows_by_value(starts) if truncate and not full else {}
        dtanh = 1.0 - states[t_min:] * states[t_min:]  # (T - t_min, B, H)
        dh_all = np.zeros((T, B, H), dtype=states.dtype)  # dL/dh_t
        da_all = np.zeros((T, B, H), dtype=states.dtype)  # dL/da_t, a_t the tanh input
        if B == 1 and full:  # (H,) rows and matrix-vector products, as in forward()
            dh_rows, da_rows, dtanh_rows, dh_end = (
                dh_all[:, 0],
                da_all[:, 0],
                dtanh[:, 0],
                dh_last[0],
            )
            back = W_hh.T.dot
        else:
            dh_rows, da_rows, dtanh_rows, dh_end = dh_all, da_all, dtanh, dh_last
            back = lambda da: da @ W_hh  # noqa: E731
        carry = None  # dL/dh_t arriving from step t + 1
        for t in range(T - 1, t_min - 1, -1):
            dh = dh_rows[t]
            if carry is not None:
                dh += carry
            rows = inject.get(t)
            if rows is not None:
                dh[rows] += dh_end[rows]
            np.multiply(dh, dtanh_rows[t - t_min], out=da_rows[t])
            if t > t_min or fwd.h0 is not None:
                carry = back(da_rows[t])  # W_hh^T da_t (rows: da_t @ W_hh)
                rows = stop.get(t)
                if rows is not None:
                    carry[rows] = 0.0
        first = max(t_min, 1)
        grads["W_hh"] = da_all[first:].reshape(-1, H).T @ states[first - 1 : T - 1].reshape(-1, H)
        if t_min == 0 and fwd.h0 is not None:
            grads["W_hh"] += da_all[0].T @ fwd.h0
        grads["b_h"] = da_all[t_min:].sum(axis=(0, 1))
        grads["W_xh"] = _scatter_columns(ids[:, t_min:].T, da_all[t_min:], self.vocab_size)
        dh_norms = np.sqrt(np.einsum("tbh,tbh->bt", dh_all, dh_all))  # (B, T)
        return {n: grads[n] for n in PARAM_NAMES}, dh_norms

    def gradients(
        self,
        ids: np.ndarray,
        lengths: np.ndarray,
        labels: np.ndarray,
        truncate: int | None = None,
    ) -> Gradients:
        """Forward, mean cross-entropy and BPTT on one labelled batch."""
        fwd = self.forward(ids, lengths)
        loss, dlogits = cross_entropy(fwd.logits, labels)
        grads, dh_norms = self.backward(fwd, dlogits, truncate)
        correct = int(np.count_nonzero(fwd.logits.argmax(axis=1) == labels))
        return Gradients(loss, correct, grads, dh_norms, fwd)


def _all_full(lengths: np.ndarray, T: int) -> bool:
    """True when no sequence in the batch is padded."""
    return bool(lengths.min() == T)


def _rows_by_value(values: np.ndarray) -> dict[int, np.ndarray]:
    """value -> indices of the rows holding it."""
    return {int(v): np.flatnonzero(values == v) for v in np.unique(values)}


def _scatter_columns(ids: np.ndarray, da: np.ndarray, vocab_size: int) -> Grad:
    """dW_xh[:, id] = sum of da over the positions holding id.  ids: (T, B); da: (T, B, H).

    Few positions and a small vocabulary: one tiny product with a one-hot (V, N) matrix gives the
    dense gradient fastest. Otherwise positions are sorted by id and summed per distinct id, by
    copying when ids rarely repeat and by segment sums (np.add.reduceat) when they often do.
    """
    H = da.shape[-1]
    flat_ids, flat_da = ids.ravel(), da.reshape(-1, H)  # (N,), (N, H)
    if vocab_size * len(flat_ids) <= DENSE_INPUT_GRAD_LIMIT:
        one_hot = np.zeros((vocab_size, len(flat_ids)), dtype=da.dtype)
        one_hot[flat_ids, np.arange(len(flat_ids))] = 1.0
        return (one_hot @ flat_da).T  # (H, V), column-major like W_xh
    order = np.argsort(flat_ids, kind="stable")
    sorted_ids, sorted_da = flat_ids[order], flat_da[order]
    first = np.diff(sorted_ids, prepend=-1) != 0  # (N,) True at the first position of each id
    repeats = np.flatnonzero(~first)
    if len(repeats) * 8 < len(flat_ids):  # mostly distinct ids: copy, then add the few repeats
        values = sorted_da[first]  # (K, H)
        np.add.at(values, np.cumsum(first)[repeats] - 1, sorted_da[repeats])
    else:  # frequent ids: one segment sum per id
        values = np.add.reduceat(sorted_da, np.flatnonzero(first), axis=0)  # (K, H)
    return SparseColumns(sorted_ids[first], values, (H, vocab_size))
