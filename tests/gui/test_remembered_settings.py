"""Every remembered setting goes through its check: a value of the wrong type, out of range or that
the window cannot show is dropped with a note naming it, its default is used and the rest of its
record is kept. A text max_bytes reached the file reader and showed "'>' not supported between
instances of 'int' and 'str'"; a seed of 3,000,000,000 overflowed its spin box; a 400-digit hidden
size overflowed math.isfinite: the window did not open."""

import json
from dataclasses import fields, replace

import pytest
from PySide6.QtCore import QSettings

from rnnviz.core.data.datasets import DataSource
from rnnviz.core.data.importers import MAX_FILE_BYTES
from rnnviz.core.train.config import BY_FIELD, HYPERPARAMETERS, TrainConfig
from rnnviz.gui.main_window import MainWindow
from rnnviz.gui.settings_store import WindowSettings

NUMBERS = [h.field for h in HYPERPARAMETERS if h.choices is None]
BAD_NUMBERS = {
    "text": "abc",
    "a number as text": "12",
    "a list": [1, 2],
    "a record": {"a": 1},
    "null": None,
    "true": True,
    "NaN as text": "NaN",
    "negative": -1,
}
SHOWN_TOO_BIG = {"seed": 3_000_000_000, "patience": 2**31, "lr": 1e-9, "dropout": 0.995}


def stored(tmp_path, **values) -> tuple[WindowSettings, QSettings]:
    qsettings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    for key, value in values.items():
        qsettings.setValue(key, value)
    return WindowSettings(qsettings), qsettings


def default(name: str):
    return next(f.default for f in fields(TrainConfig) if f.name == name)


def test_every_number_of_the_config_is_checked():
    assert len(NUMBERS) == 19 and {
        "hidden_size",
        "lr",
        "seed",
        "memory_bias",
        "recurrent_radius",
    } <= set(NUMBERS)


@pytest.mark.parametrize("bad", list(BAD_NUMBERS))
@pytest.mark.parametrize("name", NUMBERS)
def test_a_bad_number_in_the_config_is_dropped_alone(tmp_path, name, bad):
    value = BAD_NUMBERS[bad]
    low = BY_FIELD[name].low
    if bad == "negative" and low is not None and low < 0:  # memory bias: below its range
        value = 10 * low - 1
    kept = "batch_size" if name != "batch_size" else "hidden_size"
    settings, _ = stored(tmp_path, config=json.dumps({name: value, kept: 24}))
    config = settings.config()
    assert getattr(config, name) == default(name) and getattr(config, kept) == 24
    assert len(settings.notes) == 1
    assert settings.notes[0].startswith(f"the remembered config {name} must be ")
    assert settings.notes[0].endswith(": the default is used")


@pytest.mark.parametrize("name", NUMBERS)
def test_a_400_digit_number_is_read_as_the_config_would(tmp_path, name):
    """Refused where the row has a limit or a spin box (math.isfinite overflowed on it), kept
    where the command line would take it too (epochs: a whole number, no limit)."""
    h = next(h for h in HYPERPARAMETERS if h.field == name)
    settings, _ = stored(tmp_path, config=json.dumps({name: 10**400}))
    config = settings.config()
    if h.high is None and h.group is None:
        assert getattr(config, name) == 10**400 and settings.notes == []
    else:
        assert getattr(config, name) == default(name) and len(settings.notes) == 1


@pytest.mark.parametrize("name", list(SHOWN_TOO_BIG))
def test_a_number_the_settings_form_cannot_show_is_dropped(tmp_path, name):
    """TrainConfig takes them (the command line may set them): the window's spin boxes cannot."""
    value = SHOWN_TOO_BIG[name]
    TrainConfig(**{name: value})  # a valid setting
    settings, _ = stored(tmp_path, config=json.dumps({name: value}))
    assert getattr(settings.config(), name) == default(name)
    assert settings.notes[0].startswith(f"the remembered config {name} must be from ")
    assert "in the window" in settings.notes[0]


@pytest.mark.parametrize("bad", list(BAD_NUMBERS) + ["zero", "above 4 GB", "400 digits"])
def test_a_bad_file_size_limit_keeps_the_dataset(tmp_path, bad):
    value = {"zero": 0, "above 4 GB": 2**40, "400 digits": 10**400}.get(bad, BAD_NUMBERS.get(bad))
    record = {"sources": ["tiny"], "fmt": "auto", "lenient": True, "max_bytes": value}
    settings, _ = stored(tmp_path, dataset=json.dumps(record))
    source = settings.dataset()
    assert source == DataSource(("tiny",), "auto", True, MAX_FILE_BYTES)
    assert len(settings.notes) == 1
    assert settings.notes[0].startswith("the remembered dataset max_bytes must be ")


@pytest.mark.parametrize(
    "field, value",
    [
        ("sources", []),
        ("sources", "tiny"),
        ("sources", [3]),
        ("fmt", "xml"),
        ("fmt", 3),
        ("lenient", "yes"),
        ("lenient", 1),
        ("test", "t.csv"),
        ("validation", [None]),
    ],
)
def test_a_bad_dataset_field_is_dropped(tmp_path, field, value):
    record = {"sources": ["tiny"], "test": ["t.tsv"], field: value}
    settings, _ = stored(tmp_path, dataset=json.dumps(record))
    source = settings.dataset()
    if field == "sources":  # nothing to reopen: the window opens its default dataset
        assert source is None
    else:  # the field's default, the rest as remembered
        default_value = getattr(DataSource(("tiny",)), field)
        assert source == replace(DataSource(("tiny",), test=("t.tsv",)), **{field: default_value})
    assert settings.notes[0].startswith(f"the remembered dataset {field} must be ")


def test_a_dataset_without_sources_is_dropped(tmp_path):
    settings, qsettings = stored(tmp_path, dataset=json.dumps({"fmt": "csv"}))
    assert settings.dataset() is None
    assert settings.notes == ["the remembered dataset was without its sources and is not used"]
    assert qsettings.value("dataset") is None


LOSS = {"log_scale": True, "smoothing": 0.5}


def panel_checks() -> dict:
    from rnnviz.gui.hidden_state_panel import HiddenStatePanel
    from rnnviz.gui.loss_panel import LossPanel

    return {"loss": LossPanel.remembered, "hidden": HiddenStatePanel.remembered}


@pytest.mark.parametrize("bad", list(BAD_NUMBERS) + ["one", "400 digits"])
def test_a_bad_smoothing_is_dropped_and_the_log_scale_kept(tmp_path, bad):
    value = {"one": 1, "400 digits": 10**400}.get(bad, BAD_NUMBERS.get(bad))
    panels = {"loss": {**LOSS, "smoothing": value}, "hidden": {"layer": "h"}}
    settings, _ = stored(tmp_path, panels=json.dumps(panels))
    states = settings.panel_states(panel_checks())
    assert states == {"loss": {"log_scale": True}, "hidden": {"layer": "h"}}
    assert len(settings.notes) == 1
    assert settings.notes[0].startswith("the remembered panels loss smoothing must be ")


@pytest.mark.parametrize("bad", ["much", "nan", "inf", "-0.5", "1.5"])
def test_an_older_files_bad_smoothing_is_dropped(tmp_path, bad):
    settings, _ = stored(tmp_path, smoothing=bad, log_scale="true")
    assert settings.panel_states(panel_checks()) == {"loss": {"log_scale": True}}
    assert settings.notes[0].startswith("the remembered panels loss smoothing must be ")


@pytest.mark.parametrize(
    "panels, note",
    [
        ('{"loss": 3}', "the remembered panels loss was not a record and is not used"),
        ('{"loss": {"log_scale": "yes"}}', "the remembered panels loss log_scale must be "),
        ('{"hidden": {"layer": 4}}', "the remembered panels hidden layer must be text"),
        ("[1]", "the remembered panels was not a record and is not used"),
    ],
)
def test_a_bad_panel_state_is_dropped(tmp_path, panels, note):
    settings, _ = stored(tmp_path, panels=panels)
    assert settings.panel_states(panel_checks()) in ({}, {"loss": {}}, {"hidden": {}})
    assert settings.notes[0].startswith(note)


@pytest.mark.parametrize(
    "line, what",
    [
        ("speed=light speed", "one of "),
        ("sentence=a, list", "text, got ['a', 'list']"),
        ("last_dir=a, b", "text, got ['a', 'b']"),
        ("geometry=abc", "a saved Qt state, got 'abc'"),
        ("layout=12", "a saved Qt state, got '12'"),
    ],
)
def test_a_bad_plain_value_in_the_file_is_dropped(tmp_path, line, what):
    """As a hand-edited INI file has them: text, and a list where a comma is unquoted."""
    path = tmp_path / "settings.ini"
    path.write_text(f"[General]\n{line}\n")
    qsettings = QSettings(str(path), QSettings.Format.IniFormat)
    settings, key = WindowSettings(qsettings), line.split("=")[0]
    read = settings.state if key in ("geometry", "layout") else settings.text
    assert read(key, *([("1 step/s",)] if key == "speed" else [])) is None
    assert qsettings.value(key) is None  # the next start has nothing to say
    assert len(settings.notes) == 1
    assert settings.notes[0].startswith(f"the remembered {key} must be {what}")
    assert settings.notes[0].endswith(": the default is used")


@pytest.mark.parametrize(
    "key, value, field",
    [
        ("dataset", {"sources": ["tiny"], "max_bytes": "abc"}, "max_bytes"),
        ("config", {"seed": 3_000_000_000, "hidden_size": 24}, "seed"),
        ("config", {"hidden_size": 10**400}, "hidden_size"),
        ("panels", {"loss": {"smoothing": "much", "log_scale": True}}, "smoothing"),
    ],
)
def test_the_window_opens_and_says_what_it_dropped(qtbot, tmp_path, monkeypatch, key, value, field):
    from rnnviz.gui.app import dispose

    errors = []
    monkeypatch.setattr("rnnviz.gui.messages.show_error", lambda _, __, text: errors.append(text))
    _, qsettings = stored(tmp_path, **{key: json.dumps(value)})
    window = MainWindow(settings=qsettings)
    try:
        if key == "dataset":  # reopened on the training thread, with the default size limit
            qtbot.waitUntil(lambda: window.overview.name == "tiny", timeout=10000)
            assert window.source == DataSource(("tiny",))
        message = window.statusBar().currentMessage()
        assert f"the remembered {key} " in message and f" {field} must be " in message
        assert errors == []
        if value.get("hidden_size") == 24:  # the rest of the record is kept
            assert window.controls.form.widgets["hidden_size"].value() == 24
        if key == "panels":
            assert window.panels["loss"].log_box.isChecked()
    finally:
        dispose(window)
