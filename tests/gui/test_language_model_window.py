"""The window in language-model mode: perplexity, the next token, samples and surprise."""

import re

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QFontMetrics


def test_the_panels_turn_to_the_language_model(qtbot, lm_window):
    window = lm_window
    calibration = window.panels["calibration"]  # no diagram for a language model, from the start
    assert "perplexity" in calibration.summary.text() and not calibration.split.isEnabled()
    assert calibration.hint.label.toPlainText() == "only for classifiers"
    window.runner.call(lambda run: [run.trainer.step() for _ in range(40)]).result(60)
    prediction = window.panels["prediction"]
    prediction.entry.setText("this is not")
    qtbot.waitUntil(lambda: prediction.shown is not None and len(prediction.shown.tokens) == 3)
    window.redraw_all()
    assert prediction.pages.currentIndex() == 1 and not prediction.why_box.isVisibleTo(window)
    assert prediction.tokens_label.text().startswith("Surprise: ")
    assert prediction.verdict.text().startswith("Next: “")
    view = prediction.next_view
    heights = view.bars.opts["width"]
    assert len(heights) == view.rows() and np.all(np.diff(heights) <= 0) and heights.sum() <= 1
    samples = view.samples.text()
    assert samples.count("<i>this is not</i>") == 3 and "T 0.70" in samples
    view.temperature.setValue(150)
    assert "T 1.50" in view.samples.text()
    loss = window.panels["loss"]
    assert loss.perplexity and "perplexity" in loss.summary.text()
    x, y = loss.smooth_acc.getData()
    assert len(x) == 40 and (y >= 1).all()
    assert "perplexity" in calibration.summary.text()


def test_a_language_models_unit_reads_its_own_tokens(qtbot, lm_window):
    window = lm_window
    window.runner.call(lambda run: [run.trainer.step() for _ in range(20)]).result(60)
    window.redraw_all()
    window.inspect_unit(3)
    inspector = window.inspection.inspector
    qtbot.waitUntil(lambda: bool(inspector.shown_key), timeout=10000)
    positive, _ = inspector.contexts
    assert positive and all(c.word != "<s>" for c in positive)
    tokens = {
        w
        for text in window.runner.call(lambda e: e.splits.train.texts).result(5)
        for w in text.split()
    }
    assert all(c.word in tokens for c in positive)


def test_only_the_settings_the_task_reads_are_enabled(lm_window):
    controls = lm_window.controls
    assert (
        controls.form.widgets["level"].isEnabled()
        and not controls.form.widgets["monitor"].isEnabled()
    )  # lm: loss monitors
    controls.form.widgets["task"].setCurrentText("classify")
    assert (
        controls.form.widgets["monitor"].isEnabled()
        and not controls.form.widgets["level"].isEnabled()
    )


def _style(style: str, key: str) -> str | None:
    found = re.search(rf"(?:^|;)\s*{key}:\s*(#[0-9a-f]{{6}})", style)
    return found.group(1) if found else None


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_word_reads_on_its_surprise_colour_unknown_ones_too(qtbot, lm_window, scheme):
    from PySide6.QtGui import QPalette

    from rnnviz.gui.word_colours import contrast

    window = lm_window
    window.set_colour_scheme(scheme)
    try:
        window.runner.call(lambda run: [run.trainer.step() for _ in range(30)]).result(60)
        prediction = window.panels["prediction"]
        prediction.entry.setText("this zzyzx is not qwerty")
        qtbot.waitUntil(lambda: prediction.shown is not None and len(prediction.shown.tokens) == 5)
        window.redraw_all()
        palette = prediction.tokens_label.palette()
        text = palette.color(QPalette.ColorRole.WindowText).name()
        background = palette.color(QPalette.ColorRole.Window).name()
        spans = re.findall(r'<span style="([^"]*)">([^<]*)</span>', prediction.tokens_label.text())
        words = {word: style for style, word in spans}
        for word in ("zzyzx", "qwerty"):  # unknown: struck through, on a surprise colour
            assert "line-through" in words[word] and _style(words[word], "background-color")
        for word, style in words.items():
            fill = _style(style, "background-color") or background
            ratio = contrast(_style(style, "color") or text, fill)
            assert ratio >= 4.5, f"“{word}”: contrast {ratio:.2f} on {fill} ({scheme})"
    finally:
        window.set_colour_scheme("system")


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_the_next_token_bars_are_as_many_as_their_labels_have_room_for(qtbot, lm_window, size):
    from rnnviz.gui.next_token_view import TOP

    window = lm_window
    window.resize(*size)
    window.runner.call(lambda run: run.trainer.step()).result(60)  # flat: p ~ 1 / vocabulary
    prediction = window.panels["prediction"]
    prediction.entry.setText("this is")
    qtbot.waitUntil(lambda: prediction.shown is not None and len(prediction.shown.tokens) == 2)
    window.redraw_all()
    window.grab()  # painted: the view has its size and range
    view = prediction.next_view
    box = view.plot.getViewBox()
    rows = len(view.bars.opts["width"])
    assert 1 <= rows <= TOP and rows == view.rows()
    pitch = box.mapViewToScene(QPointF(0, 1)).y() - box.mapViewToScene(QPointF(0, 0)).y()
    label_height = QFontMetrics(view.plot.getAxis("left").font()).height()
    assert pitch >= label_height  # the token labels never pile up
    area = box.sceneBoundingRect().adjusted(-0.5, -0.5, 0.5, 0.5)
    shown = [figure for figure in view.figures if figure.isVisible()]
    assert len(shown) == rows
    for figure, p in zip(shown, view.bars.opts["width"], strict=True):
        assert figure.toPlainText() == f"{p:.1%}" and area.contains(figure.sceneBoundingRect())
    if size == (1920, 1080):
        assert rows == TOP


def test_an_empty_language_model_says_what_its_plots_will_show(qtbot, lm_window):
    from rnnviz.gui.gradient_panel import FLOW_TITLES

    window = lm_window  # opened on a language model's settings, as at a relaunch
    window.redraw_all()
    loss, gradients = window.panels["loss"], window.panels["gradients"]
    assert loss.perplexity
    assert loss.hints[1].label.toPlainText() == "perplexity per step appears here"
    assert loss.hints[1].label.isVisible() and not loss.acc_plot.getAxis("left").isVisible()
    assert gradients.flow_plot.titleLabel.text == FLOW_TITLES[True]
    assert "builds up" in gradients.hints[1].label.toPlainText()
    assert "rises back from the end" in gradients.flow_plot.toolTip()
    window.runner.call(lambda run: [run.trainer.step() for _ in range(3)]).result(60)
    window.redraw_all()
    assert loss.acc_plot.getAxis("left").isVisible()  # data: the axes come


def test_the_seed_goes_beside_the_slider_when_there_is_room_and_back_when_there_is_not(
    qtbot, lm_window
):
    view = lm_window.panels["prediction"].next_view
    first = view.seed_widgets[0]
    for width, row in ((900, view.controls), (250, view.seed_row), (900, view.controls)):
        view.resize(width, view.height())
        view.grab()
        assert row.indexOf(first) >= 0, width
    assert view.minimumSizeHint().width() < 300  # the panel may narrow again
