"""What the window remembers between sessions (QSettings), read back with care: a value that is
missing, of the wrong type or refused by the settings' checks is dropped with a note, never fatal
(the file may be from another version, or edited by hand)."""

import contextlib
import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from ..core.data.datasets import DataSource
from ..core.errors import RnnvizError
from ..core.json_reader import JsonError, read_json
from ..core.train.config import TrainConfig
from . import COLOUR_SCHEMES


class WindowSettings:
    def __init__(self, settings: QSettings):
        self.qsettings = settings
        self.notes: list[str] = []  # what was dropped, for the status bar

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

    def config(self) -> TrainConfig:
        values = self._json("config")
        if values is None:
            return TrainConfig()
        try:
            return TrainConfig.from_dict(values)
        except (RnnvizError, TypeError, AttributeError) as error:
            self._drop("config", f"refused ({error})")
            return TrainConfig()

    def dataset(self) -> DataSource | None:
        values = self._json("dataset")
        if values is None:
            return None
        try:
            return DataSource.from_dict(values)
        except (TypeError, ValueError, AttributeError):
            self._drop("dataset", "not readable")
            return None

    def text(self, key: str, allowed: tuple[str, ...] | None = None) -> str | None:
        value = self.qsettings.value(key)
        if value is None:
            return None
        if not isinstance(value, str) or (allowed is not None and value not in allowed):
            self._drop(key, f"not one of {', '.join(allowed)}" if allowed else "not text")
            return None
        return value

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
        value = self.qsettings.value(key)
        return value if isinstance(value, QByteArray) else None

    def panel_states(self) -> dict[str, dict]:
        """Each panel's state(); a file from before panels kept their own has the loss panel's
        log scale and smoothing under keys of their own."""
        states = self._json("panels")
        if states is None:
            log, smoothing = self.qsettings.value("log_scale"), self.qsettings.value("smoothing")
            legacy = {"log_scale": log in (True, "true")} if log is not None else {}
            with contextlib.suppress(TypeError, ValueError):  # unreadable: the default
                legacy.update({} if smoothing is None else {"smoothing": float(smoothing)})
            return {"loss": legacy} if legacy else {}
        return states if isinstance(states, dict) else {}

    def save(self, **values) -> None:
        """Plain values as they are, dicts and TrainConfig as JSON."""
        for key, value in values.items():
            if isinstance(value, TrainConfig):
                value = value.to_dict()
            if isinstance(value, dict):
                value = json.dumps(value)
            self.qsettings.setValue(key, value)
        self.qsettings.sync()
