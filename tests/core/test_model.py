import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnviz.core.nn.losses import cross_entropy, softmax
from rnnviz.core.nn.model import SequenceModel
from rnnviz.core.nn.sequence import scatter_columns
from rnnviz.core.nn.sparse import to_dense

create = SequenceModel.create


def probs(model, ids, lengths):
    """(B, C) class probabilities of a batch."""
    return softmax(model.head.logits(model.params, model.forward(ids, lengths).last))


def pad(seqs, pad_id=0):
    lengths = np.array([len(s) for s in seqs])
    ids = np.full((len(seqs), lengths.max()), pad_id, dtype=np.int64)
    for b, s in enumerate(seqs):
        ids[b, : len(s)] = s
    return ids, lengths


def test_input_gather_equals_one_hot_product():
    model = create(12, 5, 2, seed=3)
    x = np.zeros(12)
    x[7] = 1.0
    np.testing.assert_array_equal(model.params["W_ih"] @ x, model.params["W_ih"][:, 7])
    # and the forward's first state is exactly tanh(W_ih x + b_ih)
    trace = model.forward(np.array([[7]]), np.array([1]))
    expected = np.tanh(model.params["W_ih"] @ x + model.params["b_ih"])
    np.testing.assert_allclose(trace.outputs[0, 0], expected, rtol=0, atol=1e-15)


def test_forward_matches_textbook_loop():
    model = create(9, 4, 3, seed=0, init="xavier")
    p = model.params
    seq = [3, 1, 4, 1, 5]
    h = np.zeros(4)
    for token in seq:
        x = np.eye(9)[token]
        h = np.tanh(p["W_ih"] @ x + p["W_hh"] @ h + p["b_ih"])
    logits = p["W_hy"] @ h + p["b_y"]
    trace = model.forward(np.array([seq]), np.array([5]))
    np.testing.assert_allclose(model.head.logits(p, trace.last)[0], logits, rtol=1e-12)
    assert trace.hidden.shape == (1, 5, 4)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(1, 15), min_size=1, max_size=9), min_size=1, max_size=6),
    st.sampled_from(["float64", "float32"]),
)
def test_padding_never_changes_a_sequence(seqs, dtype):
    model = create(16, 8, 3, seed=1, init="xavier", dtype=dtype)
    ids, lengths = pad(seqs, pad_id=0)
    batched = probs(model, ids, lengths)
    tol = 1e-12 if dtype == "float64" else 1e-5
    for b, s in enumerate(seqs):
        alone = probs(model, np.array([s]), np.array([len(s)]))[0]
        np.testing.assert_allclose(batched[b], alone, rtol=0, atol=tol)


def test_padding_gets_exactly_zero_gradient():
    model = create(10, 6, 2, seed=2, init="xavier")
    ids, lengths = pad([[1, 2, 3, 4], [5, 6]], pad_id=9)  # pad with a real token on purpose
    grads = model.loss_and_grads(ids, lengths, np.array([0, 1])).grads
    assert not np.any(to_dense(grads["W_ih"])[:, 9])


def test_gradients_of_padded_batch_equal_sum_of_single_sequences():
    model = create(10, 6, 2, seed=2, init="xavier")
    seqs, labels = [[1, 2, 3, 4], [5, 6], [7]], np.array([0, 1, 1])
    ids, lengths = pad(seqs)
    for truncate in (None, 2):
        batch = model.loss_and_grads(ids, lengths, labels, truncate).grads
        singles = [
            model.loss_and_grads(
                np.array([s]), np.array([len(s)]), labels[b : b + 1], truncate
            ).grads
            for b, s in enumerate(seqs)
        ]
        for name in batch:
            expected = sum(to_dense(g[name]) for g in singles) / len(seqs)
            np.testing.assert_allclose(to_dense(batch[name]), expected, atol=1e-14)


def test_truncation_limits_gradient_flow():
    model = create(10, 6, 2, seed=2, init="xavier")
    ids = np.array([[1, 2, 3, 4, 5, 6]])
    result = model.loss_and_grads(ids, np.array([6]), np.array([1]), truncate=2)
    assert np.all(result.dh_norms[0, :4] == 0) and np.all(result.dh_norms[0, 4:] > 0)
    touched = np.flatnonzero(np.abs(to_dense(result.grads["W_ih"])).sum(axis=0))
    assert set(touched) == {5, 6}


def test_dh_norms_shape_and_zero_on_padding():
    model = create(10, 6, 2, seed=2)
    ids, lengths = pad([[1, 2, 3], [4]])
    norms = model.loss_and_grads(ids, lengths, np.array([0, 1])).dh_norms
    assert norms.shape == (2, 3)
    assert np.all(norms[1, 1:] == 0) and np.all(norms[:, 0] > 0)


@pytest.mark.parametrize("init", ["uniform", "xavier", "tutorial"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_same_seed_same_weights_and_results(init, dtype):
    a = create(30, 8, 2, init=init, seed=7, dtype=dtype)
    b = create(30, 8, 2, init=init, seed=7, dtype=dtype)
    c = create(30, 8, 2, init=init, seed=8, dtype=dtype)
    for name in a.params:
        assert a.params[name].dtype == np.dtype(dtype)
        np.testing.assert_array_equal(a.params[name], b.params[name])
    assert not np.array_equal(a.params["W_hh"], c.params["W_hh"])
    ids, lengths = pad([[1, 2, 3], [4, 5]])
    ga = a.loss_and_grads(ids, lengths, np.array([0, 1]))
    gb = b.loss_and_grads(ids, lengths, np.array([0, 1]))
    assert ga.loss == gb.loss
    np.testing.assert_array_equal(to_dense(ga.grads["W_ih"]), to_dense(gb.grads["W_ih"]))


def test_tutorial_init_is_tiny():
    model = create(20, 64, 2, init="tutorial", seed=0)
    assert model.params["W_hh"].std() == pytest.approx(1e-3, rel=0.1)
    assert not model.params["b_ih"].any()


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1e308, -1e308], [0.0, 1000.0]])
    loss, dlogits = cross_entropy(logits, np.array([0, 0]))
    assert np.isfinite(loss) and loss == pytest.approx(500.0)
    assert np.all(np.isfinite(dlogits))
    np.testing.assert_allclose(dlogits, [[0.0, 0.0], [-0.5, 0.5]])


def test_trace_gives_probabilities_after_every_word():
    model = create(10, 6, 3, seed=4)
    ids = np.array([1, 2, 3, 4])
    states, per_word, gates = model.trace(ids)
    assert gates == {}  # the vanilla cell has none
    assert states.shape == (4, 6) and per_word.shape == (4, 3)
    np.testing.assert_allclose(per_word.sum(axis=1), 1.0)
    np.testing.assert_allclose(per_word[-1], probs(model, ids[None], np.array([4]))[0])


def test_num_classes_is_not_hard_coded():
    model = create(10, 6, 5, seed=4)
    result = model.loss_and_grads(np.array([[1, 2]]), np.array([2]), np.array([4]))
    assert probs(model, np.array([[1, 2]]), np.array([2])).shape == (1, 5)
    assert result.grads["W_hy"].shape == (5, 6)


def test_rejects_inconsistent_shapes():
    params = create(10, 6, 2).params
    params["W_hh"] = np.zeros((5, 6))  # H = 6 (its columns, as every cell reads it)
    with pytest.raises(ValueError, match="W_hh"):
        SequenceModel("vanilla", "classify", params)


@pytest.mark.parametrize(
    "vocab, zipf",  # dense one-hot, frequent repeats, rare repeats, a few ids far more frequent
    [(5, False), (20, False), (5000, False), (5000, True)],
)
def test_input_gradient_equals_a_plain_scatter_add(vocab, zipf):
    rng = np.random.default_rng(vocab)
    if zipf:  # as words in text: one id at ~30% of positions, most ids once
        ids = np.minimum(rng.zipf(1.2, size=(30, 8)), vocab) - 1
    else:
        ids = rng.integers(0, vocab, size=(30, 8))  # (T, B)
    da = rng.normal(size=(30, 8, 6))  # (T, B, H)
    expected = np.zeros((6, vocab))
    np.add.at(expected.T, ids.ravel(), da.reshape(-1, 6))
    np.testing.assert_allclose(to_dense(scatter_columns(ids, da, vocab)), expected, atol=1e-12)
