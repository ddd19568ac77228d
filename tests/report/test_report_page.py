"""The HTML report (issue 30) without a browser: one file with Plotly inlined and nothing fetched,
every plot's table as CSV with named columns, the command that trains the run again."""

import html as markup
import json
import re
import shlex

import numpy as np

from rnnviz.cli import parse
from rnnviz.commands.options import config_from
from rnnviz.core.train import checkpoint
from rnnviz.report import page, source


def payload(html: str) -> dict:
    return json.loads(re.search(r"const REPORT = (\{.*?\});", html, re.S).group(1))


def test_one_self_contained_file_with_every_plot_and_its_table(report):
    path, record, _ = report
    html = path.read_text()
    # 3 over training, the flow, calibration and state space, 5 per sentence (GRU: h, r, z)
    assert record["plots"] == len(payload(html)["plots"]) == 16
    assert "<script src" not in html and "<link" not in html and "@import" not in html
    assert "Plotly.newPlot" in html and html.count("<script>") == 2  # Plotly's own, the report's
    keys = [p["key"] for p in payload(html)["plots"]]
    assert keys[:6] == [
        "loss",
        "accuracy",
        "gradient_norm",
        "gradient_flow",
        "calibration",
        "state_space",
    ]
    csv = payload(html)["csv"]
    assert csv.keys() == set(keys)
    assert (
        csv["loss"].splitlines()[0].startswith("step,train_loss_mean,train_loss_min,train_loss_max")
    )
    assert "test_loss" in csv["loss"].splitlines()[0]
    assert csv["calibration"].splitlines()[0] == (
        "bin_low,bin_high,sentences,mean_confidence,share_right"
    )
    header = csv["s0_h"].splitlines()[0].split(",")
    assert header[:3] == ["position", "word", "unit_0"] and len(header) == 2 + 16
    assert [row.split(",")[1] for row in csv["s0_h"].splitlines()[1:]] == [
        "this",
        "is",
        "not",
        "bad",
    ]


def test_the_numbers_are_the_runs(report):
    path, _, history = report
    ckpt = checkpoint.load(history)
    plots = {p["key"]: p for p in payload(path.read_text())["plots"]}
    from rnnviz.core.insight.probe import probe

    expected = probe(ckpt.model, ckpt.vocab, "this is not bad")
    drawn = np.array(plots["s0_h"]["traces"][0]["z"], float)  # (H, T)
    assert np.allclose(drawn, expected.states.T, rtol=1e-5, atol=1e-6)
    clip = plots["gradient_norm"]["layout"]["shapes"][0]
    assert clip["y0"] == clip["y1"] == 0.5


def test_the_command_on_the_page_trains_the_same_settings(report):
    path, _, history = report
    html = path.read_text()
    command = markup.unescape(re.search(r"Train it again: <code>(.*?)</code>", html).group(1))
    assert command.startswith("rnnviz train --data tiny ")
    args = parse(shlex.split(command)[1:])
    assert config_from(args) == checkpoint.load(history).config


def test_a_plain_checkpoint_has_no_curves_and_a_history_any_step(report, tmp_path):
    _, _, history = report
    plain = tmp_path / "model.npz"
    checkpoint.save(plain, checkpoint.load(history))
    made = page.render(source.read(plain), ["this is not bad"])
    assert [p.key for p in made.plots][:1] == ["s0_opinion"]  # no curves, no flow kept
    past = page.render(source.read(history, step=3), ["this is not bad"])
    assert "3 steps" in past.html and past.plots[3].key == "gradient_flow"


def test_a_sentence_of_unknown_words_says_so(report):
    _, _, history = report
    made = page.render(source.read(history), ["zzzz qqqq"])
    assert "zzzz?" in made.html  # unknown words are marked, never a crash


def test_held_out_figures_are_the_runs_own_split(report):
    """Calibration on the test sentences the run held out (its seed splits the data again)."""
    from rnnviz.core.data.datasets import load
    from rnnviz.core.train.experiment import Experiment
    from rnnviz.core.train.scoring import score

    _, _, history = report
    ckpt = checkpoint.load(history)
    made = source.with_held_out(source.read(history), load(["tiny"]))
    experiment = Experiment.build(ckpt.config, load(["tiny"]), vocab=ckpt.vocab)
    expected = score(ckpt.model, experiment.test_set).reliability
    assert made.reliability.counts.tolist() == expected.counts.tolist()
    assert made.state_space is not None and len(made.state_space.points) > 0


def test_a_long_sentence_keeps_its_positions_and_unscored_words_stay_empty(report):
    _, _, history = report
    text = " ".join(["not bad"] * 150)  # 300 words: the last 200 are drawn
    made = page.render(source.read(history), [text])
    plots = {p.key: p for p in made.plots}
    assert plots["s0_h"].table["position"] == list(range(101, 301))
    assert plots["s0_opinion"].table["position"] == list(range(101, 301))
    saliency = plots["s0_saliency"].table
    assert saliency["position"] == list(range(101, 301))
    assert all(v is not None for v in saliency["score"])  # the 200 drawn are the 200 scored


def test_a_past_step_is_marked_on_the_curves_that_go_on_past_it(report):
    _, _, history = report
    made = page.render(source.read(history, step=3), ["this is not bad"])
    loss = next(p for p in made.plots if p.key == "loss")
    assert any(shape.get("x0") == 3 for shape in loss.layout["shapes"])
