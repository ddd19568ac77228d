"""What the window remembers between sessions (QSettings), read back with care: every value goes
through its check (remembered.py), and one that is missing, of the wrong type or refused is dropped
with a note and the default used, never fatal (the file may be from another version, or edited by
hand). A record's refused field is dropped alone; the window writes every setting anew on close."""

import contextlib
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from ..core.data.datasets import DataSource
from ..core.json_reader import JsonError, read_json
from ..core.train.config import TrainConfig
from . import COLOUR_SCHEMES, remembered
from .remembered import Check


class WindowSettings:
    def __init__(self, settings: QSettings):
        self.qsettings = settings
        self.notes: list[str] = []  # what was dropped, for the status bar

    def _value(self, key: str, check: Check) -> Any:
        """The value under `key` if `check` passes it (else dropped with a note), or None."""
        value = self.qsettings.value(key)
        if value is None:
            return None
        problem = check(value)
        if problem:
            self._refuse(key, problem)
            self.qsettings.remove(key)
            return None
        return value

    def _json(self, key: str):
        raw = self.qsettings.value(key)
        if raw is None:
            return None
        try:
            return read_json(raw)
        except (TypeError, JsonError):  # TypeError: not text at all
            self._drop(key, "not readable")
            return None

    def _drop(self, key: str, why: str) -> None:
        self.notes.append(f"the remembered {key} was {why} and is not used")
        self.qsettings.remove(key)

    def _refuse(self, where: str, problem: str) -> None:
        self.notes.append(f"the remembered {where} {problem}: the default is used")

    def _fields(self, where: str, values: Any, checks: dict[str, Check]) -> dict:
        """The fields of record `values` that pass their checks; each refused one is noted (its
        default is used), one without a check ignored (a newer version's)."""
        if not isinstance(values, dict):
            self.notes.append(f"the remembered {where} was not a record and is not used")
            return {}
        kept = {}
        for name, value in values.items():
            if name not in checks:
                continue
            problem = checks[name](value)
            if problem:
                self._refuse(f"{where} {name}", problem)
            else:
                kept[name] = value
        return kept

    def _record(self, key: str, checks: dict[str, Check]) -> dict | None:
        """The JSON record under `key`, field by field (None: none, or unreadable)."""
        values = self._json(key)
        return None if values is None else self._fields(key, values, checks)

    def config(self) -> TrainConfig:
        return TrainConfig.from_dict(self._record("config", remembered.CONFIG) or {})

    def dataset(self) -> DataSource | None:
        values = self._record("dataset", remembered.DATA_SOURCE)
        if not values:
            return None
        if "sources" not in values:
            self._drop("dataset", "without its sources")
            return None
        return DataSource.from_dict(values)

    def text(self, key: str, allowed: tuple[str, ...] | None = None) -> str | None:
        return self._value(
            key, remembered.string if allowed is None else remembered.one_of(allowed)
        )

    def flag(self, key: str) -> bool:
        """A remembered yes (saved as True); missing or anything else is no."""
        return self.qsettings.value(key) in (True, "true")

    def colour_scheme(self) -> str:
        return self.text("colour_scheme", COLOUR_SCHEMES) or "system"

    def last_dir(self) -> str:
        """The folder of the last file chosen (else the working folder)."""
        folder = self.text("last_dir")
        return folder if folder and Path(folder).is_dir() else str(Path.cwd())

    def remember_dir(self, path: str | Path) -> None:
        path = Path(path)
        self.qsettings.setValue("last_dir", str(path if path.is_dir() else path.parent))

    def state(self, key: str) -> QByteArray | None:
        """A saved Qt state (geometry, splitter)."""
        return self._value(
            key,
            lambda value: (
                None
                if isinstance(value, QByteArray)
                else f"must be a saved Qt state, got {value!r}"
            ),
        )

    def panel_states(self, checks: dict[str, dict[str, Check]]) -> dict[str, dict]:
        """Each panel's state() by its key, through the panel's `checks`; a file from before
        panels kept their own has the loss panel's log scale and smoothing under keys of their
        own."""
        states = self._json("panels")
        if states is None:
            states = self._legacy_panel_states()
        elif not isinstance(states, dict):
            self._drop("panels", "not a record")
            return {}
        return {
            key: self._fields(f"panels {key}", state, checks[key])
            for key, state in states.items()
            if key in checks
        }

    def _legacy_panel_states(self) -> dict[str, dict]:
        log, smoothing = self.qsettings.value("log_scale"), self.qsettings.value("smoothing")
        legacy = {"log_scale": log in (True, "true")} if log is not None else {}
        if smoothing is not None:
            with contextlib.suppress(TypeError, ValueError):  # INI text; else refused as it is
                smoothing = float(smoothing)
            legacy["smoothing"] = smoothing
        return {"loss": legacy} if legacy else {}

    def save(self, **values) -> None:
        """Plain values as they are, dicts and TrainConfig as JSON."""
        for key, value in values.items():
            if isinstance(value, TrainConfig):
                value = value.to_dict()
            if isinstance(value, dict):
                value = json.dumps(value)
            self.qsettings.setValue(key, value)
        self.qsettings.sync()
