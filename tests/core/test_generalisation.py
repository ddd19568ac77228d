"""Validation, early stopping on the best weights, regularisation and calibration."""

import numpy as np
import pytest

from rnnviz.core.data.batching import EncodedSet
from rnnviz.core.data.datasets import Dataset, load, split
from rnnviz.core.data.text import PAD_ID, UNK_ID
from rnnviz.core.errors import ConfigError, DatasetError
from rnnviz.core.nn.model import SequenceModel
from rnnviz.core.train import checkpoint
from rnnviz.core.train.calibration import fit_temperature, nll, probabilities, reliability
from rnnviz.core.train.config import SMALL_DATA, SMALL_DATA_SETTINGS, TrainConfig, sized_for
from rnnviz.core.train.experiment import Experiment
from rnnviz.core.train.optim import make_optimizer
from rnnviz.core.train.trainer import AUTO_EPOCH_BOUNDS, auto_epochs


def write_tsv(path, rows):
    path.write_text("".join(f"{text}\t{label}\n" for text, label in rows))
    return str(path)


@pytest.fixture(scope="module")
def negation():
    return load(["negation"])


# ---------------------------------------------------------------- held-out data
def test_test_and_validation_files_are_those_parts(tmp_path):
    good = [("good fun", "pos"), ("bad mess", "neg")]
    train = write_tsv(tmp_path / "a.tsv", good * 10)
    test = write_tsv(tmp_path / "b.tsv", good * 3)
    val = write_tsv(tmp_path / "c.tsv", good * 2)
    data = load([train], test=[test], validation=[val])
    splits = split(data, validation_fraction=0.3)
    assert (len(splits.train), len(splits.test), len(splits.validation)) == (20, 6, 4)
    only_test = split(load([train], test=[test]), validation_fraction=0.1)
    assert (len(only_test.train), len(only_test.test), len(only_test.validation)) == (18, 6, 2)


def test_a_test_file_beside_data_with_its_own_test_part_is_refused(tmp_path):
    test = write_tsv(tmp_path / "b.tsv", [("good", "pos"), ("bad", "neg")])
    with pytest.raises(DatasetError, match="has a test part of its own: drop --test"):
        load(["tiny"], test=[test])


def test_a_train_test_pair_given_as_data_is_pooled_with_a_warning(tmp_path):
    rows = [("good fun", "pos"), ("bad mess", "neg")] * 5
    pair = [write_tsv(tmp_path / "train.tsv", rows), write_tsv(tmp_path / "test.tsv", rows)]
    (note,) = load(pair).notes
    assert "pooling train.tsv, test.tsv" in note and f"--test {tmp_path / 'test.tsv'}" in note


def test_a_folder_may_bring_its_own_validation_file(tmp_path):
    rows = [("good fun", "pos"), ("bad mess", "neg")]
    for name, n in (("train", 10), ("test", 3), ("dev", 2)):
        write_tsv(tmp_path / f"{name}.tsv", rows * n)
    splits = split(load([str(tmp_path)]), validation_fraction=0.5)
    assert (len(splits.train), len(splits.test), len(splits.validation)) == (20, 6, 4)


def test_patience_without_validation_data_is_an_error():
    with pytest.raises(ConfigError, match="needs validation data"):
        Experiment.build(TrainConfig(validation_fraction=0, patience=2), load(["tiny"]))


# ---------------------------------------------------------------- early stopping
@pytest.mark.slow
def test_early_stopping_keeps_the_best_weights_and_stops_at_an_epoch_end(negation):
    config = TrainConfig(epochs=40, validation_fraction=0.1, patience=2, lr=0.05, monitor="loss")
    experiment = Experiment.build(config, negation)
    trainer = experiment.trainer
    validation_losses = []
    trainer.on("evaluation", lambda e: e.split == "validation" and validation_losses.append(e.loss))
    report = experiment.train()
    assert report.stopped_early and trainer.epoch < 40
    steps_per_epoch = len(trainer.train_set.plan_epoch(config.batch_size, np.random.default_rng()))
    assert trainer.step_count == trainer.epoch * steps_per_epoch  # no update after the stop
    best = int(np.argmin(validation_losses))
    assert report.best_epoch == best + 1 == trainer.epoch - config.patience
    experiment.model.temperature = 1.0
    assert experiment.trainer.evaluate("validation").loss == pytest.approx(validation_losses[best])


@pytest.mark.slow
def test_the_plateau_schedule_halves_the_rate_after_an_epoch_without_progress(negation):
    config = TrainConfig(epochs=12, validation_fraction=0.1, lr=0.05, lr_schedule="plateau")
    trainer = Experiment.build(config, negation).trainer
    rates = []
    trainer.on("epoch_end", lambda _: rates.append(trainer.lr))
    trainer.run()
    factors = np.array(rates[1:]) / np.array(rates[:-1])
    assert set(np.round(factors, 6)) <= {1.0, 0.5} and 0.5 in np.round(factors, 6)


# ---------------------------------------------------------------- regularisation
def test_word_dropout_turns_real_tokens_into_unk_and_leaves_padding():
    encoded = EncodedSet([np.array([5, 6, 7]), np.array([8])], np.array([0, 1]), 0)
    batch = encoded.batch(np.array([0, 1]))
    rng = np.random.default_rng(0)
    assert batch.with_words_dropped(0.0, rng) is batch
    dropped = batch.with_words_dropped(0.999999, rng)
    assert dropped.ids.tolist() == [[UNK_ID] * 3, [UNK_ID, PAD_ID, PAD_ID]]
    half = encoded.batch(np.arange(2)).with_words_dropped(0.5, np.random.default_rng(1))
    assert set(half.ids[0]) <= {5, 6, 7, UNK_ID}


def test_weight_decay_shrinks_matrices_but_not_biases():
    params = {"W": np.ones((2, 3)), "b": np.ones(3)}
    zero = {name: np.zeros_like(p) for name, p in params.items()}
    make_optimizer("sgd").step(params, zero, lr=0.1, weight_decay=0.5)
    assert np.allclose(params["W"], 0.95) and np.allclose(params["b"], 1.0)


def test_epochs_by_data_size_stay_within_bounds():
    low, high = AUTO_EPOCH_BOUNDS
    assert auto_epochs(100) == high and auto_epochs(10**7) == low
    assert [auto_epochs(n) for n in (1_000, 10_000, 100_000)] == sorted(
        [auto_epochs(n) for n in (1_000, 10_000, 100_000)], reverse=True
    )


# ---------------------------------------------------------------- small data
def sentences(n: int, parts=None) -> Dataset:
    return Dataset(
        "d", [f"w{i}" for i in range(n)], np.arange(n) % 2, ("a", "b"), parts or [None] * n
    )


def test_data_of_fewer_than_200_sentences_gets_the_small_data_defaults():
    small, note = sized_for(TrainConfig(), sentences(SMALL_DATA - 1))
    assert small == TrainConfig(**SMALL_DATA_SETTINGS)
    assert note == (
        "d: 199 sentences, fewer than 200, so the small-data defaults: validation fraction 0, "
        "patience 0, word dropout 0, batch size 8, epochs 100"
    )
    assert sized_for(TrainConfig(), sentences(SMALL_DATA)) == (TrainConfig(), "")


def test_the_small_data_defaults_keep_what_was_given():
    data = sentences(SMALL_DATA - 1)
    kept, note = sized_for(TrainConfig(epochs=5, batch_size=32), data, {"epochs", "batch_size"})
    assert (kept.epochs, kept.batch_size, kept.word_dropout) == (5, 32, 0)
    assert note.endswith("validation fraction 0, patience 0, word dropout 0")
    for given in ({"validation_fraction"}, {"patience"}):  # early stopping needs its split
        kept, note = sized_for(TrainConfig(), data, given)
        assert (kept.validation_fraction, kept.patience) == (0.1, 8) and "patience" not in note
    own = sentences(SMALL_DATA - 1, ["validation"] * 20 + [None] * (SMALL_DATA - 21))
    assert sized_for(TrainConfig(), own)[0].patience == 8  # early stopping on the data's own
    assert "word dropout" not in sized_for(TrainConfig(word_dropout=0.3), data, {"word_dropout"})[1]


# ---------------------------------------------------------------- calibration
def test_the_fitted_temperature_undoes_a_known_overconfidence():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 2.0, size=(20_000, 3))
    labels = np.array([rng.choice(3, p=p) for p in probabilities(true_logits)])
    overconfident = true_logits * 3.0  # as if the temperature were 1/3
    fitted = fit_temperature(overconfident, labels)
    assert fitted == pytest.approx(3.0, rel=0.05)
    assert nll(overconfident, labels, fitted) < nll(overconfident, labels)
    raw = reliability(probabilities(overconfident), labels).ece
    calibrated = reliability(probabilities(overconfident, fitted), labels).ece
    assert calibrated < 0.02 < raw


def test_reliability_bins_count_every_prediction_once():
    probs = np.array([[0.95, 0.05], [0.55, 0.45], [0.3, 0.7], [0.5, 0.5], [0.0, 1.0]])
    table = reliability(probs, np.array([0, 1, 1, 0, 1]), bins=5)
    assert table.counts.tolist() == [0, 0, 2, 1, 2]
    assert table.accuracy[2] == 0.5 and table.accuracy[4] == 1.0
    assert table.ece == pytest.approx((2 * abs(0.5 - 0.525) + 1 * 0.3 + 2 * abs(1 - 0.975)) / 5)


@pytest.mark.slow
def test_the_temperature_is_saved_used_and_loaded(tmp_path, negation):
    experiment = Experiment.build(TrainConfig(epochs=2, validation_fraction=0.1), negation)
    report = experiment.train()
    assert report.temperature == experiment.model.temperature != 1.0
    loaded = checkpoint.load(
        checkpoint.save(tmp_path / "m.npz", checkpoint.from_experiment(experiment))
    )
    assert loaded.model.temperature == report.temperature
    ids = np.array([3, 4, 5])
    raw = SequenceModel(loaded.model.cell, loaded.model.head, loaded.model.params).trace(ids)[1]
    scaled = loaded.model.trace(ids)[1]
    assert not np.allclose(raw, scaled)
    assert np.allclose(scaled, probabilities(np.log(raw), report.temperature))


def test_a_perfectly_separated_validation_set_does_not_sharpen_without_limit():
    logits = np.array([[3.0, -3.0], [-2.5, 2.5], [4.0, -4.0]] * 20)
    labels = np.array([0, 1, 0] * 20)
    fitted = fit_temperature(logits, labels)
    assert 0.2 < fitted < 1.0  # sharper, as the data ask, but far from the range's floor


def test_training_on_drops_a_temperature_fitted_to_older_weights(negation):
    experiment = Experiment.build(TrainConfig(epochs=1, hidden_size=16), negation)
    report = experiment.train()
    assert experiment.model.temperature == report.temperature != 1.0
    experiment.trainer.step()
    assert experiment.model.temperature == 1.0
