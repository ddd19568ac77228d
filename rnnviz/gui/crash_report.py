"""The window's crash reporter: a fault (a segmentation fault, an abort) writes every thread's
Python stack to crash.txt in the user's state folder (faulthandler); the next start keeps that
report as crash-previous.txt and says where, once. RNNVIZ_STATE_DIR names another folder (tests).
A process started with -X faulthandler (or PYTHONFAULTHANDLER) keeps writing to standard error."""

import faulthandler
import os
from pathlib import Path
from typing import TextIO

from PySide6.QtCore import QStandardPaths

from ..core.files import open_log

REPORT, PREVIOUS = "crash.txt", "crash-previous.txt"
_report: TextIO | None = None  # open for the process's lifetime: faulthandler writes to it


def state_dir() -> Path:
    """Where the window keeps what is not a setting (call once the QApplication is named)."""
    override = os.environ.get("RNNVIZ_STATE_DIR")
    location = QStandardPaths.StandardLocation.AppLocalDataLocation
    return Path(override or QStandardPaths.writableLocation(location))


def start() -> str | None:
    """Report faults from now on; returns what to tell the user: where the last run's report is
    if it ended in one, or why there is no reporter this time (None: nothing to tell)."""
    global _report
    if faulthandler.is_enabled():  # the user's own choice
        return None
    folder = state_dir()
    note = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        report = folder / REPORT
        if report.is_file() and report.stat().st_size:
            previous = report.replace(folder / PREVIOUS)
            note = f"rnnviz crashed last time: what it was doing is in {previous}"
        _report = open_log(report)
    except OSError as error:
        return f"no crash report this time: cannot write in {folder} ({error.strerror or error})"
    faulthandler.enable(_report, all_threads=True)
    return note
