"""The curves over training in a history file (history_file.py): each decimated series as its
buckets' arrays, the rest (epoch ends, events, names) in the JSON record; read back with every
part checked, so that an opened history shows its loss, accuracy and gradient curves."""

from collections.abc import Callable
from typing import TypeGuard

import numpy as np

from ..history import DecimatingHistory
from .telemetry import EVAL_METRICS, Curves

MAX_CAPACITY = 1 << 16  # buckets a series may ask for (the window keeps 4,096)
STEPS = "steps"
EVALUATION = "eval/"  # + split
Reader = Callable[[str, np.dtype, int], np.ndarray]  # read(name, dtype, ndim)


def to_record(curves: Curves) -> tuple[dict, dict[str, np.ndarray]]:
    """(the JSON record, the arrays by name)."""
    series = dict(curves.evaluations)
    named = {f"{EVALUATION}{split}": h for split, h in series.items()}
    if curves.steps is not None:
        named[STEPS] = curves.steps
    record = {
        "series": {
            name: {"names": list(h.names), "capacity": h.capacity, "width": h.width}
            for name, h in named.items()
        },
        "param_names": list(curves.param_names),
        "epoch_marks": curves.epoch_marks,
        "epoch_stride": curves.epoch_stride,
        "epochs_seen": curves.epochs_seen,
        "events": [[step, text] for step, text in curves.events],
    }
    arrays = {f"{name}/{k}": v for name, h in named.items() for k, v in h.arrays().items()}
    return record, arrays


def from_record(record, read: Reader) -> Curves:
    """The curves `record` describes, their arrays read with read(); ValueError naming the part
    that does not fit."""
    if not isinstance(record, dict) or not isinstance(record.get("series"), dict):
        raise ValueError("expected a record of series")
    series = {name: _series(name, entry, read) for name, entry in record["series"].items()}
    steps = series.pop(STEPS, None)
    evaluations = {}
    for name, history in series.items():
        if not name.startswith(EVALUATION) or history.names != EVAL_METRICS:
            raise ValueError(f"{name}: not a series of evaluations")
        evaluations[name.removeprefix(EVALUATION)] = history
    marks, events = record.get("epoch_marks"), record.get("events")
    if not isinstance(marks, list) or not all(_whole(m) for m in marks):
        raise ValueError("epoch_marks: expected a list of steps")
    if not isinstance(events, list) or not all(
        isinstance(e, list) and len(e) == 2 and _whole(e[0]) and isinstance(e[1], str)
        for e in events
    ):
        raise ValueError("events: expected a list of [step, text]")
    names = record.get("param_names")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValueError("param_names: expected a list of names")
    stride, seen = record.get("epoch_stride"), record.get("epochs_seen")
    if not (_whole(stride) and stride >= 1 and _whole(seen)):
        raise ValueError("epoch_stride, epochs_seen: expected whole numbers")
    pairs = [(int(s), t) for s, t in events]
    return Curves(steps, tuple(names), evaluations, list(marks), stride, seen, pairs)


def _series(name: str, entry, read: Reader) -> DecimatingHistory:
    if not isinstance(entry, dict):
        raise ValueError(f"{name}: expected a record")
    names, capacity, width = entry.get("names"), entry.get("capacity"), entry.get("width")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ValueError(f"{name}.names: expected a list of metric names")
    if not (_whole(capacity) and 2 <= capacity <= MAX_CAPACITY and capacity % 2 == 0):
        raise ValueError(f"{name}.capacity: expected an even number up to {MAX_CAPACITY}")
    if not (_whole(width) and width >= 1):
        raise ValueError(f"{name}.width: expected a whole number >= 1")
    arrays = {k: read(f"{name}/{k}", np.dtype(np.int64), 1) for k in ("x", "count")}
    for k in ("sum", "min", "max"):
        arrays[k] = read(f"{name}/{k}", np.dtype(np.float64), 2)
    try:
        return DecimatingHistory.from_arrays(tuple(names), capacity, width, arrays)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
