"""The language model from the command line: train --task lm, sample, eval, and refusals."""

import pytest

from rnnviz.cli import main

from .test_cli import json_lines


@pytest.fixture(scope="module")
def stories_lm(tmp_path_factory):
    path = tmp_path_factory.mktemp("lm") / "stories.npz"
    argv = ["train", "--data", "stories", "--task", "lm", "--hidden", "48", "--epochs", "2"]
    assert main([*argv, "-q", "--save", str(path)]) == 0
    return str(path)


def test_train_reports_perplexity_against_the_unigram_baseline(capsys):
    argv = ["train", "--data", "stories", "--task", "lm", "--hidden", "32", "--epochs", "1"]
    assert main([*argv, "--json"]) == 0
    captured = capsys.readouterr()
    epoch, summary = json_lines(captured.out)
    assert {"test_perplexity", "validation_perplexity", "gradient_flow"} <= set(epoch)
    assert summary["test_perplexity"] < summary["unigram_perplexity"] / 3
    assert "ece" not in " ".join(summary) and summary["temperature"] == 1.0
    assert "Perplexity" in captured.err and "unigram baseline" in captured.err


def test_sample_lists_the_next_tokens_and_seeded_continuations(stories_lm, capsys):
    argv = ["sample", "--model", stories_lm, "--prefix", "the baker", "-n", "3", "--json"]
    assert main([*argv, "--temperature", "0.7", "--seed", "5"]) == 0
    (first,) = json_lines(capsys.readouterr().out)
    assert main([*argv, "--temperature", "0.7", "--seed", "5"]) == 0
    (again,) = json_lines(capsys.readouterr().out)
    assert first["samples"] == again["samples"] and len(first["samples"]) == 3
    assert len(first["next"]) == 10 and sum(first["next"].values()) <= 1.0 + 1e-9
    assert first["tokens"] == ["the", "baker"] and first["level"] == "word"
    assert main(["sample", "--model", stories_lm, "--prefix", "the baker", "-n", "2"]) == 0
    shown = capsys.readouterr().out
    assert "next token is likely" in shown and shown.count("  the baker ") == 2


def test_eval_reports_perplexity(stories_lm, capsys):
    assert main(["eval", "--model", stories_lm, "--data", "stories", "--json"]) == 0
    (result,) = json_lines(capsys.readouterr().out)
    assert 1.0 < result["perplexity"] < 20 and result["sentences"] == 1000  # stories' own test part


def test_a_language_model_on_other_words_is_scored_with_a_warning(stories_lm, capsys):
    # the stories model on negation: 71% of the tokens unknown, perplexity 9,555, no word said
    assert main(["eval", "--model", stories_lm, "--data", "negation"]) == 0
    captured = capsys.readouterr()
    assert "note: 71% of the tokens of negation (test) are not in the model's vocabulary" in (
        captured.err
    )
    assert main(["units", "--model", stories_lm, "--data", "negation", "--unit", "0"]) == 0
    assert "are not in the model's vocabulary" in capsys.readouterr().err
    assert main(["eval", "--model", stories_lm, "--data", "stories"]) == 0
    assert "vocabulary" not in capsys.readouterr().err


def test_a_language_model_says_nothing_of_the_classes_it_ignores(capsys):
    argv = ["train", "--data", "stories", "--task", "lm", "--hidden-size", "16", "--epochs", "1"]
    assert main(argv) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.startswith("stories: 5,300 train") and "class" not in header, header


@pytest.mark.parametrize(
    "argv, message",
    [
        (["predict", "hello"], "is a language model"),
        (["explain", "hello"], "is a language model"),
    ],
)
def test_the_wrong_kind_of_model_is_refused_in_one_line(stories_lm, argv, message, capsys):
    assert main([argv[0], "--model", stories_lm, *argv[1:]]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_sample_refuses_a_classifier(tmp_path, capsys):
    model = tmp_path / "tiny.npz"
    assert main(["train", "--data", "tiny", "--epochs", "1", "-q", "--save", str(model)]) == 0
    assert main(["sample", "--model", str(model)]) == 2
    assert "sentence classifier, not a language model" in capsys.readouterr().err


def test_gradcheck_of_the_language_model(capsys):
    assert main(["gradcheck", "--cell", "gru", "--task", "lm", "--json"]) == 0
    (result,) = json_lines(capsys.readouterr().out)
    assert result["passed"] and result["max_rel_error"] < 1e-7
