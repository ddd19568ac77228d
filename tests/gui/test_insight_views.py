"""The views of the network's insides in the window: the gradient flow over training, the
coloured words of the typed sentence, a phrase's units and the unit inspector."""

import numpy as np
from PySide6.QtCore import QPointF, Qt

from rnnviz.core.insight.saliency import explain
from rnnviz.core.train.lockstep import run_label


def train_in_chunks(window, chunks=6, steps=20):
    """Train with a record of the gradient flow after each chunk (as the loop records it)."""
    for _ in range(chunks):
        window.runner.call(lambda run: [run.trainer.step() for _ in range(steps)]).result(60)
        window.runner.record_insight().result(10)
    window.redraw_all()


def test_the_flow_tab_shows_the_gradient_by_step_and_depth(qtbot, window):
    panel = window.panels["dynamics"]
    window.show_tab("dynamics")
    window.redraw_all()
    assert panel.hints[0].label.isVisible()  # empty until training
    train_in_chunks(window)
    steps, logs, depth = panel.image_values()
    assert len(steps) == 6 and logs.shape == (depth, 6) and depth >= 2
    assert np.isfinite(logs[0]).all()
    assert panel.image.image is not None and panel.image.image.shape[0] == depth
    assert not panel.hints[0].label.isVisible()
    x, sigma = panel.sigma.getData()
    assert len(x) == 6 and (sigma > 0).all()
    assert "σ_max" in panel.summary.text() and "saturated" in panel.summary.text()
    panel.relative_box.setChecked(True)
    _, relative, _ = panel.image_values()
    np.testing.assert_allclose(relative[0], 0.0, atol=1e-12)  # each column / its last word
    assert "/ ‖∂L/∂h_T‖" in panel.colorbar.getAxis("left").labelText
    window.unsaved.mark_kept()
    window.reset()
    qtbot.waitUntil(lambda: panel.image_values() is None, timeout=5000)


def test_a_hidden_tab_is_drawn_when_it_comes_to_the_front(qtbot, window):
    panel = window.panels["dynamics"]
    window.show_tab("calibration")
    assert not window.panel_shown("dynamics")
    train_in_chunks(window, chunks=2)
    window.refresh()
    panel.shown = None  # as if it had never drawn
    window.scheduler.stale.add("dynamics")
    for _ in range(10):
        window.refresh()
    assert panel.shown is None  # behind its tab: not drawn
    window.show_tab("dynamics")
    assert panel.shown is not None and panel.image_values() is not None
    window.actions["panel:dynamics"].trigger()
    assert window.panel_layout.docks["dynamics"].isHidden()
    assert not window.panel_shown("dynamics")


def typed(qtbot, window, text: str):
    """Type `text` and wait until the prediction panel shows its tokens."""
    prediction = window.panels["prediction"]
    prediction.entry.setText(text)
    qtbot.waitUntil(
        lambda: prediction.shown is not None and len(prediction.shown.tokens) == len(text.split())
    )
    window.redraw_all()
    return prediction


def test_words_are_coloured_by_their_push_towards_the_prediction(qtbot, window):
    window.runner.call(lambda run: [run.trainer.step() for _ in range(300)]).result(60)
    prediction = typed(qtbot, window, "it is not bad")
    # computed right after the answer, from the weights that answer used (a redraw may have
    # brought newer ones than an earlier keystroke's saliency: wait for the newest)
    qtbot.waitUntil(
        lambda: prediction.saliency is not None and not prediction.saliency_timer.isActive()
    )
    snapshot = prediction.context.view.snapshot
    expected = explain(snapshot.model, snapshot.vocab, "it is not bad", "occlusion")
    np.testing.assert_allclose(prediction.saliency.scores, expected.scores)
    strongest = prediction.saliency.tokens[int(np.abs(expected.scores).argmax())]
    html = prediction.tokens_label.text()
    assert html.count("background-color") >= 1 and f">{strongest}</span>" in html
    prediction.why_box.setCurrentIndex(prediction.why_box.findData("gradient"))
    assert prediction.saliency.method == "gradient"
    prediction.why_box.setCurrentIndex(prediction.why_box.findData(""))
    assert prediction.saliency is None and "background-color" not in prediction.tokens_label.text()


def test_a_selected_phrase_lists_its_units_and_opens_the_inspector(qtbot, window):
    window.runner.call(lambda run: [run.trainer.step() for _ in range(100)]).result(60)
    prediction = typed(qtbot, window, "it is not bad")
    prediction.entry.setSelection(6, 7)  # "not bad"
    text = prediction.phrase_label.text()
    assert text.startswith("“not bad” switches on") and text.count('<a href="') == 5
    unit = int(text.split('href="', 1)[1].split('"', 1)[0])
    prediction.phrase_label.linkActivated.emit(str(unit))
    inspector = window.inspection.inspector
    assert inspector is not None and inspector.isVisible() and inspector.unit == unit
    qtbot.waitUntil(lambda: bool(inspector.shown_key), timeout=10000)
    positive, negative = inspector.contexts
    values = [c.value for c in positive]
    assert len(values) == len(negative) == 20 and values == sorted(values, reverse=True)
    assert values[0] > negative[0].value
    shown = inspector.positive.toPlainText()
    assert f"{values[0]:+.2f}" in shown and positive[0].word in shown
    x, y = inspector.trace.getData()  # the probe it was last given (newer weights may follow)
    assert inspector.probe.tokens == ["it", "is", "not", "bad"]
    np.testing.assert_allclose(y, inspector.probe.states[:, unit])
    prediction.entry.setSelection(0, 0)
    assert "Select words" in prediction.phrase_label.text()


def test_a_click_on_a_heatmap_row_inspects_that_unit_and_follows_training(qtbot, window):
    window.runner.call(lambda run: [run.trainer.step() for _ in range(50)]).result(60)
    window.redraw_all()
    hidden = window.panels["hidden"]
    with qtbot.waitSignal(window.state.unit_selected) as clicked:
        event = _Click(QPointF(1.5, 7.5))
        hidden._click(event)
    assert clicked.args == [7] and event.accepted
    inspector = window.inspection.inspector
    qtbot.waitUntil(lambda: inspector.shown_key == (7, 50), timeout=10000)
    window.runner.call(lambda run: [run.trainer.step() for _ in range(4)]).result(60)
    for _ in range(30):  # epoch ends record every unit's top words
        window.refresh()
    words = window.telemetry.read().insight.unit_words
    assert words and inspector.words.rowCount() == len(words)
    inspector._ask()
    qtbot.waitUntil(lambda: inspector.shown_key == (7, 54), timeout=10000)
    window.set_colour_scheme("dark")  # the inspector goes; the next one is in the new colours
    assert window.inspection.inspector is None


class _Click:
    def __init__(self, pos):
        self._pos, self.accepted = pos, False

    def button(self):
        return Qt.MouseButton.LeftButton

    def pos(self):
        return self._pos

    def accept(self):
        self.accepted = True


def _scaled(xy, factor: float):
    return None if xy is None else (xy[0], factor * xy[1])


def _answer_run_dialog(monkeypatch, values: dict, seen: list) -> None:
    """Runs → Add answered as a user would: these values in the form, then OK."""
    from rnnviz.gui.run_dialog import RunDialog
    from rnnviz.gui.settings_form import set_value

    def answer(dialog) -> bool:
        seen.append(dialog.form.values())
        for name, value in values.items():
            set_value(dialog.form.widgets[name], value)
        return True

    monkeypatch.setattr(RunDialog, "exec", answer)


def test_runs_side_by_side_overlay_their_curves_and_answer_the_typed_sentence(
    qtbot, window, monkeypatch
):
    seen: list = []
    _answer_run_dialog(monkeypatch, {"cell": "gru", "hidden_size": 16}, seen)
    window.actions["run:add"].trigger()
    assert seen[0] == {k: getattr(window.config, k) for k in seen[0]}  # from the live settings
    label = run_label(
        {
            k: v
            for k, v in {"cell": "gru", "hidden_size": 16}.items()
            if getattr(window.config, k) != v
        }
    )
    qtbot.waitUntil(lambda: label in window.side_runs.runs, timeout=10000)
    assert f"run:{label}:pause" in window.actions and window.actions["run:add"].isEnabled()
    window.runner.call(lambda run: [run.trainer.step() for _ in range(8)]).result(60)  # 2 epochs
    qtbot.waitUntil(
        lambda: (
            window.side_runs.runs[label].view is not None
            and window.side_runs.runs[label].view.status.step == 8
        ),
        timeout=10000,
    )
    window.redraw_all()
    window.redraw_all()  # a second context with the same runs (compared by identity)
    loss = window.panels["loss"]
    x, y = loss.run_curves[0].curves[label].getData()
    assert len(x) == 8 and np.isfinite(y).all()
    x, y = loss.run_curves[1].curves[label].getData()  # test loss at both epoch ends
    assert list(x) == [4, 8]
    assert label in loss.runs_key.text() and f"{label}: test" in loss.summary.text()
    gradients = window.panels["gradients"]
    flow_x, _ = gradients.run_curves[1].curves[label].getData()
    assert len(flow_x) >= 1
    assert label in [entry.text for _, entry in gradients.flow_plot.legend.items]  # its colour
    for curves, factor in zip(gradients.run_curves, (1e3, 10), strict=True):
        # a run whose gradients are far larger than the window's own stays in view
        curves.xy = lambda view, xy=curves.xy, factor=factor: _scaled(xy(view), factor)
    gradients._flow_snapshot = None  # the flow's range is set when a new snapshot comes
    window.redraw_all()
    flow_x, flow_y = gradients.run_curves[1].curves[label].getData()
    (_, words), (_, top) = gradients.flow_plot.viewRange()
    assert flow_x.max() <= words and flow_y.max() <= top
    norm = gradients.run_curves[0].curves[label].getOriginalDataset()[1]
    low, high = 10.0 ** np.array(gradients.norm_plot.viewRange()[1])  # a log axis
    assert low <= np.nanmin(norm) and np.nanmax(norm) <= high
    prediction = window.panels["prediction"]
    assert prediction.runs_label.isVisible() and label in prediction.runs_label.text()
    window.actions[f"run:{label}:pause"].trigger()
    window.runner.call(lambda run: [run.trainer.step() for _ in range(4)]).result(60)
    window.runner.call(lambda run: None).result(10)
    qtbot.waitUntil(lambda: window.side_runs.runs[label].view.status.state == "paused")
    assert window.side_runs.runs[label].view.status.step == 8
    window.actions[f"run:{label}:remove"].trigger()
    window.redraw_all()
    assert label not in loss.run_curves[0].curves and not prediction.runs_label.isVisible()
    assert label not in [entry.text for _, entry in gradients.flow_plot.legend.items]
    assert f"run:{label}:pause" not in window.actions and window.actions["run:add"].isEnabled()


def test_a_refused_run_says_why_and_the_next_dialog_keeps_what_was_entered(
    qtbot, window, monkeypatch
):
    shown = []
    monkeypatch.setattr("rnnviz.gui.messages.show_error", lambda *a, **k: shown.append(a[2]))
    seen: list = []
    _answer_run_dialog(monkeypatch, {"hidden_size": 12, "lr": 0.05}, seen)
    window.actions["run:add"].trigger()
    qtbot.waitUntil(lambda: len(window.side_runs.runs) == 1, timeout=10000)
    window.actions["run:add"].trigger()  # the same run again
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "already there" in shown[0]
    _answer_run_dialog(monkeypatch, {}, seen)  # the user opens it again and looks
    window.actions["run:add"].trigger()
    assert seen[-1]["hidden_size"] == 12 and seen[-1]["lr"] == 0.05
