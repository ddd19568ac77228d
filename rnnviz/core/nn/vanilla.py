"""The vanilla (Elman) cell: h_t = tanh(W_ih x_t + W_hh h_{t-1} + b_ih), x_t one-hot.

PyTorch's nn.RNN adds a second bias b_hh; only the sum b_ih + b_hh enters the equation, so one
bias is the same function, and the hand-over gives nn.RNN a zero bias_hh_l0.

Code works in rows (h is (B, H)), so W_hh h becomes h @ W_hh.T and the chain rule's W_hh.T @ dh
becomes dh @ W_hh. One full sentence (B = 1, no padding) runs on (H,) vectors: a matrix-vector
product beats a (1, H) matmul.
"""

import numpy as np

from .cell import Cell, CellTrace, ExportMapping, StateNorms
from .sequence import (
    all_full,
    gather_columns,
    rows_by_value,
    rows_operand,
    scatter_columns,
    window_starts,
)
from .sparse import Grad


class VanillaCell(Cell):
    name = "vanilla"  # parameters: Cell's W_ih (H, V), W_hh (H, H), b_ih (H,)
    equations = "h_t = tanh(W_ih x_t + W_hh h_(t-1) + b_ih)"
    export: ExportMapping | None = ExportMapping("RNN", "RNN", (0,))  # its lesson copy: None

    def forward(self, params, ids, lengths, state0=None) -> CellTrace:
        """h_t = tanh(W_ih[:, id_t] + W_hh h_{t-1} + b_ih) for t < T, h_{-1} = state0 or 0."""
        W_ih, W_hh, b_ih = params["W_ih"], params["W_hh"], params["b_ih"]
        B, T = ids.shape
        states = gather_columns(W_ih, ids)  # (T, B, H): input term, overwritten by h_t
        states += b_ih
        if B == 1 and all_full(lengths, T):
            rows, recur = states[:, 0], W_hh.dot
        else:
            W_hh_T = rows_operand(W_hh, B)
            rows, recur = states, lambda h: h @ W_hh_T  # noqa: E731
        if state0 is not None:
            states[0] += state0[0] @ W_hh.T
        np.tanh(rows[0], out=rows[0])
        for t in range(1, T):
            step = rows[t]
            step += recur(rows[t - 1])  # W_hh h_{t-1}
            np.tanh(step, out=step)
        return CellTrace(ids, lengths, state0, states, {})

    def final_state(self, trace: CellTrace) -> tuple:
        return (trace.last,)

    def step_map(self, params, state, x_term) -> np.ndarray:
        """F(h) = tanh(x_term + W_hh h + b_ih), rows."""
        return np.tanh(x_term + state @ params["W_hh"].T + params["b_ih"])

    def linearise(self, params, state, x_term):
        """v ∂F/∂h = (v ⊙ (1 - F(h)²)) W_hh, rows (∂F/∂h = diag(1 - F²) W_hh)."""
        new = self.step_map(params, state, x_term)
        slope = 1.0 - new * new
        return new, lambda v: (v * slope) @ params["W_hh"]

    def backward(self, params, trace, d_outputs, truncate) -> tuple[dict[str, Grad], StateNorms]:
        """dh_t  = d_outputs_t + da_{t+1} W_hh      (rows: W_hh^T da in columns)
        da_t  = dh_t * (1 - h_t^2)
        dW_hh = sum_t da_t^T h_{t-1},  db_ih = sum_t da_t,  dW_ih[:, id_t] += da_t
        """
        W_hh = params["W_hh"]
        states, lengths, ids = trace.outputs, trace.lengths, trace.ids
        T, B, H = states.shape
        h0 = None if trace.state0 is None else trace.state0[0]
        full = all_full(lengths, T)
        starts = window_starts(lengths, truncate)
        t_min = int(starts.min())
        stop = rows_by_value(starts) if truncate and not full else {}
        dtanh = 1.0 - states[t_min:] * states[t_min:]  # (T - t_min, B, H)
        dh_all = d_outputs  # dL/dh_t, filled in place going back
        da_all = np.zeros((T, B, H), dtype=states.dtype)  # dL/da_t, a_t the tanh input
        if B == 1 and full:  # (H,) rows and matrix-vector products, as in forward()
            dh_rows, da_rows, dtanh_rows = dh_all[:, 0], da_all[:, 0], dtanh[:, 0]
            back = W_hh.T.dot
        else:
            dh_rows, da_rows, dtanh_rows = dh_all, da_all, dtanh
            back = lambda da: da @ W_hh  # noqa: E731
        carry = None  # dL/dh_t arriving from step t + 1
        for t in range(T - 1, t_min - 1, -1):
            dh = dh_rows[t]
            if carry is not None:
                dh += carry
            np.multiply(dh, dtanh_rows[t - t_min], out=da_rows[t])
            if t > t_min or h0 is not None:
                carry = back(da_rows[t])  # W_hh^T da_t (rows: da_t @ W_hh)
                rows = stop.get(t)
                if rows is not None:
                    carry[rows] = 0.0
        first = max(t_min, 1)
        grads: dict[str, Grad] = {}
        grads["W_hh"] = da_all[first:].reshape(-1, H).T @ states[first - 1 : T - 1].reshape(-1, H)
        if t_min == 0 and h0 is not None:
            grads["W_hh"] += da_all[0].T @ h0
        grads["b_ih"] = da_all[t_min:].sum(axis=(0, 1))
        grads["W_ih"] = scatter_columns(ids[:, t_min:].T, da_all[t_min:], self.vocab_size(params))
        dh_norms = np.sqrt(np.einsum("tbh,tbh->bt", dh_all, dh_all))  # (B, T)
        return {n: grads[n] for n in self.param_names}, {"h": dh_norms}
