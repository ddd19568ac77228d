"""Reading the plots: hints on empty plots, the crosshair readout, ranges and smoothing."""

import dataclasses

import numpy as np
from PySide6.QtCore import QPointF, QSettings

from rnnviz.core.train.records import Evaluation
from rnnviz.core.train.telemetry import Telemetry


def trained(window, steps=120):
    window.runner.call(lambda run: [run.trainer.step() for _ in range(steps)]).result(60)
    window.redraw_all()


def test_empty_plots_show_a_hint_instead_of_axes_until_training(qtbot, window):
    loss = window.panels["loss"]
    window.redraw_all()
    gradients = window.panels["gradients"]
    for hint, plot, text in (
        (loss.hints[0], loss.loss_plot, "Press Train"),
        (gradients.hints[0], gradients.norm_plot, "once training starts"),
    ):
        assert hint.label.isVisible() and text in hint.label.textItem.toPlainText()
        assert not plot.getAxis("left").isVisible()
    trained(window)
    assert not loss.hints[0].label.isVisible() and loss.loss_plot.getAxis("left").isVisible()
    window.unsaved.mark_kept()  # no question about the trained model
    window.reset()
    qtbot.waitUntil(lambda: loss.hints[0].label.isVisible(), timeout=5000)  # back after Reset


def shown_text(hover) -> list[str]:
    """What each plot's readout box shows, as the user reads it (empty when hidden)."""
    return [box.textItem.toPlainText() if box.isVisible() else "" for box in hover.boxes]


def test_the_crosshair_reads_every_curve_of_both_plots_at_the_step(qtbot, window):
    trained(window)
    loss = window.panels["loss"]
    loss.hover.show_at(60.2)
    top, bottom = (" ".join(text.split()) for text in shown_text(loss.hover))
    steps = window.telemetry.read().steps
    smoothed = loss.smooth_loss.getData()[1]
    # the values at step 60, not a neighbour's: per step, then smoothed, each after its swatch
    assert top.startswith(f"step 60 ■ {steps.mean['loss'][59]:.4g} ■ {smoothed[59]:.4g} ■ ")
    accuracy = loss.smooth_acc.getData()[1]
    assert bottom.startswith(f"step 60 ■ {accuracy[59]:.4g} ■ ")  # accuracy, linked
    assert all(line.isVisible() and line.value() == 60.2 for line in loss.hover.lines)


def test_the_crosshair_follows_the_mouse_and_leaves_with_it(qtbot, window):
    trained(window)
    hover = window.panels["gradients"].hovers[0]
    view = window.panels["gradients"].norm_plot.getViewBox()
    inside = view.mapViewToScene(QPointF(50, view.viewRange()[1][0] + 0.1))
    window.panels["gradients"].layout_widget.scene().sigMouseMoved.emit(inside)
    qtbot.waitUntil(lambda: shown_text(hover)[0] != "", timeout=2000)
    text = shown_text(hover)[0]
    assert text.count("■") == 3  # each step, before and after clipping (smoothed)
    window.panels["gradients"].layout_widget.scene().sigMouseMoved.emit(QPointF(-500, -500))
    qtbot.waitUntil(lambda: shown_text(hover)[0] == "", timeout=2000)


def test_reset_clears_the_readout(qtbot, window):
    trained(window)
    loss = window.panels["loss"]
    loss.hover.show_at(30)
    window.unsaved.mark_kept()
    window.reset()
    qtbot.waitUntil(lambda: shown_text(loss.hover) == ["", ""], timeout=5000)
    assert not any(line.isVisible() for line in loss.hover.lines)


def test_a_few_high_first_losses_do_not_flatten_a_linear_axis(qtbot, window):
    records = []
    window.runner.call(lambda run: records.append(run.trainer.step())).result(30)
    telemetry = Telemetry()
    for step in range(1, 3001):
        loss = 40.0 if step <= 10 else 0.3 + 0.05 * np.sin(step)
        telemetry.record_step(dataclasses.replace(records[0], step=step, loss=loss))
    panel = window.panels["loss"]
    panel.update_view(telemetry.read())
    top = panel.loss_plot.getViewBox().viewRange()[1][1]
    assert 0.35 < top < 1.0  # the informative part, not 0..40
    panel.log_box.setChecked(True)
    panel.update_view(telemetry.read())
    assert panel.loss_plot.getViewBox().viewRange()[1][1] >= np.log10(40.0)  # log: everything


def test_a_rising_validation_loss_stays_in_view(qtbot, window):
    """The overfitting lesson's picture: the training loss falls to 0 while the validation loss
    climbs to 2.5; the linear axis follows the training steps' 99th percentile, but an epoch's
    held-out score is always shown (it was drawn above the view, the rise cut off at 0.8)."""
    records = []
    window.runner.call(lambda run: records.append(run.trainer.step())).result(30)
    telemetry = Telemetry()
    for step in range(1, 1401):
        loss = 0.7 * np.exp(-step / 200)
        telemetry.record_step(dataclasses.replace(records[0], step=step, loss=loss))
        if step % 35 == 0:
            held = 0.55 + 2.0 * max(0.0, step - 140) / 1260
            for split in ("validation", "test"):
                telemetry.record_evaluation(Evaluation(step, step // 35, split, held, 0.7))
    panel = window.panels["loss"]
    panel.update_view(telemetry.read())
    assert panel.loss_plot.getViewBox().viewRange()[1][1] >= 2.55
    assert "above the view" not in panel.summary.text()


def test_smoothing_redraws_the_training_curve(qtbot, window):
    trained(window)
    loss = window.panels["loss"]
    loss.set_smoothing(0.0)
    raw = loss.smooth_loss.getData()[1].copy()
    np.testing.assert_allclose(raw, window.telemetry.read().steps.mean["loss"])
    loss.set_smoothing(0.99)
    smoothed = loss.smooth_loss.getData()[1]
    assert np.std(np.diff(smoothed)) < 0.2 * np.std(np.diff(raw))
    assert "0.99" in loss.smoothing_label.text()


def _heatmap_zero_lightness(window) -> float:
    """Lightness (0 black .. 1 white) of the hidden-state heatmap's colour for h = 0."""
    colour_map = window.panels["hidden"].image.getColorMap()
    return colour_map.map(np.array([0.5]), mode="qcolor")[0].lightnessF()


def test_the_colour_scheme_switches_live_and_is_remembered(qtbot, window):
    from PySide6.QtWidgets import QApplication

    trained(window, 60)
    window.panels["loss"].set_smoothing(0.6)
    window.panels["prediction"].entry.setText("still here")
    qtbot.waitUntil(lambda: window.state.text == "still here")
    window.actions["colours:dark"].trigger()
    loss = window.panels["loss"]
    assert window.theme.dark and QApplication.palette().base().color().lightness() < 128
    assert window.stored.qsettings.value("colour_scheme") == "dark"
    assert loss.smoothing == 0.6 and window.panels["prediction"].text == "still here"
    assert len(loss.smooth_loss.getData()[0]) == 60  # curves redrawn from the history
    assert window.actions["colours:dark"].isChecked()
    assert _heatmap_zero_lightness(window) < 0.25  # h = 0 blends into the dark background
    window.panels["prediction"].entry.setText("typed after the switch")  # signals reconnected
    qtbot.waitUntil(lambda: window.state.text == "typed after the switch", timeout=2000)
    window.actions["colours:light"].trigger()
    assert not window.theme.dark
    assert _heatmap_zero_lightness(window) > 0.85
    window.actions["colours:system"].trigger()


def test_garbage_is_collected_on_the_gui_thread_while_the_window_is_open(qtbot, tmp_path):
    """Cycles holding Qt objects must never be collected on the training thread: while a window
    is open Python's automatic collection is off and the window's timer collects."""
    import gc
    import threading

    from rnnviz.gui.app import dispose
    from rnnviz.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, dataset="tiny")
    threads = []
    gc.callbacks.append(lambda phase, info: threads.append(threading.current_thread().name))
    try:
        assert not gc.isenabled()
        window.runner.call(lambda run: [run.trainer.step() for _ in range(300)]).result(60)
        for _ in range(window.collector.threshold[0] + 10):  # past generation 0's threshold
            a, b = [], []
            a.append(b)
            b.append(a)
        window.collector.check()
        assert threads and set(threads) == {threading.main_thread().name}
    finally:
        gc.callbacks.pop()
        dispose(window)
    assert gc.isenabled()


def test_a_long_history_is_a_mean_line_over_a_min_max_band(qtbot, window):
    records = []
    window.runner.call(lambda run: records.append(run.trainer.step())).result(30)
    telemetry = Telemetry()
    for step in range(1, 20001):
        loss = 1.0 / np.sqrt(step) * (1.5 if step % 7 == 0 else 1.0)  # a spike every 7 steps
        telemetry.record_step(dataclasses.replace(records[0], step=step, loss=loss))
    view = telemetry.read()
    assert view.steps.width > 1
    band = window.panels["loss"].raw_loss
    window.panels["loss"].update_view(view)
    _, low, high = band.bars.edges
    mean = band.line.getOriginalDataset()[1]
    assert len(low) == len(mean) == len(view.steps) and np.all(low <= mean) and np.all(mean <= high)
    assert np.any(high > 1.2 * mean)  # the spikes stay visible as the band's top
    bars = band.bars.opts  # what is drawn: one bar per bucket, end to end, low to high
    np.testing.assert_allclose(bars["x0"][1:], bars["x0"][:-1] + bars["width"][:-1])
    np.testing.assert_allclose(bars["y1"], high)
    window.panels["loss"].log_box.setChecked(True)  # the bars in log10 of their bounds
    np.testing.assert_allclose(band.bars.opts["y0"], np.log10(low))
    window.panels["loss"].log_box.setChecked(False)
    window.panels["loss"].update_view(Telemetry().read())  # Reset: nothing left
    assert len(band.bars.edges[0]) == 0 and len(band.bars.opts["x0"]) == 0


def test_a_colour_switch_keeps_the_chosen_layer_and_the_selection(qtbot, window):
    window.controls.form.widgets["cell"].setCurrentText("lstm")
    window.reset()
    qtbot.waitUntil(lambda: window.config.cell == "lstm", timeout=10000)
    trained(window, 10)
    window.redraw_all()
    hidden = window.panels["hidden"]
    assert hidden.layer_box.count() > 1  # h and the LSTM's gates
    gate = hidden.layer_box.itemText(hidden.layer_box.count() - 1)  # the cell's last gate
    hidden.layer_box.setCurrentText(gate)
    window.panels["prediction"].entry.setSelection(0, 4)
    qtbot.waitUntil(lambda: window.state.selection == (0, 4))
    window.actions["colours:dark"].trigger()
    window.redraw_all()
    assert window.panels["hidden"].layer_box.currentText() == gate
    entry = window.panels["prediction"].entry
    assert (entry.selectionStart(), entry.selectionLength()) == (0, 4)
    window.actions["colours:system"].trigger()
