import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402


@pytest.fixture
def window(qtbot, tmp_path):
    """The real main window with throw-away settings; fails the test if the training thread
    outlives it (as napari's fixtures do)."""
    from rnnviz.gui.app import dispose
    from rnnviz.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings)
    qtbot.addWidget(win, before_close_func=lambda w: w.shutdown())
    win.show()
    win.runner.set_speed(None)
    yield win
    dispose(win)
    leftover = [t.name for t in threading.enumerate() if t.name == "rnnviz-trainer"]
    assert not leftover, f"training thread left running: {leftover}"
