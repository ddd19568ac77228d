"""||dL/dh_t||, the numbers of the gradient-flow views, against finite differences of the loss
with respect to each hidden state h_t itself."""

import numpy as np
import pytest

from rnnviz.core.nn.gradcheck import demo_problem
from rnnviz.core.nn.losses import cross_entropy
from rnnviz.core.nn.registry import CELLS


def loss_from_state(model, ids, lengths, labels, b, t, h):
    """Sequence b's loss when its state after step t is replaced by h, divided by the batch size
    (the batch loss is a mean): everything after t is recomputed from h."""
    length = int(lengths[b])
    if t == length - 1:
        logits = model.head.logits(model.params, h[None])
        loss = cross_entropy(logits, labels[b : b + 1])[0]
    else:
        prefix = model.forward(ids[b : b + 1, : t + 1], np.array([t + 1]))
        state = (h[None], *model.cell.final_state(prefix)[1:])  # h replaced, c (LSTM) kept
        rest = ids[b : b + 1, t + 1 : length]
        loss = model.loss(rest, np.array([length - t - 1]), labels[b : b + 1], state)
    return loss / len(lengths)


def centred_gradient(loss, x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """d loss / d x by centred differences, entry by entry."""
    grad = np.empty_like(x)
    for k in range(len(x)):
        up, down = x.copy(), x.copy()
        up[k] += eps
        down[k] -= eps
        grad[k] = (loss(up) - loss(down)) / (2 * eps)
    return grad


def numeric_dh(model, ids, lengths, labels, b, t):
    """(H,) centred differences of the batch loss with respect to h_t of sequence b."""
    h = model.forward(ids, lengths).outputs[t, b].copy()
    return centred_gradient(lambda x: loss_from_state(model, ids, lengths, labels, b, t, x), h)


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("truncate", [None, 2])
def test_dh_norms_equal_finite_differences_of_the_loss(truncate, cell):
    model, ids, lengths, labels = demo_problem(seed=0, cell=cell)
    norms = model.loss_and_grads(ids, lengths, labels, truncate).dh_norms  # (B, T)
    for b, length in enumerate(lengths):
        for t in range(ids.shape[1]):
            if t >= length:
                assert norms[b, t] == 0.0  # padding
                continue
            if truncate and t < length - truncate:
                assert norms[b, t] == 0.0  # before the window: cut on purpose
                continue
            expected = np.linalg.norm(numeric_dh(model, ids, lengths, labels, b, t))
            assert norms[b, t] == pytest.approx(expected, rel=1e-6), (b, t)


def test_the_flow_view_averages_by_distance_from_the_sentence_end():
    from rnnviz.core.data.batching import EncodedSet
    from rnnviz.core.insight.flow import gradient_flow
    from rnnviz.core.train.config import TrainConfig
    from rnnviz.core.train.trainer import Trainer

    model, ids, lengths, labels = demo_problem(seed=1)
    sequences = [ids[b, :length] for b, length in enumerate(lengths)]
    data = EncodedSet(sequences, labels, 0)
    # one batch holds every sequence (in some order: the mean by distance does not care)
    trainer = Trainer(TrainConfig.classic(batch_size=len(lengths)), model, data, {"test": data})
    before = model.copy()
    trainer.step()
    flow = gradient_flow(trainer.last)["h"]
    for distance in range(len(flow)):
        rows = [b for b, length in enumerate(lengths) if length > distance]
        expected = np.mean(
            [
                np.linalg.norm(
                    numeric_dh(before, ids, lengths, labels, b, lengths[b] - 1 - distance)
                )
                for b in rows
            ]
        )
        assert flow[distance] == pytest.approx(expected, rel=1e-6), distance


def loss_from_cell_state(model, ids, lengths, labels, b, t, c):
    """Sequence b's loss (over the batch size) when its LSTM cell state after step t is c: h_t
    follows from it (h_t = o_t tanh(c)), and everything after t is recomputed."""
    length = int(lengths[b])
    trace = model.forward(ids[b : b + 1, : t + 1], np.array([t + 1]))
    H = model.hidden_size
    o = trace.cache["gates"][t, 0, 3 * H :]
    h = o * np.tanh(c)
    if t == length - 1:
        return cross_entropy(model.head.logits(model.params, h[None]), labels[b : b + 1])[0] / len(
            lengths
        )
    rest = ids[b : b + 1, t + 1 : length]
    loss = model.loss(rest, np.array([length - t - 1]), labels[b : b + 1], (h[None], c[None]))
    return loss / len(lengths)


@pytest.mark.parametrize("truncate", [None, 2])
def test_lstm_cell_state_norms_equal_finite_differences(truncate):
    model, ids, lengths, labels = demo_problem(seed=0, cell="lstm")
    norms = model.loss_and_grads(ids, lengths, labels, truncate).state_norms["c"]  # (B, T)
    for b, length in enumerate(lengths):
        for t in range(length):
            if truncate and t < length - truncate:
                assert norms[b, t] == 0.0
                continue
            c = model.forward(ids, lengths).cache["c"][t, b].copy()
            grad = centred_gradient(
                lambda x, b=b, t=t: loss_from_cell_state(model, ids, lengths, labels, b, t, x), c
            )
            assert norms[b, t] == pytest.approx(np.linalg.norm(grad), rel=1e-6), (b, t)
