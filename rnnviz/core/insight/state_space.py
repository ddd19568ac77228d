"""The state space: where the hidden states go, and the slow points of the dynamics they go to.

After Maheswaranathan et al. 2019 (line attractors in sentiment RNNs) and Sussillo & Barak 2013
(fixed points by minimising the speed):

- PCA of the states h visited on a probe set of sentences (at most MAX_STATES). The basis is
  kept across training so that the picture does not jump; it is refitted when asked, or when the
  basis' plane holds less than REFIT_SHARE of the variance that the best plane for the states now
  would (needs_refit).
- Slow points of the one-step map F(s, x) with no input (x = 0, as in the paper): minimise the
  speed q(s) = ½‖F(s) - s‖² by Adam from START_POINTS visited states, with the gradient
  ∇q = (∂F/∂s - I)ᵀ (F(s) - s) (Cell.linearise), keep those with q < Q_TOLERANCE, merge those
  closer than MERGE_DISTANCE, and take the eigenvalues of ∂F/∂s at each.

An LSTM's state is (h, c): the fixed points are searched in (h, c); what is projected is h, the
part the readout reads.
"""

from dataclasses import dataclass

import numpy as np

from ..nn.cell import CellTrace
from ..nn.model import SequenceModel

MAX_STATES = 20_000  # visited states the basis is fitted on, at most
COMPONENTS = 10  # principal components kept
REFIT_SHARE = 0.8  # refit when the basis' plane keeps less of the best plane's variance
START_POINTS = 256  # visited states the slow-point search starts from
ITERATIONS = 400  # Adam steps of the search
LEARNING_RATE = 0.01
Q_TOLERANCE = 1e-6  # q = ½‖F(s) - s‖² below this is a (approximate) fixed point
MERGE_DISTANCE = 0.02  # fixed points closer than this (Euclidean, in s) are one
EIGENVALUES = 10  # of ∂F/∂s kept at each fixed point, largest modulus first


@dataclass(frozen=True)
class Basis:
    """PCA of visited states: h ≈ mean + Σ_k p_k components[k]."""

    mean: np.ndarray  # (H,)
    components: np.ndarray  # (K, H) orthonormal rows, by decreasing variance
    variances: np.ndarray  # (K,) variance along each component when fitted
    total_variance: float  # of the states it was fitted on (the trace of their covariance)
    step: int  # the training step it was fitted at

    def project(self, h: np.ndarray) -> np.ndarray:
        """(..., K) the coordinates of states h (..., H)."""
        return (h - self.mean) @ self.components.T

    @property
    def explained(self) -> np.ndarray:
        """(K,) the share of the fitted states' variance along each component."""
        return self.variances / self.total_variance if self.total_variance > 0 else self.variances


@dataclass(frozen=True)
class FixedPoints:
    states: np.ndarray  # (P, n) the points, full state (h, c for an LSTM)
    q: np.ndarray  # (P,) the speed at each
    eigenvalues: np.ndarray  # (P, EIGENVALUES) complex, of ∂F/∂s, largest modulus first
    slow_modes: np.ndarray  # (P, n) unit vectors: the eigenvector of the largest |eigenvalue|
    searched: int  # starting points the search ran from


@dataclass(frozen=True)
class StateSpace:
    """One analysis of a model: its probe states in a basis and its slow points."""

    step: int
    basis: Basis
    points: np.ndarray  # (M, 2) the probe states' (PC1, PC2)
    point_labels: np.ndarray  # (M,) each state's colour: its sentence's class (LM: the position)
    explained_now: np.ndarray  # (K,) share of the states' variance now along each component
    plane_share: float  # the basis' plane's variance / the best plane's, now
    initial: np.ndarray  # (2,) the initial state h = 0 projected
    readout: np.ndarray  # (R, 2) readout directions projected (rows of unit vectors in h)
    readout_offset: np.ndarray  # (R,) logit difference at the basis' mean (the zero line)
    fixed: FixedPoints
    fixed_points: np.ndarray  # (P, 2) their h projected
    summary: dict[str, float]


def visited(model: SequenceModel, ids: np.ndarray, lengths: np.ndarray) -> tuple:
    """(trace, mask (T, B) of real positions) of a forward pass over a probe batch (B, T)."""
    trace = model.forward(ids, lengths)
    T = trace.outputs.shape[0]
    return trace, np.arange(T)[:, None] < lengths[None, :]


def fit_basis(h: np.ndarray, step: int, components: int = COMPONENTS) -> Basis:
    """PCA of states h (M, H): the eigenvectors of their covariance, largest variance first."""
    mean = h.mean(axis=0)
    centred = h - mean
    covariance = centred.T @ centred / max(len(h) - 1, 1)  # (H, H)
    values, vectors = np.linalg.eigh(covariance)  # ascending
    order = np.argsort(values)[::-1][:components]
    return Basis(
        mean,
        vectors[:, order].T.copy(),
        np.maximum(values[order], 0.0),
        float(np.trace(covariance)),
        step,
    )


def explained_by(basis: Basis, h: np.ndarray) -> np.ndarray:
    """(K,) the share of the variance of states h (M, H) along each of the basis' components."""
    centred = h - h.mean(axis=0)
    total = float((centred * centred).sum())
    along = ((centred @ basis.components.T) ** 2).sum(axis=0)
    return along / total if total > 0 else np.zeros(len(along))


def needs_refit(basis: Basis, h: np.ndarray) -> tuple[bool, float]:
    """(refit?, share): the share of the best plane's variance that the basis' plane keeps on
    states h now; refit below REFIT_SHARE."""
    best = fit_basis(h, basis.step, 2)
    best_share = best.variances.sum() / best.total_variance if best.total_variance > 0 else 0.0
    kept = explained_by(basis, h)[:2].sum()
    share = float(kept / best_share) if best_share > 0 else 1.0
    return share < REFIT_SHARE, share


def speed(model: SequenceModel, states: np.ndarray, x_term: np.ndarray) -> np.ndarray:
    """q(s) = ½‖F(s, x) - s‖², (N,) for states (N, n)."""
    moved = model.cell.step_map(model.params, states, x_term) - states
    return 0.5 * (moved * moved).sum(axis=1)


def speed_gradient(model: SequenceModel, states: np.ndarray, x_term: np.ndarray) -> np.ndarray:
    """∇q(s) = (∂F/∂s - I)ᵀ (F(s) - s), (N, n)."""
    new, vjp = model.cell.linearise(model.params, states, x_term)
    moved = new - states
    return vjp(moved) - moved


def jacobian(model: SequenceModel, state: np.ndarray, x_term: np.ndarray) -> np.ndarray:
    """(n, n) ∂F/∂s at one state (n,): row i is e_i ∂F/∂s."""
    n = len(state)
    _, vjp = model.cell.linearise(model.params, np.broadcast_to(state, (n, n)), x_term)
    return vjp(np.eye(n, dtype=state.dtype))


def no_input(model: SequenceModel) -> np.ndarray:
    """The input term W_ih x of x = 0."""
    return np.zeros(model.params["W_ih"].shape[0], dtype=model.dtype)


def find_fixed_points(
    model: SequenceModel,
    starts: np.ndarray,
    x_term: np.ndarray,
    iterations: int = ITERATIONS,
    lr: float = LEARNING_RATE,
) -> FixedPoints:
    """Minimise q from each start (N, n) by Adam (β = 0.9, 0.999) in float32 (its rounding,
    ~1e-7 of a state, is far below the √(2 Q_TOLERANCE) ≈ 1e-3 of a kept point; float64 took
    twice as long), keep q < Q_TOLERANCE in float64, merge points within MERGE_DISTANCE (the
    slowest stays), eigenvalues of ∂F/∂s at each in float64."""
    fast = model_in(model, np.float32)
    s = starts.astype(np.float32)
    x_fast = x_term.astype(np.float32)
    m: np.ndarray = np.zeros_like(s)  # Adam's moments, (N, n)
    v: np.ndarray = np.zeros_like(s)
    for t in range(1, iterations + 1):
        g = speed_gradient(fast, s, x_fast)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        s -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-12)
    work = model_in(model, np.float64)
    found = s.astype(np.float64)
    q = speed(work, found, x_term)
    order = np.argsort(q)
    kept: list[int] = []
    for i in order:
        if q[i] >= Q_TOLERANCE:
            break
        if all(np.linalg.norm(found[i] - found[j]) >= MERGE_DISTANCE for j in kept):
            kept.append(int(i))
    points = found[kept]
    eigenvalues = np.zeros((len(kept), EIGENVALUES), dtype=complex)
    modes = np.zeros_like(points)
    for row, point in enumerate(points):
        values, vectors = np.linalg.eig(jacobian(work, point, x_term).T)  # J v = λ v
        order = np.argsort(-np.abs(values))
        top = values[order][:EIGENVALUES]
        eigenvalues[row, : len(top)] = top
        mode = vectors[:, order[0]].real
        modes[row] = mode / max(np.linalg.norm(mode), 1e-300)
    return FixedPoints(points, q[kept], eigenvalues, modes, len(starts))


def model_in(model: SequenceModel, dtype) -> SequenceModel:
    """The same model computing in `dtype` (itself if it does)."""
    if model.dtype == dtype:
        return model
    params = {name: value.astype(dtype) for name, value in model.params.items()}
    return SequenceModel(model.cell, model.head, params)


def readout_directions(model: SequenceModel) -> tuple[np.ndarray, np.ndarray]:
    """(R, H) unit directions in h along which the readout's logits differ, and (R, H)-matching
    offsets b: a classifier of C classes has C - 1, w_c - w_0 (two classes: the one along which
    p(class 1) grows); a language model none."""
    if model.is_language_model:
        H = model.hidden_size
        return np.zeros((0, H)), np.zeros(0)
    W, b = model.params["W_hy"], model.params["b_y"]  # (C, H), (C,)
    directions = W[1:] - W[0]
    offsets = b[1:] - b[0]
    norms = np.linalg.norm(directions, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return directions / norms, offsets / norms[:, 0]


def summary(basis_now: Basis, fixed: FixedPoints, readout: np.ndarray, H: int) -> dict:
    """The figures the CLI prints and the README tabulates (NaN where there is nothing to say):
    variance explained by PC1, PC1-2 and PC1-10 (of the states now); the fixed points found, the
    share of their own variance on their first PC (1: on a line; 3 points at least), the median
    over them of the largest |eigenvalue| of ∂F/∂s, and the angle (degrees, 0-90) between the
    first readout direction and the slow direction: the fixed points' line (3 points at least),
    else the slowest mode (the top eigenvector, its h part) at the slowest fixed point."""
    explained = basis_now.explained
    found = len(fixed.states)
    one_d = np.nan
    slow = fixed.slow_modes[0, :H] if found else None
    if found >= 3:
        line_basis = fit_basis(fixed.states[:, :H], basis_now.step, 1)
        one_d = line_basis.explained[0]
        slow = line_basis.components[0]
    angle = np.nan
    if slow is not None and len(readout) and np.linalg.norm(slow) > 0:
        cosine = abs(float(readout[0] @ slow)) / np.linalg.norm(slow)
        angle = float(np.degrees(np.arccos(min(cosine, 1.0))))
    top = np.abs(fixed.eigenvalues[:, 0]) if found else np.zeros(0)
    return {
        "pc1": float(explained[:1].sum()),
        "pc1_2": float(explained[:2].sum()),
        "pc1_10": float(explained[:10].sum()),
        "fixed_points": float(found),
        "fixed_points_1d_share": float(one_d),
        "largest_eigenvalue": float(np.median(top)) if found else np.nan,
        "readout_line_angle": angle,
    }


def probe_states(
    model: SequenceModel, ids: np.ndarray, lengths: np.ndarray, labels: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(h (M, H), full states (M, n), colour (M,)) of every real position of a probe batch, at
    most MAX_STATES (evenly thinned); colour: the sentence's class, or the position (LM)."""
    trace: CellTrace
    trace, real = visited(model, ids, lengths)
    full = model.cell.visited_states(trace)[real]  # (M, n) in (t, b) order
    H = model.hidden_size
    T, B = real.shape
    if labels is None or model.is_language_model:
        colour = np.broadcast_to(np.arange(T)[:, None], (T, B))[real]
    else:
        colour = np.broadcast_to(np.asarray(labels)[None, :], (T, B))[real]
    if len(full) > MAX_STATES:
        keep = np.linspace(0, len(full) - 1, MAX_STATES).astype(int)
        full, colour = full[keep], colour[keep]
    return full[:, :H], full, colour


def analyse(
    model: SequenceModel,
    ids: np.ndarray,
    lengths: np.ndarray,
    labels: np.ndarray | None,
    step: int,
    basis: Basis | None = None,
    refit: bool = False,
    seed: int = 0,
) -> StateSpace:
    """The state space of `model` on a probe batch (B, T): the basis kept (or fitted: none given,
    refit asked, or its plane below REFIT_SHARE), the probe states and slow points in it."""
    h, full, colour = probe_states(model, ids, lengths, labels)
    share = 1.0
    if basis is not None and not refit:
        refit, share = needs_refit(basis, h)
    if basis is None or refit:
        basis, share = fit_basis(h, step), 1.0
    H = model.hidden_size
    rng = np.random.default_rng(seed)
    starts = full[rng.choice(len(full), size=min(START_POINTS, len(full)), replace=False)]
    fixed = find_fixed_points(model, starts, no_input(model))
    directions, offsets = readout_directions(model)
    now = fit_basis(h, step)
    return StateSpace(
        step=step,
        basis=basis,
        points=basis.project(h)[:, :2],
        point_labels=colour,
        explained_now=explained_by(basis, h),
        plane_share=share,
        initial=basis.project(np.zeros(H))[:2],
        readout=directions @ basis.components[:2].T if len(directions) else np.zeros((0, 2)),
        readout_offset=offsets + directions @ basis.mean if len(directions) else np.zeros(0),
        fixed=fixed,
        fixed_points=basis.project(fixed.states[:, :H])[:, :2],
        summary=summary(now, fixed, directions, H),
    )
