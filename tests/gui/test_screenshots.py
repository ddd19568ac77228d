"""The scripted scenes that make the README's and the notes' pictures."""

import pytest
from PySide6.QtGui import QImage

from rnnviz.cli import main
from rnnviz.gui.screenshot import take_screenshot

LESSON = "3-vanishing-gradients"


@pytest.mark.slow
def test_each_scene_saves_its_pictures(qtbot, tmp_path):
    shots = {}
    for scene in ("hover", "discard", "history", "state-space"):
        shots[scene] = take_screenshot(
            str(tmp_path / f"{scene}.png"), "tiny", steps=40, size=(1200, 800), scene=scene
        )
    assert [p.name for p in shots["history"]] == ["history-linear.png", "history-log.png"]
    assert [p.name for p in shots["state-space"]] == ["state-space.png", "state-space-panel.png"]
    for paths in shots.values():
        for path in paths:
            image = QImage(str(path))
            assert image.width() > 300 and image.height() > 200
    assert len(shots["discard"]) == 1  # the question was there to grab (and was cancelled)
    report = take_screenshot(str(tmp_path / "report"), "tiny", steps=20, scene="report")
    names = {p.name for p in report}
    assert {"history.csv", "config.json"} <= names and any(n.endswith(".png") for n in names)


def test_a_picture_with_runs_beside_the_windows_own(qtbot, tmp_path):
    """--run cell=lstm: the scripted window adds the run as Runs > Add does (a text handed to the
    window's add_run hung the README's runs picture on an error box)."""
    (path,) = take_screenshot(
        str(tmp_path / "runs.png"), "tiny", steps=10, size=(1000, 700), runs=("cell=lstm",)
    )
    assert QImage(str(path)).width() >= 1000  # (the window cannot yet shrink below ~1,190 px)


@pytest.mark.slow
def test_the_lesson_scene_trains_the_lesson_until_its_checks_are_measured(qtbot, tmp_path):
    (path,) = take_screenshot(
        str(tmp_path / "lesson.png"), size=(1366, 768), scene="lesson", lesson=LESSON
    )
    assert QImage(str(path)).size().toTuple() == (1366, 768)


def test_the_lesson_scene_and_its_lesson_go_together(tmp_path, capsys):
    out = str(tmp_path / "x.png")
    assert main(["screenshot", "--scene", "lesson", "--out", out]) == 2
    assert main(["screenshot", "--lesson", LESSON, "--out", out]) == 2
    assert "--scene lesson and --lesson NAME go together" in capsys.readouterr().err
