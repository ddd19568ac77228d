"""Reset: a new experiment built on the training thread (data loaded and encoded there), with a
progress dialog that can cancel it; the window shows it once it arrives."""

import threading
from collections.abc import Callable
from functools import partial

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..core.data.datasets import DataSource
from ..core.data.progress import LoadCancelledError, Progress
from ..core.train.experiment import Experiment, Overview
from ..core.train.history_file import Saved
from ..core.train.runner import TrainingRunner
from . import messages
from .replies import Replies

BUILD_DIALOG_AFTER_MS = 400  # a reset that takes longer shows its progress
MakeExperiment = Callable[[Progress], Experiment]


def rebuild(
    parent: QWidget,
    runner: TrainingRunner,
    replies: Replies,
    source: DataSource,
    make: MakeExperiment,
    shown: Callable[[Overview], None],
    on_cancel: Callable[[str], None],
    opened: Saved | None = None,
) -> None:
    """Post make(progress) to the runner (with the history file it goes on from, if any);
    shown(overview) once the new experiment is there (an error is shown in a box, a cancel passed
    to on_cancel with its message)."""
    cancel = threading.Event()
    dialog = QProgressDialog(f"Loading {', '.join(source.sources)}…", "Cancel", 0, 100, parent)
    dialog.setWindowTitle("Building the model")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(BUILD_DIALOG_AFTER_MS)  # quick builds never show it
    # a lambda, not the bound method cancel.set: PySide would watch `cancel` with a weakref
    # whose callback disconnects, and the last reference to `cancel` (in the progress
    # reporter) is dropped on the training thread: a disconnect there crashes Qt
    dialog.canceled.connect(lambda: cancel.set())
    dialog.setValue(0)
    state = {"reporting": 0, "finished": False}  # reports being shown (they nest), build over
    progress = Progress(replies.to(partial(_show, dialog, state)), cancel.is_set)

    def done(overview: Overview | None, error: BaseException | None) -> None:
        dialog.reset()
        state["finished"] = True
        if not state["reporting"]:  # else _show deletes it once every setValue has returned
            dialog.deleteLater()
        if isinstance(error, LoadCancelledError):
            on_cancel(str(error))
        elif error is not None:
            messages.show_error(parent, "Cannot reset", str(error))
        elif overview is not None:
            shown(overview)

    runner.reset(lambda: make(progress), on_done=replies.to(done), opened=opened)


def _show(dialog: QProgressDialog, state: dict, stage: str, share: float) -> None:
    """A progress report from the training thread, shown if the dialog is still there. A shown
    modal dialog's setValue processes events, the build's end among them: the dialog is deleted
    after setValue returns, never inside it (setValue read the deleted dialog: a crash), and a
    report that comes inside another's setValue is shown inside it: they are counted."""
    if state["finished"] or not shiboken6.isValid(dialog):
        return
    state["reporting"] += 1
    try:
        dialog.setLabelText(stage)
        dialog.setValue(round(100 * share))
    finally:
        state["reporting"] -= 1
    if state["finished"] and not state["reporting"]:
        dialog.deleteLater()
