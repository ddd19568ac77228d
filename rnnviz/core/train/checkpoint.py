"""Checkpoints: one .npz holding parameters, optimizer state and a JSON metadata record.

Loading never unpickles (allow_pickle=False): a file with a pickled object is refused, not run.
Saving writes a temporary file beside the target and renames it over, so a crash mid-save leaves
the previous checkpoint intact.
"""

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data.text import Vocabulary
from ..errors import CheckpointError
from ..nn.model import SequenceModel
from ..nn.registry import CELLS, LEGACY_CELL_NAMES, TASKS
from .config import TrainConfig

FORMAT = "rnnviz-checkpoint"
VERSION = 2  # 2 records the cell by registry name and the task; 1 (cell "rnn") still loads


@dataclass
class Checkpoint:
    model: SequenceModel
    vocab: Vocabulary
    classes: tuple[str, ...]
    config: TrainConfig
    summary: dict  # step, epoch, metrics at save time
    optimizer_state: dict[str, np.ndarray]


def save(path: str | Path, ckpt: Checkpoint) -> Path:
    """Write atomically; returns the path written."""
    path = Path(path)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "cell": ckpt.model.cell.name,
        "task": ckpt.model.head.name,
        "vocab": list(ckpt.vocab.tokens),
        "classes": list(ckpt.classes),
        "config": ckpt.config.to_dict(),
        "summary": ckpt.summary,
    }
    arrays = {f"param/{n}": p for n, p in ckpt.model.params.items()}
    arrays.update({f"optim/{k}": v for k, v in ckpt.optimizer_state.items()})
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    if path.is_symlink():  # write through a link to its target, never replace the link
        path = path.resolve()
    folder = path.resolve().parent
    if not folder.is_dir():
        raise CheckpointError(f"cannot save to {path}: folder {folder} does not exist")
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, _file_mode(path))
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise CheckpointError(f"cannot save to {path}: {error.strerror or error}") from None
    return path


def _file_mode(path: Path) -> int:
    """The permissions a file written with open() would get: the existing file's, else
    0o666 minus the umask (mkstemp's temporary file is 0o600 whatever the umask)."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def load(path: str | Path) -> Checkpoint:
    """Read and validate; any problem raises CheckpointError saying why."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no such checkpoint file: {path}")
    with path.open("rb") as head:
        magic = head.read(4)
    if magic == b"PK\x03\x04" or magic == b"PK\x05\x06":
        pass  # a zip archive, as .npz files are
    elif magic[:1] == b"\x80":
        raise CheckpointError(
            f"{path.name} is a Python pickle, not an .npz checkpoint; refused: "
            "loading it could run code"
        )
    else:
        raise CheckpointError(f"{path.name} is not a readable .npz file (truncated or corrupt)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except ValueError as error:
        if "pickle" in str(error).lower():
            raise CheckpointError(
                f"{path.name} holds pickled Python objects; refused: loading them could run code"
            ) from None
        raise CheckpointError(f"{path.name} is not a valid rnnviz checkpoint ({error})") from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as error:
        raise CheckpointError(
            f"{path.name} is not a readable .npz file (truncated or corrupt: {error})"
        ) from None
    meta = _metadata(path, arrays)
    try:
        cell, head = CELLS[meta["cell"]], TASKS[meta["task"]]
        names = (*cell.param_names, *head.param_names)
        model = SequenceModel(cell, head.name, {n: arrays[f"param/{n}"] for n in names})
        vocab = Vocabulary(meta["vocab"])
        classes = tuple(meta["classes"])
        config = TrainConfig.from_dict(meta["config"])
    except (KeyError, ValueError, TypeError) as error:
        raise CheckpointError(f"{path.name} is inconsistent: {error}") from None
    if model.vocab_size != len(vocab) or model.num_classes != len(classes):
        raise CheckpointError(
            f"{path.name} is inconsistent: {model.vocab_size} input columns for "
            f"{len(vocab)} vocabulary entries, "
            f"{model.num_classes} outputs for {len(classes)} classes"
        )
    if not all(np.isfinite(p).all() for p in model.params.values()):
        raise CheckpointError(f"{path.name} holds non-finite weights")
    optimizer_state = {k[len("optim/") :]: v for k, v in arrays.items() if k.startswith("optim/")}
    return Checkpoint(model, vocab, classes, config, meta.get("summary", {}), optimizer_state)


def _metadata(path: Path, arrays: dict[str, np.ndarray]) -> dict:
    raw = arrays.get("meta")
    if raw is None or raw.dtype != np.uint8:
        raise CheckpointError(f"{path.name} is not an rnnviz checkpoint (no metadata record)")
    try:
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointError(f"{path.name} has an unreadable metadata record") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{path.name} is not an rnnviz checkpoint")
    version = meta.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise CheckpointError(
            f"{path.name} has format version {version}; this rnnviz reads up to {VERSION}: "
            "upgrade rnnviz"
        )
    cell = meta.get("cell")
    meta["cell"] = LEGACY_CELL_NAMES.get(cell, cell) if isinstance(cell, str) else cell
    meta.setdefault("task", "classify")
    if not isinstance(meta["cell"], str) or meta["cell"] not in CELLS:
        raise CheckpointError(f"{path.name} holds an unknown cell type {meta['cell']!r}")
    if not isinstance(meta["task"], str) or meta["task"] not in TASKS:
        raise CheckpointError(f"{path.name} holds an unknown task {meta['task']!r}")
    return meta


def from_experiment(experiment) -> Checkpoint:
    """Everything needed to predict with, and to resume, a training run."""
    trainer = experiment.trainer
    return Checkpoint(
        trainer.model.copy(),
        experiment.vocab,
        experiment.classes,
        trainer.config,
        {
            "step": trainer.step_count,
            "epoch": trainer.epoch,
            "tokens": trainer.tokens_seen,
            "dataset": experiment.data.name,
        },
        trainer.optimizer.state_arrays(),
    )
