import gc
import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import shiboken6  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QThread, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow  # noqa: E402

from ..conftest import describe, leaked_threads, leftovers, recorded, recording_starts  # noqa: E402


def _qt_objects(kind: type) -> list:
    """The QTimers or QThreads a test started that Qt has not deleted."""
    return [o for o in recorded(kind) if shiboken6.isValid(o)]


def _windows() -> list:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow | QDialog)]


def alive() -> tuple[set, set[int], set[int], set[int]]:
    """What is alive now: threads, active QTimers, running QThreads, windows and dialogs."""
    return (
        set(threading.enumerate()),
        {id(t) for t in _qt_objects(QTimer) if t.isActive()},
        {id(t) for t in _qt_objects(QThread) if t.isRunning()},
        {id(w) for w in _windows()},
    )


def left_since(before: tuple[set, set[int], set[int], set[int]]) -> list[str]:
    """What is alive now and was not `before`: each thread, QTimer and QThread with where it
    was started, each window or dialog by its class."""
    threads, timers, qthreads, windows = before
    left = leaked_threads(threads)
    left += [
        describe("active QTimer", t, f"(interval {t.interval()} ms)")
        for t in _qt_objects(QTimer)
        if t.isActive() and id(t) not in timers
    ]
    left += [
        describe("QThread", t, repr(t.objectName()))
        for t in _qt_objects(QThread)
        if t.isRunning() and id(t) not in qthreads
    ]
    left += [f"window {type(w).__name__}" for w in _windows() if id(w) not in windows]
    return left


def settle() -> None:
    """Let what is ending end: deferred deletes, queued events, garbage."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    gc.collect()


@pytest.fixture(autouse=True)
def no_leftovers(qapp):
    """Fail a test that leaves a thread, an active QTimer, a running QThread or a window or
    dialog alive (as napari's fixtures do), naming what it left and where each thread, timer
    or QThread was started. (Overrides tests/conftest.py's, which sees only threads.)"""
    before = alive()
    with recording_starts((threading.Thread, "start"), (QTimer, "start"), (QThread, "start")):
        yield
        left = leftovers(lambda: left_since(before), settle=settle)
    if left:
        pytest.fail(f"left behind:\n{left}", pytrace=False)


def open_window(tmp_path, config, size: tuple[int, int] | None = None):
    """The real main window on tiny with `config` and throw-away settings, shown (at `size`,
    if given), training at full speed when told to; disposed of after the test."""
    import json

    from rnnviz.gui.app import dispose
    from rnnviz.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("config", json.dumps(config.to_dict()))
    win = MainWindow(settings=settings, dataset="tiny")
    if size is not None:
        win.resize(*size)
    win.show()
    win.runner.set_speed(None)
    yield win
    dispose(win)


@pytest.fixture
def window(qtbot, tmp_path):
    """The classic settings (vanilla cell, no validation or early stopping): quick, and it trains
    as long as a test asks; wide, so that every panel is on screen, none behind a tab."""
    from rnnviz.core.train.config import TrainConfig

    yield from open_window(tmp_path, TrainConfig.classic(), (1600, 1000))


@pytest.fixture
def lm_window(qtbot, tmp_path):
    """A small language model's window (no validation, no early stopping)."""
    from rnnviz.core.train.config import TrainConfig

    config = TrainConfig(task="lm", hidden_size=24, patience=0, validation_fraction=0.0)
    yield from open_window(tmp_path, config)
