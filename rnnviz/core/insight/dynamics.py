"""How the recurrence behaves: the size of W_hh and how saturated the units and gates are.

Gradients through time are products of Jacobians diag(f'(a_t)) W_hh: the largest singular value
of W_hh bounds how fast they can grow, its spectral radius says whether repeated products
explode or vanish, and saturated units (f' ~ 0) cut the flow whatever W_hh is.
"""

from dataclasses import dataclass

import numpy as np

from ..nn.cell import CellTrace
from ..nn.model import SequenceModel

SATURATED = 0.95  # |tanh| above this, or a gate within 1 - SATURATED of 0 or 1, counts saturated
MEASURES = ("sigma_max", "rho", "saturation")


@dataclass(frozen=True)
class Dynamics:
    sigma_max: float  # largest singular value of W_hh (all gates stacked)
    rho: float  # spectral radius of the block of W_hh feeding the candidate state
    saturation: float  # share of saturated h (vanilla) or gate activations (gated cells)

    def values(self) -> tuple[float, float, float]:
        return self.sigma_max, self.rho, self.saturation


def recurrent_block(model: SequenceModel) -> np.ndarray:
    """(H, H) the block of W_hh that feeds the candidate state: W_hh (vanilla), W_hn (GRU), W_hg
    (LSTM); cell.candidate_block says which of the stacked gates it is."""
    W_hh = model.cell.recurrent_weights(model.params)
    H = model.hidden_size
    k = model.cell.candidate_block
    return W_hh[k * H : (k + 1) * H]


def saturation(model: SequenceModel, trace: CellTrace) -> float:
    """Vanilla: share of real positions' units with |h| > SATURATED. Gated cells: share of gate
    activations (σ in (0, 1)) below 1 - SATURATED or above SATURATED."""
    T = trace.outputs.shape[0]
    real = np.arange(T)[:, None] < trace.lengths[None, :]  # (T, B)
    activations = model.cell.gate_activations(trace)
    gates = [activations[g.key] for g in model.cell.gates if g.sigmoid]  # each (T, B, H)
    if not gates:
        stuck = np.abs(trace.outputs) > SATURATED  # (T, B, H)
    else:
        stuck = np.concatenate([(a < 1 - SATURATED) | (a > SATURATED) for a in gates], axis=-1)
    return float(stuck[real].mean())


def measure(model: SequenceModel, ids: np.ndarray, lengths: np.ndarray) -> Dynamics:
    """The three figures, saturation on the fixed batch (B, T) ids."""
    sigma = float(np.linalg.norm(model.cell.recurrent_weights(model.params), 2))
    rho = float(np.abs(np.linalg.eigvals(recurrent_block(model))).max())
    return Dynamics(sigma, rho, saturation(model, model.forward(ids, lengths)))
