"""Checkpoints: one .npz holding parameters, optimizer state and a JSON metadata record.

Loading never unpickles (allow_pickle=False): a file with a pickled object is refused, not run.
Saving goes through files.writing, so a crash mid-save leaves the previous checkpoint intact.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from ..data.corpus import BOS, EOS
from ..data.text import Vocabulary
from ..errors import CheckpointError, ConfigError
from ..files import writing
from ..json_reader import JsonError, read_json
from ..nn.model import SequenceModel
from ..nn.registry import ALL_CELLS, LEGACY_CELL_NAMES, TASKS
from .calibration import TEMPERATURE_RANGE
from .config import CLASSIC_SETTINGS, TrainConfig
from .npz_reader import NpzReader
from .optim import OPTIMIZERS

FORMAT = "rnnviz-checkpoint"
VERSION = 3  # 3: every cell's weights named as PyTorch's (the vanilla cell's W_xh, b_h were
# renamed W_ih, b_ih); 2 records the cell by registry name and the task; 1 and 2 still load
LEGACY_PARAM_NAMES = {"W_xh": "W_ih", "b_h": "b_ih"}  # the vanilla cell's, up to version 2
MAX_META_BYTES = 64 << 20
HISTORY_PREFIX = "history/"  # a history file's members beyond the checkpoint's (history_file.py)


@dataclass
class Checkpoint:
    model: SequenceModel
    vocab: Vocabulary
    classes: tuple[str, ...]
    config: TrainConfig
    summary: dict  # step, epoch, tokens, dataset, temperature at save time; seconds trained
    # (absent when not known: a model loaded from a file without them, or an older file)
    optimizer_state: dict[str, np.ndarray]


def save(
    path: str | Path,
    ckpt: Checkpoint,
    history: tuple[dict, dict[str, np.ndarray]] | None = None,
) -> Path:
    """Write (files.writing: whole or not at all); returns the path written. `history`: a run's
    history (history_file.py) written beside the checkpoint, its record under meta's "history"
    and its arrays under history/."""
    path = Path(path)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "cell": ckpt.model.cell.name,
        "task": ckpt.model.task,
        "vocab": list(ckpt.vocab.tokens),
        "classes": list(ckpt.classes),
        "config": ckpt.config.to_dict(),
        "summary": ckpt.summary,
    }
    arrays = {f"param/{n}": p for n, p in ckpt.model.params.items()}
    arrays.update({f"optim/{k}": v for k, v in ckpt.optimizer_state.items()})
    if history is not None:
        meta["history"], history_arrays = history
        arrays.update({f"{HISTORY_PREFIX}{k}": v for k, v in history_arrays.items()})
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    with writing(path) as out:
        # numpy's stubs type savez's **kwds as its allow_pickle flag; they are arrays
        np.savez(out, **cast(dict[str, Any], arrays))
    return path


def load(path: str | Path) -> Checkpoint:
    """Read and validate every part against what the metadata implies before anything is used;
    any problem raises CheckpointError naming the file and the field."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"no such checkpoint file: {path}")
    if not path.is_file():
        raise CheckpointError(f"{path} is not a regular file")
    with path.open("rb") as stream:
        magic = stream.read(4)
    if magic[:1] == b"\x80":
        raise CheckpointError(
            f"{path.name} is a Python pickle, not an .npz checkpoint; refused: "
            "loading it could run code"
        )
    if magic not in (b"PK\x03\x04", b"PK\x05\x06"):  # .npz files are zip archives
        raise CheckpointError(f"{path.name} is not a readable .npz file (truncated or corrupt)")
    with NpzReader(path) as npz:
        meta = _metadata(npz)
        members = _members(npz, meta["version"])
        cell, head = ALL_CELLS[meta["cell"]], TASKS[meta["task"]]
        config, vocab, classes = meta["config"], meta["vocab"], meta["classes"]
        H = config.hidden_size
        if config.task != head.name:
            raise npz.refuse(f"config: task {config.task!r} but the model's head is {head.name!r}")
        outputs = len(vocab) if head.language_model else len(classes)
        specs = {**cell.param_specs(len(vocab), H), **head.param_specs(H, outputs)}
        dtype = np.dtype(config.dtype)
        slots = OPTIMIZERS[config.optimizer].slots
        optim_names = {"optim/steps"} | {f"optim/{n}/{s}" for n in specs for s in slots}
        unexpected = set(members) - {"meta"} - {f"param/{n}" for n in specs} - optim_names
        if meta["history"]:  # read and checked by history_file.load
            unexpected = {m for m in unexpected if not m.startswith(HISTORY_PREFIX)}
        if unexpected:
            raise npz.refuse(f"unexpected member {members[min(unexpected)]!r}: refused")
        params = {
            name: npz.read(members[f"param/{name}"], _exactly(shape, dtype))
            for name, (shape, _, _) in specs.items()
            if _present(npz, members, f"param/{name}")
        }
        optimizer_state = {}
        for name in sorted(optim_names & set(members)):
            key = name.removeprefix("optim/")
            if key == "steps":
                optimizer_state[key] = npz.read(members[name], a_count)
            else:
                shape = specs[key.split("/")[0]][0]
                optimizer_state[key] = npz.read(members[name], _exactly(shape, dtype))
    stored = {f"param/{n}": v for n, v in params.items()}
    stored.update({f"optim/{k}": v for k, v in optimizer_state.items()})
    for name, values in stored.items():
        if values.dtype.kind == "f" and not np.isfinite(values).all():
            raise CheckpointError(f"{path.name}: {name}: holds non-finite values")
    if optimizer_state and int(optimizer_state.get("steps", 0)) < 0:
        raise CheckpointError(f"{path.name}: optim/steps: must be >= 0")
    try:
        model = SequenceModel(cell, head, params)
    except ValueError as error:
        raise CheckpointError(f"{path.name} is inconsistent: {error}") from None
    model.temperature = meta["summary"]["temperature"]
    return Checkpoint(model, vocab, classes, config, meta["summary"], optimizer_state)


def _members(npz: NpzReader, version: int) -> dict[str, str]:
    """Array name as this version reads it -> the member holding it. Files of version 2 and
    before hold the vanilla cell's W_ih and b_ih under their old names W_xh and b_h
    (param/W_xh, optim/W_xh/m, ...)."""
    members: dict[str, str] = {}
    for stored in npz.names():
        kind, _, rest = stored.partition("/")
        name, slash, slot = rest.partition("/")
        if version < 3 and name in LEGACY_PARAM_NAMES:
            name = LEGACY_PARAM_NAMES[name]
        read_as = f"{kind}/{name}{slash}{slot}" if rest else stored
        if read_as in members:
            raise npz.refuse(f"{members[read_as]} and {stored} both hold {read_as}: refused")
        members[read_as] = stored
    return members


def _present(npz: NpzReader, members: dict[str, str], name: str) -> bool:
    if name not in members:
        raise npz.refuse(f"{name}: missing")
    return True


def _exactly(shape: tuple[int, ...], dtype: np.dtype):
    """A header check: this shape and this dtype, nothing else."""

    def check(found_shape, found_dtype) -> str | None:
        if tuple(found_shape) != tuple(shape):
            return (
                f"shape {tuple(found_shape)} is inconsistent with the metadata (expected {shape})"
            )
        if found_dtype != dtype:
            return f"dtype {found_dtype} is inconsistent with the metadata ({dtype})"
        return None

    return check


def a_count(shape, dtype) -> str | None:
    if shape != () or dtype.kind not in "iu":
        return f"expected a single integer, found shape {shape} of {dtype}"
    return None


def read_meta(npz: NpzReader) -> dict:
    """The JSON record as stored, once its format and version are known to be readable."""
    if "meta" not in npz.names():
        raise npz.refuse("not an rnnviz checkpoint (no metadata record)")

    def json_bytes(shape, dtype) -> str | None:
        if dtype != np.uint8 or len(shape) != 1 or shape[0] > MAX_META_BYTES:
            return "not a metadata record (expected UTF-8 JSON bytes)"
        return None

    try:
        meta = read_json(npz.read("meta", json_bytes).tobytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise npz.refuse("meta: unreadable metadata record (not UTF-8)") from None
    except JsonError as error:
        raise npz.refuse(f"meta: unreadable metadata record: {error}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise npz.refuse("not an rnnviz checkpoint")
    version = meta.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise npz.refuse(
            f"format version {version}; this rnnviz reads up to {VERSION}: upgrade rnnviz"
        )
    return meta


def _metadata(npz: NpzReader) -> dict:
    """The JSON record, every field checked and turned into the objects it describes."""
    meta = read_meta(npz)
    version = meta["version"]
    cell = meta.get("cell")
    cell = LEGACY_CELL_NAMES.get(cell, cell) if isinstance(cell, str) else cell
    task = meta.get("task", "classify")
    if not isinstance(cell, str) or cell not in ALL_CELLS:
        raise npz.refuse(f"cell: unknown cell type {cell!r}")
    if not isinstance(task, str) or task not in TASKS:
        raise npz.refuse(f"task: unknown task {task!r}")
    vocab, classes = meta.get("vocab"), meta.get("classes")
    if not isinstance(vocab, list) or not all(isinstance(t, str) for t in vocab):
        raise npz.refuse("vocab: expected a list of words")
    try:
        vocab = Vocabulary(vocab)
    except ValueError as error:
        raise npz.refuse(f"vocab: {error}") from None
    missing = [t for t in (BOS, EOS) if t not in vocab.index] if TASKS[task].language_model else []
    if missing:  # a language model reads from <s> and stops at </s>
        raise npz.refuse(f"vocab: a language model's vocabulary needs {' and '.join(missing)}")
    if (
        not isinstance(classes, list)
        or len(classes) < 2
        or not all(isinstance(c, str) for c in classes)
        or len(set(classes)) != len(classes)
    ):
        raise npz.refuse("classes: expected a list of at least two distinct names")
    if not isinstance(meta.get("config"), dict):
        raise npz.refuse("config: expected a record of settings")
    try:
        config = TrainConfig.from_dict({**CLASSIC_SETTINGS, **meta["config"], "cell": cell})
    except (ConfigError, TypeError) as error:
        raise npz.refuse(f"config: {error}") from None
    return {
        "version": version,
        "cell": cell,
        "task": task,
        "vocab": vocab,
        "classes": tuple(classes),
        "config": config,
        "summary": _summary(npz, meta.get("summary", {})),
        "history": "history" in meta,
    }


def _summary(npz: NpzReader, summary) -> dict:
    """step, epoch, tokens: whole numbers >= 0; dataset: text; seconds (optional): a number >= 0;
    temperature: a number within calibration's range (1.0 when absent)."""
    if not isinstance(summary, dict):
        raise npz.refuse("summary: expected a record")
    for key in ("step", "epoch", "tokens"):
        value = summary.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise npz.refuse(f"summary.{key}: expected a whole number >= 0, found {value!r}")
    if not isinstance(summary.get("dataset", ""), str):
        raise npz.refuse("summary.dataset: expected text")
    seconds = summary.get("seconds", 0.0)
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not 0 <= seconds < math.inf
    ):
        raise npz.refuse(f"summary.seconds: expected a number of seconds >= 0, found {seconds!r}")
    temperature = summary.get("temperature", 1.0)
    low, high = TEMPERATURE_RANGE
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        raise npz.refuse(f"summary.temperature: expected a number, found {temperature!r}")
    if not low <= temperature <= high:
        raise npz.refuse(f"summary.temperature: {temperature!r} is outside [{low}, {high}]")
    return {"step": 0, "epoch": 0, "tokens": 0, **summary, "temperature": float(temperature)}


def from_experiment(experiment) -> Checkpoint:
    """Everything needed to predict with, and to resume, a training run."""
    trainer = experiment.trainer
    summary = {
        "step": trainer.step_count,
        "epoch": trainer.epoch,
        "tokens": trainer.tokens_seen,
        "dataset": experiment.data.name,
        "temperature": trainer.model.temperature,
    }
    if trainer.clock_from == 0:  # the time since the model was built is known
        summary["seconds"] = trainer.trained_seconds
    return Checkpoint(
        trainer.model.copy(),
        experiment.vocab,
        experiment.classes,
        trainer.config,
        summary,
        trainer.optimizer.state_arrays(),
    )
