"""Files on the command line: the trained model survives whatever else fails (a side output, a
full disk, a signal), an output never overwrites an input or another output, and exports are
written like every other file (links through, devices in place, the umask's mode)."""

import os
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from rnnviz.cli import main
from rnnviz.core.data.datasets import resolve
from rnnviz.core.train import checkpoint

from .test_cli import json_lines

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "data" / "tiny" / "train.tsv"


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rnnviz: error:"), err
    return err[0]


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("model") / "m.npz"
    assert main(["train", "--data", "tiny", "--epochs", "1", "-q", "--save", str(path)]) == 0
    return path


def side_outputs(tmp_path: Path, full_disk) -> dict[str, str]:
    """Ways the metrics file can fail once training is done: its path."""
    (tmp_path / "full").mkdir()
    full_disk(tmp_path / "full")
    (tmp_path / "old.csv").write_text("an older, good file\n")
    (tmp_path / "full" / "old.csv").write_text("an older, good file\n")
    return {
        "a full disk": str(tmp_path / "full" / "steps.csv"),
        "a full disk over an older file": str(tmp_path / "full" / "old.csv"),
        "/dev/full (a real ENOSPC)": "/dev/full",
    }


@pytest.mark.parametrize(
    "case", ["a full disk", "a full disk over an older file", "/dev/full (a real ENOSPC)"]
)
def test_a_side_output_that_fails_never_loses_the_model(case, tmp_path, capsys, full_disk):
    metrics = side_outputs(tmp_path, full_disk)[case]
    if metrics == "/dev/full" and not Path(metrics).exists():
        pytest.skip("no /dev/full")
    saved = tmp_path / "m.npz"
    argv = ["train", "--data", "tiny", "--epochs", "2", "--json", "--save", str(saved)]
    code = main([*argv, "--metrics", metrics])
    captured = capsys.readouterr()
    assert code == 2 and json_lines(captured.out)[-1]["event"] == "summary"
    assert f"rnnviz: error: cannot write {metrics}: No space left on device" in captured.err
    assert f"saved: {saved}" in captured.err
    assert checkpoint.load(saved).summary["epoch"] == 2
    if "older" in case:
        assert Path(metrics).read_text() == "an older, good file\n"
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["old.csv"]  # no temporaries


def test_with_the_save_folder_and_tmpdir_full_the_message_names_both_and_leaves_nothing(
    tmp_path, capsys, monkeypatch, full_disk
):
    for folder in ("full", "tmp"):
        (tmp_path / folder).mkdir()
        full_disk(tmp_path / folder)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    target = tmp_path / "full" / "m.npz"
    code = main(["train", "--data", "tiny", "--epochs", "1", "-q", "--save", str(target)])
    error = one_line_error(capsys)
    assert code == 2
    assert error.startswith(f"rnnviz: error: cannot write {target}: No space left on device; ")
    assert "the rescue copy failed too (cannot write " in error and str(tmp_path / "tmp") in error
    assert error.endswith("No space left on device): the model is lost")
    assert list((tmp_path / "full").iterdir()) == list((tmp_path / "tmp").iterdir()) == []


REFUSED = {  # argv (with {d}: a copy of tiny's train.tsv, {m}: a checkpoint) -> the refusal
    "export onto the checkpoint": (["export", "{m}", "--to", "onnx", "{m}"], "would overwrite"),
    "export onto ./ the checkpoint": (
        ["export", "{m}", "--to", "torch", "{dir}/./m.npz"],
        "would overwrite the checkpoint file",
    ),
    "export onto a link to the checkpoint": (
        ["export", "{m}", "--to", "torch", "{dir}/link.npz"],
        "would overwrite the checkpoint file",
    ),
    "export onto a hard link to the checkpoint": (
        ["export", "{m}", "--to", "onnx", "{dir}/hard.npz"],
        "would overwrite the checkpoint file",
    ),
    "export whose sidecar is the checkpoint": (
        ["export", "{dir}/m.json", "--to", "onnx", "{dir}/m.onnx"],
        "m.json would overwrite the checkpoint file",
    ),
    "export named .json (the sidecar's name)": (
        ["export", "{m}", "--to", "onnx", "{dir}/model.json"],
        "the export and its sidecar would both be",
    ),
    "--metrics onto --data": (["train", "--data", "{d}", "--metrics", "{d}"], "--data file"),
    "--save onto --data": (["train", "--data", "{d}", "--save", "{d}"], "--data file"),
    "--save onto a link to --data": (
        ["train", "--data", "{d}", "--save", "{dir}/data-link.tsv"],
        "--data file",
    ),
    "--metrics onto --test": (
        ["train", "--data", "tiny", "--test", "{d}", "--metrics", "{d}"],
        "would overwrite the --test file",
    ),
    "--metrics onto --validation": (
        ["train", "--data", "tiny", "--validation", "{d}", "--metrics", "{d}"],
        "would overwrite the --validation file",
    ),
    "--metrics onto --resume": (
        ["train", "--data", "tiny", "--resume", "{m}", "--metrics", "{m}"],
        "would overwrite the --resume file",
    ),
    "--save and --metrics one file": (
        ["train", "--data", "tiny", "--save", "{dir}/x", "--metrics", "{dir}/./x"],
        "--save and --metrics would both be",
    ),
    "--save inside a bundled dataset": (
        ["train", "--data", "tiny", "--save", str(resolve("tiny") / "m.npz")],  # installed
        "is inside the --data folder",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_an_output_that_is_an_input_or_another_output_is_refused(case, tmp_path, capsys, model):
    data = tmp_path / "data.tsv"
    data.write_bytes(TINY.read_bytes())
    ckpt = tmp_path / "m.npz"
    ckpt.write_bytes(model.read_bytes())
    (tmp_path / "m.json").write_bytes(model.read_bytes())  # a checkpoint named like a sidecar
    (tmp_path / "link.npz").symlink_to(ckpt)
    os.link(ckpt, tmp_path / "hard.npz")
    (tmp_path / "data-link.tsv").symlink_to(data)
    before = {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    argv, message = REFUSED[case]
    argv = [a.format(d=data, m=ckpt, dir=tmp_path) for a in argv]
    assert main([*argv, "--epochs", "1"] if argv[0] == "train" else argv) == 2
    error = one_line_error(capsys)
    assert message in error and error.endswith(": refused"), error
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
    assert not (ROOT / "data" / "tiny" / "m.npz").exists()


def test_resume_may_save_over_its_own_checkpoint(tmp_path, model):
    ckpt = tmp_path / "m.npz"
    ckpt.write_bytes(model.read_bytes())
    argv = ["train", "--data", "tiny", "--epochs", "2", "-q", "--resume", str(ckpt)]
    assert main([*argv, "--save", str(ckpt)]) == 0
    assert checkpoint.load(ckpt).summary["epoch"] == 2


@pytest.mark.parametrize("target", ["torch", "onnx"])
def test_an_export_writes_like_every_file(target, tmp_path, capsys, model):
    """Through a link to a device (which stays a device), through a link to a file (which stays
    a link), a new file with the umask's mode, an existing one keeping its own; a sidecar path
    that is a folder is refused before anything is written, naming the sidecar."""
    null = tmp_path / "null.bin"
    null.symlink_to(os.devnull)
    assert main(["export", str(model), "--to", target, str(null)]) == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode) and null.is_symlink()
    real, link = tmp_path / "real.bin", tmp_path / "link.bin"
    real.write_bytes(b"old")
    link.symlink_to(real)
    assert main(["export", str(model), "--to", target, str(link)]) == 0
    assert link.is_symlink() and real.stat().st_size > 1000
    previous = os.umask(0o027)
    try:
        assert main(["export", str(model), "--to", target, str(tmp_path / "new.bin")]) == 0
    finally:
        os.umask(previous)
    assert [stat.S_IMODE((tmp_path / f"new.{s}").stat().st_mode) for s in ("bin", "json")] == [
        0o640,
        0o640,
    ]
    (tmp_path / "private.bin").write_bytes(b"old")
    (tmp_path / "private.bin").chmod(0o600)
    assert main(["export", str(model), "--to", target, str(tmp_path / "private.bin")]) == 0
    assert stat.S_IMODE((tmp_path / "private.bin").stat().st_mode) == 0o600
    (tmp_path / "out.json").mkdir()
    capsys.readouterr()
    assert main(["export", str(model), "--to", target, str(tmp_path / "out.bin")]) == 2
    assert f"the sidecar to {tmp_path / 'out.json'}: it is a folder" in one_line_error(capsys)
    assert not (tmp_path / "out.bin").exists()
    assert [p for p in tmp_path.iterdir() if ".rnnviz-tmp-" in p.name] == []


def test_a_signal_before_training_exits_at_once_with_its_code(tmp_path, capsys, monkeypatch):
    """Reading the data is not waited for: the signal ends the command there, nothing saved."""
    import rnnviz.commands.train as train

    def interrupted_read(*args):
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("the signal was not delivered")

    monkeypatch.setattr(train, "load_data", interrupted_read)
    save = tmp_path / "m.npz"
    handlers = [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]
    assert main(["train", "--data", "tiny", "--save", str(save)]) == 128 + signal.SIGTERM
    assert capsys.readouterr().err == "rnnviz: interrupted by SIGTERM\n"
    assert not save.exists()
    assert [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)] == handlers


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_training_saves_the_best_model_then_exits_with_its_code(signum, tmp_path):
    """Ctrl-C, kill, a closed terminal: the step under way ends, the best weights so far are
    saved to --save (and the metrics written), a line says so, the exit code is the shell's."""
    argv = ["train", "--data", "tiny", "--epochs", "100000", "--patience", "0"]
    argv += ["--save", "m.npz", "--metrics", "steps.csv"]
    process = subprocess.Popen(
        [sys.executable, "-m", "rnnviz", *argv],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    epochs = 0
    for line in process.stdout:  # wait for two epochs: a best one to keep
        epochs += line.startswith("--- Epoch")
        if epochs == 2:
            break
    process.send_signal(signum)
    err = process.communicate(timeout=120)[1]
    name = signal.Signals(signum).name
    assert process.returncode == 128 + signum, err
    said = err.strip().splitlines()[-1]
    assert said.startswith(f"rnnviz: interrupted by {name} at epoch ") and "Traceback" not in err
    assert "; saved the weights of epoch " in said and said.endswith(" to m.npz")
    saved = checkpoint.load(tmp_path / "m.npz")
    best = int(said.split("saved the weights of epoch ")[1].split()[0])
    assert 1 <= best <= saved.summary["epoch"]
    assert len((tmp_path / "steps.csv").read_text().splitlines()) > 1
    assert [p.name for p in tmp_path.iterdir() if ".rnnviz-tmp-" in p.name] == []
