"""The window sizes its defaults for the data as `rnnviz train` does (config.sized_for): on a
first start on tiny (80 sentences) no validation part of 6 sentences to stop by, but the
tutorial's budget; on larger data those settings go back to the defaults, and a setting the user
chose stays. (It opened tiny with the defaults and stopped early at 0.70.)"""

import pytest
from PySide6.QtCore import QSettings

from rnnviz.core.data.datasets import DataSource
from rnnviz.core.train.config import SMALL_DATA_SETTINGS, TrainConfig


@pytest.fixture
def first_start(qtbot, tmp_path):
    from rnnviz.gui.app import dispose
    from rnnviz.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, dataset="tiny")  # nothing remembered
    window.show()
    yield window
    dispose(window)


def shown_settings(window, names) -> dict:
    """The live settings (epochs is not on the form: the window trains until paused)."""
    return {name: getattr(window.config, name) for name in names}


def reopened(qtbot, window, name: str) -> None:
    window.reset(DataSource((name,)))
    qtbot.waitUntil(lambda: window.overview.name == name, timeout=20_000)


def test_a_first_start_on_tiny_trains_as_the_tutorial_and_larger_data_gets_the_defaults(
    qtbot, first_start
):
    window = first_start
    names = list(SMALL_DATA_SETTINGS)
    assert shown_settings(window, names) == SMALL_DATA_SETTINGS
    assert window.overview.train_size == 60  # no validation part taken from it
    assert "fewer than 200, so the small-data defaults" in window.statusBar().currentMessage()
    reopened(qtbot, window, "negation")
    default = TrainConfig()
    assert shown_settings(window, names) == {name: getattr(default, name) for name in names}
    reopened(qtbot, window, "tiny")
    assert shown_settings(window, names) == SMALL_DATA_SETTINGS


def test_a_setting_the_user_chose_stays_on_other_data(qtbot, first_start):
    window = first_start
    window.controls.form.widgets["batch_size"].setValue(32)
    reopened(qtbot, window, "negation")
    shown = shown_settings(window, ["batch_size", "epochs", "validation_fraction"])
    assert shown == {"batch_size": 32, "epochs": TrainConfig().epochs, "validation_fraction": 0.1}


def test_a_reset_on_the_same_data_keeps_the_settings_shown(qtbot, first_start):
    window = first_start
    window.controls.form.widgets["batch_size"].setValue(16)
    window.unsaved.mark_kept()
    window.reset()
    qtbot.waitUntil(lambda: window.config.batch_size == 16, timeout=10_000)
    assert window.config.epochs == SMALL_DATA_SETTINGS["epochs"]
