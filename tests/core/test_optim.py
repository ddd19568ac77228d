import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnviz.core.errors import ConfigError
from rnnviz.core.nn.model import SequenceModel
from rnnviz.core.nn.sparse import SparseColumns, to_dense
from rnnviz.core.train.optim import OPTIMIZERS, clip_gradients, make_optimizer


def random_grads(seed, scale):
    rng = np.random.default_rng(seed)
    dense = {"a": rng.normal(0, scale, (4, 3)), "b": rng.normal(0, scale, (5,))}
    dense["c"] = SparseColumns(np.array([1, 4]), rng.normal(0, scale, (2, 3)), (3, 6))
    return dense


grad_sets = st.builds(random_grads, st.integers(0, 10_000), st.floats(1e-4, 1e3))


@settings(max_examples=60, deadline=None)
@given(grad_sets, st.floats(1e-3, 1e2))
def test_norm_clipping_bounds_the_global_norm(grads, c):
    before = {n: to_dense(g).copy() for n, g in grads.items()}
    report = clip_gradients(grads, "norm", c)
    total = np.sqrt(sum(np.sum(to_dense(g) ** 2) for g in grads.values()))
    assert total <= c * (1 + 1e-12)
    assert report.global_after == pytest.approx(total, rel=1e-12)
    assert report.global_before == pytest.approx(
        np.sqrt(sum(np.sum(b**2) for b in before.values())), rel=1e-12
    )
    for name, g in grads.items():  # direction kept
        assert report.norms_after[name] == pytest.approx(np.linalg.norm(to_dense(g)), rel=1e-12)
        factor = min(1.0, c / report.global_before)
        np.testing.assert_allclose(to_dense(g), before[name] * factor, rtol=1e-12)
    assert report.clipped == (report.global_before > c)


@settings(max_examples=60, deadline=None)
@given(grad_sets, st.floats(1e-3, 1e2))
def test_value_clipping_bounds_every_entry(grads, c):
    before = {n: to_dense(g).copy() for n, g in grads.items()}
    report = clip_gradients(grads, "value", c)
    entries = sum(b.size for b in before.values())
    changed = sum(np.count_nonzero(np.abs(b) > c) for b in before.values())
    assert report.changed_fraction == pytest.approx(changed / entries)
    for name, g in grads.items():
        dense = to_dense(g)
        assert np.all(np.abs(dense) <= c)
        np.testing.assert_array_equal(dense, np.clip(before[name], -c, c))
        assert report.norms_after[name] == pytest.approx(np.linalg.norm(dense), rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(grad_sets)
def test_none_leaves_gradients_untouched(grads):
    before = {n: to_dense(g).copy() for n, g in grads.items()}
    report = clip_gradients(grads, "none", 1e-9)
    for name, g in grads.items():
        np.testing.assert_array_equal(to_dense(g), before[name])
    assert report.global_after == report.global_before and not report.clipped
    assert report.changed_fraction == 0


def test_bad_clip_settings_are_user_errors():
    with pytest.raises(ConfigError, match="clip mode"):
        clip_gradients(random_grads(0, 1), "max", 1.0)
    with pytest.raises(ConfigError, match="threshold"):
        clip_gradients(random_grads(0, 1), "norm", 0.0)
    with pytest.raises(ConfigError, match="optimizer"):
        make_optimizer("rmsprop2")


def tiny_problem():
    ids = np.array([[1, 2, 3], [4, 2, 0], [3, 1, 0], [4, 4, 4]])
    lengths = np.array([3, 2, 2, 3])
    labels = np.array([1, 0, 1, 0])
    return ids, lengths, labels


@pytest.mark.parametrize(
    "name,lr", [("sgd", 0.5), ("momentum", 0.1), ("adagrad", 0.1), ("adam", 0.02)]
)
def test_each_optimizer_reduces_the_loss(name, lr):
    model = SequenceModel.create(5, 8, 2, seed=0, init="xavier")
    optimizer = make_optimizer(name)
    ids, lengths, labels = tiny_problem()
    first = model.loss_and_grads(ids, lengths, labels).loss
    for _ in range(60):
        result = model.loss_and_grads(ids, lengths, labels)
        clip_gradients(result.grads, "norm", 5.0)
        optimizer.step(model.params, result.grads, lr)
    last = model.loss_and_grads(ids, lengths, labels).loss
    assert last < 0.5 * first, (first, last)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_sparse_and_dense_gradients_give_the_same_update(name):
    rng = np.random.default_rng(0)
    values = rng.normal(size=(2, 3))
    sparse_grad = SparseColumns(np.array([0, 3]), values, (3, 5))
    dense_grad = to_dense(sparse_grad).copy()
    p_sparse = np.asfortranarray(rng.normal(size=(3, 5)))
    p_dense = p_sparse.copy()
    opt_sparse, opt_dense = make_optimizer(name), make_optimizer(name)
    for _ in range(3):
        opt_sparse.step({"w": p_sparse}, {"w": sparse_grad}, 0.1)
        opt_dense.step({"w": p_dense}, {"w": dense_grad}, 0.1)
    np.testing.assert_allclose(p_sparse, p_dense, rtol=1e-14)


def test_optimizer_state_round_trips():
    model = SequenceModel.create(5, 4, 2, seed=0)
    opt = make_optimizer("adam")
    ids, lengths, labels = tiny_problem()
    opt.step(model.params, model.loss_and_grads(ids, lengths, labels).grads, 0.01)
    clone = make_optimizer("adam")
    clone.load_state_arrays(opt.state_arrays())
    assert clone.steps == 1
    np.testing.assert_array_equal(clone.state["W_hh"]["v"], opt.state["W_hh"]["v"])
