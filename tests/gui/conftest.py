import gc
import os
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import shiboken6  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow  # noqa: E402


def _active_timers() -> set[int]:
    return {
        id(o)
        for o in gc.get_objects()
        if issubclass(type(o), QTimer) and shiboken6.isValid(o) and o.isActive()
    }


def _windows() -> set[int]:
    return {id(w) for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow | QDialog)}


def alive() -> tuple[set, set[int], set[int]]:
    """What is alive now: threads, active QTimers, windows and dialogs."""
    return set(threading.enumerate()), _active_timers(), _windows()


def leftovers(before: tuple[set, set[int], set[int]], wait: float = 2.0) -> str | None:
    """What is alive now and was not `before` (after deferred deletes had up to `wait` seconds
    to run), described; None when nothing is left."""
    threads, timers, windows = before
    deadline = time.monotonic() + wait
    while True:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
        gc.collect()
        left_threads = [t.name for t in threading.enumerate() if t not in threads and t.is_alive()]
        left_timers = _active_timers() - timers
        left_windows = [
            type(w).__name__
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMainWindow | QDialog) and id(w) not in windows
        ]
        if not (left_threads or left_timers or left_windows):
            return None
        if time.monotonic() > deadline:
            return (
                f"threads {left_threads}, {len(left_timers)} active QTimer(s), "
                f"windows {left_windows}"
            )
        time.sleep(0.02)


@pytest.fixture(autouse=True)
def no_leftovers(qapp):
    """Fail a test that leaves a thread, an active QTimer or a window or dialog alive (as
    napari's fixtures do), naming what it left."""
    before = alive()
    yield
    left = leftovers(before)
    if left:
        pytest.fail(f"left behind: {left}")


@pytest.fixture
def window(qtbot, tmp_path):
    """The real main window with throw-away settings, on tiny with the classic settings (vanilla
    cell, no validation or early stopping): quick, and it trains as long as a test asks."""
    import json

    from rnnviz.core.train.config import TrainConfig
    from rnnviz.gui.app import dispose
    from rnnviz.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("config", json.dumps(TrainConfig.classic().to_dict()))
    win = MainWindow(settings=settings, dataset="tiny")
    win.show()
    win.runner.set_speed(None)
    yield win
    dispose(win)
