"""A lesson's live checks (core/lessons/live.py) on the window's training runner: pending first,
then after each epoch; at the lesson's end training pauses and the values are those run_lesson
gives for the same seed, the runs beside the window's own included."""

import json
import time

from rnnviz.core.data.datasets import load as load_data
from rnnviz.core.lessons.lesson import load
from rnnviz.core.lessons.live import LiveChecks
from rnnviz.core.lessons.run import run_lesson, side_runs, window_settings
from rnnviz.core.train.experiment import Experiment
from rnnviz.core.train.records import RunState
from rnnviz.core.train.runner import TrainingRunner
from rnnviz.core.train.telemetry import Telemetry

LESSON = {
    "title": "t",
    "text": "x",
    "watch": "gradients",
    "data": "recall:distance=4",
    "settings": {"hidden_size": 12, "epochs": 2, "validation_fraction": 0.0, "patience": 0},
    "runs": [
        {"label": "small", "changes": {"hidden_size": 6}},
        {"label": "gru", "changes": {"cell": "gru"}},
    ],
    "steps": ["press Train"],
    "checks": [
        {"claim": "a", "measure": "gradient_ratio", "run": "small", "at": 3, "below": 10},
        {"claim": "b", "measure": "test_accuracy", "run": "gru", "above": 0.0},
        {"claim": "c", "measure": "largest_gradient", "run": "gru", "below": 1e9},
    ],
}


def test_the_window_runs_are_the_lessons_runs(tmp_path):
    path = tmp_path / "runs.json"
    path.write_text(json.dumps(LESSON))
    lesson = load(str(path))
    assert window_settings(lesson).hidden_size == 6
    # the first run's change is undone beside it: gru has the lesson's own hidden size
    assert side_runs(lesson) == {"gru": {"hidden_size": 12, "cell": "gru"}}


def test_live_checks_end_with_the_headless_values_and_pause_training(tmp_path):
    path = tmp_path / "runs.json"
    path.write_text(json.dumps(LESSON))
    lesson = load(str(path))
    experiment = Experiment.build(window_settings(lesson), load_data([lesson.data]))
    runner = TrainingRunner(experiment, Telemetry())
    runner.start()
    try:
        runner.set_speed(None)
        for label, changes in side_runs(lesson).items():  # named as the lesson names them
            runner.add_run(changes, label=label).result(30)
        reports = []
        live = LiveChecks(lesson, reports.append)
        runner.watch(live)
        runner.train()
        deadline = time.monotonic() + 60
        while not (reports and reports[-1].done) and time.monotonic() < deadline:
            time.sleep(0.02)
        runner.call(lambda _: None).result(10)  # the pause has been applied
        status = runner.telemetry.status
        assert status.state == RunState.PAUSED and "2 epochs are done" in status.message
        assert status.epoch == 2
        assert [r.epoch for r in reports] == [0, 1, 2]
        assert reports[0].results == (None, None, None)  # pending
        headless = run_lesson(lesson, lesson.settings.seed)
        assert [r.value for r in reports[-1].results] == [r.value for r in headless]
        assert live.done
    finally:
        runner.stop()
