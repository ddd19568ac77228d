"""Readers for the dataset formats users have: each yields (text, raw_label, part) examples.

part is "train", "test" or "validation" when the source carries its own split, else None. Errors
name the file and the line; in lenient mode a malformed line is skipped and counted instead.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DatasetError
from ..json_reader import JsonError, read_json
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
    """A file's text: UTF-8 (BOM allowed), else latin-1 with a note. Only regular files, and
    only up to the size limit (a device such as /dev/zero would be read forever)."""
    if not path.is_file():
        raise DatasetError(f"{path} is not a regular file")
    size = path.stat().st_size
    if size > report.max_bytes:
        raise DatasetError(
            f"{path} has {size / 2**20:.3g} MB, over the {report.max_bytes / 2**20:g} MB limit "
            "(raise it with --max-file-mb)"
        )
    limit = PREVIEW_BYTES if report.preview_lines else report.max_bytes
    try:
        with path.open("rb") as source:
            data = source.read(limit)
    except OSError as error:
        raise DatasetError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.notes.append(f"{path.name} is not valid UTF-8; read as latin-1")
        return data.decode("latin-1")


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
    """(text column, label column) when `cells` is a header row, else None."""
    lowered = [c.strip().lower() for c in cells]
    text = next((i for i, c in enumerate(lowered) if c in TEXT_COLUMNS), None)
    label = next((i for i, c in enumerate(lowered) if c in LABEL_COLUMNS), None)
    return None if text is None or label is None else (text, label)


def read_delimited(path: Path, fmt: str, lenient: bool, report: ReadReport) -> Iterator[Example]:
    """csv / tsv / tab. Each line is parsed on its own, so an unbalanced quote can never swallow
    the lines after it. Without a header the label is the last field and the text all before it."""
    lines = lines_of(path, report)
    errors = _LineErrors(path, lenient, report)
    delimiter = "," if fmt == "csv" else "\t"
    columns = None
    rows: list[tuple[int, Example]] = []
    stage = f"reading {path.name}"
    for number, line in enumerate(counting(lines, report.progress, stage, len(lines)), start=1):
        if not line.strip():
            continue
        if fmt == "csv":
            cells = next(csv.reader([line], delimiter=delimiter, quoting=csv.QUOTE_MINIMAL))
        else:
            cells = line.split(delimiter)
        if number == 1 and fmt != "tab":
            columns = _header_columns(cells)
            if columns is not None:
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
        if not label:
            errors.bad(number, "empty label")
        elif not text.strip():
            errors.bad(number, "empty text")
        else:
            rows.append((number, Example(text.strip(), label)))
    errors.close()
    yield from (example for _, example in _without_unnamed_header(rows, path, report))


def clean_label(label: str) -> str:
    """A class name as read: control characters (NUL ...) and surrounding spaces removed."""
    return " ".join(clean(label).split())


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
        text, label = str(record["text"]).strip(), clean_label(str(record["label"]))
        if not text or not label:
            errors.bad(number, "empty text or label")
            continue
        yield Example(text, label)
    errors.close()


def read_lines(path: Path, report: ReadReport) -> Iterator[Example]:
    """One sentence per line; the class is the file's extension (.pos -> pos)."""
    label = clean_label(path.suffix.lstrip(".") or path.stem)
    for line in lines_of(path, report):
        if line.strip():
            yield Example(line.strip(), label)


def read_folder(path: Path, lenient: bool, report: ReadReport) -> Iterator[Example]:
    """A folder of per-class sub-folders of .txt files, or train/ and test/ each holding such
    folders, or train.* and test.* files of another format."""
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
    classes = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise DatasetError(f"{path} has no class sub-folders (expected e.g. pos/ and neg/)")
    for folder in classes:
        files = sorted(folder.glob("*.txt"))[: report.preview_lines or None]
        for file in counting(files, report.progress, f"reading {folder.name}/", len(files)):
            text = read_text(file, report).strip()
            if text:
                yield Example(text, clean_label(folder.name))


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
