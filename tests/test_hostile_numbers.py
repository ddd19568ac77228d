"""Every number option of every command goes through one validated type (commands/numbers.py):
NaN, infinity, out-of-range, huge and non-numeric values are refused while parsing, naming the
option and its range, never a traceback and never after work was done."""

import argparse
import math
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnviz.cli import main
from rnnviz.commands.numbers import real, screen_size, seed, whole

HUGE = str(2**70)
DIGITS_5000 = "9" * 5000  # past Python's int() digit limit

# (command and what it needs before the option, option, bad values)
OPTIONS = [
    (["train", "--data", "tiny"], "--threads", ["0", "-1", HUGE, "1.5", "two", ""]),
    (["train", "--data", "tiny"], "--max-file-mb", ["nan", "inf", "-inf", "0", "-3", "1e300"]),
    (["eval", "--model", "m.npz"], "--max-file-mb", ["nan", "inf"]),
    (["sample", "--model", "m.npz"], "--seed", ["-1", str(2**32), HUGE, DIGITS_5000, "x"]),
    (["sample", "--model", "m.npz"], "--temperature", ["nan", "inf", "0", "1e-308", "1e9"]),
    (["sample", "--model", "m.npz"], "-n", ["0", "-5", "100000", "nan"]),
    (["sample", "--model", "m.npz"], "--max-tokens", ["0", "10001", "1e3"]),
    (["gradcheck"], "--seed", ["-1", HUGE, "nan"]),
    (["gradcheck"], "--truncate", ["-1", "0", "1001", HUGE, "k"]),
    (["units", "--model", "m.npz"], "--top", ["0", "-1", HUGE]),
    (["units", "--model", "m.npz"], "--unit", ["-1", HUGE]),
    (["explain", "--model", "m.npz"], "--last", ["0", "-2", HUGE]),
    (["screenshot", "--out", "x.png"], "--steps", ["-5", HUGE, "1.5"]),
    (
        ["screenshot", "--out", "x.png"],
        "--size",
        ["abc", "100000x100000", "0x0", "-800x600", "800", "800x600x3", "8000x8000", "nanxnan"],
    ),
]
CASES = [(prefix, option, value) for prefix, option, values in OPTIONS for value in values]


@pytest.mark.parametrize(
    "prefix,option,value", CASES, ids=[f"{p[0]} {o} {v[:12]!r}" for p, o, v in CASES]
)
def test_a_bad_number_is_refused_while_parsing_naming_the_option(prefix, option, value, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*prefix, f"{option}={value}", "text"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert f"error: argument {option}:" in last and "Traceback" not in err
    assert len(last) < 200  # a 5,000-digit number is described, not echoed


@pytest.mark.parametrize(
    "kind,text,value",
    [
        (whole(1, 10), " 7 ", 7),
        (whole(0, 2**32 - 1), "4294967295", 2**32 - 1),
        (seed, "0", 0),
        (real(0.0, 1.0, low_open=True), "1e-300", 1e-300),
        (real(1e-3, 1e3), "1000", 1000.0),
        (screen_size, "1366x768", (1366, 768)),
        (screen_size, "1024 X 700", (1024, 700)),
        (screen_size, "7680×4320", (7680, 4320)),
    ],
)
def test_good_numbers_pass_at_the_edges_of_their_range(kind, text, value):
    assert kind(text) == value


@given(st.text(max_size=30))
def test_any_text_is_a_number_in_range_or_an_argparse_error(text):
    for kind, low, high in ((whole(-3, 12), -3, 12), (real(0.5, 2.0), 0.5, 2.0)):
        try:
            value = kind(text)
        except argparse.ArgumentTypeError as error:
            assert str(error).startswith(("must be", "expected"))
        else:
            assert math.isfinite(value) and low <= value <= high


def test_the_screenshot_refuses_its_output_before_it_trains(tmp_path, capsys, monkeypatch):
    """A folder for a picture, a file for a report, a missing folder, a full disk: refused at
    once (the picture is taken only after training)."""
    (tmp_path / "file").write_text("")
    cases = {
        str(tmp_path): "it is a folder",
        str(tmp_path / "missing" / "a.png"): "does not exist",
    }
    for out, reason in cases.items():
        assert main(["screenshot", "--out", out, "--steps", "100000"]) == 2
        assert reason in capsys.readouterr().err
    argv = ["screenshot", "--scene", "report", "--out", str(tmp_path / "file")]
    assert main(argv) == 2
    assert "it is a file" in capsys.readouterr().err
    full = shutil._ntuple_diskusage(10**9, 10**9 - 5000, 5000)
    monkeypatch.setattr(shutil, "disk_usage", lambda _: full)
    assert main(["screenshot", "--out", str(tmp_path / "a.png"), "--size", "1000x500"]) == 2
    err = capsys.readouterr().err
    assert "4.9 KB free on its disk, 1.9 MB needed" in err and err.count("\n") == 1


def test_a_full_disk_refuses_the_model_before_training(tmp_path, capsys, monkeypatch):
    full = shutil._ntuple_diskusage(10**9, 10**9 - 100, 100)
    monkeypatch.setattr(shutil, "disk_usage", lambda _: full)
    assert main(["train", "--data", "tiny", "--save", str(tmp_path / "m.npz")]) == 2
    captured = capsys.readouterr()
    assert "100 bytes free on its disk" in captured.err and "Epoch" not in captured.out
