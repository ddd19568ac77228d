"""The window's files go through the one writer: a full disk leaves an older history, report or
model whole and says which file and why; links are written through."""

import pytest

from rnnviz.core.train import checkpoint

OLD = b"an older, good file\n"


@pytest.fixture
def shown(monkeypatch):
    errors = []
    monkeypatch.setattr(
        "rnnviz.gui.messages.show_error", lambda parent, title, text, *a: errors.append(text)
    )
    return errors


def run(window, steps: int) -> None:
    window.runner.call(lambda r: [r.trainer.step() for _ in range(steps)]).result(30)


def test_a_full_disk_keeps_the_older_history_and_says_so(qtbot, window, tmp_path, full_disk, shown):
    run(window, 5)
    qtbot.waitUntil(lambda: window.view is not None and window.view.status.step == 5)
    (tmp_path / "out").mkdir()
    history = tmp_path / "out" / "history.csv"
    history.write_bytes(OLD)
    full_disk(history.parent)
    window.export_history(str(history))
    assert shown == [f"cannot write {history}: No space left on device"]
    assert history.read_bytes() == OLD and list(history.parent.iterdir()) == [history]


def test_a_full_disk_keeps_the_older_report_and_says_so(qtbot, window, tmp_path, full_disk, shown):
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "loss.png").write_bytes(OLD)
    full_disk(folder)
    window.export_report(str(folder))
    assert len(shown) == 1 and shown[0].endswith(".png: No space left on device")
    assert (folder / "loss.png").read_bytes() == OLD
    assert [p.name for p in folder.iterdir() if ".rnnviz-tmp-" in p.name] == []


def test_the_history_and_the_model_are_written_through_links(qtbot, window, tmp_path, shown):
    run(window, 3)
    qtbot.waitUntil(lambda: window.view is not None and window.view.status.step == 3)
    for name in ("history.csv", "model.npz"):
        (tmp_path / f"real-{name}").write_bytes(OLD)
        (tmp_path / name).symlink_to(tmp_path / f"real-{name}")
    window.export_history(str(tmp_path / "history.csv"))
    window.save_model(str(tmp_path / "model.npz"))
    qtbot.waitUntil(lambda: "saved" in window.statusBar().currentMessage(), timeout=5000)
    assert (tmp_path / "real-history.csv").read_text().startswith("step,")
    assert checkpoint.load(tmp_path / "real-model.npz").summary["step"] == 3
    assert all((tmp_path / name).is_symlink() for name in ("history.csv", "model.npz"))
    assert shown == []
