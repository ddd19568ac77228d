"""Labelled sentence datasets: loading (bundled names or user files), class names, splits."""

import difflib
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...resources import resource_dir
from ..errors import DatasetError
from .importers import MAX_FILE_BYTES, Example, ReadReport, clean_label, read_path
from .progress import Progress

_CANONICAL = {"0": 0, "neg": 0, "negative": 0, "1": 1, "pos": 1, "positive": 1}
BINARY_CLASSES = ("negative", "positive")
DEFAULT_DATASET = "negation"  # what the window opens with: order matters in it, and it is big
# enough for the default validation split and early stopping to mean something


@dataclass
class Dataset:
    """Sentences with integer labels. `parts` holds "train", "test" or "validation" per example
    when the source says (its own split, --test or --validation files), else None."""

    name: str
    texts: list[str]
    labels: np.ndarray  # (N,) int class ids
    classes: tuple[str, ...]
    parts: list[str | None]
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def has_split(self) -> bool:
        """Does the data bring its own test part?"""
        return "test" in self.parts

    def subset(self, indices: Sequence[int] | np.ndarray, suffix: str) -> "Dataset":
        idx = np.asarray(indices, dtype=np.intp)
        return Dataset(
            f"{self.name} ({suffix})",
            [self.texts[i] for i in idx],
            self.labels[idx],
            self.classes,
            [self.parts[i] for i in idx],
        )

    def class_counts(self) -> np.ndarray:
        """(C,) number of examples per class."""
        return np.bincount(self.labels, minlength=len(self.classes))


@dataclass(frozen=True)
class DataSource:
    """Where a dataset comes from and how to read it: what the window keeps, so that loading
    (which may take a while) happens on the training thread."""

    sources: tuple[str, ...]
    fmt: str = "auto"
    lenient: bool = False
    max_bytes: int = MAX_FILE_BYTES
    test: tuple[str, ...] = ()
    validation: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, values: dict) -> "DataSource":
        """Inverse of dataclasses.asdict (lists back to tuples); TypeError for anything else."""
        if not isinstance(values, dict):
            raise TypeError("not a data source record")
        paths = ("sources", "test", "validation")
        fields: dict[str, Any] = {k: tuple(v) if k in paths else v for k, v in values.items()}
        return cls(**fields)

    def load(self, progress: Progress | None = None, preview_lines: int | None = None):
        return load(
            self.sources,
            self.fmt,
            self.lenient,
            self.max_bytes,
            test=self.test,
            validation=self.validation,
            preview_lines=preview_lines,
            progress=progress,
        )


def bundled_names() -> list[str]:
    """Datasets shipped in data/: each a folder holding train.tsv and test.tsv."""
    root = resource_dir("data")
    return sorted(p.name for p in root.iterdir() if (p / "train.tsv").is_file())


def class_names(raw_labels: Sequence[str]) -> tuple[tuple[str, ...], dict[str, int]]:
    """Class names and raw label -> id. Names are the labels without invisible (format)
    characters; 0/1, neg/pos, negative/positive (any case) are the two classes negative,
    positive; any other label set keeps its names, sorted."""
    shown = _visible_labels(set(raw_labels))
    distinct = set(shown.values())
    if all(label.lower() in _CANONICAL for label in distinct):
        return BINARY_CLASSES, {raw: _CANONICAL[label.lower()] for raw, label in shown.items()}
    names = tuple(sorted(distinct))
    index = {label: i for i, label in enumerate(names)}
    return names, {raw: index[label] for raw, label in shown.items()}


def _visible_labels(labels: set[str]) -> dict[str, str]:
    """Label -> the label without format characters (a stray zero-width joiner or bidi mark);
    DatasetError when two labels differ only by those: merging them could join two classes,
    keeping both would show two classes under one name."""
    shown: dict[str, str] = {}
    by_shown: dict[str, str] = {}
    for label in sorted(labels):
        visible = shown[label] = clean_label(label, keep_format=False)
        twin = by_shown.setdefault(visible, label)
        if twin != label:
            hidden = sorted({ch for ch in twin + label if ch not in visible})
            names = ", ".join(
                f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".strip() for ch in hidden
            )
            raise DatasetError(
                f"the labels {twin!r} and {label!r} differ only by invisible characters "
                f"({names}): make them the same label or visibly different ones"
            )
    return shown


def resolve(source: str, notes: list[str] | None = None) -> Path:
    """The path itself when it exists, else a bundled dataset's folder for a bare name, else the
    path (reading it then says it is missing; a bare name that is neither is answered with the
    bundled names, the closest first). A local file that shares a bundled name wins, and
    `notes` is told so."""
    path = Path(source).expanduser()
    bare_name = "/" not in source and "\\" not in source and not path.suffix
    if bare_name and source not in bundled_names() and not path.exists():
        close = difflib.get_close_matches(source, bundled_names(), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise DatasetError(
            f"no such file or folder: {source} ({hint}bundled datasets: "
            f"{', '.join(bundled_names())})"
        )
    if source in bundled_names():
        if not path.exists():
            return resource_dir("data") / source
        if notes is not None:
            notes.append(f"read the local {path}, not the bundled dataset {source!r}")
    return path


def load(
    sources: Sequence[str],
    fmt: str = "auto",
    lenient: bool = False,
    max_bytes: int = MAX_FILE_BYTES,
    *,
    test: Sequence[str] = (),
    validation: Sequence[str] = (),
    preview_lines: int | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """One dataset from one or more bundled names, files or folders (all read with `fmt`); no
    file may be larger than max_bytes. `test` and `validation` sources are those parts, and then
    `sources` are training data only. preview_lines: only the start of each file."""
    if not sources:
        raise DatasetError("no dataset given")
    from . import tasks  # generated tasks (tasks.py builds Datasets: imported here, not above)

    if any(tasks.is_task(s) for s in sources):
        if len(sources) > 1 or test or validation:
            raise DatasetError(
                "a generated task brings its own test part: give it alone, without other "
                "--data, --test or --validation"
            )
        return tasks.generate(tasks.parse(sources[0]))
    report = ReadReport(
        max_bytes=max_bytes, preview_lines=preview_lines, progress=progress or Progress()
    )
    paths = [resolve(s, report.notes) for s in sources]
    examples = _read_all(paths, fmt, lenient, report)
    parts = [e.part for e in examples]
    if any(parts) and not all(parts):
        parts = [None] * len(parts)  # a mix of split and unsplit sources: split it all anew
        report.notes.append("sources mix their own train/test split with unsplit data: re-split")
    name = " + ".join(path.name for path in paths)
    if not test and not validation and not any(parts):
        _warn_of_pooled_pair(paths, report.notes)
    for part, given in (("test", test), ("validation", validation)):
        if not given:
            continue
        if part in parts:
            raise DatasetError(f"{name} has a {part} part of its own: drop --{part} or --data it")
        if part == "test":
            parts = ["train" if p is None else p for p in parts]
        held = [resolve(s, report.notes) for s in given]
        _warn_of_reread(held, part, paths, report.notes)
        extra = _read_all(held, fmt, lenient, report)
        examples += extra
        parts += [part] * len(extra)
    if not examples:
        raise DatasetError(f"{name}: no labelled examples found")
    try:
        classes, ids = class_names([e.label for e in examples])
    except DatasetError as error:  # labels that differ only by invisible characters
        raise DatasetError(f"{name}: {error}") from None
    labels = np.array([ids[e.label] for e in examples], dtype=np.int64)
    present = np.unique(labels)
    if len(present) < 2 and fmt != "text":  # a document for a language model has one
        only = classes[present[0]]
        raise DatasetError(f"{name}: every example has the class {only!r}; need two classes")
    return Dataset(name, [e.text for e in examples], labels, classes, parts, report.notes)


def _read_all(paths: list[Path], fmt: str, lenient: bool, report: ReadReport) -> list[Example]:
    examples: list[Example] = []
    for path in _with_polarity_partners(paths, fmt):
        try:
            examples.extend(read_path(path, fmt, lenient, report))
        except OSError as error:  # a folder or file inside that cannot be read (permissions)
            where = error.filename or path
            raise DatasetError(f"cannot read {where}: {error.strerror or error}") from None
    return examples


def _warn_of_reread(held: list[Path], part: str, data: list[Path], notes: list[str]) -> None:
    """A --test or --validation source that is also a --data one: its sentences are trained on,
    so its figures are not held out. Said, not refused (a quick check of the code path)."""
    for path in held:
        same = next((d for d in data if _same_file(path, d)), None)
        if same is not None:
            notes.append(
                f"--{part} {path} is also --data {same}: its sentences are trained on, so the "
                f"{part} figures do not measure held-out data"
            )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them is missing: reading it says so
        return False


_PART_WORDS = {"train": "train", "training": "train", "test": "test", "dev": "validation"}
_PART_WORDS |= {"valid": "validation", "validation": "validation", "val": "validation"}


def _warn_of_pooled_pair(paths: list[Path], notes: list[str]) -> None:
    """Files named like a train/test pair (train.tsv, my_test.csv, ...) given together as --data
    are pooled and split anew: say so, and how to keep the held-out file apart."""
    roles: dict[str, Path] = {}
    for path in paths:
        words = path.stem.lower().replace("-", "_").replace(".", "_").split("_")
        role = next((_PART_WORDS[w] for w in words if w in _PART_WORDS), None)
        if role:
            roles.setdefault(role, path)
    held = [(r, roles[r]) for r in ("test", "validation") if r in roles]
    if "train" in roles and held:
        role, path = held[0]
        notes.append(
            f"pooling {', '.join(p.name for p in paths)} and splitting them anew; to keep "
            f"{path.name} apart, give it as --{role} {path}"
        )


def _with_polarity_partners(paths: list[Path], fmt: str) -> list[Path]:
    """rt-polarity style: naming x.pos alone also reads its partner x.neg (and vice versa)."""
    result = list(paths)
    if fmt not in ("auto", "lines"):
        return result
    for path in paths:
        suffix = path.suffix.lower()
        if suffix in (".pos", ".neg"):
            partner = path.with_suffix(".neg" if suffix == ".pos" else ".pos")
            if partner.is_file() and partner not in result:
                result.append(partner)
    return result


@dataclass
class Splits:
    train: Dataset
    test: Dataset
    validation: Dataset | None = None
    notes: list[str] = field(default_factory=list)  # where the split differs from the fractions


MAX_VALIDATION_SHARE = 0.5  # of the training part, at most, when a validation part is carved


def split(
    data: Dataset, test_fraction: float = 0.2, validation_fraction: float = 0.0, seed: int = 0
) -> Splits:
    """Seeded, stratified split. Parts the data brings (test, validation) are kept; a missing
    test part is test_fraction of the rest, and a missing validation part (when asked for) is
    validation_fraction of all of it, taken from the training part (at most half of that part:
    more is said in `notes`, as is a validation part that comes out empty)."""
    if not 0.0 <= validation_fraction < 1.0 or not 0.0 < test_fraction < 1.0:
        raise DatasetError("split fractions must be between 0 and 1")
    rng = np.random.default_rng(seed)
    parts = np.array([p or "" for p in data.parts])
    test_idx = np.flatnonzero(parts == "test")
    val_idx = np.flatnonzero(parts == "validation")
    rest = np.flatnonzero((parts != "test") & (parts != "validation"))
    carve_validation = len(val_idx) == 0 and validation_fraction > 0
    notes = []
    if len(test_idx) == 0:
        if carve_validation and test_fraction + validation_fraction >= 1:
            raise DatasetError(
                f"the test fraction {test_fraction:g} and the validation fraction "
                f"{validation_fraction:g} add up to {test_fraction + validation_fraction:g}, "
                "leaving nothing to train on: their sum must be below 1"
            )
        rest, test_idx = _stratified(data.labels, rest, test_fraction, rng)
    if carve_validation:
        share = validation_fraction * len(data) / max(len(rest), 1)
        if share > MAX_VALIDATION_SHARE:
            notes.append(
                f"a validation fraction of {validation_fraction:g} of all {len(data)} examples "
                f"is more than half of the {len(rest)} left for training: validation takes half"
            )
        rest, val_idx = _stratified(data.labels, rest, min(share, MAX_VALIDATION_SHARE), rng)
        if len(val_idx) == 0:
            notes.append(
                f"the validation fraction {validation_fraction:g} gave no validation examples: "
                f"none of the {len(np.unique(data.labels[rest]))} classes has more than one "
                "training example left after the test part, and a class's only example stays "
                "in training"
            )
    if len(rest) == 0 or len(test_idx) == 0:
        raise DatasetError(f"{data.name}: too few examples to split into train and test")
    return Splits(
        data.subset(rest, "train"),
        data.subset(test_idx, "test"),
        data.subset(val_idx, "validation") if len(val_idx) else None,
        notes,
    )


def _stratified(
    labels: np.ndarray, indices: np.ndarray, fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Split `indices` so that each class gives round(fraction * n_class) to the second part."""
    keep, held = [], []
    for c in np.unique(labels[indices]):
        members = indices[labels[indices] == c]
        members = members[rng.permutation(len(members))]
        n_held = int(round(fraction * len(members)))
        if len(members) > 1:
            n_held = min(max(n_held, 1), len(members) - 1)
        held.append(members[:n_held])
        keep.append(members[n_held:])
    return np.sort(np.concatenate(keep)), np.sort(np.concatenate(held))
