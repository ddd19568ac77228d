"""The generated memory task: its knobs, its sentences, and the horizon read from a sweep."""

import numpy as np
import pytest

from rnnviz.core.data.datasets import load
from rnnviz.core.data.tasks import FILLER, NAMES, NEGATIVE, POSITIVE, Task, generate, parse
from rnnviz.core.errors import DatasetError
from rnnviz.core.lessons.horizon import HorizonPoint, horizons


def test_the_label_is_the_first_words_polarity_and_only_it_is_polar_without_distractors():
    data = generate(Task(distance=7, sentences=200))
    for text, label in zip(data.texts, data.labels, strict=True):
        words = text.split()
        assert len(words) == 8
        assert words[0] in (POSITIVE if label == 1 else NEGATIVE)
        assert all(w in FILLER for w in words[1:])
    assert data.parts.count("train") == 200 and data.parts.count("test") == 50
    assert 0.4 < data.labels.mean() < 0.6


def test_distractors_are_polar_words_of_either_polarity_in_about_their_share():
    data = generate(Task(distance=40, distractors=0.25, sentences=400))
    body = [w for text in data.texts for w in text.split()[1:]]
    polar = [w for w in body if w not in FILLER]
    assert abs(len(polar) / len(body) - 0.25) < 0.02
    assert {w in POSITIVE for w in polar} == {True, False}


def test_the_same_knobs_give_the_same_sentences_and_another_seed_others():
    a, b = generate(parse("recall:distance=9,seed=3")), generate(parse("recall:distance=9,seed=3"))
    assert a.texts == b.texts and np.array_equal(a.labels, b.labels)
    assert generate(parse("recall:distance=9,seed=4")).texts != a.texts


def test_noise_flips_about_its_share_of_the_labels_in_both_parts_and_nothing_else():
    clean, noisy = (
        generate(Task(distance=3, sentences=2000)),
        generate(Task(distance=3, sentences=2000, noise=0.2)),
    )
    assert noisy.texts == clean.texts and noisy.parts == clean.parts
    flipped = noisy.labels != clean.labels
    for part in ("train", "test"):
        share = flipped[np.array(clean.parts) == part].mean()
        assert abs(share - 0.2) < 0.05, (part, share)
    assert parse("recall:noise=0.2").spec == "recall:noise=0.2"


def test_echo_ends_on_the_name_it_began_with_and_labels_it():
    data = generate(parse("echo:distance=6,sentences=300"))
    assert data.classes == NAMES and data.name == "echo:distance=6,sentences=300"
    for text, label in zip(data.texts, data.labels, strict=True):
        words = text.split()
        assert len(words) == 8 and words[0] == words[-1] == NAMES[label]
        assert all(w in FILLER for w in words[1:-1])
    assert len(set(data.labels)) == len(NAMES)


def test_echo_distractors_are_other_names_and_noise_ends_on_another_name():
    data = generate(parse("echo:distance=30,distractors=0.2,noise=0.25,sentences=2000"))
    body = [w for text in data.texts for w in text.split()[1:-1]]
    assert abs(sum(w in NAMES for w in body) / len(body) - 0.2) < 0.02
    assert not any(t.split()[0] in t.split()[1:-1] for t in data.texts)  # other names only
    changed = [t.split()[0] != t.split()[-1] for t in data.texts]
    assert abs(np.mean(changed) - 0.25) < 0.03
    assert all(t.split()[0] == NAMES[y] for t, y in zip(data.texts, data.labels, strict=True))


@pytest.mark.slow
def test_a_language_model_carries_the_name_across_the_filler():
    """The echo task's claim, in a few seconds: at a distance of 5 a GRU language model
    predicts the closing name (chance 1/12) after 10 epochs."""
    from rnnviz.core.lessons.measures import MEASURES, RunHistory
    from rnnviz.core.train.config import TrainConfig
    from rnnviz.core.train.experiment import Experiment

    config = TrainConfig(
        task="lm",
        hidden_size=32,
        lr=0.005,
        epochs=10,
        validation_fraction=0.0,
        patience=0,
        dropout=0.0,
        word_dropout=0.0,
        min_count=1,
    )
    experiment = Experiment.build(config, load(["echo:distance=5,sentences=2000"]))
    before = MEASURES["echo_accuracy"][0](experiment, RunHistory(), None)
    experiment.trainer.run(10)
    after = MEASURES["echo_accuracy"][0](experiment, RunHistory(), None)
    assert before < 0.3 and after > 0.9, (before, after)


def test_the_name_with_its_knobs_reads_as_data_and_names_itself():
    data = load(["recall:distance=12,distractors=0.1"])
    assert data.name == "recall:distance=12,distractors=0.1" and data.has_split
    assert parse("recall").spec == "recall"


@pytest.mark.parametrize(
    "source,message",
    [
        ("recall:distanse=5", "'distanse=5' is not a knob of recall"),
        ("recall:distance", "'distance' is not a knob"),
        ("recall:distance=five", "distance must be a number, not 'five'"),
        ("recall:distance=2.5", "distance must be a number"),
        ("recall:distance=0", "distance must be 1 to 2,000, not 0"),
        ("recall:distance=99999", "distance must be 1 to 2,000"),
        ("recall:distractors=nan", "distractors must be 0 to 0.9, not nan"),
        ("recall:distractors=1", "distractors must be 0 to 0.9"),
        ("recall:sentences=5", "sentences must be 20 to 200,000"),
        ("recall:noise=0.5", "noise must be 0 to 0.45, not 0.5"),
        ("recall:seed=-1", "seed must be 0 to 2^32 - 1"),
    ],
)
def test_bad_knobs_are_refused_naming_the_knob(source, message):
    with pytest.raises(DatasetError) as error:
        load([source])
    assert message in str(error.value)


def test_a_task_is_given_alone():
    with pytest.raises(DatasetError, match="give it alone"):
        load(["recall", "tiny"])


def point(cell, distance, accuracy, seed=0):
    return HorizonPoint(cell, distance, seed, accuracy, 0.1, 0.01, 10, 1.0)


def test_the_horizon_is_the_longest_distance_learned_with_every_shorter_one():
    points = [
        point("vanilla", 5, 1.0),
        point("vanilla", 10, 0.95),
        point("vanilla", 20, 0.5),
        point("vanilla", 50, 0.93),  # a lucky long one after a failure does not count
        point("gru", 5, 1.0),
        point("gru", 10, 0.85, seed=0),
        point("gru", 10, 1.0, seed=1),  # the mean over seeds, 0.925
        point("lstm", 5, 0.6),
    ]
    assert horizons(points) == {"vanilla": 10, "gru": 10, "lstm": 0}
