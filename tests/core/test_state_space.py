"""The state space: each cell's one-step map is its forward pass, the speed's gradient and the
Jacobian are checked against centred finite differences in float64, and the analysis finds what
is known to be there (a line of fixed points, a basis kept until the states leave its plane)."""

import numpy as np
import pytest

from rnnviz.core.insight import state_space as ss
from rnnviz.core.nn.model import SequenceModel
from rnnviz.core.nn.registry import ALL_CELLS

V, H = 12, 5


def model_of(cell: str, seed: int = 0, task: str = "classify") -> SequenceModel:
    outputs = V if task == "lm" else 3
    model = SequenceModel.create(V, H, outputs, cell=cell, task=task, seed=seed, dtype="float64")
    rng = np.random.default_rng(seed)
    for value in model.params.values():  # away from the initialisation's zeros and symmetries
        value += 0.3 * rng.standard_normal(value.shape)
    return model


def random_states(model: SequenceModel, n: int, seed: int = 1) -> np.ndarray:
    return 0.5 * np.random.default_rng(seed).standard_normal(
        (n, model.cell.state_size(model.params))
    )


@pytest.mark.parametrize("cell", sorted(ALL_CELLS))
def test_the_step_map_is_one_step_of_the_forward_pass(cell):
    model = model_of(cell)
    states = random_states(model, 4)
    ids = np.array([[3], [7], [1], [10]])
    n_h = H
    state0 = (states[:, :n_h],) if states.shape[1] == H else (states[:, :H], states[:, H:])
    trace = model.forward(ids, np.ones(4, dtype=int), state0)
    x_term = model.params["W_ih"][:, ids[:, 0]].T  # (4, stacked·H)
    stepped = model.cell.step_map(model.params, states, x_term)
    np.testing.assert_allclose(stepped, model.cell.visited_states(trace)[0], atol=1e-12)


@pytest.mark.parametrize("cell", sorted(ALL_CELLS))
def test_the_speed_gradient_matches_centred_differences(cell):
    model = model_of(cell)
    states = random_states(model, 3)
    x_term = model.params["W_ih"][:, 4]
    grad = ss.speed_gradient(model, states, x_term)
    eps = 1e-6
    numeric = np.zeros_like(states)
    for k in range(states.shape[1]):
        step = np.zeros_like(states)
        step[:, k] = eps
        numeric[:, k] = (
            ss.speed(model, states + step, x_term) - ss.speed(model, states - step, x_term)
        ) / (2 * eps)
    error = np.abs(grad - numeric).max() / max(np.abs(numeric).max(), 1.0)  # bag: ∇q = 0
    assert error < 1e-7, error


@pytest.mark.parametrize("cell", sorted(ALL_CELLS))
def test_the_jacobian_matches_centred_differences(cell):
    model = model_of(cell)
    state = random_states(model, 1)[0]
    x_term = ss.no_input(model)
    n, eps = len(state), 1e-6
    numeric = np.zeros((n, n))
    for k in range(n):
        step = np.zeros(n)
        step[k] = eps
        up = model.cell.step_map(model.params, (state + step)[None], x_term)[0]
        down = model.cell.step_map(model.params, (state - step)[None], x_term)[0]
        numeric[:, k] = (up - down) / (2 * eps)  # column k: ∂F/∂s_k
    np.testing.assert_allclose(ss.jacobian(model, state, x_term), numeric, atol=1e-8)


def test_a_line_of_fixed_points_is_found_as_a_line_with_an_eigenvalue_one():
    """h' = tanh(W h) with W = a u uᵀ: along u, h = s u is fixed where tanh(a s) = s, and no
    input: a = 1 makes the whole neighbourhood of 0 on u slow (tanh(s) ≈ s), i.e. a line whose
    Jacobian has eigenvalue ~1 along u and 0 across it."""
    model = model_of("vanilla")
    u = np.ones(H) / np.sqrt(H)
    model.params["W_hh"][:] = np.outer(u, u)
    model.params["b_ih"][:] = 0.0
    starts = np.outer(np.linspace(-0.05, 0.05, 21), u)
    starts += 1e-3 * np.random.default_rng(0).standard_normal(starts.shape)
    fixed = ss.find_fixed_points(model, starts, ss.no_input(model), iterations=300)
    assert len(fixed.states) >= 5
    along = np.abs(fixed.states @ u) / np.linalg.norm(fixed.states, axis=1)
    assert along.min() > 0.99
    assert np.abs(fixed.eigenvalues[:, 0]).min() > 0.99  # the line's own mode
    assert np.abs(fixed.eigenvalues[:, 1]).max() < 1e-6  # nothing else persists
    assert np.abs(fixed.slow_modes @ u).min() > 0.99  # the slowest mode runs along the line


def test_the_basis_is_kept_until_its_plane_loses_the_states():
    rng = np.random.default_rng(0)
    plane = rng.standard_normal((4000, 2)) * [3.0, 2.0]
    h = np.zeros((4000, H))
    h[:, :2] = plane
    h += 0.05 * rng.standard_normal(h.shape)
    basis = ss.fit_basis(h, step=0)
    assert basis.explained[:2].sum() > 0.99
    assert not ss.needs_refit(basis, h + 0.01)[0]
    moved = np.zeros_like(h)
    moved[:, 3:5] = plane  # the states now live in another plane
    refit, share = ss.needs_refit(basis, moved)
    assert refit and share < 0.1


@pytest.mark.parametrize("cell", ["vanilla", "gru", "lstm"])
@pytest.mark.parametrize("task", ["classify", "lm"])
def test_the_analysis_of_a_probe_batch(cell, task):
    model = model_of(cell, task=task)
    rng = np.random.default_rng(2)
    ids = rng.integers(2, V, size=(6, 7))
    lengths = np.array([7, 5, 3, 7, 2, 6])
    labels = rng.integers(0, 3, size=6)
    space = ss.analyse(model, ids, lengths, labels, step=10)
    assert space.points.shape == (lengths.sum(), 2)
    assert len(space.point_labels) == lengths.sum()
    assert space.readout.shape == ((0, 2) if task == "lm" else (2, 2))
    assert set(space.summary) == {
        "pc1",
        "pc1_2",
        "pc1_10",
        "fixed_points",
        "fixed_points_1d_share",
        "largest_eigenvalue",
        "readout_line_angle",
    }
    assert (
        0 < space.summary["pc1"] <= space.summary["pc1_2"] <= space.summary["pc1_10"] <= 1 + 1e-12
    )
    again = ss.analyse(model, ids, lengths, labels, step=11, basis=space.basis)
    assert again.basis is space.basis  # same states: kept
