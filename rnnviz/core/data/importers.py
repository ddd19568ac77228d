"""Readers for the dataset formats users have: each yields (text, raw_label, part) examples.

part is "train", "test" or "validation" when the source carries its own split, else None. Errors
name the file and the line; in lenient mode a malformed line is skipped and counted instead.
"""

import csv
import functools
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..errors import DatasetError
from ..json_reader import JsonError, read_json
from .encoding import decode
from .progress import Progress, counting
from .text import clean

FORMATS = ("auto", "csv", "tsv", "tab", "jsonl", "lines", "folder", "text")
FORMAT_HELP = {
    "csv": "CSV with text,label columns (header optional, quotes handled)",
    "tsv": "TSV with text<TAB>label columns (header optional, quotes are plain text)",
    "tab": "headerless sentence<TAB>label lines (UCI Sentiment Labelled Sentences)",
    "jsonl": 'JSON Lines: {"text": ..., "label": ...} per line',
    "lines": "one sentence per line, the class is the file's extension (rt-polarity .pos/.neg)",
    "folder": "one sub-folder per class of .txt files (IMDB layout), optionally under train/ test/",
    "text": "a plain UTF-8 document, split into sentences of at most 200 words (language model)",
}
PIECE_WORDS = 200  # a document's sentence longer than this is read as pieces of this many words
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n")  # after . ! ? and at blank lines
TEXT_COLUMNS = ("text", "sentence", "review", "content", "document", "comment", "body", "tweet")
LABEL_COLUMNS = (
    "label",
    "labels",
    "sentiment",
    "class",
    "polarity",
    "target",
    "stars",
    "rating",
    "score",
    "y",
)
_TEXT_NAMES = frozenset(TEXT_COLUMNS)
COLUMN_NAME_CHARS = 20  # a header's cell, spaces around it included, is no longer than this
MAX_FILE_BYTES = 256 << 20  # a text file larger than this is refused unless the limit is raised
PREVIEW_BYTES = 1 << 20  # what a preview reads of each file
SPLIT_NAMES = ("train", "test")
VALIDATION_NAMES = ("validation", "valid", "dev")  # optional third file beside train and test


@dataclass
class Example:
    text: str
    label: str
    part: str | None = None  # "train", "test", "validation" or None


@dataclass
class ReadReport:
    """How to read (the size limit) and what reading noticed: files read as latin-1, malformed
    lines skipped (lenient mode), a header guessed."""

    notes: list[str] = field(default_factory=list)
    skipped: int = 0
    max_bytes: int = MAX_FILE_BYTES
    preview_lines: int | None = None  # read only the start of each file (a preview)
    progress: Progress = field(default_factory=Progress)


def detect_format(path: Path) -> str:
    """Format from the path: a folder, or the file's extension."""
    if path.is_dir():
        return "folder"
    suffix = path.suffix.lower()
    return {
        ".csv": "csv",
        ".tsv": "tsv",
        ".txt": "tab",
        ".jsonl": "jsonl",
        ".json": "jsonl",
        ".pos": "lines",
        ".neg": "lines",
    }.get(suffix, "tab")


def read_text(path: Path, report: ReadReport) -> str:
    """A file's text, decoded as encoding.decode says (with a note when that is not plain
    UTF-8). Only regular files and pipes, and only up to the size limit (a device such as
    /dev/zero would be read forever)."""
    if not path.is_file() and not path.is_fifo():
        raise DatasetError(
            f"{path} is not a regular file" if path.exists() else f"no such file: {path}"
        )
    size = path.stat().st_size
    if size > report.max_bytes:
        raise DatasetError(
            f"{path} has {size / 2**20:.3g} MB, over the {report.max_bytes / 2**20:g} MB limit "
            "(raise it with --max-file-mb)"
        )
    try:
        with path.open("rb") as source:
            return read_stream(source, path.name, report)
    except OSError as error:
        raise DatasetError(f"cannot read {path}: {error.strerror or error}") from None


def read_stream(source: BinaryIO, name: str, report: ReadReport) -> str:
    """The text of an open binary file, pipe or standard input (decoded as read_text says): at
    most the size limit, and a longer stream is refused. A preview reads PREVIEW_BYTES and on to
    the end of the line they cut, so that a long review is never half a line."""
    if report.preview_lines:
        data = source.read(PREVIEW_BYTES)
        data += source.readline(report.max_bytes)
        complete = not source.read(1)
    else:
        data = source.read(report.max_bytes + 1)
        complete = len(data) <= report.max_bytes
        if not complete:
            raise DatasetError(f"{name} holds more than the {report.max_bytes / 2**20:g} MB limit")
    text, note = decode(data, name, complete)
    if note:
        report.notes.append(note)
    return text


def lines_of(path: Path, report: ReadReport) -> list[str]:
    """The file's lines (only the first preview_lines of them in a preview)."""
    lines = split_lines(read_text(path, report))
    if report.preview_lines:
        lines = lines[: report.preview_lines]
    return lines


def split_lines(text: str) -> list[str]:
    """Lines split on '\\n' only (str.splitlines() would also split on U+0085 and friends)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


class _LineErrors:
    """Raises on a malformed line, or counts it in lenient mode."""

    def __init__(self, path: Path, lenient: bool, report: ReadReport):
        self.path, self.lenient, self.report = path, lenient, report
        self.first: str | None = None
        self.count = 0

    def bad(self, number: int, why: str) -> None:
        message = f"{self.path}, line {number}: {why}"
        if not self.lenient:
            raise DatasetError(message)
        self.count += 1
        self.first = self.first or message

    def close(self) -> None:
        if self.count:
            self.report.skipped += self.count
            self.report.notes.append(
                f"skipped {self.count} malformed line(s) in {self.path.name} (first: {self.first})"
            )


def _header_columns(cells: list[str]) -> tuple[int, int] | None:
    """(text column, label column) when `cells` is a header row, else None. Asked of every
    line, so a long cell (a sentence: no column name) is not even lower-cased."""
    lowered = [c.strip().lower() if len(c) <= COLUMN_NAME_CHARS else "" for c in cells]
    if _TEXT_NAMES.isdisjoint(lowered):
        return None
    text = next((i for i, c in enumerate(lowered) if c in TEXT_COLUMNS), None)
    label = next((i for i, c in enumerate(lowered) if c in LABEL_COLUMNS), None)
    return None if text is None or label is None else (text, label)


def read_delimited(path: Path, fmt: str, lenient: bool, report: ReadReport) -> Iterator[Example]:
    """csv / tsv / tab. Each line is parsed on its own, so an unbalanced quote can never swallow
    the lines after it. Without a header the label is the last field and the text all before it.
    A header further down (files concatenated) names the columns from there on, with a note:
    its column names are never a class."""
    lines = lines_of(path, report)
    errors = _LineErrors(path, lenient, report)
    delimiter = "," if fmt == "csv" else "\t"
    # Lines are parsed one at a time and the file is capped at max_bytes, so a field can be no
    # longer than that: the csv module's own limit (128 KiB) would refuse a long review.
    csv.field_size_limit(max(csv.field_size_limit(), min(report.max_bytes, 2**31 - 1)))
    columns = None
    headers: list[int] = []  # lines that are a header again after data (files joined)
    rows: list[tuple[int, Example]] = []
    stage = f"reading {path.name}"
    for number, line in enumerate(counting(lines, report.progress, stage, len(lines)), start=1):
        if not line.strip():
            continue
        if fmt == "csv":
            try:  # a carriage return inside a line is a space to the tokenizer, an error to csv
                cells = next(csv.reader([line.replace("\r", " ")], delimiter=delimiter))
            except csv.Error as error:
                errors.bad(number, f"not valid CSV ({error})")
                continue
        else:
            cells = line.split(delimiter)
        header = None if fmt == "tab" else _header_columns(cells)
        if header is not None:
            columns = header
            if rows or errors.count:
                headers.append(number)
            continue
        if columns is not None:
            if len(cells) <= max(columns):
                errors.bad(
                    number, f"expected at least {max(columns) + 1} columns, got {len(cells)}"
                )
                continue
            text, label = cells[columns[0]], cells[columns[1]]
        elif len(cells) < 2:
            errors.bad(number, f"no {'comma' if fmt == 'csv' else 'tab'} before a label")
            continue
        else:
            text, label = delimiter.join(cells[:-1]), cells[-1]
        label = clean_label(label)
        if not clean_label(label, keep_format=False):
            errors.bad(number, "empty label")
        elif not text.strip():
            errors.bad(number, "empty text")
        else:
            rows.append((number, Example(text.strip(), label)))
    errors.close()
    if headers:
        more = f" and {len(headers) - 1} more lines" if len(headers) > 1 else ""
        report.notes.append(
            f"{path.name}: a header again at line {headers[0]}{more} (files joined?): read as "
            "column names, not as data"
        )
    yield from (example for _, example in _without_unnamed_header(rows, path, report))


@functools.lru_cache(maxsize=1024)  # a file holds a few labels on many lines
def clean_label(label: str, keep_format: bool = True) -> str:
    """A class name as read: control characters (NUL ...) and surrounding spaces removed, and
    format characters (a zero-width joiner, a bidi mark ...) too unless keep_format: load()
    refuses labels that differ only by those, rather than merge them."""
    return " ".join(clean(label, keep_format).split())


def _without_unnamed_header(rows, path: Path, report: ReadReport):
    """Rows without a first line that can only be a header the column names did not reveal: a
    label seen once, that is not a number, when every other label is a number ("stars")."""
    if len(rows) < 3:
        return rows
    first = rows[0][1].label
    rest = {example.label for _, example in rows[1:]}
    if first not in rest and not _is_number(first) and all(_is_number(x) for x in rest):
        report.notes.append(
            f"{path.name}: line {rows[0][0]} ({first!r} among numeric labels) read as a header"
        )
        return rows[1:]
    return rows


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_jsonl(path: Path, lenient: bool, report: ReadReport) -> Iterator[Example]:
    """One JSON object per line with "text" and "label"."""
    errors = _LineErrors(path, lenient, report)
    lines = lines_of(path, report)
    stage = f"reading {path.name}"
    for number, line in enumerate(counting(lines, report.progress, stage, len(lines)), start=1):
        if not line.strip():
            continue
        try:
            record = read_json(line)
        except JsonError as error:
            errors.bad(number, str(error))
            continue
        if not isinstance(record, dict) or "text" not in record or "label" not in record:
            errors.bad(number, 'expected an object with "text" and "label"')
            continue
        text, label = record["text"], record["label"]
        if not isinstance(text, str):
            errors.bad(number, f'"text" must be a string, not {_json_kind(text)}')
            continue
        if not _is_scalar_label(label):
            errors.bad(number, f'"label" must be a string or a number, not {_json_kind(label)}')
            continue
        text, label = text.strip(), clean_label(str(label))
        if not text or not clean_label(label, keep_format=False):
            errors.bad(number, "empty text or label")
            continue
        yield Example(text, label)
    errors.close()


def _is_scalar_label(value) -> bool:
    """A string, or an integer or finite number (JSON's true and NaN are neither: Python's json
    reads them as bool and float nan)."""
    if isinstance(value, str):
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)


def _json_kind(value) -> str:
    """How JSON calls a value: null, true, an object, an array, NaN, a number ..."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(value)  # NaN, Infinity, -Infinity
    kinds = {dict: "an object", list: "an array", int: "a number", float: "a number"}
    return kinds.get(type(value), type(value).__name__)


def read_lines(path: Path, report: ReadReport) -> Iterator[Example]:
    """One sentence per line; the class is the file's extension (.pos -> pos)."""
    label = clean_label(path.suffix.lstrip(".") or path.stem)
    for line in lines_of(path, report):
        if line.strip():
            yield Example(line.strip(), label)


def read_folder(path: Path, lenient: bool, report: ReadReport) -> Iterator[Example]:
    """A folder of per-class sub-folders of .txt files, or train/ and test/ each holding such
    folders, or train.* and test.* files of another format."""
    _listed(path)  # an unreadable folder is said to be one, not a train.tsv that cannot be read
    found = {part: _split_file(path, part) for part in SPLIT_NAMES}
    split_files = {part: file for part, file in found.items() if file is not None}
    if len(split_files) == len(SPLIT_NAMES):
        validation = next(
            filter(None, (_split_file(path, name) for name in VALIDATION_NAMES)), None
        )
        if validation:
            split_files["validation"] = validation
        for part, file in split_files.items():
            for example in read_path(file, "auto", lenient, report):
                example.part = part
                yield example
        return
    if all((path / part).is_dir() for part in SPLIT_NAMES):
        for part in SPLIT_NAMES:
            for example in _read_class_folders(path / part, report):
                example.part = part
                yield example
        return
    yield from _read_class_folders(path, report)


def _split_file(folder: Path, part: str) -> Path | None:
    for suffix in (".tsv", ".csv", ".jsonl", ".txt"):
        if (folder / f"{part}{suffix}").is_file():
            return folder / f"{part}{suffix}"
    return None


def _read_class_folders(path: Path, report: ReadReport) -> Iterator[Example]:
    """Examples of each sub-folder's .txt files, the folder's name their class. A folder that
    cannot be listed is an error (skipping it would train on the other classes without a word);
    one without .txt files gets a note."""
    classes = sorted(p for p in _listed(path) if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise DatasetError(f"{path} has no class sub-folders (expected e.g. pos/ and neg/)")
    for folder in classes:
        files = sorted(p for p in _listed(folder) if p.suffix == ".txt")
        if not files:
            report.notes.append(f"{folder} holds no .txt files: no class {folder.name!r}")
        files = files[: report.preview_lines or None]
        for file in counting(files, report.progress, f"reading {folder.name}/", len(files)):
            text = read_text(file, report).strip()
            if text:
                yield Example(text, clean_label(folder.name))


def _listed(folder: Path) -> list[Path]:
    """The folder's entries, or DatasetError when it cannot be read (Path.glob says nothing)."""
    try:
        return list(folder.iterdir())
    except OSError as error:
        raise DatasetError(f"cannot read the folder {folder}: {error.strerror or error}") from None


def read_path(path: Path, fmt: str, lenient: bool, report: ReadReport) -> Iterator[Example]:
    """Examples of one file or folder in format `fmt` ("auto": by extension)."""
    if not path.exists():
        raise DatasetError(f"no such file or folder: {path}")
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt not in FORMATS:
        raise DatasetError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not path.is_dir() and not path.is_file():
        raise DatasetError(f"{path} is neither a regular file nor a folder")
    if fmt == "folder":
        if not path.is_dir():
            raise DatasetError(f"format 'folder' needs a folder, got the file {path}")
        return read_folder(path, lenient, report)
    if path.is_dir():
        raise DatasetError(f"{path} is a folder; format {fmt!r} reads a file")
    if fmt == "jsonl":
        return read_jsonl(path, lenient, report)
    if fmt == "lines":
        return read_lines(path, report)
    if fmt == "text":
        return read_document(path, report)
    return read_delimited(path, fmt, lenient, report)


def read_document(path: Path, report: ReadReport) -> Iterator[Example]:
    """A plain document as sentences (split after . ! ? and at blank lines; line breaks inside
    a paragraph are spaces; a longer run than PIECE_WORDS words is cut into pieces of that
    many), each an Example labelled "text"."""
    for sentence in SENTENCE_END.split(read_text(path, report)):
        words = sentence.split()
        for start in range(0, len(words), PIECE_WORDS):
            yield Example(" ".join(words[start : start + PIECE_WORDS]), "text")
