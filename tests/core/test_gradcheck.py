import numpy as np
import pytest

from rnnviz.core.nn import sequence
from rnnviz.core.nn.classify import ManyToOne
from rnnviz.core.nn.gradcheck import check_gradients, demo_problem
from rnnviz.core.nn.model import SequenceModel
from rnnviz.core.nn.registry import CELLS, TASKS
from rnnviz.core.nn.vanilla import VanillaCell


@pytest.fixture(params=["dense", "sparse"])
def input_grad_path(request, monkeypatch):
    """Run a test with dW_ih built dense (one-hot product) and column-sparse."""
    monkeypatch.setattr(
        sequence, "DENSE_INPUT_GRAD_LIMIT", 10**9 if request.param == "dense" else 0
    )
    return request.param


@pytest.mark.parametrize("task", list(TASKS))  # every head and every cell, as soon as it exists
@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize(
    "truncate",
    [None, pytest.param(1, marks=pytest.mark.slow), 2, pytest.param(4, marks=pytest.mark.slow)],
)
def test_backward_matches_finite_differences(truncate, cell, task, input_grad_path):
    model, ids, lengths, labels = demo_problem(seed=0, cell=cell, task=task)
    result = check_gradients(model, ids, lengths, labels, truncate)
    assert result.max_rel_error < 1e-7, result.per_param
    assert set(result.per_param) == set(model.params)


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("truncate", [None, pytest.param(2, marks=pytest.mark.slow)])
def test_backward_with_dropout_on_the_last_state_matches_finite_differences(truncate, cell):
    model, ids, lengths, labels = demo_problem(seed=1, cell=cell)
    keep = model.dropout_keep(ids, 0.4, np.random.default_rng(3))
    assert keep.shape == (4, 7) and set(np.unique(keep)) == {0.0, 1 / 0.6}
    result = check_gradients(model, ids, lengths, labels, truncate, keep=keep)
    assert result.max_rel_error < 1e-7, result.per_param
    without = model.loss_and_grads(ids, lengths, labels).grads["W_hy"]
    assert not np.allclose(
        model.loss_and_grads(ids, lengths, labels, keep=keep).grads["W_hy"], without
    )


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("truncate", [None, pytest.param(3, marks=pytest.mark.slow)])
def test_language_model_with_dropout_on_every_step_matches_finite_differences(truncate, cell):
    model, ids, lengths, targets = demo_problem(seed=2, cell=cell, task="lm")
    keep = model.dropout_keep(ids, 0.3, np.random.default_rng(4))
    assert keep.shape == (6, 4, 7)
    result = check_gradients(model, ids, lengths, targets, truncate, keep=keep)
    assert result.max_rel_error < 1e-7, result.per_param


def test_chunked_truncation_reports_the_mean_over_every_real_step():
    model, ids, lengths, targets = demo_problem(seed=3, cell="gru", task="lm")
    full = model.loss_and_grads(ids, lengths, targets)
    chunked = model.loss_and_grads(ids, lengths, targets, truncate=2)
    assert full.count == chunked.count == lengths.sum()
    assert chunked.loss == pytest.approx(full.loss)  # the same losses, only the gradient is cut
    assert chunked.state_norms["h"].shape == full.state_norms["h"].shape == (4, 6)
    assert chunked.state_norms["h"][2, 1:].sum() == 0  # the length-1 sequence: padding only


def test_large_tensors_are_sampled_with_a_seed():
    model, ids, lengths, labels = demo_problem(seed=1)
    result = check_gradients(model, ids, lengths, labels, max_entries=10)
    assert result.checked["W_ih"] == 10 and result.checked["b_y"] == 3
    assert result.passed


class TutorialBugCell(VanillaCell):
    """The widely copied bug: dh_{t-1} = W_hh @ da_t instead of W_hh.T @ da_t."""

    def backward(self, params, trace, d_outputs, truncate):
        # W_hh is used only to carry dh back through time
        transposed = {**params, "W_hh": params["W_hh"].T.copy()}
        return super().backward(transposed, trace, d_outputs, truncate)


def test_checker_catches_the_non_transposed_w_hh_bug():
    model, ids, lengths, labels = demo_problem(seed=0)
    buggy = SequenceModel(TutorialBugCell(), "classify", model.params)
    result = check_gradients(buggy, ids, lengths, labels)
    assert not result.passed
    assert result.per_param["W_hh"] > 1e-3
    assert result.per_param["W_hy"] < 1e-7  # the output layer does not depend on the bug


def test_checker_catches_a_wrong_output_gradient():
    class WrongBias(ManyToOne):
        def loss_and_grad(self, params, trace, labels, keep=None):
            result = super().loss_and_grad(params, trace, labels, keep)
            result.grads["b_y"] = result.grads["b_y"] * 1.01
            return result

    model, ids, lengths, labels = demo_problem(seed=0)
    result = check_gradients(
        SequenceModel("vanilla", WrongBias(), model.params), ids, lengths, labels
    )
    assert result.per_param["b_y"] > 1e-3 and not result.passed


def test_float32_gradients_agree_within_float32_tolerance():
    model, ids, lengths, labels = demo_problem(seed=0, dtype="float32")
    result = check_gradients(model, ids, lengths, labels, step=1e-2)
    assert result.tolerance == 2e-2
    assert result.passed, result.per_param
    assert np.isfinite(result.max_rel_error)


@pytest.mark.parametrize("dtype,step", [("float64", 1e-3), ("float32", 1e-2)])
def test_sparse_input_gradient_with_rarely_repeated_ids(dtype, step, monkeypatch):
    """The copy-then-add-repeats path of dW_ih (big vocabulary, distinct ids), in both dtypes."""
    monkeypatch.setattr(sequence, "DENSE_INPUT_GRAD_LIMIT", 0)
    model, _, _, labels = demo_problem(seed=2, dtype=dtype)
    big = SequenceModel.create(400, 7, 3, init="xavier", seed=2, dtype=dtype)
    big.params["W_ih"][...] = np.random.default_rng(2).normal(0, 0.8, (7, 400)).astype(dtype)
    for name in ("W_hh", "b_ih", "W_hy", "b_y"):
        big.params[name][...] = model.params[name]
    ids = np.arange(1, 25).reshape(4, 6) * 13 % 400  # 24 distinct ids
    lengths = np.array([6, 4, 1, 5])
    result = check_gradients(big, ids, lengths, labels, max_entries=120, step=step)
    assert result.passed, result.per_param


@pytest.mark.parametrize("truncate", [None, 3])
@pytest.mark.parametrize("dtype,step", [("float64", 1e-3), ("float32", 1e-2)])
def test_single_sequence_path(truncate, dtype, step):
    """A batch of one full sentence runs on (H,) vectors: check that path on its own."""
    model, ids, lengths, labels = demo_problem(seed=3, dtype=dtype)
    result = check_gradients(model, ids[:1], lengths[:1], labels[:1], truncate, step=step)
    assert lengths[0] == ids.shape[1] and result.passed, result.per_param
