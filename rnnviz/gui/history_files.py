"""File → Save history and Open history (issue 29): the window's run written as a history file
(the format of `rnnviz train --history`: the last step's checkpoint with every step replayable
and the curves over training beside it), and one read back: its curves are drawn, the timeline
scrubs all its steps at once, and training goes on from its last step, history continued."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from ..core.errors import RnnvizError
from ..core.train import history_file
from ..core.train.experiment import Overview
from ..core.words import plural
from . import messages
from .file_choice import file_to_read, file_to_write
from .model_files import go_on_from, matching_classes

HISTORY_FILTER = "rnnviz history (*.npz);;All files (*)"


def save_history(window, path: str | None = None) -> None:
    """Let the training thread write the model and its history to `path` (asked for if None)."""
    path = file_to_write(window, "Save history", "run.npz", HISTORY_FILTER, path)
    if path is None:
        return
    history = window.runner.history
    first = history.first_step if history is not None else 0

    def saved(result, error: BaseException | None) -> None:
        if error is not None:
            messages.show_error(window, "Cannot save the history", str(error))
            return
        written, step = result
        window.unsaved.mark_kept(step)
        size = Path(written).stat().st_size / 2**20
        window.statusBar().showMessage(
            f"saved {written}: the model at step {step:,} and every step since {first:,} "
            f"({size:,.1f} MB)",
            8000,
        )

    window.runner.save(path, on_done=window.replies.to(saved), history=True)


def open_history(window, path: str | None = None) -> bool:
    """Read a history file (refused with the reason if it is bad): its last step's model goes
    on from there on the open dataset, and the timeline spans every step it holds."""
    path = file_to_read(window, "Open history", HISTORY_FILTER, path)
    if path is None:
        return False
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a large one takes a second
    try:
        opened = history_file.load(path)
        ckpt, history = opened.checkpoint, opened.history
        matching_classes(ckpt, window.overview)
    except RnnvizError as error:
        QGuiApplication.restoreOverrideCursor()
        messages.show_error(window, "Cannot open the history", str(error))
        return False
    QGuiApplication.restoreOverrideCursor()

    def said(overview: Overview) -> None:
        window.statusBar().showMessage(
            f"opened {Path(path).name}: steps {history.first_step:,} to {history.last_step:,} "
            f"({plural(len(history.states), 'copy', 'copies')}); drag the timeline to look "
            "back, or train on from the last step",
            15000,
        )

    go_on_from(window, ckpt, "Opening a history", said, opened)
    return True
