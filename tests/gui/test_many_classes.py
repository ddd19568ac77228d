"""Many classes get a bounded view: at most TOP_CLASSES bars, curves and legend entries and one
"+N more classes" row, the most probable first, built in well under a second. One legend entry per
class of 10,000 kept the GUI thread in LegendItem.updateSize for minutes (1,000 classes: 57 s)."""

import json
import time
from types import SimpleNamespace

import numpy as np
import pytest

from rnnviz.core.data.datasets import DataSource
from rnnviz.core.data.text import Vocabulary, tokenize
from rnnviz.core.insight.probe import probe
from rnnviz.core.nn.model import SequenceModel
from rnnviz.core.train.config import TrainConfig
from rnnviz.core.train.telemetry import Snapshot
from rnnviz.gui.class_rows import TOP_CLASSES
from rnnviz.gui.panel import PanelContext
from rnnviz.gui.prediction_panel import PredictionPanel
from rnnviz.gui.theme import configure_pyqtgraph, current_theme
from rnnviz.gui.view_state import ViewState

SENTENCE = "the plot was not bad at all"
COUNTS = [2, 3, 4, 7, 8, 9, 100, 10_000]


def snapshot_for(n_classes: int, seed: int = 0) -> Snapshot:
    vocab = Vocabulary.build([tokenize(SENTENCE)])
    model = SequenceModel.create(len(vocab), 8, n_classes, seed=seed)
    classes = tuple(f"class {i:05d}" for i in range(n_classes))
    return Snapshot(step=1, model=model, vocab=vocab, classes=classes, gradient_flow={})


def context_for(snapshot: Snapshot, text: str = SENTENCE) -> PanelContext:
    view = SimpleNamespace(snapshot=snapshot)
    return PanelContext(view, probe(snapshot.model, snapshot.vocab, text), TrainConfig())


@pytest.fixture
def panel(qtbot):
    theme = current_theme()
    configure_pyqtgraph(theme)
    panel = PredictionPanel(theme, ViewState(SENTENCE))
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    return panel


def drawn(panel) -> tuple[list[str], list[str], list[float]]:
    """The row names, the legend's entries and the bars' probabilities."""
    rows = panel.rows
    names = [label.text() for label, _ in rows.bars]
    legend = [label.text for _, label in panel.plot.legend.items]
    return names, legend, [bar.value() / 1000 for _, bar in rows.bars]


@pytest.mark.parametrize("n_classes", COUNTS)
def test_the_panel_shows_at_most_top_classes_and_a_note(qtbot, panel, n_classes):
    snapshot = snapshot_for(n_classes)
    context = context_for(snapshot)
    started = time.perf_counter()
    panel.draw(context)
    qtbot.wait(1)  # painted
    seconds = time.perf_counter() - started
    assert seconds < 1.0, f"{n_classes} classes took {seconds:.2f} s"
    names, legend, values = drawn(panel)
    final = context.probe.final
    if n_classes <= TOP_CLASSES + 1:  # every class, in its own order
        assert names == list(snapshot.classes)
    else:
        top = np.argsort(-final, kind="stable")[:TOP_CLASSES]
        assert names[:-1] == [snapshot.classes[c] for c in top]  # most probable first
        assert names[-1] == f"+{n_classes - TOP_CLASSES:,} more classes"
        assert values[-1] == pytest.approx(1 - final[top].sum(), abs=1e-3)
    assert len(names) <= TOP_CLASSES + 1 and legend == names
    best = snapshot.classes[int(np.argmax(final))]
    assert panel.verdict.text().startswith(f"Prediction: {best} (")
    assert " (0.0%)" not in panel.verdict.text()  # 1 in 10,000 reads as a figure, not as none
    assert len(panel.rows.curves) == len(names)  # and one dashed each for a pinned step (A)
    assert len(panel.plot.listDataItems()) == 2 * len(names)


@pytest.mark.parametrize("n_classes", [9, 10_000])
def test_rows_follow_the_most_probable_classes(qtbot, panel, n_classes):
    context = context_for(snapshot_for(n_classes))
    panel.draw(context)
    other = context_for(snapshot_for(n_classes, seed=1), "not at all")  # other weights and words
    panel.draw(PanelContext(other.view, other.probe, other.config))
    names, legend, values = drawn(panel)
    top = np.argsort(-other.probe.final, kind="stable")[:TOP_CLASSES]
    assert names[:-1] == [other.view.snapshot.classes[c] for c in top] and legend == names
    assert values[:-1] == sorted(values[:-1], reverse=True)
    curves = panel.rows.curves
    x, y = curves[0].getData()
    assert len(x) == 3 and np.allclose(y, other.probe.probs[:, top[0]])
    _, rest = curves[-1].getData()  # the rest's opinion: what the shown classes leave
    assert np.allclose(rest, 1 - other.probe.probs[:, top].sum(axis=1))


def test_a_sentence_without_words_empties_every_row(qtbot, panel):
    panel.draw(context_for(snapshot_for(10_000)))
    panel.draw(context_for(snapshot_for(10_000), ""))
    assert all(bar.text() == "–" for _, bar in panel.rows.bars)
    assert all(curve.getData()[0] is None for curve in panel.plot.listDataItems())
    assert panel.verdict.text() == ""


@pytest.mark.parametrize("before, after", [(10_000, 2), (2, 9), (9, 4)])
def test_a_new_dataset_rebuilds_the_rows(qtbot, panel, before, after):
    panel.draw(context_for(snapshot_for(before)))
    panel.draw(context_for(snapshot_for(after)))
    names, legend, _ = drawn(panel)
    assert len(names) == min(after, TOP_CLASSES + 1) and legend == names


def test_words_are_coloured_in_their_rows_colours(qtbot, panel):
    panel.draw(context_for(snapshot_for(10_000)))
    rows = panel.rows
    best = int(rows.shown[0])
    assert rows.colour(best) == rows.colours[0]
    hidden = next(c for c in range(10_000) if c not in rows.shown)
    assert rows.colour(hidden) == rows.colours[-1]  # the rest's colour


def many_labels(path, n_classes: int):
    """A JSON Lines file of 3 sentences for each of `n_classes` labels."""
    lines = (
        json.dumps({"text": f"word{c % 50} and w{c}", "label": f"label {c}"})
        for c in range(n_classes)
        for _ in range(3)
    )
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_window_opens_ten_thousand_classes(qtbot, window, tmp_path, monkeypatch):
    """A dataset file of 10,000 labels: the dataset line names 8 classes and counts the rest,
    the prediction panel is bounded, nothing waits on the GUI thread; a model of other classes
    is refused in a message of a few lines."""
    errors = []
    monkeypatch.setattr("rnnviz.gui.messages.show_error", lambda _, __, text: errors.append(text))
    two_classes = tmp_path / "tiny.npz"
    window.save_model(str(two_classes))
    qtbot.waitUntil(lambda: "saved" in window.statusBar().currentMessage(), timeout=5000)
    window.reset(DataSource((str(many_labels(tmp_path / "many.jsonl", 10_000)),)))
    qtbot.waitUntil(lambda: len(window.overview.classes) == 10_000, timeout=30000)
    window.runner.call(lambda run: [run.trainer.step() for _ in range(3)]).result(60)
    window.panels["prediction"].entry.setText("word1 and w1")
    prediction = window.panels["prediction"]
    qtbot.waitUntil(lambda: prediction.verdict.text().endswith("at step 3"), timeout=10000)
    started = time.perf_counter()
    window.redraw_all()
    assert time.perf_counter() - started < 1.0
    assert len(prediction.rows.bars) == TOP_CLASSES + 1
    assert prediction.rows.bars[-1][0].text() == "+9,994 more classes"
    info = window.controls.dataset_info.text()
    assert "+9,992 more classes" in info and len(info) < 400
    assert not window.load_model(str(two_classes))
    assert errors == [
        "the model predicts 2 classes (negative, positive), the open dataset has 10,000 classes "
        "(label 0, label 1, label 10, label 100, label 1000, label 1001, label 1002, label 1003, "
        "+9,992 more classes): open a matching dataset first"
    ]


def test_the_dataset_preview_counts_what_it_does_not_name(qtbot, tmp_path):
    from rnnviz.gui.dataset_dialog import PREVIEW_LINES, DatasetDialog

    dialog = DatasetDialog()
    qtbot.addWidget(dialog)
    dialog.paths.setText(str(many_labels(tmp_path / "many.jsonl", 10_000)))
    dialog.preview()
    shown = PREVIEW_LINES // 3 + 1  # the preview reads the first lines: 3 a label
    assert f"+{shown - 8:,} more classes" in dialog.summary.text()
    assert len(dialog.summary.text()) < 600
