"""A lesson, as read from its data file (rnnviz/lessons/NAME.json): what to read, what to do, which
panel to watch, the preset (dataset, settings, runs side by side, training budget) and the checks
of what should be observed.

    {"title": ..., "text": ..., "equation": ..., "watch": "gradients",
     "data": "recall:distance=20", "settings": {"cell": "vanilla", ...}, "epochs": 20,
     "runs": [{"label": "vanilla", "changes": {}}, ...],            (optional: one run)
     "steps": ["Press Train (Space).", ...], "sentence": "a sentence to type" (optional),
     "checks": [{"claim": ..., "measure": "gradient_ratio", "run": "vanilla", "at": 20,
                 "below": 0.1}, ...]}
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, RnnvizError
from ..json_reader import JsonError, read_json
from ..train.config import RUN_FIELDS, TrainConfig
from .measures import MEASURES

PANELS = ("loss", "gradients", "hidden", "prediction", "dynamics", "calibration")


class LessonError(RnnvizError):
    """A lesson file that cannot be used: its name and the reason."""


@dataclass(frozen=True)
class Check:
    claim: str  # what should be seen, in words
    measure: str  # a key of MEASURES
    run: str  # the label of the run it is measured on
    at: float | None = None  # the measure's parameter (words back, a temperature), if it takes one
    below: float | None = None
    above: float | None = None

    def holds(self, value: float) -> bool:
        """value < below and/or value > above (NaN never holds)."""
        low_ok = self.above is None or value > self.above
        high_ok = self.below is None or value < self.below
        return bool(low_ok and high_ok)

    @property
    def bound(self) -> str:
        parts = [f"> {self.above:g}" if self.above is not None else ""]
        parts.append(f"< {self.below:g}" if self.below is not None else "")
        return " and ".join(p for p in parts if p)


@dataclass(frozen=True)
class Run:
    label: str
    changes: dict[str, Any] = field(default_factory=dict)  # TrainConfig fields for this run


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    text: str
    equation: str
    watch: str  # the panel to highlight
    data: str  # a bundled dataset or a generated task
    settings: TrainConfig  # the shared settings (runs change them)
    runs: tuple[Run, ...]
    steps: tuple[str, ...]
    checks: tuple[Check, ...]
    sentence: str = ""  # typed into the prediction box when the lesson opens ("": left as it is)


def lessons_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "lessons"


def lesson_names() -> list[str]:
    """The shipped lessons, in their files' order (the names start with a number)."""
    return sorted(p.stem for p in lessons_dir().glob("*.json"))


def load(name: str) -> Lesson:
    """The lesson called `name` (a shipped one, or a path to a lesson file)."""
    path = Path(name) if name.endswith(".json") else lessons_dir() / f"{name}.json"
    if not path.is_file():
        raise LessonError(f"no lesson {name!r}; the lessons: {', '.join(lesson_names())}")
    try:
        raw = read_json(path.read_text(encoding="utf-8"))
        return _lesson(path.stem, raw)
    except (JsonError, ConfigError, KeyError, TypeError, ValueError) as error:
        raise LessonError(f"lesson {path.name}: {error}") from None


def _lesson(name: str, raw: dict) -> Lesson:
    settings = TrainConfig(**raw.get("settings", {}))
    runs = tuple(Run(r["label"], dict(r.get("changes", {}))) for r in raw.get("runs", [])) or (
        Run(settings.cell),
    )
    labels = {r.label for r in runs}
    for run in runs:
        unknown = set(run.changes) - set(RUN_FIELDS)
        if unknown:
            raise ValueError(f"run {run.label!r} changes {sorted(unknown)}, not a run setting")
        settings.updated(**run.changes)  # checked now, not when it trains
    checks = tuple(Check(**c) for c in raw["checks"])
    for check in checks:
        if check.measure not in MEASURES:
            raise ValueError(f"no measure {check.measure!r}; measures: {', '.join(MEASURES)}")
        if check.run not in labels:
            raise ValueError(f"check {check.claim!r} is on run {check.run!r}, not in {labels}")
        if check.below is None and check.above is None:
            raise ValueError(f"check {check.claim!r} has neither 'below' nor 'above'")
    watch = raw["watch"]
    if watch not in PANELS:
        raise ValueError(f"watch {watch!r} is not a panel ({', '.join(PANELS)})")
    return Lesson(
        name,
        raw["title"],
        raw["text"],
        raw.get("equation", ""),
        watch,
        raw["data"],
        settings,
        runs,
        tuple(raw["steps"]),
        checks,
        str(raw.get("sentence", "")),
    )
