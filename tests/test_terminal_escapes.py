"""Text from a file or the user never drives the terminal: class names, vocabulary tokens,
sentences, file names and labels in errors are printed with their control characters escaped,
and JSON output stays exact JSON. Also: sample's temperature is a finite number in range."""

import dataclasses
import json

import pytest

from rnnviz.cli import main
from rnnviz.commands.output import printable
from rnnviz.core.data.text import Vocabulary
from rnnviz.core.train import checkpoint

ESCAPED = {
    "\x1b": "\\x1b",  # ESC: colours, cursor moves, OSC window titles, clear-screen
    "\x07": "\\x07",  # BEL ends an OSC sequence
    "\x00": "\\x00",
    "\n": "\\x0a",  # a forged line
    "\r": "\\x0d",  # overwrites the line so far
    "\x08": "\\x08",  # backspace
    "\x7f": "\\x7f",  # DEL
    "\x9b": "\\x9b",  # C1 CSI: an escape sequence in one character
    "\x9d": "\\x9d",  # C1 OSC
    "\x85": "\\x85",  # C1 NEL
    "\u2028": "\\u2028",  # line separator
    "\u2029": "\\u2029",  # paragraph separator
    "\u202e": "\\u202e",  # right-to-left override: shows "txt.exe" as "exe.txt"
    "\u2066": "\\u2066",  # left-to-right isolate
    "\u200f": "\\u200f",  # right-to-left mark
    "\u061c": "\\u061c",  # Arabic letter mark
    "\udcff": "\\udcff",  # a lone surrogate (an undecodable file name) would not even print
}
KEPT = ["café", "naïve crème", "日本語", "😀👍🏽", "👨\u200d👩\u200d👧", "tab\there", "a\\x1b b"]


@pytest.mark.parametrize("char", ESCAPED)
def test_printable_writes_what_acts_on_a_terminal_as_a_visible_escape(char):
    assert printable(f"a{char}b") == f"a{ESCAPED[char]}b"


@pytest.mark.parametrize("text", KEPT)
def test_printable_keeps_ordinary_text_as_it_is(text):
    assert printable(text) == text


HOSTILE_CLASSES = ("\x1b]0;pwned\x07neg\x1b[2J", "pos\nrnnviz: error: forged")


@pytest.fixture(scope="module")
def hostile_models(tmp_path_factory):
    """A classifier whose class names and a language model whose vocabulary hold escapes."""
    folder = tmp_path_factory.mktemp("hostile")
    clf, lm = folder / "clf.npz", folder / "lm.npz"
    common = ["--epochs", "1", "--hidden", "8", "-q"]
    assert main(["train", "--data", "tiny", *common, "--save", str(clf)]) == 0
    assert main(["train", "--data", "tiny", "--task", "lm", *common, "--save", str(lm)]) == 0
    ckpt = checkpoint.load(clf)
    ckpt = dataclasses.replace(ckpt, classes=HOSTILE_CLASSES)
    checkpoint.save(clf, ckpt)
    ckpt = checkpoint.load(lm)
    tokens = list(ckpt.vocab.tokens)
    hostile = ["\x1b[31mred\x1b[0m", "\x1b]0;t\x07", "x\ny", "\u202erev", "\x9b2J", "\x7f"]
    tokens = tokens[:4] + [hostile[i % len(hostile)] + str(i) for i in range(4, len(tokens))]
    checkpoint.save(lm, dataclasses.replace(ckpt, vocab=Vocabulary(tokens)))
    return str(clf), str(lm)


def assert_terminal_safe(text: str) -> None:
    assert all(printable(line) == line for line in text.splitlines()), text
    assert "\u2028" not in text and "\x85" not in text  # str.splitlines() splits there too


def test_predict_prints_class_names_escaped(hostile_models, capsys):
    assert main(["predict", "--model", hostile_models[0], "great", "fun"]) == 0
    out = capsys.readouterr().out
    assert_terminal_safe(out)
    assert "\\x1b]0;pwned\\x07neg\\x1b[2J" in out
    assert not any(line.startswith("rnnviz: error:") for line in out.splitlines())
    shown = [printable(c) for c in HOSTILE_CLASSES]
    assert out.splitlines()[2] in [f"prediction: {name}" for name in shown]


def test_predict_csv_rows_are_escaped_one_line_each(hostile_models, tmp_path, capsys):
    path = tmp_path / "in.txt"
    path.write_text("great\x1b[2Jfun\nawful\u2028mess\n\x9b\u202efine\n")
    assert main(["predict", "--model", hostile_models[0], "--input", str(path)]) == 0
    out = capsys.readouterr().out
    assert_terminal_safe(out)
    rows = out.splitlines()
    assert len(rows) == 4 and rows[0].startswith("text,prediction,p_\\x1b]0;pwned")
    assert [r.split(",")[0] for r in rows[1:]] == [
        "great\\x1b[2Jfun",
        "awful\\u2028mess",
        "\\x9b\\u202efine",
    ]


@pytest.mark.parametrize("argv", [["great", "fun"], ["--input", "IN"]])
def test_predict_json_stays_exact_and_ascii(hostile_models, tmp_path, capsys, argv):
    path = tmp_path / "in.txt"
    path.write_text("great\x1b[2Jfun\nawful\u2028mess\x85\n")
    argv = [str(path) if a == "IN" else a for a in argv]
    assert main(["predict", "--model", hostile_models[0], "--json", *argv]) == 0
    out = capsys.readouterr().out
    assert out.isascii() and "\x1b" not in out
    records = [json.loads(line) for line in out.splitlines()]
    names = set(records[0]["probabilities"])
    assert names == set(HOSTILE_CLASSES)
    if "--input" in argv:
        assert [r["text"] for r in records] == ["great\x1b[2Jfun", "awful\u2028mess\x85"]


@pytest.mark.parametrize("as_json", [False, True])
def test_sample_prints_a_vocabulary_escaped(hostile_models, capsys, as_json):
    argv = ["sample", "--model", hostile_models[1], "-n", "20", "--max-tokens", "5"]
    argv += ["--prefix", "\x1b]0;typed\x07", *(["--json"] if as_json else [])]
    assert main(argv) == 0
    out = capsys.readouterr().out
    if as_json:
        record = json.loads(out)
        assert out.isascii() and record["prefix"] == "\x1b]0;typed\x07"
        assert any("\x1b" in s or "\u202e" in s or "\x9b" in s for s in record["samples"])
    else:
        assert_terminal_safe(out)
        assert "\\x1b]0;typed\\x07" in out
        assert any(e in out for e in ("\\x1b[31mred", "\\x1b]0;t\\x07", "\\u202erev", "\\x9b2J"))


@pytest.mark.parametrize(
    "argv,usage",
    [
        (["predict", "--model", "x\x1b]0;t\x07.npz", "hi"], False),
        (["train", "--data", "no\nrnnviz: error: such\x1b[2J.tsv"], False),
        (["train", "--data", "tiny", "--lr", "1\x1b[2J\u202e"], True),  # argparse quotes it
        (["train", "--data", "tiny", "--bogus\x1b[2J\n"], True),  # and the unknown option
    ],
)
def test_errors_quote_names_escaped_on_one_line(argv, usage, capsys):
    if usage:  # argparse's own errors exit from inside parse()
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
    else:
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert_terminal_safe(err)
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith(("rnnviz: error:", "rnnviz train: error:"))


@pytest.mark.parametrize("name", ["d\x1b[2J.tsv", "d\x1b]0;t\x07.tsv", "d\u202evst.exe"])
def test_a_note_naming_a_file_is_escaped(tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes("café fun\tpos\nawful\tneg\n".encode() * 5 + b"bad \xff\tneg\n")
    assert main(["train", "--data", str(path), "--epochs", "1", "--hidden", "8"]) == 0
    err = capsys.readouterr().err
    assert_terminal_safe(err)
    assert f"note: {printable(name)}: line 11 is not valid UTF-8, unlike the rest" in err


# ------------------------------------------------------------------ sample --temperature
def refuse(constant: str):
    raise AssertionError(f"{constant} is not JSON")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e-308", "0", "-1", "0.0009", "1001"])
def test_a_temperature_out_of_range_is_refused(hostile_models, capsys, value):
    with pytest.raises(SystemExit):  # refused while parsing (commands/numbers.py)
        main(["sample", "--model", hostile_models[1], f"--temperature={value}"])
    assert capsys.readouterr().err.splitlines()[-1] == (
        "rnnviz sample: error: argument --temperature: must be a number from 0.001 to 1,000, "
        f"not {value!r}"
    )


@pytest.mark.parametrize("value", ["0.001", "0.5", "1000"])
def test_temperatures_at_the_ends_of_the_range_sample_real_tokens(hostile_models, capsys, value):
    argv = ["sample", "--model", hostile_models[1], "--temperature", value, "--json"]
    assert main([*argv, "-n", "3", "--max-tokens", "4"]) == 0
    record = json.loads(capsys.readouterr().out, parse_constant=refuse)  # no NaN in it
    assert all(p == p for p in record["next"].values()) and "<pad>" not in " ".join(
        record["samples"]
    )
