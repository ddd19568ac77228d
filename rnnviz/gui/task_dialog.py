"""Dataset → a memory task: its knobs in a form (the distance to remember, distractors, label
noise, how many sentences, the sentences' seed), so that a student sets the distance and sees the
vanishing gradient happen as it grows. The task is generated on load (core/data/tasks.py)."""

from dataclasses import fields

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.data.tasks import MAX_DISTANCE, MAX_SENTENCES, Task

# the dropdown's entries (short: the longest item sets the settings column's width) -> the task
TASK_ITEMS = {"recall task…": "recall", "echo task…": "echo"}
KNOBS = {  # knob -> (label, low, high, step, tooltip)
    "distance": (
        "distance N",
        1,
        MAX_DISTANCE,
        5,
        "filler words between the word to remember and the end (recall) or its echo (echo)",
    ),
    "distractors": (
        "distractors",
        0.0,
        0.9,
        0.05,
        "share of the filler replaced by words like "
        "the one to remember (sentiment words, or other names)",
    ),
    "noise": (
        "noise",
        0.0,
        0.45,
        0.05,
        "share of the sentences whose label (recall) or last word (echo) is wrong",
    ),
    "sentences": (
        "sentences",
        20,
        MAX_SENTENCES,
        500,
        "training sentences; the test part is a quarter as many",
    ),
    "seed": (
        "sentences' seed",
        0,
        2**31 - 1,
        1,
        "the seed the sentences are drawn with (the training seed is the Seed setting's)",
    ),
}
MIN_WIDTH = 380  # pixels: room for the explanation on two lines
ABOUT = {
    "recall": "A sentiment word, then N filler words; the label is the first word's polarity.",
    "echo": "A name, N filler words, the same name: train it with Task lm (a language model).",
}


class TaskDialog(QDialog):
    def __init__(self, parent: QWidget, task: Task):
        super().__init__(parent)
        self.setWindowTitle(f"The {task.name} task")
        self.name = task.name
        self.boxes: dict[str, QSpinBox | QDoubleSpinBox] = {}
        form = QFormLayout()
        for knob in (f.name for f in fields(Task) if f.name != "name"):
            label, low, high, step, tip = KNOBS[knob]
            box: QSpinBox | QDoubleSpinBox
            if isinstance(low, float):
                box = QDoubleSpinBox()
                box.setDecimals(2)
            else:
                box = QSpinBox()
            box.setRange(low, high)
            box.setSingleStep(step)
            box.setValue(getattr(task, knob))
            box.setToolTip(tip)
            form.addRow(label, box)
            self.boxes[knob] = box
        about = QLabel(ABOUT[task.name])
        about.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(MIN_WIDTH)

    def task(self) -> Task:
        """The task with the knobs as set (each box keeps to its knob's range)."""
        return Task(self.name, **{knob: box.value() for knob, box in self.boxes.items()})
