"""A run's history on disk (issue 29): the checkpoint of the run's last step, whose .npz also
holds the history's copies, its live changes and the training sets its replays read. Every
command that reads a checkpoint reads a history file as the last step's model; load() and
model_at() read the rest. The checkpoint's rules hold: no pickles, every member's shape, dtype
and range checked against the record before it is used, written whole or not at all.

Members beyond the checkpoint's, under history/:
    train/{i}/ids (total,), train/{i}/lengths (N,), train/{i}/labels (N,): training set i
    {step}/param/{name}, {step}/optim/{param}/{slot}, {step}/optim/steps: a copy's arrays
    {step}/plan (indices,), {step}/plan_lengths (batches,): its epoch's batches
    {step}/flow/{h or c} (T,): the copied step's gradient flow back through time (if known)
    curves/{series}/x, count, sum, min, max: the curves over training (curves_file.py)
"""

from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from ..data.batching import EncodedSet
from ..data.corpus import NextTokenSet
from ..errors import CheckpointError, ConfigError
from . import curves_file
from .checkpoint import HISTORY_PREFIX, Checkpoint, a_count, read_meta
from .checkpoint import load as load_checkpoint
from .checkpoint import save as save_checkpoint
from .config import TrainConfig
from .history import Event, History, TrainerState, state_of
from .npz_reader import NpzReader
from .optim import OPTIMIZERS
from .telemetry import Curves
from .trainer import Trainer

FORMAT = "rnnviz-history"
VERSION = 1
SET_KINDS: dict[str, type[EncodedSet]] = {"classify": EncodedSet, "next-token": NextTokenSet}
EVENT_KINDS = ("apply", "lr_scale")
CURVES = "curves/"  # the curves' members, under history/


def blas_threads() -> int:
    """The BLAS threads this process computes with now (a replay uses as many)."""
    found = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    return min(found, default=1)


class Saved(NamedTuple):
    """What a history file holds."""

    checkpoint: Checkpoint  # the last step's
    history: History
    curves: Curves | None  # the curves over training, when they were recorded


def save(
    path: str | Path, ckpt: Checkpoint, history: History, curves: Curves | None = None
) -> Path:
    """The checkpoint with the history (and the curves over training) beside it; the recorded
    trainer's present is its last copy (whole or not at all: files.writing)."""
    states = dict(history.states)
    if history.trainer is not None:
        states[history.trainer.step_count] = state_of(history.trainer, pinned=True)
    sets: list[EncodedSet] = []
    arrays: dict[str, np.ndarray] = {}
    records = []
    for step in sorted(states):
        state = states[step]
        if not any(state.train_set is s for s in sets):
            sets.append(state.train_set)
        plan = state.plan or (np.empty(0, np.int64),)
        arrays |= {f"{step}/param/{n}": v for n, v in state.params.items()}
        arrays |= {f"{step}/optim/{k}": v for k, v in state.optimizer.items()}
        arrays[f"{step}/plan"] = np.concatenate(plan).astype(np.int64)
        arrays[f"{step}/plan_lengths"] = np.array([len(b) for b in state.plan], np.int64)
        arrays |= {f"{step}/flow/{n}": v.astype(np.float64) for n, v in state.flow.items()}
        records.append(
            {
                "step": step,
                "epoch": state.epoch,
                "config": state.config.to_dict(),
                "rng": state.rng,
                "position": state.position,
                "lr_scale": state.lr_scale,
                "pinned": state.pinned,
                "train_set": next(i for i, s in enumerate(sets) if s is state.train_set),
            }
        )
    for i, encoded in enumerate(sets):
        arrays[f"train/{i}/ids"] = np.concatenate(encoded.sequences).astype(np.int64)
        arrays[f"train/{i}/lengths"] = encoded_lengths(encoded)
        arrays[f"train/{i}/labels"] = np.asarray(encoded.labels, np.int64)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "first_step": history.first_step,
        "spacing": history.spacing,
        "per_level": history.per_level,
        "budget_bytes": history.budget_bytes,
        "blas_threads": history.blas_threads,
        "train_sets": [{"kind": _kind(s), "truncated": s.truncated} for s in sets],
        "states": records,
        "events": [{"after": e.after, "kind": e.kind, "value": e.value} for e in history.events],
    }
    if curves is not None:
        meta["curves"], curve_arrays = curves_file.to_record(curves)
        arrays |= {f"{CURVES}{k}": v for k, v in curve_arrays.items()}
    return save_checkpoint(path, ckpt, (meta, arrays))


def encoded_lengths(encoded: EncodedSet) -> np.ndarray:
    """(N,) the ids each stored sequence holds."""
    return np.fromiter((len(s) for s in encoded.sequences), np.int64, len(encoded))


def _kind(encoded: EncodedSet) -> str:
    return "next-token" if isinstance(encoded, NextTokenSet) else "classify"


def is_history(path: str | Path) -> bool:
    """Whether the checkpoint at `path` carries a history (CheckpointError if it is no
    checkpoint)."""
    with NpzReader(Path(path)) as npz:
        return "history" in read_meta(npz)


def load(path: str | Path) -> Saved:
    """The last step's checkpoint, the history and its curves, every part checked
    (CheckpointError naming the file and the member or field)."""
    path = Path(path)
    ckpt = load_checkpoint(path)
    with NpzReader(path) as npz:
        record = read_meta(npz).get("history")
        if record is None:
            raise npz.refuse("a checkpoint without a history (train with --history to keep one)")
        reader = _History(npz, ckpt, record)
        return Saved(ckpt, reader.read(), reader.curves())


class _History:
    """Reads and checks one history record and its members."""

    def __init__(self, npz: NpzReader, ckpt: Checkpoint, record):
        self.npz, self.ckpt = npz, ckpt
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            raise npz.refuse("history: not an rnnviz history record")
        if not isinstance(record.get("version"), int) or record["version"] > VERSION:
            raise npz.refuse(
                f"history: format version {record.get('version')!r}; this rnnviz reads up to "
                f"{VERSION}: upgrade rnnviz"
            )
        self.record = record
        self.members = set(npz.names())
        self.params = ckpt.model.params
        self.vocab_size = len(ckpt.vocab)

    def refuse(self, why: str) -> CheckpointError:
        return self.npz.refuse(f"history: {why}")

    def count(self, key: str, low: int = 0, record: dict | None = None) -> int:
        value = (self.record if record is None else record).get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.refuse(f"{key}: expected a whole number >= {low}, found {value!r}")
        return value

    def array(self, name: str, ndim: int, length: int | None = None) -> np.ndarray:
        """Integer array history/NAME of `ndim` dimensions (and `length` when given)."""
        member = f"{HISTORY_PREFIX}{name}"
        if member not in self.members:
            raise self.refuse(f"{member}: missing")

        def check(shape, dtype) -> str | None:
            if dtype != np.int64 or len(shape) != ndim:
                return f"expected {ndim}-D int64, found {shape} of {dtype}"
            if length is not None and shape[0] != length:
                return f"expected {length} entries, found {shape[0]}"
            return None

        return self.npz.read(member, check)

    def floats(self, name: str, like: np.ndarray) -> np.ndarray:
        member = f"{HISTORY_PREFIX}{name}"
        if member not in self.members:
            raise self.refuse(f"{member}: missing")

        def check(shape, dtype) -> str | None:
            if tuple(shape) != like.shape or dtype != like.dtype:
                return f"expected {like.shape} of {like.dtype}, found {tuple(shape)} of {dtype}"
            return None

        values = self.npz.read(member, check)
        if not np.isfinite(values).all():
            raise self.refuse(f"{member}: holds non-finite values")
        return values

    def read(self) -> History:
        sets = [self.train_set(i, entry) for i, entry in enumerate(self._list("train_sets"))]
        states = {}
        for entry in self._list("states"):
            state = self.state(entry, sets)
            if state.step in states:
                raise self.refuse(f"states: step {state.step} appears twice")
            states[state.step] = state
        if not states:
            raise self.refuse("states: none")
        first = self.count("first_step")
        if first not in states or not states[first].pinned or min(states) != first:
            raise self.refuse(f"first_step: {first} is not the first copy kept")
        last = max(states)
        if last != self.ckpt.summary["step"]:
            raise self.refuse(
                f"the last copy is of step {last}, the model of step {self.ckpt.summary['step']}"
            )
        history = History(
            budget_bytes=self.count("budget_bytes"),
            spacing=self.count("spacing", 1),
            per_level=self.count("per_level", 1),
            states=states,
            events=[self.event(e, first, last) for e in self._list("events")],
            model=self.ckpt.model.copy(),
            blas_threads=self.count("blas_threads", 1),
        )
        history._first = first
        return history

    def curves(self) -> Curves | None:
        if "curves" not in self.record:
            return None

        def read(name: str, dtype: np.dtype, ndim: int) -> np.ndarray:
            member = f"{HISTORY_PREFIX}{CURVES}{name}"
            if member not in self.members:
                raise self.refuse(f"{member}: missing")

            def check(shape, found) -> str | None:
                if found != dtype or len(shape) != ndim:
                    return f"expected {ndim}-D {dtype}, found {shape} of {found}"
                return None

            return self.npz.read(member, check)

        try:
            return curves_file.from_record(self.record["curves"], read)
        except ValueError as error:
            raise self.refuse(f"curves: {error}") from None

    def _list(self, key: str) -> list:
        value = self.record.get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.refuse(f"{key}: expected a list of records")
        return value

    def train_set(self, i: int, entry: dict) -> EncodedSet:
        kind = entry.get("kind")
        if kind not in SET_KINDS:
            raise self.refuse(f"train_sets[{i}].kind: unknown kind {kind!r}")
        lengths = self.array(f"train/{i}/lengths", 1)
        shortest = 2 if kind == "next-token" else 1
        if len(lengths) == 0 or lengths.min() < shortest:
            raise self.refuse(f"train/{i}/lengths: every sequence needs {shortest}+ ids")
        ids = self.array(f"train/{i}/ids", 1, int(lengths.sum()))
        if ids.size and not (ids.min() >= 0 and ids.max() < self.vocab_size):
            raise self.refuse(f"train/{i}/ids: outside the vocabulary of {self.vocab_size}")
        labels = self.array(f"train/{i}/labels", 1, len(lengths))
        classes = len(self.ckpt.classes) if kind == "classify" else 1
        if labels.size and not (labels.min() >= 0 and labels.max() < classes):
            raise self.refuse(f"train/{i}/labels: outside the {classes} classes")
        sequences = np.split(ids, np.cumsum(lengths)[:-1])
        return SET_KINDS[kind](sequences, labels, self.count("truncated", record=entry))

    def state(self, entry: dict, sets: list[EncodedSet]) -> TrainerState:
        step = self.count("step", record=entry)
        where = f"states[step {step}]"
        settings = entry.get("config")
        try:
            if not isinstance(settings, dict):
                raise TypeError("not a record of settings")
            config = TrainConfig.from_dict(settings)
        except (ConfigError, TypeError) as error:
            raise self.refuse(f"{where}.config: {error}") from None
        if (
            config.cell != self.ckpt.config.cell
            or config.hidden_size != self.ckpt.config.hidden_size
        ):
            raise self.refuse(f"{where}.config: another cell or size than the model's")
        params = {n: self.floats(f"{step}/param/{n}", p) for n, p in self.params.items()}
        slots = OPTIMIZERS[config.optimizer].slots  # (made at a parameter's first gradient)
        stored = f"{HISTORY_PREFIX}{step}/optim/"
        known = {f"{n}/{s}" for n in self.params for s in slots} | {"steps"}
        optimizer = {}
        for key in sorted(m.removeprefix(stored) for m in self.members if m.startswith(stored)):
            if key not in known:
                raise self.refuse(f"{stored}{key}: not a slot of {config.optimizer}")
            if key == "steps":
                optimizer[key] = self.npz.read(f"{stored}{key}", a_count)
            else:
                optimizer[key] = self.floats(f"{step}/optim/{key}", self.params[key.split("/")[0]])
        index = self.count("train_set", record=entry)
        if index >= len(sets):
            raise self.refuse(f"{where}.train_set: {index} is not a stored training set")
        lengths = self.array(f"{step}/plan_lengths", 1)
        indices = self.array(f"{step}/plan", 1, int(lengths.sum()))
        if indices.size and not (indices.min() >= 0 and indices.max() < len(sets[index])):
            raise self.refuse(f"{step}/plan: indices outside its training set")
        plan = tuple(np.split(indices, np.cumsum(lengths)[:-1])) if len(lengths) else ()
        position = self.count("position", record=entry)
        if position > len(plan):
            raise self.refuse(f"{where}.position: {position} is past its plan's {len(plan)}")
        rng = entry.get("rng")
        try:
            if not isinstance(rng, dict):
                raise TypeError("not a record")
            np.random.Generator(np.random.PCG64()).bit_generator.state = rng
        except (TypeError, ValueError, KeyError) as error:
            raise self.refuse(f"{where}.rng: not a PCG64 state ({error})") from None
        lr_scale = entry.get("lr_scale")
        if not isinstance(lr_scale, int | float) or not 0 < lr_scale <= 1e6:
            raise self.refuse(f"{where}.lr_scale: expected a positive number")
        if not isinstance(entry.get("pinned"), bool):
            raise self.refuse(f"{where}.pinned: expected true or false")
        epoch = self.count("epoch", record=entry)
        flow = self.flow(step, config)
        return TrainerState(
            step,
            epoch,
            config,
            params,
            optimizer,
            rng,
            plan,
            position,
            float(lr_scale),
            entry["pinned"],
            sets[index],
            flow,
        )

    def flow(self, step: int, config: TrainConfig) -> dict[str, np.ndarray]:
        """The copy's gradient flow: h's (and an LSTM's c's) norms by distance, if stored."""
        stored = f"{HISTORY_PREFIX}{step}/flow/"
        names = {"h", "c"} if config.cell == "lstm" else {"h"}

        def check(shape, dtype) -> str | None:
            if dtype != np.float64 or len(shape) != 1:
                return f"expected 1-D float64, found {tuple(shape)} of {dtype}"
            return None

        flow = {}
        for name in sorted(m.removeprefix(stored) for m in self.members if m.startswith(stored)):
            if name not in names:
                raise self.refuse(f"{stored}{name}: not a gradient flow of a {config.cell} cell")
            norms = self.npz.read(f"{stored}{name}", check)
            if (norms[np.isfinite(norms)] < 0).any():
                raise self.refuse(f"{stored}{name}: expected norms of at least 0")
            flow[name] = norms
        if not all(np.isfinite(v).all() for v in flow.values()):
            return {}  # a halted step's (files of before the check): unknown, not refused
        return flow

    def event(self, entry: dict, first: int, last: int) -> Event:
        after, kind, value = (
            self.count("after", record=entry),
            entry.get("kind"),
            entry.get("value"),
        )
        if not first <= after <= last or kind not in EVENT_KINDS:
            raise self.refuse(f"events: {kind!r} after step {after} is not a recorded change")
        if kind == "apply":
            try:
                if not isinstance(value, dict):
                    raise TypeError("not a record of settings")
                self.ckpt.config.updated(**value)
            except (ConfigError, TypeError) as error:
                raise self.refuse(f"events: the change after step {after}: {error}") from None
        elif not isinstance(value, int | float) or not 0 < value <= 1e6:
            raise self.refuse(f"events: the factor after step {after}: {value!r}")
        return Event(after, kind, value)


def model_at(ckpt: Checkpoint, history: History, step: int) -> Checkpoint:
    """The checkpoint of the model after `step`, replayed on the run's BLAS threads (the
    temperature fitted at the run's end does not apply to it: 1)."""
    return replayed_at(ckpt, history, step)[0]


def replayed_at(ckpt: Checkpoint, history: History, step: int) -> tuple[Checkpoint, Trainer]:
    """model_at's checkpoint, and the replay it came from (its .last: the step's result)."""
    with threadpool_limits(limits=history.blas_threads):
        replay = history.trainer_at(step)
    replay.model.temperature = 1.0
    summary = {
        "step": step,
        "epoch": replay.epoch,
        "dataset": ckpt.summary.get("dataset", ""),
        "temperature": 1.0,
    }
    past = replace(
        ckpt,
        model=replay.model,
        config=replay.config,
        summary=summary,
        optimizer_state=replay.optimizer.state_arrays(),
    )
    return past, replay
