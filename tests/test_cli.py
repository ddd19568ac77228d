import json
import os
import pty
import select
import stat
import subprocess
import sys

import pytest

from rnnviz.cli import main


def json_lines(text: str) -> list[dict]:
    """Every line parsed as JSON: fails if stdout carries anything else."""
    return [json.loads(line) for line in text.strip().splitlines()]


def test_gradcheck_json(capsys):
    assert main(["gradcheck", "--json"]) == 0
    captured = capsys.readouterr()
    (result,) = json_lines(captured.out)
    assert result["max_rel_error"] < 1e-7 and result["passed"]
    # the cell train defaults to (a GRU: two biases, as PyTorch's)
    assert set(result["per_param"]) == {"W_ih", "W_hh", "b_ih", "b_hh", "W_hy", "b_y"}
    assert any("truncated" in line for line in captured.err.splitlines())


def test_train_json_lines_save_predict_eval_resume(tmp_path, capsys):
    model, metrics = tmp_path / "m.npz", tmp_path / "steps.csv"
    argv = ["train", "--data", "tiny", "--classic", "--epochs", "100", "--json", "--save"]
    code = main([*argv, str(model), "--metrics", str(metrics)])
    captured = capsys.readouterr()
    events = json_lines(captured.out)
    *epochs, result = events
    assert code == 0 and result["event"] == "summary" and result["test_acc"] == 1.0
    assert [e["epoch"] for e in epochs] == list(range(1, 101))
    assert all({"train_loss", "train_acc", "test_loss", "test_acc"} <= set(e) for e in epochs)
    assert epochs[-1]["step"] == result["steps"] == 400
    assert {"train_loss", "train_acc", "test_loss", "epochs", "steps", "tokens_per_s"} <= set(
        result
    )
    assert "Train:\tLoss" in captured.err and "--- Epoch 100 (step 400)" in captured.err
    assert model.is_file()
    rows = metrics.read_text().splitlines()
    assert rows[0].startswith("step,epoch,loss") and len(rows) == result["steps"] + 1

    assert main(["predict", "--model", str(model), "--json", "it is not bad now blorp"]) == 0
    (prediction,) = json_lines(capsys.readouterr().out)
    assert prediction["unknown"] == ["blorp"] and prediction["prediction"] == "positive"
    assert sum(prediction["probabilities"].values()) == pytest.approx(1.0)

    assert main(["eval", "--model", str(model), "--data", "tiny", "--json"]) == 0
    captured = capsys.readouterr()
    (evaluation,) = json_lines(captured.out)
    # by default the data's own test part (tiny has 20 test sentences of its 80), and it says so
    assert evaluation["accuracy"] == 1.0 and evaluation["confusion"] == [[10, 0], [0, 10]]
    assert "evaluated on the test part of tiny" in captured.err

    resume = ["train", "--data", "tiny", "--resume", str(model), "--epochs", "102", "--json"]
    assert main(resume) == 0
    *more_epochs, resumed = json_lines(capsys.readouterr().out)
    assert [e["epoch"] for e in more_epochs] == [101, 102]
    assert resumed["epochs"] == 102 and resumed["steps"] == result["steps"] + 8


@pytest.mark.parametrize(
    "seed", [0, pytest.param(1, marks=pytest.mark.slow), pytest.param(2, marks=pytest.mark.slow)]
)
def test_tiny_is_learnt_with_no_options(capsys, seed):
    # with the defaults for large data its validation split was 8 sentences and early stopping
    # ended every run within 10 epochs, at 50-70%
    seeded = ["--seed", str(seed)] if seed else []
    assert main(["train", "--data", "tiny", *seeded, "--json"]) == 0
    captured = capsys.readouterr()
    *_, summary = json_lines(captured.out)
    assert summary["test_acc"] == 1.0 and (summary["epochs"], summary["steps"]) == (100, 800)
    assert (
        "note: tiny: 80 sentences, fewer than 200, so the small-data defaults: validation "
        "fraction 0, patience 0, word dropout 0, batch size 8, epochs 100\n"
    ) in captured.err


def test_human_lines_go_to_stdout_without_json_and_nowhere_with_quiet(capsys):
    assert main(["train", "--data", "tiny", "--epochs", "2"]) == 0
    captured = capsys.readouterr()
    assert "--- Epoch 2 (step 16)" in captured.out
    assert all(line.startswith("note: ") for line in captured.err.splitlines())
    assert main(["train", "--data", "tiny", "--epochs", "2", "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    assert main(["train", "--data", "tiny", "--epochs", "2", "--quiet", "--json"]) == 0
    captured = capsys.readouterr()
    assert len(json_lines(captured.out)) == 3 and captured.err == ""


@pytest.mark.parametrize(
    "argv,message",
    [
        (["train", "--data", "no/such/file.csv"], "no such file or folder"),
        (["train", "--data", "negaton"], "did you mean 'negation'? bundled datasets: negation"),
        (["train", "--data", "tiny", "--lr", "-1"], "learning rate must be > 0"),
        (["train", "--data", "tiny", "--hidden", "0"], "hidden size must be >= 1"),
        (["train", "--data", "tiny", "--seed", "-1"], "seed must be >= 0"),
        # every comparison with NaN is False: the checks refuse non-finite numbers first
        (["train", "--data", "tiny", "--lr", "nan"], "learning rate must be a finite number"),
        (["train", "--data", "tiny", "--lr", "inf"], "learning rate must be a finite number"),
        (["train", "--data", "tiny", "--dropout", "nan"], "dropout must be a finite number"),
        (["train", "--data", "tiny", "--word-dropout", "nan"], "word dropout must be a finite"),
        (["train", "--data", "tiny", "--weight-decay", "inf"], "weight decay must be a finite"),
        (["train", "--data", "tiny", "--clip=-inf"], "clip threshold must be a finite"),
        (["predict", "--model", "missing.npz", "hi"], "no such checkpoint"),
        (["train", "--data", "tiny", "--save", "/proc/x.npz"], "cannot write the model"),
        (["train", "--data", "tiny", "--save", "/no/such/dir/x.npz"], "does not exist"),
        (["train", "--data", "tiny", "--metrics", "/sys/steps.csv"], "cannot write the metrics"),
    ],
)
def test_user_errors_are_one_line_messages(argv, message, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and err[0].startswith("rnnviz: error:")
    assert "Epoch" not in captured.out  # refused before any training


@pytest.mark.parametrize(
    "argv,message",
    [
        (
            ["train", "--data", "tiny", "--cells", "gru"],
            "arguments: --cells gru (did you mean --cell?)",
        ),
        (["predict", "--model", "m.npz", "--jsn", "hi"], "arguments: --jsn (did you mean --json?)"),
        (["train", "--data", "tiny", "--out", "m.npz"], "arguments: --out m.npz"),
    ],
)
def test_an_unknown_option_is_refused_by_its_command_with_the_closest_options(
    argv, message, capsys
):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == f"rnnviz {argv[0]}: error: unrecognized {message}"


def test_output_path_that_is_a_folder_is_refused_before_training(tmp_path, capsys):
    assert main(["train", "--data", "negation", "--save", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "it is a folder" in captured.err and captured.out == ""


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_saved_files_follow_the_umask(tmp_path, umask, capsys):
    previous = os.umask(umask)
    try:
        model, metrics = tmp_path / "m.npz", tmp_path / "m.csv"
        argv = ["train", "--data", "tiny", "--epochs", "1", "-q", "--save", str(model)]
        assert main([*argv, "--metrics", str(metrics)]) == 0
    finally:
        os.umask(previous)
    for path in (model, metrics):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_resume_with_nothing_left_to_train_says_so(tmp_path, capsys):
    model = tmp_path / "m.npz"
    assert main(["train", "--data", "tiny", "--epochs", "3", "-q", "--save", str(model)]) == 0
    assert main(["train", "--data", "tiny", "--resume", str(model), "--epochs", "3"]) == 2
    assert "already trained 3 epochs: nothing to do" in capsys.readouterr().err


def test_a_local_file_named_like_a_bundled_dataset_is_read_and_named(tmp_path, capsys):
    (tmp_path / "tiny").write_text("great stuff\tpos\nawful stuff\tneg\n" * 5)
    previous = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["train", "--data", "tiny", "--epochs", "1", "--json"]) == 0
    finally:
        os.chdir(previous)
    captured = capsys.readouterr()
    assert "read the local tiny, not the bundled dataset 'tiny'" in captured.err
    assert json_lines(captured.out)[-1]["vocab_size"] == 5  # <pad>, <unk>, stuff, great, awful


def test_bad_checkpoint_and_bad_dataset_lines(tmp_path, capsys):
    bogus = tmp_path / "m.npz"
    bogus.write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["predict", "--model", str(bogus), "hi"]) == 2
    assert "truncated or corrupt" in capsys.readouterr().err
    data = tmp_path / "d.txt"
    data.write_text("good\t1\nbroken line\nbad\t0\n")
    assert main(["train", "--data", str(data)]) == 2
    assert "d.txt, line 2" in capsys.readouterr().err


def run_module(*argv, cwd, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "rnnviz", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        **kwargs,
    )


def test_errors_and_closed_pipes_print_no_traceback(tmp_path):
    done = run_module("train", "--data", str(tmp_path / "nope.tsv"), cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"rnnviz: error: no such file or folder: {tmp_path / 'nope.tsv'}"
    reader_leaves = subprocess.run(
        f"'{sys.executable}' -m rnnviz train --data negation --epochs 3 --json | head -n 1",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert json.loads(reader_leaves.stdout)["event"] == "epoch"
    assert "Traceback" not in reader_leaves.stderr and "BrokenPipe" not in reader_leaves.stderr


def read_terminal(leader: int, process: subprocess.Popen) -> str:
    """Everything the process wrote to the pseudo-terminal whose other end is `leader`."""
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the other end is closed and drained
                break
            shown += chunk
        elif process.poll() is not None:
            break
    return shown.decode("utf-8", "replace")


@pytest.mark.slow
def test_progress_bar_on_a_terminal_only(tmp_path):
    """On a terminal stderr shows a bar with steps, epoch, loss, tokens/s and time left."""
    leader, follower = pty.openpty()
    argv = [sys.executable, "-m", "rnnviz", "train", "--data", "negation", "--epochs", "5"]
    process = subprocess.Popen(
        [*argv, "--json"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=follower, text=True
    )
    os.close(follower)
    try:
        terminal = read_terminal(leader, process)
    finally:
        os.close(leader)
    stdout = process.communicate(timeout=60)[0]
    assert process.returncode == 0
    assert "/825 [" in terminal and "step/s" in terminal  # steps done / all: 5 x 2640 / 16
    assert "epoch 1/5, loss 0." in terminal and "tokens/s]" in terminal
    assert "<" in terminal  # tqdm's [elapsed<remaining
    assert len(json_lines(stdout)) == 6  # the bar never reaches stdout
    redirected = run_module("train", "--data", "tiny", "--epochs", "2", cwd=tmp_path)
    assert "\r" not in redirected.stderr and "tokens/s" not in redirected.stderr


def test_a_save_that_fails_after_training_keeps_the_model_elsewhere(
    tmp_path, capsys, monkeypatch, full_disk
):
    from rnnviz.core.train import checkpoint

    (tmp_path / "full").mkdir()
    full_disk(tmp_path / "full")
    target = tmp_path / "full" / "m.npz"
    monkeypatch.setenv("TMPDIR", str(tmp_path / "rescue"))
    (tmp_path / "rescue").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    code = main(["train", "--data", "tiny", "--epochs", "2", "--json", "--save", str(target)])
    captured = capsys.readouterr()
    assert code == 2 and json_lines(captured.out)[-1]["event"] == "summary"
    (rescued,) = (tmp_path / "rescue").glob("rnnviz-rescued-*.npz")
    assert f"saved to {rescued} instead" in captured.err and "No space left" in captured.err
    assert checkpoint.load(rescued).summary["step"] == 16
    assert list((tmp_path / "full").iterdir()) == []  # no temporary left


def test_held_out_files_best_epoch_and_calibration_reach_the_json(tmp_path, capsys):
    rows = [("a truly great film", "pos"), ("a truly awful film", "neg")]
    files = {}
    for name, n in (("train", 60), ("test", 10), ("dev", 10)):
        files[name] = tmp_path / f"{name}.tsv"
        files[name].write_text(
            "".join(f"{t} {i}\t{label}\n" for i in range(n) for t, label in rows)
        )
    model = tmp_path / "m.npz"
    argv = ["train", "--data", str(files["train"]), "--test", str(files["test"])]
    argv += ["--validation", str(files["dev"]), "--json", "--save", str(model), "--seed", "1"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    *epochs, summary = json_lines(captured.out)
    assert "120 train / 20 validation / 20 test sentences" in captured.err
    assert all(
        {"validation_loss", "validation_acc", "validation_ece", "test_ece"} <= set(e)
        for e in epochs
    )
    best = max(epochs, key=lambda e: (e["validation_acc"], -e["validation_loss"]))
    assert summary["best_epoch"] == best["epoch"] and summary["temperature"] > 0
    assert f"kept the weights of epoch {best['epoch']}" in captured.err
    assert {"raw_test_loss", "raw_test_ece", "validation_acc"} <= set(summary)

    sentences = tmp_path / "s.txt"
    sentences.write_text("a truly great film\n\nzzz awful\n")
    assert main(["predict", "--model", str(model), "--input", str(sentences)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "text,prediction,p_negative,p_positive,unknown"
    assert out[1].startswith("a truly great film,positive,") and out[2] == ",,,,"
    assert out[3].startswith("zzz awful,") and out[3].endswith(",zzz")
    assert main(["predict", "--model", str(model), "--input", str(sentences), "--json"]) == 0
    lines = json_lines(capsys.readouterr().out)
    assert [line["prediction"] for line in lines][1] is None and len(lines) == 3

    assert main(["eval", "--model", str(model), "--data", str(files["test"]), "--json"]) == 0
    (evaluation,) = json_lines(capsys.readouterr().out)
    assert {"nll", "ece", "temperature"} <= set(evaluation)
    assert evaluation["per_class"]["positive"]["support"] == 10


def test_patience_without_validation_data_is_one_line(capsys):
    assert main(["train", "--data", "tiny", "--validation-fraction", "0"]) == 2
    assert "early stopping (patience) needs validation data" in capsys.readouterr().err


def test_train_says_how_its_two_train_accuracies_differ(capsys):
    # the epoch's "Train accuracy 0.562" beside the summary's 0.615 was unexplained
    assert main(["train", "--data", "tiny", "--epochs", "1", "--word-dropout", "0.2"]) == 0
    out = capsys.readouterr().out
    assert "(mean over the epoch's steps, dropout 0.5 and word dropout 0.2 on)" in out
    assert "Train accuracy" in out and "(the kept weights, no dropout)" in out
    assert "Done: 1 epoch, 8 steps" in out  # not "1 epochs"
    assert "2 classes (negative: 40, positive: 40)" in out
    assert main(["train", "--data", "tiny", "--classic", "--epochs", "2"]) == 0
    out = capsys.readouterr().out
    assert "(mean over the epoch's steps)" in out and "(the kept weights)" in out


def test_hidden_size_has_the_same_name_as_in_a_run(tmp_path, capsys):
    from rnnviz.core.train import checkpoint

    for option, size in (("--hidden-size", 8), ("--hidden", 6)):  # the older name still works
        path = tmp_path / f"{size}.npz"
        argv = ["train", "--data", "tiny", "--epochs", "1", "-q", option, str(size)]
        assert main([*argv, "--save", str(path)]) == 0
        assert checkpoint.load(path).config.hidden_size == size
    assert "--hidden-size HIDDEN_SIZE, --hidden HIDDEN_SIZE" in _help("train", capsys)


def _help(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    return capsys.readouterr().out
