"""Long short-term memory, with PyTorch's equations and gate order (i, f, g, o):

    [i, f, g, o] = [σ, σ, tanh, σ](W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
    c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)

W_ih (4H, V), W_hh (4H, H), b_ih, b_hh (4H,) are nn.LSTM's weight_ih_l0, weight_hh_l0,
bias_ih_l0, bias_hh_l0. The forget gate's input bias starts at 1 (Jozefowicz et al. 2015): the
cell remembers by default until it learns to forget. State is (h, c). Rows: h is (B, H).
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

FORGET_BIAS = 1.0


class LSTMCell(StackedGatesCell):
    name = "lstm"
    stacked = 4
    gates = (
        Gate("i", "input i"),
        Gate("f", "forget f"),
        Gate("o", "output o"),
        Gate("c", "cell c", sigmoid=False),
    )
    candidate_block = 2  # W_hg (i, f, g, o)
    memory_block = 1  # f
    equations = (
        "i, f, o = σ(W_i· x + b_i· + W_h· h + b_h·), g = tanh(W_ig x + b_ig + W_hg h + b_hg), "
        "c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'); forget-gate bias starts at 1"
    )
    export = ExportMapping("LSTM", "LSTM", (0, 3, 1, 2))  # ONNX: i, o, f, c

    def initialise(self, params, memory_bias: float = 0.0, radius: float = 0.0) -> None:
        """b_f = 1 + memory_bias (input side; the recurrent side keeps its draw)."""
        H = params["W_hh"].shape[1]
        params["b_ih"][H : 2 * H] = FORGET_BIAS
        super().initialise(params, memory_bias, radius)

    def forward(self, params, ids, lengths, state0=None) -> CellTrace:
        """One tanh per step for all four gates: σ(x) = (1 + tanh(x/2)) / 2, so the i, f, o rows
        of the pre-activation are halved once (weights and inputs) and mapped back after."""
        W_hh = params["W_hh"]
        B, T = ids.shape
        H = self.hidden_size(params)
        half = np.ones(4 * H, dtype=W_hh.dtype)  # 1/2 on the σ gates' rows, 1 on g's
        half[: 2 * H] = half[3 * H :] = 0.5
        W_scaled_T = rows_operand(W_hh * half[:, None], B)  # (H, 4H)
        acts = gather_columns(params["W_ih"], ids)  # (T, B, 4H): pre-activations, then gates
        acts += params["b_ih"] + params["b_hh"]
        acts *= half
        outputs = np.empty((T, B, H), dtype=acts.dtype)
        cells = np.empty((T, B, H), dtype=acts.dtype)
        tanh_c = np.empty((T, B, H), dtype=acts.dtype)
        recurrent = np.empty((B, 4 * H), dtype=acts.dtype)
        if state0 is None:
            h = c = np.zeros((B, H), dtype=acts.dtype)
        else:
            h, c = state0
        for t in range(T):
            a = acts[t]
            a += np.matmul(h, W_scaled_T, out=recurrent)
            np.tanh(a, out=a)
            for sig in (a[:, : 2 * H], a[:, 3 * H :]):  # i, f and o: (1 + tanh) / 2
                sig *= 0.5
                sig += 0.5
            c_new = cells[t]
            np.multiply(a[:, H : 2 * H], c, out=c_new)  # f ⊙ c
            c_new += a[:, :H] * a[:, 2 * H : 3 * H]  # + i ⊙ g
            np.tanh(c_new, out=tanh_c[t])
            np.multiply(a[:, 3 * H :], tanh_c[t], out=outputs[t])
            h, c = outputs[t], c_new
        cache = {"gates": acts, "c": cells, "tanh_c": tanh_c}
        return CellTrace(ids, lengths, state0, outputs, cache)

    def final_state(self, trace: CellTrace) -> tuple:
        T, B, _ = trace.outputs.shape
        rows = np.arange(B)
        return trace.last, trace.cache["c"][trace.lengths - 1, rows]

    def state_size(self, params: dict[str, np.ndarray]) -> int:
        return 2 * self.hidden_size(params)  # (h, c)

    def visited_states(self, trace: CellTrace) -> np.ndarray:
        return np.concatenate([trace.outputs, trace.cache["c"]], axis=-1)  # (T, B, 2H)

    def _step_parts(self, params, state, x_term) -> tuple[np.ndarray, ...]:
        """i, f, g, o, c' and tanh(c') (N, H each) of one step from (h, c) = state (N, 2H)."""
        H = self.hidden_size(params)
        h, c = state[:, :H], state[:, H:]
        a = x_term + params["b_ih"] + params["b_hh"] + h @ params["W_hh"].T  # (N, 4H)
        i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H]), sigmoid(a[:, 3 * H :])
        g = np.tanh(a[:, 2 * H : 3 * H])
        c_new = f * c + i * g
        return i, f, g, o, c_new, np.tanh(c_new)

    def step_map(self, params, state, x_term) -> np.ndarray:
        """F(h, c) = (o ⊙ tanh(c'), c') with c' = f ⊙ c + i ⊙ g, rows."""
        *_, o, c_new, tanh_c = self._step_parts(params, state, x_term)
        return np.concatenate([o * tanh_c, c_new], axis=1)

    def linearise(self, params, state, x_term):
        """(v_h, v_c) ∂F/∂(h, c): dc' = v_c + v_h ⊙ o (1 - tanh²c'), then
        [dc' ⊙ g ⊙ i(1 - i), dc' ⊙ c ⊙ f(1 - f), dc' ⊙ i (1 - g²), v_h ⊙ tanh c' ⊙ o(1 - o)] W_hh
        for h, and dc' ⊙ f for c."""
        H = self.hidden_size(params)
        i, f, g, o, c_new, tanh_c = self._step_parts(params, state, x_term)
        c_slope = o * (1.0 - tanh_c * tanh_c)
        gate_slopes = np.concatenate(
            [g * i * (1.0 - i), state[:, H:] * f * (1.0 - f), i * (1.0 - g * g)], axis=1
        )
        o_slope = tanh_c * o * (1.0 - o)

        def vjp(v: np.ndarray) -> np.ndarray:
            v_h, v_c = v[:, :H], v[:, H:]
            dc = v_c + v_h * c_slope
            da = np.concatenate([np.tile(dc, 3) * gate_slopes, v_h * o_slope], axis=1)
            return np.concatenate([da @ params["W_hh"], dc * f], axis=1)

        return np.concatenate([o * tanh_c, c_new], axis=1), vjp

    def gate_activations(self, trace: CellTrace) -> dict[str, np.ndarray]:
        """Gate key -> (T, B, H) activations, plus the cell state c, for the views."""
        H = trace.outputs.shape[-1]
        gates = trace.cache["gates"]
        return {
            "i": gates[..., :H],
            "f": gates[..., H : 2 * H],
            "o": gates[..., 3 * H :],
            "c": trace.cache["c"],
        }

    def backward(self, params, trace, d_outputs, truncate) -> tuple[dict[str, Grad], StateNorms]:
        """do = dh ⊙ tanh(c), dc = dc_{t+1} ⊙ f_{t+1} + dh ⊙ o ⊙ (1 - tanh²c),
        di = dc ⊙ g, df = dc ⊙ c_{t-1}, dg = dc ⊙ i; each gate's pre-activation gradient is
        times σ' or tanh'; dh_{t-1} = da W_hh; dW_ih[:, id_t] += da; dW_hh += da^T h_{t-1}."""
        W_hh = params["W_hh"]
        outputs, lengths, ids = trace.outputs, trace.lengths, trace.ids
        gates, cells, tanh_c = trace.cache["gates"], trace.cache["c"], trace.cache["tanh_c"]
        T, B, H = outputs.shape
        zeros = np.zeros((B, H), dtype=outputs.dtype)
        h0, c0 = (zeros, zeros) if trace.state0 is None else trace.state0
        starts = window_starts(lengths, truncate)
        t_min = int(starts.min())
        stop = rows_by_value(starts) if truncate and not all_full(lengths, T) else {}
        dh_all = d_outputs
        # every factor that does not depend on the gradient, for all steps at once
        i, f = gates[..., :H], gates[..., H : 2 * H]
        g, o = gates[..., 2 * H : 3 * H], gates[..., 3 * H :]
        c_prev = np.concatenate([c0[None], cells[:-1]])  # (T, B, H)
        to_c = o * (1.0 - tanh_c * tanh_c)  # dc/dh through h = o tanh(c)
        factors = np.empty((T, B, 4 * H), dtype=outputs.dtype)  # d(pre-activation)/dc, ·/dh
        np.multiply(g, i * (1.0 - i), out=factors[..., :H])
        np.multiply(c_prev, f * (1.0 - f), out=factors[..., H : 2 * H])
        np.multiply(i, 1.0 - g * g, out=factors[..., 2 * H : 3 * H])
        np.multiply(tanh_c, o * (1.0 - o), out=factors[..., 3 * H :])
        da = np.zeros((T, B, 4 * H), dtype=outputs.dtype)  # d(pre-activations)
        dc_all = np.zeros((T, B, H), dtype=outputs.dtype)  # dL/dc_t
        carry_h, carry_c = None, zeros.copy()
        for t in range(T - 1, t_min - 1, -1):
            dh = dh_all[t]
            if carry_h is not None:
                dh += carry_h
            dc = dc_all[t]
            np.multiply(dh, to_c[t], out=dc)
            dc += carry_c
            da_t = da[t].reshape(B, 4, H)
            np.multiply(dc[:, None, :], factors[t].reshape(B, 4, H)[:, :3], out=da_t[:, :3])
            np.multiply(dh, factors[t, :, 3 * H :], out=da_t[:, 3])
            carry_c = dc * f[t]
            if t > t_min or trace.state0 is not None:
                carry_h = da[t] @ W_hh
                stop_rows((carry_h, carry_c), stop.get(t))
        h_prev_all = np.concatenate([h0[None], outputs[:-1]])  # (T, B, H)
        window = slice(t_min, T)
        db = da[window].sum(axis=(0, 1))
        grads: dict[str, Grad] = {
            "W_ih": scatter_columns(ids[:, t_min:].T, da[window], self.vocab_size(params)),
            "W_hh": da[window].reshape(-1, 4 * H).T @ h_prev_all[window].reshape(-1, H),
            "b_ih": db,
            "b_hh": db.copy(),
        }
        norms = {  # (B, T) each: through the output and through the cell state
            "h": np.sqrt(np.einsum("tbh,tbh->bt", dh_all, dh_all)),
            "c": np.sqrt(np.einsum("tbh,tbh->bt", dc_all, dc_all)),
        }
        return grads, norms
