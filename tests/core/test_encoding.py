"""How bytes become text: byte-order marks, UTF-16 without one, a stray bad byte among UTF-8
lines, and a file that really is latin-1."""

import codecs

import pytest

from rnnviz.core.data.encoding import decode

TEXT = "great café\tpos\nawful mess\tneg\nnaïve crème brûlée\tpos\n"


@pytest.mark.parametrize(
    "bom,encoding",
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_a_byte_order_mark_says_the_encoding_and_is_dropped(bom, encoding):
    assert decode(bom + TEXT.encode(encoding), "f.tsv") == (TEXT, None)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [TEXT, TEXT * 500, "neg\n", "a\tb\n" + "日本語の文\tpos\n" * 3])
def test_utf16_without_a_mark_is_told_by_its_nul_bytes(encoding, text):
    decoded, note = decode(text.encode(encoding), "f.tsv")
    assert decoded == text
    assert (
        note
        == f"f.tsv has no byte-order mark, but its NUL bytes say {encoding.upper()}: read as such"
    )


def test_utf16_cut_mid_character_is_one_replacement_and_said():
    decoded, note = decode(TEXT.encode("utf-16-le") + b"x", "f.tsv")
    assert decoded == TEXT + "\ufffd"
    assert "UTF-16-LE" in note and "bad bytes read as U+FFFD" in note


def test_a_few_stray_nul_bytes_do_not_make_utf8_into_utf16():
    text = "great fun\tpos\x00\nawful mess\tneg\x00\n" * 5
    assert decode(text.encode(), "d.tsv") == (text, None)


@pytest.mark.parametrize("bad_lines", [[26], [1], [101], [3, 50, 77]])
@pytest.mark.parametrize(
    "bad", [b"\xff", b"\xc3", b"\xe9", b"\xed\xa0\x80"]
)  # a lone surrogate too
def test_bad_bytes_among_valid_utf8_lines_stay_utf8_and_are_named(bad_lines, bad):
    lines = [f"café numéro {i}\tpos".encode() for i in range(1, 102)]
    for number in bad_lines:
        lines[number - 1] += bad
    decoded, note = decode(b"\n".join(lines), "one_bad.tsv")
    rows = decoded.split("\n")
    assert rows[0].startswith("café numéro 1") and len(rows) == 101
    assert all(("\ufffd" in row) == (i in bad_lines) for i, row in enumerate(rows, start=1))
    which = (
        f"line {bad_lines[0]} is"
        if len(bad_lines) == 1
        else f"lines {', '.join(map(str, bad_lines))} are"
    )
    assert (
        note == f"one_bad.tsv: {which} not valid UTF-8, unlike the rest: bad bytes read as U+FFFD"
    )


def test_a_latin1_note_names_its_first_bad_lines():
    _, note = decode(b"ok\n\xe9t\xe9\nfine\n\xe0 bient\xf4t\n", "fr.txt")
    assert note == "fr.txt is not valid UTF-8 (lines 2, 4 are not); read as latin-1"


def test_many_bad_lines_are_counted_and_the_first_five_named():
    lines = [b"caf\xc3\xa9"] * 20 + [b"bad \xff"] * 7
    _, note = decode(b"\n".join(lines), "x.txt")
    assert "x.txt: lines 21, 22, 23, 24, 25, ... (7 in all) are not valid UTF-8" in note


@pytest.mark.parametrize(
    "text",
    [
        "un film génial\nsuperb\n",  # every non-ASCII line is latin-1
        "plain\nplain\nça va\n",  # a latin-1 file with one accented line
        "é\nü\nç\n" + "caf\u00e9\n",  # more latin-1 lines than UTF-8 ones
    ],
)
def test_a_file_mostly_not_utf8_is_latin1_and_said(text):
    data = text.encode("latin-1")
    decoded, note = decode(data, "rt.pos")
    assert decoded == data.decode("latin-1")
    assert note.startswith("rt.pos is not valid UTF-8 (") and note.endswith("not); read as latin-1")


@pytest.mark.parametrize("cut", [1, 2, 3])  # into a 4-byte character
def test_a_preview_cut_inside_a_character_is_not_an_error(cut):
    data = ("ok\n" + "😀 fun\n").encode()
    start = data.index("😀".encode())
    decoded, note = decode(data[: start + cut], "big.csv", complete=False)
    assert (decoded, note) == ("ok\n", None)
