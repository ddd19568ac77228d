"""Lessons: every shipped file reads and names real measures and runs; a broken lesson file is
refused with its reason; a lesson's checks hold headless (the slow ones: test_lesson_checks.py)."""

import json

import numpy as np
import pytest

from rnnviz.cli import main
from rnnviz.core.data.datasets import load as load_data
from rnnviz.core.lessons.lesson import Check, LessonError, lesson_names, load
from rnnviz.core.lessons.measures import MEASURES, RunHistory
from rnnviz.core.train.calibration import probabilities
from rnnviz.core.train.config import TrainConfig
from rnnviz.core.train.experiment import Experiment
from rnnviz.core.train.records import Evaluation
from rnnviz.core.train.scoring import next_token_logits

GOOD = {
    "title": "t",
    "text": "x",
    "watch": "gradients",
    "data": "recall:distance=5",
    "settings": {"cell": "vanilla", "epochs": 1, "patience": 0, "validation_fraction": 0.0},
    "steps": ["press Train"],
    "checks": [{"claim": "c", "measure": "test_accuracy", "run": "vanilla", "above": 0.5}],
}


def test_every_shipped_lesson_reads():
    names = lesson_names()
    assert names, "no lesson shipped"
    for name in names:
        lesson = load(name)
        assert lesson.title and lesson.steps and lesson.checks


@pytest.mark.parametrize(
    "change,reason",
    [
        ({"checks": [{**GOOD["checks"][0], "measure": "magic"}]}, "no measure 'magic'"),
        ({"checks": [{**GOOD["checks"][0], "run": "gru"}]}, "is on run 'gru'"),
        ({"checks": [{"claim": "c", "measure": "halted", "run": "vanilla"}]}, "neither"),
        ({"checks": [{**GOOD["checks"][0], "colour": "red"}]}, "colour"),
        ({"watch": "the moon"}, "is not a panel"),
        ({"settings": {"hidden_size": 0}}, "hidden size must be >= 1"),
        ({"runs": [{"label": "a", "changes": {"epochs": 3}}]}, "not a run setting"),
        ({"runs": [{"label": "a", "changes": {"lr": -1}}]}, "learning rate must be > 0"),
        ({"title": None, "steps": None}, "lesson bad.json"),
    ],
)
def test_a_broken_lesson_file_is_refused_with_its_reason(tmp_path, change, reason):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**GOOD, **change}))
    with pytest.raises(LessonError) as error:
        load(str(path))
    assert reason in str(error.value) and "bad.json" in str(error.value)


def test_a_lesson_file_that_is_not_json_names_itself(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"title": ')
    with pytest.raises(LessonError, match="lesson broken.json: not valid JSON"):
        load(str(path))
    with pytest.raises(LessonError, match="no lesson 'nope'; the lessons: "):
        load("nope")


def test_a_nan_never_holds():
    check = Check("c", "test_accuracy", "vanilla", below=1.0)
    assert check.holds(0.5) and not check.holds(float("nan")) and not check.holds(2.0)
    assert Check("c", "halted", "x", above=0.5, below=2).bound == "> 0.5 and < 2"


def test_the_command_lists_describes_and_checks(capsys):
    assert main(["lesson", "--list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in lesson_names())
    name = lesson_names()[0]
    assert main(["lesson", name]) == 0
    assert "checks:" in capsys.readouterr().out
    assert main(["lesson", "nope"]) == 2
    assert "no lesson 'nope'" in capsys.readouterr().err


def test_a_check_that_is_not_seen_exits_1_and_says_so(tmp_path, capsys):
    path = tmp_path / "impossible.json"
    never = {"claim": "accuracy above 1", "measure": "test_accuracy", "run": "vanilla"}
    path.write_text(json.dumps({**GOOD, "checks": [{**never, "above": 1.0}]}))
    assert main(["lesson", str(path), "--check", "--json"]) == 1
    record = json.loads(capsys.readouterr().out)
    assert record["passed"] is False and record["checks"][0]["seen"] is False
    assert 0.0 <= record["checks"][0]["value"] <= 1.0


def test_the_gradient_ratio_is_the_median_over_steps_and_the_first_is_the_fresh_weights():
    history = RunHistory(flows=[np.array([1.0]), np.array([1.0, 8.0]), np.array([2.0, 1.0, 9.0])])
    history.flows.append(np.array([1.0, 0.02]))  # steps 1-4; step 1's batch was one word long
    assert MEASURES["first_gradient_ratio"][0](None, history, 1) == 8.0
    assert MEASURES["gradient_ratio"][0](None, history, 1) == 0.5
    assert MEASURES["gradient_ratio"][0](None, history, 2) == 4.5
    assert np.isnan(MEASURES["first_gradient_ratio"][0](None, history, 3))


def evaluation(loss: float) -> Evaluation:
    return Evaluation(step=0, epoch=0, split="validation", loss=loss, accuracy=0.5)


def test_the_validation_rise_is_the_newest_loss_over_the_lowest():
    history = RunHistory(validated=[evaluation(loss) for loss in (0.7, 0.5, 0.6, 1.5)])
    assert MEASURES["validation_rise"][0](None, history, None) == pytest.approx(3.0)
    assert np.isnan(MEASURES["validation_rise"][0](None, RunHistory(), None))


def test_the_best_weights_and_the_temperature_are_measured_on_copies():
    """best_test_accuracy is what Restore best then scoring the test split gives, and the ECE
    after temperature scaling is that of Experiment.calibrate(): neither changes the model."""
    config = TrainConfig(
        hidden_size=8, epochs=4, validation_fraction=0.25, patience=0, lr=0.05, min_count=1
    )
    experiment = Experiment.build(config, load_data(["recall:distance=3,sentences=200,noise=0.2"]))
    experiment.trainer.run(4)
    measure = {name: MEASURES[name][0] for name in ("best_test_accuracy", "calibrated_test_ece")}
    before = {n: p.copy() for n, p in experiment.model.params.items()}
    best = measure["best_test_accuracy"](experiment, RunHistory(), None)
    calibrated = measure["calibrated_test_ece"](experiment, RunHistory(), None)
    assert experiment.model.temperature == 1.0
    assert all(np.array_equal(p, before[n]) for n, p in experiment.model.params.items())
    experiment.calibrate()
    assert experiment.trainer.evaluate("test").ece == pytest.approx(calibrated)
    experiment.trainer.restore_best()
    assert experiment.trainer.evaluate("test").accuracy == pytest.approx(best)


def test_sampling_choices_are_exp_of_the_entropy_and_grow_with_the_temperature():
    config = TrainConfig(task="lm", hidden_size=8, epochs=1, patience=0, min_count=1)
    experiment = Experiment.build(config, load_data(["tiny"]))
    experiment.trainer.run(1)
    choices = [MEASURES["sampling_choices"][0](experiment, RunHistory(), t) for t in (0.3, 1, 3)]
    assert 1.0 <= choices[0] < choices[1] < choices[2] <= len(experiment.vocab)
    test = experiment.evaluation_sets["test"]
    p = probabilities(np.concatenate([z for z, _ in next_token_logits(experiment.model, test)]))
    entropy = -np.sum(p * np.log(p), axis=1).mean()
    assert choices[1] == pytest.approx(np.exp(entropy))
    ratio = MEASURES["perplexity_ratio"][0](experiment, RunHistory(), None)
    assert 0.0 < ratio < 1.5  # one epoch: about the unigram baseline
