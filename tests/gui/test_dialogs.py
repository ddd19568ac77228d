"""The window's questions and file dialogs (issue 25, item 5): training waits while a question
about the model is open, file dialogs start where the user was, a report folder may be a new one,
and the dataset dialog shows what it will open before it opens it."""

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox

from rnnviz.core.train import checkpoint
from rnnviz.gui.dataset_dialog import DatasetDialog
from rnnviz.gui.folder_dialog import NewFolderDialog

Button = QMessageBox.StandardButton


def steps_in(question: str) -> int:
    return int(re.search(r"trained ([\d,]+) steps", question).group(1).replace(",", ""))


def test_the_question_pauses_training_and_the_file_saved_is_what_it_said(
    qtbot, window, monkeypatch, tmp_path
):
    """The question said 3,448 steps while training went on; the file saved had 3,736."""
    path = tmp_path / "kept.npz"
    monkeypatch.setattr(
        "rnnviz.gui.file_choice.QFileDialog.getSaveFileName", lambda *a, **k: (str(path), "")
    )
    asked = []

    def answer(box):  # the user reads while the pause takes effect, then answers
        qtbot.waitUntil(lambda: window.telemetry.status.state == "paused")
        qtbot.waitUntil(lambda: steps_in(box.text()) == window.telemetry.status.step)
        asked.append(box.text())
        return Button.Save

    monkeypatch.setattr("rnnviz.gui.unsaved.QMessageBox.exec", answer)
    window.runner.set_speed(200.0)
    window.runner.train()
    qtbot.waitUntil(lambda: window.telemetry.status.step > 10, timeout=15000)
    window.confirm_reset()
    qtbot.waitUntil(lambda: path.exists() and window.telemetry.status.step == 0, timeout=15000)
    assert checkpoint.load(path).summary["step"] == steps_in(asked[0])


def test_after_cancel_training_goes_on(qtbot, window, monkeypatch):
    states = []

    def answer(box):
        qtbot.waitUntil(lambda: window.telemetry.status.state == "paused")
        states.append(window.telemetry.status.state)
        return Button.Cancel

    monkeypatch.setattr("rnnviz.gui.unsaved.QMessageBox.exec", answer)
    window.runner.set_speed(200.0)
    window.runner.train()
    qtbot.waitUntil(lambda: window.telemetry.status.step > 5, timeout=15000)
    window.choose_dataset("negation")
    assert states == ["paused"]
    qtbot.waitUntil(lambda: window.telemetry.status.state == "training")
    assert window.overview.name == "tiny"  # cancelled: nothing replaced
    window.runner.pause()
    qtbot.waitUntil(lambda: window.telemetry.status.state == "paused")
    window.unsaved.mark_kept()


def test_file_dialogs_start_in_the_folder_used_last_else_the_working_folder(
    qtbot, window, monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)
    starts = []
    chosen = tmp_path / "models" / "m.npz"
    chosen.parent.mkdir()

    def save_dialog(parent, title, start, *filters):
        starts.append(start)
        return str(chosen), ""

    def open_dialog(parent, title, start, *filters):
        starts.append(start)
        return "", ""  # cancelled

    monkeypatch.setattr("rnnviz.gui.file_choice.QFileDialog.getSaveFileName", save_dialog)
    monkeypatch.setattr("rnnviz.gui.file_choice.QFileDialog.getOpenFileName", open_dialog)
    monkeypatch.setattr(
        "rnnviz.gui.model_files.choose_folder", lambda p, t, start: starts.append(start) or ""
    )
    window.save_model()
    qtbot.waitUntil(lambda: chosen.exists(), timeout=10000)
    window.load_model()
    window.export_report()
    assert starts == [str(tmp_path / "model.npz"), str(chosen.parent), str(chosen.parent)]


def test_a_report_folder_may_be_a_new_one(qtbot, tmp_path, monkeypatch):
    """Typing a folder that does not exist yet was answered "Directory not found"."""
    shown = []
    monkeypatch.setattr(
        "rnnviz.gui.messages.show_error", lambda parent, title, text, *a: shown.append(text)
    )
    dialog = NewFolderDialog(None, "Export report into", str(tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    name = dialog.findChild(QLineEdit, "fileNameEdit")  # Qt's own dialog: its name box
    name.setText("reports")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted and (tmp_path / "reports").is_dir()
    assert Path(dialog.selectedFiles()[0]) == tmp_path / "reports"

    refused = NewFolderDialog(None, "Export report into", "/proc")
    qtbot.addWidget(refused)
    refused.show()
    refused.findChild(QLineEdit, "fileNameEdit").setText("rnnviz-report")
    refused.accept()
    assert shown and "/proc/rnnviz-report" in shown[0] and refused.isVisible()
    refused.reject()


def test_the_dataset_dialog_previews_a_typed_path_and_enter_opens_what_it_shows(qtbot, tmp_path):
    """Typing a path showed no preview, and Enter opened the file before its preview appeared."""
    data = tmp_path / "mine.tsv"
    data.write_text("good fun\tpos\nbad mess\tneg\n" * 5)
    dialog = DatasetDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.paths, str(data))
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 10)  # no Enter, no focus change
    assert "negative: 5, positive: 5" in dialog.summary.text()

    typed = DatasetDialog()
    qtbot.addWidget(typed)
    typed.show()
    qtbot.keyClicks(typed.paths, str(data))
    qtbot.keyClick(typed.paths, Qt.Key.Key_Return)  # before the typing pause: preview first
    assert typed.isVisible() and typed.table.rowCount() == 10
    qtbot.keyClick(typed.paths, Qt.Key.Key_Return)  # the preview on screen: open it
    assert typed.result() == typed.DialogCode.Accepted and typed.source.sources == (str(data),)
