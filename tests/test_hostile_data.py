"""Wrong data is refused or said, never trained on silently: JSON values that are not text, a
header repeated mid-file, encodings, line separators inside lines, unreadable class folders,
invisible characters in labels, split fractions that cannot hold, and a 1 MB word."""

import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from rnnviz.cli import main
from rnnviz.core.data.datasets import Dataset, load, split
from rnnviz.core.data.text import tokenize
from rnnviz.core.errors import DatasetError

from .test_hostile_inputs import one_line_error

ROWS = [("great fun film", "pos"), ("awful mess", "neg"), ("superb acting", "pos")] * 8
BINARY = ("negative", "positive")


def jsonl(path: Path, bad: str, at: int = 3) -> Path:
    lines = [json.dumps({"text": t, "label": label}) for t, label in ROWS]
    lines.insert(at - 1, bad)
    path.write_text("\n".join(lines) + "\n")
    return path


def tsv(rows=ROWS) -> str:
    return "".join(f"{t}\t{label}\n" for t, label in rows)


@pytest.fixture(scope="module")
def classifier(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("model") / "clf.npz"
    assert (
        main(
            ["train", "--data", "tiny", "--epochs", "1", "--hidden", "8", "-q", "--save", str(path)]
        )
        == 0
    )
    return str(path)


# ------------------------------------------------------------------ JSON Lines value types
@pytest.mark.parametrize(
    "label,kind",
    [
        ("null", "null"),
        ("true", "true"),
        ("false", "false"),
        ('{"a": 1}', "an object"),
        ("[1, 2]", "an array"),
        ("[]", "an array"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("-Infinity", "-Infinity"),
    ],
)
def test_a_jsonl_label_that_is_not_a_string_or_number_is_refused_with_file_and_line(
    tmp_path, label, kind
):
    path = jsonl(tmp_path / "d.jsonl", f'{{"text": "fine film", "label": {label}}}', at=4)
    with pytest.raises(DatasetError) as error:
        load([str(path)])
    if kind.lstrip("-") in ("NaN", "Infinity"):  # not JSON: the JSON reader refuses it first
        assert str(error.value).startswith(f"{path}, line 4: ") and kind.lstrip("-") in str(
            error.value
        )
    else:
        assert (
            str(error.value) == f'{path}, line 4: "label" must be a string or a number, not {kind}'
        )


@pytest.mark.parametrize(
    "text,kind",
    [
        ("null", "null"),
        ("true", "true"),
        ("5", "a number"),
        ("2.5", "a number"),
        ('["a", "b"]', "an array"),
        ('{"t": "x"}', "an object"),
    ],
)
def test_a_jsonl_text_that_is_not_a_string_is_refused_with_file_and_line(tmp_path, text, kind):
    path = jsonl(tmp_path / "d.jsonl", f'{{"text": {text}, "label": "pos"}}')
    with pytest.raises(DatasetError) as error:
        load([str(path)])
    assert str(error.value) == f'{path}, line 3: "text" must be a string, not {kind}'


def test_lenient_mode_skips_and_counts_wrongly_typed_jsonl_lines(tmp_path):
    path = jsonl(tmp_path / "d.jsonl", '{"text": null, "label": "pos"}')
    with path.open("a") as f:
        f.write('{"text": "x", "label": [1]}\n{"text": "y", "label": NaN}\n')
    data = load([str(path)], lenient=True)
    assert len(data) == len(ROWS) and data.classes == BINARY
    assert any(n.startswith("skipped 3 malformed line(s) in d.jsonl") for n in data.notes)


def test_numeric_jsonl_labels_are_classes_by_their_number(tmp_path):
    path = tmp_path / "stars.jsonl"
    rows = [("dull", 1), ("fine", 2.5), ("great", 5)] * 4
    path.write_text("\n".join(json.dumps({"text": t, "label": s}) for t, s in rows))
    assert load([str(path)]).classes == ("1", "2.5", "5")


# ------------------------------------------------------------------ a header again mid-file
@pytest.mark.parametrize(
    "name,first,second",
    [
        ("twice.csv", "text,label", "text,label"),
        ("twice.csv", "text,label", "label,text"),  # the second file's columns the other way
        ("twice.csv", "review,sentiment", "Review , Sentiment"),
        ("twice.tsv", "sentence\tlabel", "sentence\tlabel"),
        ("twice.tsv", "text\tlabel", "label\ttext"),
    ],
)
def test_a_header_repeated_mid_file_names_columns_and_is_never_a_class(
    tmp_path, name, first, second
):
    sep = "," if name.endswith("csv") else "\t"
    swapped = second.replace(" ", "").lower().startswith("label")
    half = [f"{t}{sep}{label}" for t, label in ROWS]
    other = [f"{label}{sep}{t}" for t, label in ROWS] if swapped else half
    path = tmp_path / name
    path.write_text("\n".join([first, *half, second, *other]) + "\n")
    data = load([str(path)])
    assert data.classes == BINARY and len(data) == 2 * len(ROWS)
    assert set(data.texts) == {t for t, _ in ROWS}
    line = len(ROWS) + 2
    assert data.notes == [
        f"{name}: a header again at line {line} (files joined?): read as column names, not as data"
    ]


def test_three_files_joined_give_one_note_counting_the_headers(tmp_path):
    path = tmp_path / "three.csv"
    part = "text,label\n" + "".join(f"{t},{label}\n" for t, label in ROWS)
    path.write_text(part * 3)
    data = load([str(path)])
    assert data.classes == BINARY and len(data) == 3 * len(ROWS)
    assert data.notes == [
        "three.csv: a header again at line 26 and 1 more lines (files joined?): read as column "
        "names, not as data"
    ]


def test_a_header_after_blank_lines_is_a_header_without_a_note(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("\n\ntext,label\n" + "".join(f"{t},{label}\n" for t, label in ROWS))
    data = load([str(path)])
    assert data.classes == BINARY and data.notes == []


# ------------------------------------------------------------------ encodings
def test_one_bad_byte_among_utf8_lines_keeps_the_file_utf8_and_names_the_line(tmp_path, capsys):
    lines = [f"café numéro {i}\t{'pos' if i % 2 else 'neg'}".encode() for i in range(101)]
    lines[40] = b"caf\xff numero\tpos"
    path = tmp_path / "one_bad.tsv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    data = load([str(path)])
    assert sum("café" in t for t in data.texts) == 100 and "caf\ufffd numero" in data.texts
    assert data.notes == [
        "one_bad.tsv: line 41 is not valid UTF-8, unlike the rest: bad bytes read as U+FFFD"
    ]
    assert main(["train", "--data", str(path), "--epochs", "1", "--json"]) == 0
    captured = capsys.readouterr()
    assert "note: one_bad.tsv: line 41 is not valid UTF-8" in captured.err


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16", "utf-32", "utf-8-sig"])
@pytest.mark.parametrize("name", ["d.tsv", "d.csv", "d.jsonl", "d.pos"])
def test_utf16_and_other_unicode_files_read_as_their_text(tmp_path, encoding, name):
    if name.endswith(".jsonl"):
        text = "".join(json.dumps({"text": t, "label": label}) + "\n" for t, label in ROWS)
    elif name.endswith(".csv"):
        text = "".join(f"{t},{label}\n" for t, label in ROWS)
    else:
        text = tsv() if name.endswith(".tsv") else "".join(f"{t}\n" for t, _ in ROWS)
        (tmp_path / "d.neg").write_text("dull plot\n")
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    data = load([str(path)])
    assert data.classes == BINARY
    assert {t for t, _ in ROWS} <= set(data.texts)
    assert all(len(tokenize(t)) <= 3 for t in data.texts)  # words, not letters


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
@pytest.mark.parametrize("stdin", [False, True])
def test_predict_input_in_utf16_is_decoded(
    classifier, tmp_path, capsys, monkeypatch, encoding, stdin
):
    data = "great fun\nawful mess\ncafé\n".encode(encoding)
    argv = ["predict", "--model", classifier, "--json"]
    if stdin:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        argv += ["--input", "-"]
    else:
        (tmp_path / "in.txt").write_bytes(data)
        argv += ["--input", str(tmp_path / "in.txt")]
    assert main(argv) == 0
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["text"] for r in rows] == ["great fun", "awful mess", "café"]
    if encoding != "utf-16":  # no byte-order mark: the NUL bytes told, and a note says so
        assert f"NUL bytes say {encoding.upper()}: read as such" in captured.err


# ------------------------------------------------------------------ one row per input line
SEPARATORS = ["\u2028", "\u2029", "\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85", "\r"]


@pytest.mark.parametrize("separator", SEPARATORS)
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("as_json", [False, True])
def test_predict_gives_one_row_per_input_line_whatever_is_inside_it(
    classifier, tmp_path, capsys, separator, ending, as_json
):
    lines = [f"great{separator}fun", "awful mess", f"a{separator}b{separator}c", "", "fine"]
    path = tmp_path / "in.txt"
    path.write_bytes(ending.join(lines).encode() + ending.encode())
    assert (
        main(
            [
                "predict",
                "--model",
                classifier,
                "--input",
                str(path),
                *(["--json"] if as_json else []),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    if as_json:
        assert [json.loads(row)["text"] for row in out] == lines
    else:
        assert len(out) == 1 + len(lines)  # the header and a row per line


# ------------------------------------------------------------------ class folders
def class_folders(root: Path, classes=("pos", "neg", "neutral")) -> Path:
    for name in classes:
        (root / name).mkdir(parents=True)
        for i in range(4):
            (root / name / f"{i}.txt").write_text(f"{name} words number {i}")
    return root


@pytest.mark.parametrize("unreadable", ["neutral", "pos", ""])  # a class folder, or the root
def test_an_unreadable_class_folder_is_an_error_not_a_missing_class(
    tmp_path, monkeypatch, capsys, unreadable
):
    root = class_folders(tmp_path / "reviews")
    locked = root / unreadable if unreadable else root
    listing = Path.iterdir

    def iterdir(self):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return listing(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)  # root may read anything, so chmod cannot tell
    assert main(["train", "--data", str(root), "--epochs", "1"]) == 2
    assert (
        one_line_error(capsys)
        == f"rnnviz: error: cannot read the folder {locked}: Permission denied"
    )


def test_a_class_folder_without_text_files_is_said(tmp_path):
    root = class_folders(tmp_path / "reviews", ("pos", "neg"))
    (root / "neutral").mkdir()
    (root / "neutral" / "notes.md").write_text("not a review")
    data = load([str(root)])
    assert data.classes == BINARY
    assert data.notes == [f"{root / 'neutral'} holds no .txt files: no class 'neutral'"]


# ------------------------------------------------------------------ invisible characters
INVISIBLE = {
    "\u200d": "U+200D ZERO WIDTH JOINER",
    "\u200c": "U+200C ZERO WIDTH NON-JOINER",
    "\u200e": "U+200E LEFT-TO-RIGHT MARK",
    "\u202e": "U+202E RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "U+2066 LEFT-TO-RIGHT ISOLATE",
    "\u2060": "U+2060 WORD JOINER",
    "\u00ad": "U+00AD SOFT HYPHEN",
    "\ufeff": "U+FEFF ZERO WIDTH NO-BREAK SPACE",
}


@pytest.mark.parametrize("hidden", INVISIBLE)
@pytest.mark.parametrize("label", ["pos", "spam"])
def test_labels_differing_only_by_an_invisible_character_are_refused_not_merged(
    tmp_path, hidden, label
):
    twin = label[0] + hidden + label[1:]
    path = tmp_path / "d.tsv"
    path.write_text(tsv([("great fun", label), ("awful mess", "neg"), ("superb", twin)] * 3))
    with pytest.raises(DatasetError) as error:
        load([str(path)])
    first, second = sorted([label, twin])
    assert str(error.value) == (
        f"d.tsv: the labels {first!r} and {second!r} differ only by invisible characters "
        f"({INVISIBLE[hidden]}): make them the same label or visibly different ones"
    )


def test_a_label_always_written_with_a_stray_joiner_is_the_class_without_it(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_text(tsv([("great fun", "p\u200dos"), ("awful mess", "\u200eneg")] * 3))
    assert load([str(path)]).classes == BINARY


@pytest.mark.parametrize(
    "text,tokens",
    [
        ("great\u200bfilm", ["great", "film"]),
        ("a\u200bb\u200bc", ["a", "b", "c"]),
        ("fun\u200b!", ["fun", "!"]),
        ("\u200bstart end\u200b", ["start", "end"]),
        ("joi\u200dned", ["joined"]),  # a joiner joins
        ("soft\u00adhyphen", ["softhyphen"]),
    ],
)
def test_a_zero_width_space_separates_words(text, tokens):
    assert tokenize(text) == tokens


def test_a_zero_width_space_at_a_labels_end_is_no_part_of_it(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_text(tsv([("great\u200bfilm", "pos\u200b"), ("awful\u200bmess", "neg")] * 3))
    data = load([str(path)])
    assert data.classes == BINARY and tokenize(data.texts[0]) == ["great", "film"]


# ------------------------------------------------------------------ split fractions
@pytest.mark.parametrize("test,validation", [(0.5, 0.5), (0.6, 0.4), (0.3, 0.9), (0.7, 0.35)])
def test_fractions_that_leave_nothing_to_train_on_are_refused(tmp_path, capsys, test, validation):
    path = tmp_path / "forty.tsv"
    path.write_text(tsv(ROWS[:20] * 2))
    argv = ["train", "--data", str(path), "--test-fraction", str(test)]
    assert main([*argv, "--validation-fraction", str(validation)]) == 2
    assert one_line_error(capsys) == (
        f"rnnviz: error: the test fraction {test:g} and the validation fraction {validation:g} "
        f"add up to {test + validation:g}, leaving nothing to train on: their sum must be below 1"
    )


def dataset(n_classes: int, per_class: int, parts=None) -> Dataset:
    labels = np.repeat(np.arange(n_classes), per_class)
    texts = [f"word{i}" for i in range(len(labels))]
    classes = tuple(f"c{c}" for c in range(n_classes))
    return Dataset("d", texts, labels, classes, parts or [None] * len(labels))


def test_own_test_part_makes_the_test_fraction_moot():
    data = dataset(2, 20, ["test"] * 4 + [None] * 32 + ["test"] * 4)
    splits = split(data, test_fraction=0.6, validation_fraction=0.5)
    assert len(splits.test) == 8 and len(splits.validation) + len(splits.train) == 32


def test_a_validation_share_over_half_the_training_part_is_said():
    splits = split(dataset(2, 20), test_fraction=0.45, validation_fraction=0.45)
    assert (len(splits.train), len(splits.validation), len(splits.test)) == (10, 12, 18)
    assert splits.notes == [
        "a validation fraction of 0.45 of all 40 examples is more than half of the 22 left for "
        "training: validation takes half"
    ]


@pytest.mark.parametrize("per_class", [1, 2])
def test_a_validation_part_left_empty_by_tiny_classes_says_why(tmp_path, capsys, per_class):
    path = tmp_path / "many.tsv"
    path.write_text(
        "".join(f"word{c} thing{i}\tc{c}\n" for c in range(60) for i in range(per_class))
    )
    if per_class == 1:  # every class has one example: it cannot even be split into train and test
        assert main(["train", "--data", str(path)]) == 2
        assert "too few examples to split into train and test" in one_line_error(capsys)
        return
    why = (
        "the validation fraction 0.1 gave no validation examples: none of the 60 classes has "
        "more than one training example left after the test part, and a class's only example "
        "stays in training"
    )
    assert main(["train", "--data", str(path), "--validation-fraction", "0.1"]) == 2
    assert (
        one_line_error(capsys)
        == f"rnnviz: error: early stopping (patience) needs validation data: {why}"
    )
    argv = ["train", "--data", str(path), "--patience", "0", "--epochs", "1", "--hidden", "8"]
    assert main(argv) == 0
    assert f"note: {why}" in capsys.readouterr().err


@pytest.mark.parametrize("part", ["test", "validation"])
@pytest.mark.parametrize("how", ["same", "relative", "symlink", "hardlink"])
def test_a_held_out_file_that_is_also_the_data_is_said(tmp_path, capsys, monkeypatch, part, how):
    data = tmp_path / "d.tsv"
    data.write_text(tsv())
    held = str(data)
    if how == "relative":
        monkeypatch.chdir(tmp_path)
        held = "./d.tsv"
    elif how == "symlink":
        (tmp_path / "link.tsv").symlink_to(data)
        held = str(tmp_path / "link.tsv")
    elif how == "hardlink":
        (tmp_path / "hard.tsv").hardlink_to(data)
        held = str(tmp_path / "hard.tsv")
    argv = ["train", "--data", str(data), f"--{part}", held, "--epochs", "1", "--hidden", "8"]
    assert main(argv) == 0
    assert (
        f"note: --{part} {Path(held)} is also --data {data}: its sentences are trained on, so the "
        f"{part} figures do not measure held-out data"
    ) in capsys.readouterr().err


def test_a_different_held_out_file_gets_no_such_note(tmp_path, capsys):
    (tmp_path / "a.tsv").write_text(tsv())
    (tmp_path / "b.tsv").write_text(tsv())
    argv = ["train", "--data", str(tmp_path / "a.tsv"), "--test", str(tmp_path / "b.tsv")]
    assert main([*argv, "--epochs", "1", "--hidden", "8"]) == 0
    assert "is also --data" not in capsys.readouterr().err


# ------------------------------------------------------------------ long fields
@pytest.mark.parametrize(
    "line",
    [
        "{word},pos",  # unquoted
        '"{word}, and more",pos',  # quoted, holding the delimiter
        "{word} {word},neg",  # 2 MB
    ],
)
@pytest.mark.parametrize("header", [True, False])
def test_a_csv_field_of_a_megabyte_reads(tmp_path, capsys, line, header):
    path = tmp_path / "big.csv"
    body = line.format(word="x" * (1 << 20)) + "\n" + "".join(f"{t},{lab}\n" for t, lab in ROWS)
    path.write_text(("text,label\n" if header else "") + body)
    data = load([str(path)])
    assert len(data) == len(ROWS) + 1 and max(map(len, data.texts)) >= 1 << 20
    assert main(["train", "--data", str(path), "--epochs", "1", "--hidden", "8", "-q"]) == 0


def test_a_carriage_return_inside_a_csv_line_is_a_space(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_text("text,label\n" + "great\rfun,pos\nawful mess,neg\n" * 3, newline="")
    data = load([str(path)])
    assert data.classes == BINARY and tokenize(data.texts[0]) == ["great", "fun"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be"])
def test_a_preview_cut_inside_a_long_line_reads_on_to_its_end(tmp_path, encoding):
    path = tmp_path / "long.tsv"
    long_line = "word " * (1 << 18) + "end\tpos\n"  # 1.25 MiB in UTF-8: over the preview's bytes
    path.write_bytes((tsv() + long_line + tsv()).encode(encoding))
    data = load([str(path)], preview_lines=2000)
    assert len(data) == len(ROWS) + 1 and data.texts[-1].endswith("word end")
    assert not [n for n in data.notes if "U+FFFD" in n or "latin-1" in n]
