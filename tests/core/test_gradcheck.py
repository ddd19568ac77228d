import numpy as np
import pytest

from rnnviz.core.nn import sequence
from rnnviz.core.nn.classify import ManyToOne
from rnnviz.core.nn.gradcheck import check_gradients, demo_problem
from rnnviz.core.nn.model import SequenceModel
from rnnviz.core.nn.registry import ALL_CELLS, CELLS, TASKS


@pytest.fixture(params=["dense", "sparse"])
def input_grad_path(request, monkeypatch):
    """Run a test with dW_ih built dense (one-hot product) and column-sparse."""
    monkeypatch.setattr(
        sequence, "DENSE_INPUT_GRAD_LIMIT", 10**9 if request.param == "dense" else 0
    )
    return request.param


# every head and every cell, as soon as it exists (the lessons' bag of words too: only their
# faulty copy of the vanilla cell fails, on purpose)
CHECKED = [name for name in ALL_CELLS if name != "vanilla-bug"]


@pytest.mark.parametrize("task", list(TASKS))
@pytest.mark.parametrize("cell", CHECKED)
@pytest.mark.parametrize(
    "truncate",
    [None, pytest.param(1, marks=pytest.mark.slow), 2, pytest.param(4, marks=pytest.mark.slow)],
)
def test_backward_matches_finite_differences(truncate, cell, task, input_grad_path):
    model, ids, lengths, labels = demo_problem(seed=0, cell=cell, task=task)
    result = check_gradients(model, ids, lengths, labels, truncate)
    assert result.max_rel_error < 1e-7, result.per_param
    assert set(result.per_param) == set(model.params)


@pytest.mark.parametrize("cell", CHECKED)
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


@pytest.mark.parametrize("cell", CHECKED)
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


def test_checker_catches_the_non_transposed_w_hh_bug():
    """The lesson's faulty copy of the vanilla cell (W_hh @ da for W_hh.T @ da): the same
    forward pass, wrong gradients wherever they go back through time."""
    model, ids, lengths, labels = demo_problem(seed=0)
    buggy = SequenceModel("vanilla-bug", "classify", model.params)
    np.testing.assert_array_equal(buggy.logits(ids, lengths), model.logits(ids, lengths))
    result = check_gradients(buggy, ids, lengths, labels)
    assert not result.passed
    assert min(result.per_param[n] for n in ("W_hh", "W_ih", "b_ih")) > 0.1
    assert result.per_param["W_hy"] < 1e-7  # the output layer does not depend on the bug
    assert "vanilla-bug" in ALL_CELLS and "vanilla-bug" not in CELLS  # no real cell's list


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


def test_the_bag_of_words_reads_any_order_of_the_words_alike():
    model, ids, lengths, _ = demo_problem(seed=0, cell="bag")
    reversed_ids = ids.copy()
    for b, length in enumerate(lengths):
        reversed_ids[b, :length] = ids[b, :length][::-1]
    np.testing.assert_allclose(model.logits(reversed_ids, lengths), model.logits(ids, lengths))
    assert "bag" not in CELLS  # not a recurrent cell: no horizon, no export
