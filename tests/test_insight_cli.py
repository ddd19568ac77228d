"""`rnnviz explain`, `rnnviz units` and `rnnviz compare` as scripts use them (--json)."""

import pytest

from rnnviz.cli import main

from .test_cli import json_lines


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "tiny.npz"
    argv = ["train", "--data", "tiny", "--classic", "--epochs", "100", "-q"]
    assert main([*argv, "--save", str(path)]) == 0
    return str(path)


@pytest.mark.parametrize("method", ["occlusion", "gradient"])
def test_explain_scores_every_word(tiny_model, method, capsys):
    argv = ["explain", "--model", tiny_model, "--method", method, "--json", "it is not bad blorp"]
    assert main(argv) == 0
    (result,) = json_lines(capsys.readouterr().out)
    assert result["method"] == method and result["class"] == "positive"
    assert [w["token"] for w in result["words"]] == ["it", "is", "not", "bad", "blorp"]
    assert [w["unknown"] for w in result["words"]] == [False] * 4 + [True]
    scores = {w["token"]: w["score"] for w in result["words"]}
    assert max(scores, key=lambda t: abs(scores[t])) in ("not", "bad")
    assert main(["explain", "--model", tiny_model, "--class", "negative", "not bad"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("negative") and "not" in out and "bad" in out


def test_explain_of_no_words_and_of_an_unknown_class(tiny_model, capsys):
    assert main(["explain", "--model", tiny_model, "--json", "   "]) == 0
    (result,) = json_lines(capsys.readouterr().out)
    assert result["words"] == [] and result["class"] is None
    assert main(["explain", "--model", tiny_model, "--class", "neutral", "good"]) == 2
    assert "no class 'neutral'" in capsys.readouterr().err


def test_units_lists_contexts_and_a_phrase_units(tiny_model, capsys):
    argv = ["units", "--model", tiny_model, "--data", "tiny", "--unit", "7", "--unit", "0"]
    assert main([*argv, "--top", "3", "--json", "--text", "it is not bad", "--words", "2:4"]) == 0
    (result,) = json_lines(capsys.readouterr().out)
    assert result["hidden_size"] == 64 and set(result["units"]) == {"7", "0"}
    top = result["units"]["7"]
    assert len(top["positive"]) == len(top["negative"]) == 3
    assert top["positive"][0]["value"] >= top["positive"][-1]["value"]
    assert top["negative"][0]["value"] <= top["negative"][-1]["value"]
    assert f"[{top['positive'][0]['word']}]" in top["positive"][0]["context"]
    phrase = result["phrase"]
    assert phrase["start"] == 2 and phrase["stop"] == 4 and len(phrase["units"]) == 10


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--unit", "64", "--data", "tiny"], "no unit 64: the model has units 0 to 63"),
        (["--unit", "3"], "--unit needs --data"),
        ([], "give --unit U"),
        (["--text", "it is bad", "--words", "5:9"], "selects no word"),
        (["--text", "it is bad", "--words", "x"], "--words wants A:B"),
    ],
)
def test_units_errors_are_one_line(tiny_model, argv, message, capsys):
    assert main(["units", "--model", tiny_model, *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_compare_prints_every_run_each_epoch(capsys):
    argv = ["compare", "--data", "tiny", "--classic", "--epochs", "3", "--json"]
    assert main([*argv, "--run", "cell=vanilla", "--run", "cell=gru,hidden-size=16"]) == 0
    captured = capsys.readouterr()
    *epochs, summary = json_lines(captured.out)
    labels = ["cell=vanilla", "cell=gru,hidden-size=16"]
    assert [e["epoch"] for e in epochs] == [1, 2, 3]
    assert all(list(e["runs"]) == labels for e in epochs)
    assert all({"train_loss", "test_acc", "step"} <= set(e["runs"][labels[1]]) for e in epochs)
    assert epochs[-1]["runs"][labels[0]]["step"] == epochs[-1]["runs"][labels[1]]["step"]
    assert summary["event"] == "summary" and list(summary["runs"]) == labels
    assert len(summary["runs"][labels[0]]["gradient_flow"]) > 1
    last = epochs[-1]["runs"][labels[1]]
    assert last["sigma_max"] >= last["rho"] > 0 and 0 <= last["saturation"] <= 1
    assert "--- Epoch 3" in captured.err and "test accuracy" in captured.err


def test_compare_refuses_a_single_run_and_data_settings(capsys):
    assert main(["compare", "--data", "tiny", "--run", "cell=gru"]) == 2
    assert "2 to 4 --run" in capsys.readouterr().err
    assert main(["compare", "--data", "tiny", "--run", "lr=0.1", "--run", "seed=3"]) == 2
    assert "keys cell, hidden-size" in capsys.readouterr().err


def test_train_reports_the_gradient_flow_and_the_recurrence_each_epoch(capsys):
    assert main(["train", "--data", "negation", "--epochs", "1", "--hidden", "16", "--json"]) == 0
    captured = capsys.readouterr()
    epoch, _ = json_lines(captured.out)
    flow = epoch["gradient_flow"]
    assert 10 < len(flow) <= 30 and all(v > 0 for v in flow)
    assert {"sigma_max", "rho", "saturation"} <= set(epoch)
    assert "Gradient:\t‖∂L/∂h‖ 10 words back" in captured.err and "saturated" in captured.err


def test_explain_of_a_long_text_scores_its_last_words(tiny_model, capsys):
    text = " ".join(["it is not bad now"] * 300)  # 1,500 words
    assert main(["explain", "--model", tiny_model, "--last", "20", "--json", text]) == 0
    captured = capsys.readouterr()
    (result,) = json_lines(captured.out)
    scores = [w["score"] for w in result["words"]]
    assert len(scores) == 1500 and scores[:-20] == [None] * 1480 and None not in scores[-20:]
    assert "scored the last 20 of 1500 words" in captured.err


def test_explain_prints_figures_rounded_to_the_largest(tiny_model, capsys):
    # occlusion printed numerical noise such as "-4.46e-10" beside "+0.401"
    assert main(["explain", "--model", tiny_model, "this is not bad at all now"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    figures = [row.split()[1] for row in rows]
    assert len(figures) == 7 and not any("e" in f for f in figures), rows
    decimals = {len(f.partition(".")[2]) for f in figures if f != "0"}
    assert len(decimals) == 1, figures  # one column of one precision


@pytest.mark.parametrize("cell", ["vanilla", "gru", "lstm"])
@pytest.mark.parametrize("task", ["classify", "lm"])
def test_states_prints_the_state_space_of_every_cell_and_task(cell, task, tmp_path, capsys):
    path = tmp_path / "m.npz"
    train = ["train", "--data", "tiny", "--cell", cell, "--task", task, "--hidden", "16"]
    assert main([*train, "--epochs", "3", "-q", "--save", str(path)]) == 0
    capsys.readouterr()
    assert main(["states", "--model", str(path), "--data", "tiny", "--json"]) == 0
    (result,) = json_lines(capsys.readouterr().out)
    assert result["cell"] == cell and result["hidden_size"] == 16 and result["states"] > 0
    summary = result["summary"]
    assert 0 < summary["pc1"] <= summary["pc1_2"] <= summary["pc1_10"] <= 1 + 1e-9
    assert summary["fixed_points"] == len(result["fixed_points"])
    assert len(result["explained"]) == 10
    for point in result["fixed_points"]:
        assert 0 <= point["q"] < 1e-6 and len(point["eigenvalues"]) == 10
    if task == "lm":
        assert summary["readout_line_angle"] is None  # no readout direction to compare
    assert main(["states", "--model", str(path), "--data", "tiny", "--untrained"]) == 0
    assert capsys.readouterr().out.startswith(f"untrained {cell}, H=16:")


def test_states_refuses_a_plot_it_cannot_write(tiny_model, capsys):
    argv = ["states", "--model", tiny_model, "--data", "tiny", "--plot"]
    assert main([*argv, "states.pdf"]) == 2
    assert "--plot writes a .png picture" in capsys.readouterr().err
