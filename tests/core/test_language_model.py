"""The language-model half: corpus tokens, next-token batches, perplexity, sampling, training."""

import numpy as np
import pytest

from rnnviz.core.data.corpus import (
    BOS,
    EOS,
    NextTokenSet,
    build_vocabulary,
    join,
    lm_tokens,
    unigram_perplexity,
)
from rnnviz.core.data.datasets import load
from rnnviz.core.data.importers import ReadReport, read_path
from rnnviz.core.data.progress import Progress
from rnnviz.core.generate import read_prefix, sample
from rnnviz.core.train.config import TrainConfig
from rnnviz.core.train.experiment import Experiment

TEXTS = ["The cat sat.", "the dog sat on the mat !", "a cat"]


def test_tokens_at_both_levels_and_back():
    assert lm_tokens("The  cat\tsat.", "word") == ["the", "cat", "sat", "."]
    assert lm_tokens("The  cat\tsat.", "char") == list("the cat sat.")
    assert (
        join(["the", "cat", "sat", ",", "then", "left", "."], "word") == "the cat sat, then left."
    )
    assert join(list("a b"), "char") == "a b"
    with pytest.raises(ValueError, match="unknown level"):
        lm_tokens("x", "byte")


def test_next_token_batches_shift_the_sentence_by_one():
    vocab = build_vocabulary(TEXTS, "word", 1, 100, Progress())
    assert vocab.tokens[:4] == ("<pad>", "<unk>", BOS, EOS)
    data = NextTokenSet.build_lm(TEXTS, vocab, "word")
    assert data.lengths().tolist() == [5, 8, 3]  # n tokens + 1 predictions
    batch = data.batch(np.array([0, 2]))
    ids, targets = batch.ids, batch.labels
    assert ids.shape == targets.shape == (2, 5)
    assert ids[0, 0] == vocab.index[BOS] and targets[0, 4] == vocab.index[EOS]
    np.testing.assert_array_equal(ids[0, 1:], targets[0, :-1])  # the target is the next input
    assert targets[1, 3:].tolist() == [0, 0] and batch.lengths.tolist() == [5, 3]


def test_unigram_perplexity_is_the_exp_of_the_mean_surprise():
    vocab = build_vocabulary(TEXTS, "word", 1, 100, Progress())
    data = NextTokenSet.build_lm(TEXTS, vocab, "word")
    counts = data.target_counts(len(vocab)).astype(float) + 1
    counts[0] = 0
    p = counts / counts.sum()
    targets = np.concatenate([s[1:] for s in data.sequences])
    expected = np.exp(-np.mean(np.log(p[targets])))
    assert unigram_perplexity(data, data, len(vocab)) == pytest.approx(expected)


def test_a_plain_document_is_read_as_sentences(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("It rained. The boat\nleft!  Did it come back?\n\nNo title here", "utf-8")
    sentences = [e.text for e in read_path(path, "text", False, ReadReport())]
    assert sentences == ["It rained.", "The boat left!", "Did it come back?", "No title here"]
    path.write_text("word " * 450, "utf-8")  # no sentence ends at all: pieces of 200 words
    pieces = [e.text.count("word") for e in read_path(path, "text", False, ReadReport())]
    assert pieces == [200, 200, 50]


@pytest.fixture(scope="module")
def stories_model():
    config = TrainConfig(task="lm", hidden_size=48, epochs=2, patience=0, dropout=0.0, seed=1)
    experiment = Experiment.build(config, load(["stories"]))
    experiment.train()
    return experiment


@pytest.mark.slow
def test_a_language_model_learns_the_corpus_far_below_the_unigram_baseline(stories_model):
    experiment = stories_model
    test = experiment.trainer.evaluate("test")
    baseline = unigram_perplexity(experiment.train_set, experiment.test_set, len(experiment.vocab))
    assert np.exp(test.loss) < baseline / 5  # context matters in this corpus
    assert experiment.model.num_outputs == len(experiment.vocab)
    assert test.reliability is None and experiment.model.temperature == 1.0


@pytest.mark.slow
def test_samples_are_seeded_and_end_at_the_end_of_the_sentence(stories_model):
    model, vocab = stories_model.model, stories_model.vocab
    first = sample(model, vocab, "the baker", "word", 0.7, n=4, seed=3)
    assert first == sample(model, vocab, "the baker", "word", 0.7, n=4, seed=3)
    assert first != sample(model, vocab, "the baker", "word", 0.7, n=4, seed=4)
    assert all(text and "<s>" not in text and "<unk>" not in text for text in first)
    assert sum(text.endswith(".") for text in first) >= 3  # sentences end, mostly with a full stop
    capped = sample(model, vocab, "", "word", 1.0, n=2, seed=0, max_tokens=3)
    assert all(len(text.split()) <= 3 for text in capped)


@pytest.mark.slow
def test_a_prefix_gives_distributions_and_surprise(stories_model):
    model, vocab = stories_model.model, stories_model.vocab
    prefix = read_prefix(model, vocab, "the baker zzz", "word")
    assert prefix.tokens == ["the", "baker", "zzz"] and prefix.unknown.tolist() == [0, 0, 1]
    assert prefix.probs.shape == (4, len(vocab)) and np.allclose(prefix.probs.sum(axis=1), 1)
    expected = -np.log(prefix.probs[1, vocab.index["baker"]])
    assert prefix.surprise[1] == pytest.approx(expected)
    assert prefix.surprise[0] < prefix.surprise[2]  # "the" starts most sentences; <unk> never


def test_character_level_training_runs_on_a_document(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("the cat sat on the mat. " * 40 + "\n\nthe dog sat on the log. " * 40, "utf-8")
    data = load([str(path)], "text")
    config = TrainConfig(task="lm", level="char", hidden_size=16, epochs=2, patience=0)
    experiment = Experiment.build(config, data)
    experiment.train()
    assert " " in experiment.vocab.index and "t" in experiment.vocab.index
    texts = sample(experiment.model, experiment.vocab, "the c", "char", 0.5, n=2, seed=0)
    assert all(isinstance(t, str) for t in texts)


def test_a_long_text_is_cut_into_chunks_that_predict_every_token_once():
    vocab = build_vocabulary(["a b c d e f g"], "word", 1, 100, Progress())
    data = NextTokenSet.build_lm(["a b c d e f g", "a b"], vocab, "word", max_len=3)
    assert data.truncated == 1 and len(data) == 4  # 8 predictions in 3 chunks, and "a b"
    inputs = np.concatenate([s[:-1] for s in data.sequences[:3]])
    targets = np.concatenate([s[1:] for s in data.sequences[:3]])
    whole = [vocab.index[t] for t in [BOS, *"abcdefg", EOS]]
    assert inputs.tolist() == whole[:-1] and targets.tolist() == whole[1:]
    assert data.lengths().tolist() == [3, 3, 2, 3]
