"""Getting results out: the menu bar, the report folder, the history CSV, plots' own export."""

import csv
import json

from PySide6.QtWidgets import QMessageBox

from rnnviz.gui.report import plots_of


def train(window, steps: int) -> None:
    window.runner.call(lambda run: [run.trainer.step() for _ in range(steps)]).result(30)


def test_the_menu_bar_offers_files_views_and_help(qtbot, window):
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles == ["&File", "&Training", "&View", "&Runs", "&Help"]
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
