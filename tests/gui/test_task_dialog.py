"""Dataset → a memory task: its knobs in a form, the task generated with them; Cancel keeps the
data shown; opened again, the form starts from the task on screen."""

from PySide6.QtWidgets import QDialog

from rnnviz.core.data.datasets import DataSource
from rnnviz.gui.task_dialog import TASK_ITEMS, TaskDialog

RECALL = next(item for item, name in TASK_ITEMS.items() if name == "recall")


def test_the_knobs_set_open_the_task_and_the_form_starts_from_it_again(qtbot, window, monkeypatch):
    seen = []

    def answer(dialog):
        seen.append({knob: box.value() for knob, box in dialog.boxes.items()})
        dialog.boxes["distance"].setValue(7)
        dialog.boxes["distractors"].setValue(0.1)
        dialog.boxes["sentences"].setValue(200)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(TaskDialog, "exec", answer)
    window.unsaved.mark_kept()
    assert window.controls.dataset.findText(RECALL) >= 0  # offered in the dataset choice
    window.choose_dataset(RECALL)
    spec = "recall:distance=7,distractors=0.1,sentences=200"
    qtbot.waitUntil(lambda: window.overview.name == spec, timeout=20_000)
    assert window.source == DataSource((spec,)) and window.overview.train_size == 200
    window.unsaved.mark_kept()
    window.choose_dataset(RECALL)  # again: from the task on screen
    assert seen[0]["distance"] == 20 and seen[1]["distance"] == 7
    assert seen[1]["distractors"] == 0.1


def test_cancel_keeps_the_data_shown(qtbot, window, monkeypatch):
    monkeypatch.setattr(TaskDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    window.choose_dataset(RECALL)
    assert window.source == DataSource(("tiny",))
    assert window.controls.dataset.currentText() == "tiny"
