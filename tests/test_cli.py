import json
import subprocess
import sys

import pytest

from rnnviz.cli import main


def last_json(capsys):
    out = capsys.readouterr().out.strip().splitlines()
    return json.loads(out[-1]), out


def test_gradcheck_json(capsys):
    assert main(["gradcheck", "--json"]) == 0
    result, lines = last_json(capsys)
    assert result["max_rel_error"] < 1e-7 and result["passed"]
    assert set(result["per_param"]) == {"W_xh", "W_hh", "b_h", "W_hy", "b_y"}
    assert any("truncated" in line for line in lines)


def test_train_tiny_reaches_full_accuracy_and_saves(tmp_path, capsys):
    model, metrics = tmp_path / "m.npz", tmp_path / "steps.csv"
    code = main(
        ["train", "--data", "tiny", "--json", "--save", str(model), "--metrics", str(metrics)]
    )
    result, lines = last_json(capsys)
    assert code == 0 and result["test_acc"] == 1.0 and result["seconds"] < 10
    assert {"train_loss", "train_acc", "test_loss", "epochs", "steps", "tokens_per_s"} <= set(
        result
    )
    assert any(line.startswith("Train:\tLoss") for line in lines)
    assert model.is_file()
    rows = metrics.read_text().splitlines()
    assert rows[0].startswith("step,epoch,loss") and len(rows) == result["steps"] + 1

    assert main(["predict", "--model", str(model), "--json", "this is not bad blorp"]) == 0
    prediction, _ = last_json(capsys)
    assert prediction["unknown"] == ["blorp"]
    assert prediction["probabilities"]["positive"] > 0.5
    assert sum(prediction["probabilities"].values()) == pytest.approx(1.0)

    assert main(["eval", "--model", str(model), "--data", "tiny", "--json"]) == 0
    evaluation, lines = last_json(capsys)
    assert evaluation["accuracy"] == 1.0 and evaluation["confusion"] == [[40, 0], [0, 40]]

    assert (
        main(["train", "--data", "tiny", "--resume", str(model), "--epochs", "42", "--json"]) == 0
    )
    resumed, _ = last_json(capsys)
    assert resumed["epochs"] == 42 and resumed["steps"] == result["steps"] + 8


@pytest.mark.parametrize(
    "argv,message",
    [
        (["train", "--data", "no/such/file.csv"], "no such file or folder"),
        (["train", "--data", "tiny", "--lr", "-1"], "learning rate must be > 0"),
        (["train", "--data", "tiny", "--hidden", "0"], "hidden size must be >= 1"),
        (["predict", "--model", "missing.npz", "hi"], "no such checkpoint"),
    ],
)
def test_user_errors_are_one_line_messages(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and err[0].startswith("rnnviz: error:")


def test_bad_checkpoint_and_bad_dataset_lines(tmp_path, capsys):
    bogus = tmp_path / "m.npz"
    bogus.write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["predict", "--model", str(bogus), "hi"]) == 2
    assert "truncated or corrupt" in capsys.readouterr().err
    data = tmp_path / "d.txt"
    data.write_text("good\t1\nbroken line\nbad\t0\n")
    assert main(["train", "--data", str(data)]) == 2
    assert "d.txt, line 2" in capsys.readouterr().err


def test_installed_command_runs_without_traceback(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "rnnviz.cli", "train", "--data", str(tmp_path / "nope.tsv")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"rnnviz: error: no such file or folder: {tmp_path / 'nope.tsv'}"
