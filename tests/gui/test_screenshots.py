"""The scripted scenes that make the README's and the notes' pictures."""

from PySide6.QtGui import QImage

from rnnviz.gui.screenshot import take_screenshot


def test_each_scene_saves_its_pictures(qtbot, tmp_path):
    shots = {}
    for scene in ("hover", "discard", "history"):
        shots[scene] = take_screenshot(
            str(tmp_path / f"{scene}.png"), "tiny", steps=40, size=(1200, 800), scene=scene
        )
    assert [p.name for p in shots["history"]] == ["history-linear.png", "history-log.png"]
    for paths in shots.values():
        for path in paths:
            image = QImage(str(path))
            assert image.width() > 300 and image.height() > 200
    assert len(shots["discard"]) == 1  # the question was there to grab (and was cancelled)
    report = take_screenshot(str(tmp_path / "report"), "tiny", steps=20, scene="report")
    names = {p.name for p in report}
    assert {"history.csv", "config.json"} <= names and any(n.endswith(".png") for n in names)
