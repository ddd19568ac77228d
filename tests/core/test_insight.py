"""Saliency, the unit inspector's queries and the recurrence's figures, against brute force."""

import numpy as np
import pytest

from rnnviz.core.data.batching import EncodedSet
from rnnviz.core.data.text import UNK_ID, Vocabulary
from rnnviz.core.insight import dynamics, saliency, units
from rnnviz.core.nn.losses import softmax
from rnnviz.core.nn.model import SequenceModel
from rnnviz.core.nn.registry import CELLS

WORDS = [
    "the",
    "food",
    "was",
    "not",
    "good",
    "at",
    "all",
    "and",
    "i",
    "liked",
    "it",
    "very",
    "much",
    "bad",
]


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary(["<pad>", "<unk>", *WORDS])


def model_of(cell: str, vocab: Vocabulary, hidden: int = 8, seed: int = 0) -> SequenceModel:
    model = SequenceModel.create(len(vocab), hidden, 2, cell=cell, seed=seed, init="xavier")
    model.params["W_hh"] *= 3.0  # a model that has an opinion: non-trivial probabilities
    return model


def probabilities(model: SequenceModel, ids: np.ndarray) -> np.ndarray:
    return softmax(model.logits(ids[None, :], np.array([len(ids)]))[0] / model.temperature)


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("length", [1, 3, 9])
def test_occlusion_is_the_change_when_each_word_is_read_as_unknown(cell, length, vocab):
    model = model_of(cell, vocab)
    model.temperature = 1.7
    text = " ".join(WORDS[i % 5] for i in range(length))  # repeated words included
    result = saliency.explain(model, vocab, text, "occlusion")
    ids = vocab.encode(text).ids
    probs = probabilities(model, ids)
    assert result.target == probs.argmax()
    np.testing.assert_allclose(result.probs, probs, atol=1e-6)
    for t in range(length):
        occluded = ids.copy()
        occluded[t] = UNK_ID
        expected = probs[result.target] - probabilities(model, occluded)[result.target]
        assert result.scores[t] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("cell", list(CELLS))
def test_gradient_times_input_is_the_derivative_of_scaling_each_input_column(cell, vocab):
    """score_t = d/da log p(c) at a = 1 when column u_t is scaled by a: centred differences."""
    model = model_of(cell, vocab)
    ids = vocab.encode("the food was not good , the food").ids  # "the", "food" twice
    target = 1
    scores = saliency.gradient_times_input(model, ids, target)
    eps = 1e-6
    name = "W_ih"
    for t in range(len(ids)):
        local = saliency.sentence_model(model, ids)
        logp = []
        for sign in (1, -1):
            params = dict(local.params)
            params[name] = local.params[name].copy(order="F")
            params[name][:, t] *= 1 + sign * eps
            scaled = SequenceModel(model.cell, model.head, params)
            logp.append(np.log(probabilities(scaled, np.arange(len(ids)))[target]))
        numeric = (logp[0] - logp[1]) / (2 * eps)
        assert abs(scores[t] - numeric) <= 1e-7 * max(1.0, abs(numeric)) + 1e-9


def test_explain_of_no_words_and_of_a_chosen_class(vocab):
    model = model_of("gru", vocab)
    assert saliency.explain(model, vocab, "   ") is None
    for method in saliency.METHODS:
        chosen = saliency.explain(model, vocab, "not good zzz", method, target=0)
        assert chosen.target == 0 and chosen.unknown.tolist() == [False, False, True]
        assert set(chosen.as_dict(("neg", "pos"))["words"][2]) == {"token", "unknown", "score"}
    with pytest.raises(ValueError, match="unknown saliency method"):
        saliency.explain(model, vocab, "good", "shap")


def dataset(vocab: Vocabulary):
    texts = ["the food was not good", "i liked it very much", "bad", "not bad at all , liked it"]
    encoded = EncodedSet.build(texts, np.zeros(len(texts), dtype=np.int64), vocab)
    return texts, encoded


def test_unit_activations_cover_every_real_word_and_rank_like_a_sort(vocab):
    texts, encoded = dataset(vocab)
    model = model_of("lstm", vocab)
    acts = units.activations(model, encoded, texts, batch_size=3)
    assert len(acts.states) == sum(len(s) for s in encoded.sequences)
    for i in range(len(acts.states)):  # each row is h_t of its sentence at its position
        s, t = acts.sentence[i], acts.position[i]
        assert acts.ids[i] == encoded.sequences[s][t]
        states = model.trace(encoded.sequences[s])[0]
        np.testing.assert_allclose(acts.states[i], states[t], atol=1e-6)
    unit = 3
    for sign in (1, -1):
        found = units.contexts(acts, unit, k=4, sign=sign)
        expected = np.sort(sign * acts.states[:, unit])[::-1][:4] * sign
        np.testing.assert_allclose([c.value for c in found], expected)
        for c in found:
            assert c.word == texts[c.sentence].split()[c.position]
            assert [*c.before, c.word, *c.after] == texts[c.sentence].split()[
                max(c.position - units.CONTEXT_WORDS, 0) : c.position + 1 + units.CONTEXT_WORDS
            ]


def test_top_words_are_distinct_and_follow_the_ranking(vocab):
    texts, encoded = dataset(vocab)
    acts = units.activations(model_of("vanilla", vocab), encoded, texts)
    positive, negative = units.top_words(acts, vocab.tokens, k=3, depth=10)
    H = acts.hidden_size
    assert len(positive) == len(negative) == H
    for unit in range(H):
        order = np.argsort(-acts.states[:, unit], kind="stable")[:10]
        ranked = [vocab.tokens[i] for i in acts.ids[order]]
        assert positive[unit] == list(dict.fromkeys(ranked))[:3]
        assert len(set(negative[unit])) == len(negative[unit]) <= 3


def test_units_for_span_ranks_what_the_phrase_switches_on():
    states = np.zeros((5, 4))
    states[2:4, 1] = 0.9  # unit 1 on inside the phrase only
    states[:, 2] = 0.5  # unit 2 on everywhere: not the phrase's
    states[2:4, 3] = -0.4  # unit 3 pushed down by it
    ranked = units.units_for_span(states, 2, 4, k=2)
    assert [r["unit"] for r in ranked] == [1, 3]
    assert ranked[0]["score"] == pytest.approx(0.9) and ranked[1]["score"] == pytest.approx(-0.4)
    whole = units.units_for_span(states, 0, 5, k=1)  # nothing outside: the mean itself
    assert whole[0]["unit"] == 2 and whole[0]["score"] == pytest.approx(0.5)


@pytest.mark.parametrize("cell", list(CELLS))
def test_dynamics_figures(cell, vocab):
    model = model_of(cell, vocab)
    texts, encoded = dataset(vocab)
    batch = encoded.batch(np.arange(len(texts)))
    figures = dynamics.measure(model, batch.ids, batch.lengths)
    W = model.params["W_hh"]
    assert figures.sigma_max == pytest.approx(np.linalg.svd(W, compute_uv=False)[0])
    H = model.hidden_size
    block = W[model.cell.candidate_block * H : (model.cell.candidate_block + 1) * H]
    assert figures.rho == pytest.approx(max(abs(np.linalg.eigvals(block))))
    assert 0.0 <= figures.saturation <= 1.0
    for name in ("W_hh", "W_ih", "b_ih"):  # drive every unit and gate to the edge
        model.params[name] *= 200.0
    assert dynamics.measure(model, batch.ids, batch.lengths).saturation > 0.9


@pytest.mark.parametrize("method", saliency.METHODS)
def test_only_the_last_words_are_scored_when_asked(method, vocab):
    model = model_of("lstm", vocab)
    text = " ".join(WORDS * 3)
    every = saliency.explain(model, vocab, text, method)
    tail = saliency.explain(model, vocab, text, method, last=5)
    assert np.isnan(tail.scores[:-5]).all()
    np.testing.assert_allclose(tail.scores[-5:], every.scores[-5:], atol=1e-6)
    assert tail.as_dict(("neg", "pos"))["words"][0]["score"] is None


def test_a_long_sentence_is_occluded_in_blocks_that_fit_the_budget(vocab, monkeypatch):
    model = model_of("gru", vocab)
    ids = vocab.encode(" ".join(WORDS * 4)).ids  # 56 words
    whole = saliency.occluded_probs(model, ids, first=10)
    monkeypatch.setattr(saliency, "BLOCK_BUDGET", 56 * 24 * 3)  # three rows a block
    blocked = saliency.occluded_probs(model, ids, first=10)
    np.testing.assert_allclose(blocked, whole, atol=1e-5)  # float32, other batch shapes
    assert whole.shape == (1 + 46, 2)
