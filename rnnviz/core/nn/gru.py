"""Gated recurrent unit, with PyTorch's equations and gate order (r, z, n):

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
    h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}

W_ih (3H, V), W_hh (3H, H), b_ih, b_hh (3H,) stack the gates as nn.GRU's weight_ih_l0,
weight_hh_l0, bias_ih_l0, bias_hh_l0 do, so the weights map one to one. Rows: h is (B, H).
"""

import numpy as np

from .cell import CellTrace, ExportMapping, Gate, StateNorms
from .gates import StackedGatesCell, sigmoid, stop_rows
from .sequence import (
    all_full,
    gather_columns,
    rows_by_value,
    rows_operand,
    scatter_columns,
    window_starts,
)
from .sparse import Grad


class GRUCell(StackedGatesCell):
    name = "gru"
    stacked = 3
    gates = (Gate("r", "reset r"), Gate("z", "update z"))
    candidate_block = 2  # W_hn (r, z, n)
    memory_block = 1  # z: h_t = (1 - z) n + z h_{t-1}
    equations = (
        "r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz), "
        "n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 - z) ⊙ n + z ⊙ h"
    )
    export = ExportMapping("GRU", "GRU", (1, 0, 2), {"linear_before_reset": 1})  # ONNX: z, r, h

    def forward(self, params, ids, lengths, state0=None) -> CellTrace:
        B, T = ids.shape
        W_hh_T, b_hh = rows_operand(params["W_hh"], B), params["b_hh"]  # (H, 3H)
        H = self.hidden_size(params)
        gi = gather_columns(params["W_ih"], ids)  # (T, B, 3H)
        gi += params["b_ih"]
        outputs = np.empty((T, B, H), dtype=gi.dtype)
        gates = np.empty((T, B, 2 * H), dtype=gi.dtype)  # r, z
        n_all = np.empty((T, B, H), dtype=gi.dtype)
        hn_all = np.empty((T, B, H), dtype=gi.dtype)  # W_hn h_{t-1} + b_hn
        h = np.zeros((B, H), dtype=gi.dtype) if state0 is None else state0[0]
        for t in range(T):
            gh = h @ W_hh_T  # (B, 3H)
            gh += b_hh
            rz = gates[t]
            np.add(gi[t, :, : 2 * H], gh[:, : 2 * H], out=rz)
            sigmoid(rz, out=rz)
            r, z = rz[:, :H], rz[:, H:]
            hn_all[t] = gh[:, 2 * H :]
            n = n_all[t]
            np.multiply(r, hn_all[t], out=n)
            n += gi[t, :, 2 * H :]
            np.tanh(n, out=n)
            h_new = outputs[t]
            np.subtract(h, n, out=h_new)  # h' = n + z (h - n)
            h_new *= z
            h_new += n
            h = h_new
        return CellTrace(ids, lengths, state0, outputs, {"gates": gates, "n": n_all, "hn": hn_all})

    def final_state(self, trace: CellTrace) -> tuple:
        return (trace.last,)

    def _step_parts(self, params, state, x_term) -> tuple[np.ndarray, ...]:
        """r, z, n and W_hn h + b_hn (N, H each) of one step from `state` (N, H)."""
        H = self.hidden_size(params)
        gi = x_term + params["b_ih"]  # (N or 1, 3H)
        gh = state @ params["W_hh"].T + params["b_hh"]  # (N, 3H)
        r = sigmoid(gi[..., :H] + gh[:, :H])
        z = sigmoid(gi[..., H : 2 * H] + gh[:, H : 2 * H])
        hn = gh[:, 2 * H :]
        n = np.tanh(gi[..., 2 * H :] + r * hn)
        return r, z, n, hn

    def step_map(self, params, state, x_term) -> np.ndarray:
        """F(h) = (1 - z) ⊙ n + z ⊙ h, the class docstring's step, rows."""
        _, z, n, _ = self._step_parts(params, state, x_term)
        return n + z * (state - n)

    def linearise(self, params, state, x_term):
        """v ∂F/∂h = v ⊙ z + [da_r, da_z, da_n ⊙ r] W_hh, where da_n = v (1 - z)(1 - n²),
        da_r = da_n ⊙ (W_hn h + b_hn) ⊙ r(1 - r), da_z = v ⊙ (h - n) ⊙ z(1 - z)."""
        r, z, n, hn = self._step_parts(params, state, x_term)
        n_slope = (1.0 - z) * (1.0 - n * n)
        r_slope = hn * r * (1.0 - r)
        z_slope = (state - n) * z * (1.0 - z)

        def vjp(v: np.ndarray) -> np.ndarray:
            da_n = v * n_slope
            da = np.concatenate([da_n * r_slope, v * z_slope, da_n * r], axis=1)
            return v * z + da @ params["W_hh"]

        return n + z * (state - n), vjp

    def gate_activations(self, trace: CellTrace) -> dict[str, np.ndarray]:
        """Gate key -> (T, B, H) activations, for the views."""
        H = trace.outputs.shape[-1]
        gates = trace.cache["gates"]
        return {"r": gates[..., :H], "z": gates[..., H:]}

    def backward(self, params, trace, d_outputs, truncate) -> tuple[dict[str, Grad], StateNorms]:
        """dn = dh ⊙ (1 - z), dz = dh ⊙ (h_{t-1} - n), da_n = dn ⊙ (1 - n²),
        da_z = dz ⊙ z(1 - z), da_r = (da_n ⊙ hn) ⊙ r(1 - r), d(hn) = da_n ⊙ r,
        dh_{t-1} = dh ⊙ z + [da_r, da_z, d(hn)] W_hh;  dW_ih[:, id_t] += [da_r, da_z, da_n]."""
        W_hh = params["W_hh"]
        outputs, lengths, ids = trace.outputs, trace.lengths, trace.ids
        gates, n_all, hn_all = trace.cache["gates"], trace.cache["n"], trace.cache["hn"]
        T, B, H = outputs.shape
        h0 = np.zeros((B, H), dtype=outputs.dtype) if trace.state0 is None else trace.state0[0]
        starts = window_starts(lengths, truncate)
        t_min = int(starts.min())
        stop = rows_by_value(starts) if truncate and not all_full(lengths, T) else {}
        dh_all = d_outputs  # dL/dh_t, completed in place going back
        # every factor that does not depend on the gradient, for all steps at once
        r, z = gates[..., :H], gates[..., H:]
        h_prev_all = np.concatenate([h0[None], outputs[:-1]])  # (T, B, H)
        to_n = (1.0 - z) * (1.0 - n_all * n_all)  # da_n / dh
        to_z = (h_prev_all - n_all) * z * (1.0 - z)  # da_z / dh
        to_r = hn_all * r * (1.0 - r)  # da_r / da_n
        dgi = np.zeros((T, B, 3 * H), dtype=outputs.dtype)  # d(input pre-activations)
        dgh = np.zeros((T, B, 3 * H), dtype=outputs.dtype)  # d(recurrent pre-activations)
        carry = None
        for t in range(T - 1, t_min - 1, -1):
            dh = dh_all[t]
            if carry is not None:
                dh += carry
            da_n = dgi[t, :, 2 * H :]
            np.multiply(dh, to_n[t], out=da_n)
            np.multiply(dh, to_z[t], out=dgi[t, :, H : 2 * H])
            np.multiply(da_n, to_r[t], out=dgi[t, :, :H])
            dgh[t, :, : 2 * H] = dgi[t, :, : 2 * H]
            np.multiply(da_n, r[t], out=dgh[t, :, 2 * H :])
            if t > t_min or trace.state0 is not None:
                carry = dgh[t] @ W_hh
                carry += dh * z[t]
                stop_rows((carry,), stop.get(t))
        window = slice(t_min, T)
        grads: dict[str, Grad] = {
            "W_ih": scatter_columns(ids[:, t_min:].T, dgi[window], self.vocab_size(params)),
            "W_hh": dgh[window].reshape(-1, 3 * H).T @ h_prev_all[window].reshape(-1, H),
            "b_ih": dgi[window].sum(axis=(0, 1)),
            "b_hh": dgh[window].sum(axis=(0, 1)),
        }
        dh_norms = np.sqrt(np.einsum("tbh,tbh->bt", dh_all, dh_all))  # (B, T)
        return grads, {"h": dh_norms}
