"""Remembered settings hold JSON that may be edited by hand or come from another version: what
the one JSON reader refuses is dropped with a note, never fatal, and never read half."""

import pytest
from PySide6.QtCore import QSettings

from rnnviz.core.train.config import TrainConfig
from rnnviz.gui.loss_panel import LossPanel
from rnnviz.gui.settings_store import WindowSettings

DEEP = 100_000
TEXTS = {
    "a 5,000-digit hidden size": '{"hidden_size": ' + "9" * 5000 + "}",
    "nested 100,000 deep": '{"hidden_size": ' + "[" * DEEP + "]" * DEEP + "}",
    "a NaN learning rate": '{"lr": NaN}',
    "an infinite learning rate": '{"lr": 1e999}',
    "a key given twice": '{"hidden_size": 8, "hidden_size": 4096}',
    "cut short": '{"hidden_size": 8',
}


@pytest.mark.parametrize("key", ["config", "dataset", "panels"])
@pytest.mark.parametrize("case", list(TEXTS))
def test_unreadable_remembered_json_is_dropped_with_a_note(case, key, tmp_path):
    qsettings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    qsettings.setValue(key, TEXTS[case])
    stored = WindowSettings(qsettings)
    read = {
        "config": stored.config,
        "dataset": stored.dataset,
        "panels": lambda: stored.panel_states({"loss": LossPanel.remembered}),
    }
    assert read[key]() in (TrainConfig(), None, {})
    assert stored.notes == [f"the remembered {key} was not readable and is not used"]
    assert qsettings.value(key) is None  # gone: the next start has nothing to say
