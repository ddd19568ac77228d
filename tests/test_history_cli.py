"""`rnnviz train --history` and `--step` of the commands that read a model (issue 29): a history
file is the last step's checkpoint, any step of it is read back exactly, a resumed history goes
on, and a plain checkpoint or a step outside the history is a one-line error."""

import pytest

from rnnviz.cli import main
from rnnviz.core.train import history_file

from .test_cli import json_lines

SENTENCE = "it is not bad"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    argv = ["train", "--data", "tiny", "--classic", "--epochs", "6", "-q"]
    assert main([*argv, "--history", str(folder / "run.npz"), "--save", str(folder / "m.npz")]) == 0
    return folder


def predicted(capsys, *argv) -> dict:
    assert main(["predict", *argv, "--json", SENTENCE]) == 0
    (result,) = json_lines(capsys.readouterr().out)
    return result["probabilities"]


def test_any_step_of_the_history_is_read_back(run, capsys):
    history = str(run / "run.npz")
    kept = history_file.load(history).history
    last = kept.last_step
    assert kept.first_step == 0 and last > 0 and last % 6 == 0  # six epochs
    at_start = predicted(capsys, "--model", history, "--step", "0")
    assert at_start != predicted(capsys, "--model", history, "--step", str(last))
    assert predicted(capsys, "--model", history) == predicted(capsys, "--model", str(run / "m.npz"))
    raw = predicted(capsys, "--model", str(run / "m.npz"), "--uncalibrated")
    assert predicted(capsys, "--model", history, "--step", str(last)) == raw  # T = 1 at a step
    for command in (["explain", SENTENCE], ["units", "--data", "tiny", "--unit", "0"]):
        assert main([*command, "--model", history, "--step", "7", "--json"]) == 0
        assert json_lines(capsys.readouterr().out)


def test_a_resumed_history_goes_on(run, capsys):
    longer = str(run / "longer.npz")
    argv = ["train", "--data", "tiny", "--resume", str(run / "run.npz"), "--epochs", "8", "-q"]
    assert main([*argv, "--history", longer]) == 0
    saved = history_file.load(longer)
    kept = saved.history
    last = history_file.load(str(run / "run.npz")).history.last_step
    assert (kept.first_step, kept.last_step) == (0, last // 6 * 8)
    assert saved.curves.steps.total == kept.last_step  # the curves go on too
    assert len(saved.curves.epoch_marks) == 8
    for step in ("5", str(last)):
        before = predicted(capsys, "--model", str(run / "run.npz"), "--step", step)
        assert predicted(capsys, "--model", longer, "--step", step) == before


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--model", "m.npz", "--step", "3"], "m.npz: a checkpoint without a history"),
        (["--model", "run.npz", "--step", "999"], "step 999 is not in the history (steps 0 to "),
        (["--model", "run.npz", "--step", "-1"], "--step: must be from 0"),
    ],
)
def test_a_step_it_cannot_read_is_a_one_line_error(run, argv, message, capsys, monkeypatch):
    monkeypatch.chdir(run)
    try:
        status = main(["predict", *argv, SENTENCE])
    except SystemExit as exit:  # argparse's refusal
        status = exit.code
    assert status == 2
    assert message in capsys.readouterr().err


def test_the_history_may_not_overwrite_the_model(tmp_path, capsys):
    same = str(tmp_path / "x.npz")
    argv = ["train", "--data", "tiny", "--save", same, "--history", same, "-q"]
    assert main(argv) == 2
    assert "--history" in capsys.readouterr().err
