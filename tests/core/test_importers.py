import json
from pathlib import Path

import numpy as np
import pytest

from rnnviz.core.data.datasets import BINARY_CLASSES, bundled_names, load, split
from rnnviz.core.errors import DatasetError

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
UCI = ["amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"]
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data not present")


def write(path: Path, text: str, encoding="utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


@needs_shared
@pytest.mark.parametrize("name", UCI)
def test_uci_files_read_exactly_1000_balanced_lines(name):
    data = load([str(SHARED / name)])
    assert len(data) == 1000
    assert data.classes == BINARY_CLASSES
    np.testing.assert_array_equal(data.class_counts(), [500, 500])
    assert all(not t.endswith(" ") for t in data.texts)  # imdb's trailing spaces are stripped


@needs_shared
def test_uci_quotes_and_u0085_do_not_merge_lines():
    data = load([str(SHARED / "imdb_labelled.txt")])
    assert sum('"' in t for t in data.texts) == 43  # 43 lines hold a double quote
    assert any("\u0085" in t for t in data.texts)  # kept inside its line, not a line break


@needs_shared
def test_three_uci_files_pool_into_one_dataset():
    data = load([str(SHARED / n) for n in UCI])
    assert len(data) == 3000 and list(data.class_counts()) == [1500, 1500]


def test_csv_with_header_quotes_and_embedded_commas(tmp_path):
    path = write(
        tmp_path / "r.csv",
        'label,text\n1,"Loved it, truly"\n0,"a ""bad"" film"\n0,he said "awful\n1,fine\n',
    )
    data = load([path])
    assert data.texts == ["Loved it, truly", 'a "bad" film', 'he said "awful', "fine"]
    assert list(data.labels) == [1, 0, 0, 1]


def test_an_unbalanced_quote_never_swallows_the_next_lines(tmp_path):
    path = write(tmp_path / "r.csv", '"great movie,1\nbad,0\ngood,1\n')
    with pytest.raises(DatasetError, match=r"r\.csv, line 1"):
        load([path])
    data = load([path], lenient=True)
    assert data.texts == ["bad", "good"]
    assert "skipped 1 malformed line" in data.notes[0]


def test_tsv_treats_quotes_as_text(tmp_path):
    path = write(tmp_path / "r.tsv", 'text\tlabel\n"so" good\tpos\nmeh "\tneg\nnice\tpos\n')
    data = load([path])
    assert data.texts == ['"so" good', 'meh "', "nice"]
    assert data.classes == BINARY_CLASSES and list(data.labels) == [1, 0, 1]


def test_headerless_tab_lines_split_on_the_last_tab(tmp_path):
    path = write(tmp_path / "r.txt", "a\tb good\t1\nbad\t0\n")
    data = load([path])
    assert data.texts == ["a\tb good", "bad"]


def test_malformed_line_names_file_and_line(tmp_path):
    path = write(tmp_path / "r.txt", "good\t1\nno label here\nbad\t0\n")
    with pytest.raises(DatasetError, match=r"r\.txt, line 2: no tab before a label"):
        load([path])


def test_jsonl(tmp_path):
    lines = [
        json.dumps({"text": "good", "label": "positive"}),
        "",
        json.dumps({"text": "bad", "label": "NEGATIVE"}),
    ]
    data = load([write(tmp_path / "r.jsonl", "\n".join(lines))])
    assert data.texts == ["good", "bad"] and list(data.labels) == [1, 0]
    broken = write(tmp_path / "b.jsonl", '{"text": "x", "label": 1}\n{"text": oops}\n')
    with pytest.raises(DatasetError, match=r"b\.jsonl, line 2: not valid JSON"):
        load([broken])


def test_polarity_pair_reads_partner_and_falls_back_to_latin1(tmp_path):
    write(tmp_path / "rt.pos", "un film génial\nsuperb\n", encoding="latin-1")
    write(tmp_path / "rt.neg", "dull\n")
    data = load([str(tmp_path / "rt.pos")])
    assert data.texts == ["un film génial", "superb", "dull"]
    assert list(data.labels) == [1, 1, 0]
    assert any("latin-1" in note for note in data.notes)


def test_folder_of_class_folders_with_own_split(tmp_path):
    for part in ("train", "test"):
        for cls, text in (("pos", "great"), ("neg", "awful")):
            folder = tmp_path / part / cls
            folder.mkdir(parents=True)
            write(folder / "1.txt", f"{text} {part}")
    data = load([str(tmp_path)])
    assert data.has_split and len(data) == 4
    splits = split(data)
    assert sorted(splits.test.texts) == ["awful test", "great test"]


def test_other_class_names_are_kept(tmp_path):
    path = write(tmp_path / "r.tsv", "joy\thappy\nfear\tscared\nrage\tangry\n")
    data = load([path], fmt="tab")
    assert data.classes == ("angry", "happy", "scared")


def test_empty_and_single_class_data_are_clear_errors(tmp_path):
    with pytest.raises(DatasetError, match="no labelled examples"):
        load([write(tmp_path / "e.txt", "\n\n")])
    with pytest.raises(DatasetError, match="need two classes"):
        load([write(tmp_path / "s.txt", "good\t1\nnice\t1\n")])
    with pytest.raises(DatasetError, match="no such file"):
        load([str(tmp_path / "missing.csv")])


def test_bundled_datasets():
    assert {"tiny", "negation"} <= set(bundled_names())
    tiny = load(["tiny"])
    splits = split(tiny)
    assert len(splits.train) == 60 and len(splits.test) == 20
    train_words = {w for t in splits.train.texts for w in t.split()}
    assert all(w in train_words for t in splits.test.texts for w in t.split())
    assert len(train_words) <= 24
    negation = load(["negation"])
    assert len(negation) >= 1000 and abs(int(np.diff(negation.class_counts())[0])) <= 2


def test_split_is_seeded_and_stratified():
    data = load(["negation"])
    data.parts = [None] * len(data)
    a, b = split(data, 0.25, seed=3), split(data, 0.25, seed=3)
    assert a.test.texts == b.test.texts
    assert split(data, 0.25, seed=4).test.texts != a.test.texts
    counts = a.test.class_counts()
    assert abs(counts[0] - counts[1]) <= 1
    assert abs(len(a.test) - 0.25 * len(data)) <= 1  # per-class rounding
    with_val = split(data, 0.2, 0.1, seed=0)
    total = len(with_val.train) + len(with_val.test) + len(with_val.validation)
    assert total == len(data) and len(with_val.validation) == pytest.approx(0.1 * len(data), abs=2)
