"""Getting results out: the menu bar, the report folder, the history CSV, plots' own export."""

import csv
import json

import pytest
from PySide6.QtWidgets import QMessageBox

from rnnviz.gui.report import plots_of


def train(window, steps: int) -> None:
    window.runner.call(lambda run: [run.trainer.step() for _ in range(steps)]).result(30)


def test_the_menu_bar_offers_files_views_and_help(qtbot, window):
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles == ["&File", "&Training", "&View", "&Runs", "&Lessons", "&Help"]
    assert {"open", "save", "load", "history", "report", "quit", "log", "about"} <= set(
        window.actions
    )
    window.actions["log"].trigger()
    assert window.panels["loss"].log_box.isChecked()
    window.actions["panel:calibration"].trigger()
    assert not window.panels["calibration"].isVisibleTo(window)
    window.actions["equations"].trigger()
    boxes = [w for w in window.findChildren(QMessageBox) if w.isVisible()]
    assert any("h_t = tanh(" in box.text() for box in boxes)
    for box in boxes:
        box.close()


def test_a_report_holds_every_panel_its_curves_the_history_and_the_settings(
    qtbot, window, tmp_path
):
    train(window, 30)
    qtbot.waitUntil(lambda: window.view is not None and window.view.status.step == 30)
    window.redraw_all()
    window.export_report(str(tmp_path / "report"))
    folder = tmp_path / "report"
    assert "report:" in window.statusBar().currentMessage()
    for key in window.panels:
        assert (folder / f"{key}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with (folder / "loss-loss-cross-entropy.csv").open() as curves:
        header = next(csv.reader(curves))
    assert any("train" in name for name in header)
    rows = list(csv.reader((folder / "history.csv").open()))
    assert rows[0][:3] == ["step", "epoch", "loss"] and len(rows) == 31
    assert json.loads((folder / "config.json").read_text())["cell"] == "vanilla"


@pytest.mark.parametrize("hidden", ["closed", "behind"])
def test_a_report_draws_the_panels_that_are_not_on_screen(qtbot, window, tmp_path, hidden):
    """Issue 25: with another tab in front, the calibration figure said it would appear at the
    first evaluation and its CSV held only the diagonal."""
    train(window, 30)
    window.runner.record_insight().result(10)
    qtbot.waitUntil(lambda: window.view is not None and window.view.status.step == 30)
    layout = window.panel_layout
    for key in ("gradients", "calibration", "dynamics"):
        window.scheduler.stale.add(key)
        if hidden == "closed":
            layout.docks[key].close()
    if hidden == "behind":
        window.tabifyDockWidget(layout.docks["loss"], layout.docks["gradients"])
        window.tabifyDockWidget(layout.docks["hidden"], layout.docks["calibration"])
        window.tabifyDockWidget(layout.docks["hidden"], layout.docks["dynamics"])
        window.show_tab("loss")
        window.show_tab("hidden")
        qtbot.waitUntil(lambda: window.panel_shown("loss") and window.panel_shown("hidden"))
    assert not any(window.panel_shown(k) for k in ("gradients", "calibration", "dynamics"))
    window.export_report(str(tmp_path / "report"))
    folder = tmp_path / "report"
    for key in ("gradients", "calibration", "dynamics"):
        assert (folder / f"{key}.png").stat().st_size > 5000
        for path in folder.glob(f"{key}-*.csv"):
            rows = list(csv.reader(path.open()))
            assert len(rows) > 1 and all(":" in name for name in rows[0]), path.name
    rows = list(csv.reader((folder / "calibration-calibration-reliability.csv").open()))
    assert any(name.startswith("accuracy in bin") for name in rows[0])  # bars, not the diagonal
    assert all(path.name.isascii() for path in folder.iterdir())
    history = list(csv.reader((folder / "history.csv").open()))
    assert history[1][:2] == ["1", "0"]  # step and epoch as whole numbers
    qtbot.waitUntil(
        lambda: not any(window.panel_shown(k) for k in ("gradients", "calibration", "dynamics"))
    )


def test_plots_offer_their_export_on_right_click(window):
    plots = plots_of(window.panels["loss"])
    assert set(plots) >= {"Loss (cross-entropy)", "Accuracy"}
    for plot in plots.values():
        assert plot.vb.menuEnabled()


def test_an_unwritable_report_folder_is_one_message(window, monkeypatch):
    shown = []
    monkeypatch.setattr(
        "rnnviz.gui.messages.show_error", lambda parent, title, text, *a: shown.append(text)
    )
    window.export_report("/proc/rnnviz-report")
    assert shown and "rnnviz-report" in shown[0]
