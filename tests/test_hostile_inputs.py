"""Bad files, paths and numbers on the command line: each gets one line, never a traceback, and
nothing is read forever or trained wrongly without a word."""

import json

import pytest

from rnnviz.cli import main


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rnnviz: error:"), err
    return err[0]


def test_a_header_named_stars_is_a_header_not_a_class(tmp_path, capsys):
    data = tmp_path / "reviews.csv"
    data.write_text("text,stars\n" + "great fun,5\nawful mess,1\n" * 10)
    assert main(["train", "--data", str(data), "--epochs", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["classes"] == ["1", "5"]


def test_an_unnamed_header_over_numeric_labels_is_recognised_and_said(tmp_path, capsys):
    data = tmp_path / "reviews.csv"
    data.write_text("review body,how many stars\n" + "great fun,5\nawful mess,1\n" * 10)
    assert main(["train", "--data", str(data), "--epochs", "1", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out.splitlines()[-1])["classes"] == ["1", "5"]
    assert "line 1 ('how many stars' among numeric labels) read as a header" in captured.err


def test_nul_bytes_never_reach_a_class_name(tmp_path, capsys):
    data = tmp_path / "d.tsv"
    data.write_text("great fun\tpos\x00\nawful mess\tneg\x00\n" * 5)
    assert main(["train", "--data", str(data), "--epochs", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["classes"] == [
        "negative",
        "positive",
    ]


@pytest.mark.parametrize("linked", [False, True])
def test_a_device_is_refused_at_once(tmp_path, capsys, linked):
    path = "/dev/zero"
    if linked:
        (tmp_path / "data.txt").symlink_to("/dev/zero")
        path = str(tmp_path / "data.txt")
    assert main(["train", "--data", path]) == 2  # refused by what it is, not after reading
    assert "is neither a regular file nor a folder" in one_line_error(capsys)


@pytest.mark.slow
def test_a_file_over_the_size_limit_is_refused_unless_the_limit_is_raised(tmp_path, capsys):
    data = tmp_path / "big.tsv"
    data.write_text("great fun\tpos\nawful mess\tneg\n" * 40_000)  # about 1 MB
    assert main(["train", "--data", str(data), "--max-file-mb", "0.5"]) == 2
    assert "over the 0.5 MB limit (raise it with --max-file-mb)" in one_line_error(capsys)
    assert main(["train", "--data", str(data), "--max-file-mb", "2", "--epochs", "1", "-q"]) == 0


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--hidden", "100000"], "hidden size must be <= 4096"),
        (["--seed", "-1"], "seed must be >= 0"),
        (["--batch-size", "0"], "batch size must be >= 1"),
        (["--test-fraction", "1"], "test fraction must be < 1"),
    ],
)
def test_numbers_out_of_range_are_one_line(argv, message, capsys):
    assert main(["train", "--data", "tiny", *argv]) == 2
    assert message in one_line_error(capsys)


def test_out_of_memory_says_how_much_and_what_to_lower(tmp_path):
    """Under a 2 GB address-space limit a too-large model fails in one line with NumPy's size of
    the array and the limit, not a MemoryError traceback."""
    import resource
    import subprocess
    import sys

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    argv = ["train", "--data", "negation", "--hidden", "4096", "--batch-size", "4096"]
    done = subprocess.run(
        [sys.executable, "-m", "rnnviz", *argv, "--epochs", "1", "-q"],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        cwd=tmp_path,
        timeout=120,
    )
    err = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(err) == 1, done.stderr[-2000:]
    assert err[0].startswith("rnnviz: error: out of memory: unable to allocate")
    assert "this process may use 2.0 GB (ulimit -v)" in err[0] and "--hidden" in err[0]
