import math
import subprocess
import sys
import threading

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt, QThread, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from rnnviz.core.data.datasets import DataSource
from rnnviz.core.train import checkpoint
from rnnviz.core.train.config import TrainConfig


def wait_step(qtbot, window, at_least, timeout=15000):
    qtbot.waitUntil(lambda: window.telemetry.read().status.step >= at_least, timeout=timeout)


def test_opens_ready_with_tiny_and_a_fresh_model(window):
    status = window.telemetry.read().status
    assert status.state == "ready" and status.step == 0
    assert window.controls.dataset.currentText() == "tiny"
    assert "60 train / 20 test" in window.controls.dataset_info.text()


def test_training_fills_the_plots(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_Space)
    wait_step(qtbot, window, 300)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.telemetry.read().status.state == "paused")
    qtbot.waitUntil(  # each in its turn (a loaded machine's frame budget spaces them out)
        lambda: (
            len(window.panels["loss"].smooth_loss.getData()[0]) >= 300
            and len(window.panels["gradients"].before.line.getData()[0]) >= 300
        )
    )
    x, y = window.panels["loss"].smooth_loss.getData()
    assert len(x) >= 300 and np.all(np.isfinite(y)) and y[-1] < y[0]
    x, y = window.panels["gradients"].before.line.getData()
    assert len(x) >= 300 and np.all(np.isfinite(y))
    assert len(window.panels["loss"].held_out["test"][0].getData()[0]) > 10
    assert " · test " in window.panels["loss"].summary.text()
    assert "step" in window.status.fields["step"].text()


def test_typing_changes_probabilities_and_heatmap_width(qtbot, window):
    window.runner.call(lambda run: [run.trainer.step() for _ in range(150)]).result(30)
    qtbot.waitUntil(
        lambda: window.panels["prediction"].verdict.text().endswith("at step 150"),
        timeout=5000,
    )
    entry = window.panels["prediction"].entry
    entry.clear()
    qtbot.keyClicks(entry, "this is good")
    qtbot.waitUntil(
        lambda: (
            window.panels["hidden"].current is not None
            and len(window.panels["hidden"].current.tokens) == 3
        ),
        timeout=3000,
    )
    positive = window.panels["prediction"].rows.bars[1][1].value()
    # one forward pass per keystroke, shared: both panels show the very same probe
    assert window.panels["hidden"].current is window.panels["prediction"].shown
    assert window.panels["hidden"].image.image.shape == (64, 3)
    qtbot.keyClicks(entry, " not really zzz")
    qtbot.waitUntil(lambda: window.panels["hidden"].image.image.shape == (64, 6), timeout=3000)
    assert "zzz" in window.panels["prediction"].tokens_label.text()
    assert "unknown" in window.panels["prediction"].tokens_label.text()
    entry.setText("this is bad")
    qtbot.waitUntil(
        lambda: window.panels["prediction"].rows.bars[1][1].value() < positive, timeout=3000
    )


def test_step_and_reset(qtbot, window):
    qtbot.mouseClick(window.controls.step_button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, window, 1)
    # read on the training thread: a second step would have come before this answer
    assert window.runner.call(lambda run: run.trainer.step_count).result(5) == 1
    window.controls.form.widgets["hidden_size"].setValue(16)
    window.reset()  # posted: the window does not wait for the new model
    qtbot.waitUntil(lambda: window.status.fields["step"].text() == "step 0", timeout=5000)
    assert window.runner.call(lambda run: run.model.hidden_size).result(5) == 16
    qtbot.waitUntil(lambda: window.config.hidden_size == 16, timeout=5000)  # the answer


def test_learning_rate_change_reaches_the_trainer(qtbot, window):
    window.runner.step_once()
    wait_step(qtbot, window, 1)
    window.controls.form.widgets["lr"].setValue(0.0321)
    assert window.runner.call(lambda run: run.trainer.config.lr).result(5) == pytest.approx(0.0321)
    window.controls.form.widgets["clip_mode"].setCurrentText("value")
    assert window.runner.call(lambda run: run.trainer.config.clip_mode).result(5) == "value"
    qtbot.waitUntil(lambda: not window.panels["gradients"].threshold.isVisible(), timeout=3000)
    window.runner.step_once()
    qtbot.waitUntil(lambda: any("lr" in e for _, e in window.telemetry.read().events))


def test_bad_checkpoint_shows_why_and_keeps_the_app_usable(qtbot, window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(
        "rnnviz.gui.messages.show_error", lambda parent, title, text, *a: shown.append(text)
    )
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a checkpoint")
    assert not window.load_model(str(bad))
    assert shown and "not a readable .npz" in shown[0]
    window.runner.step_once()
    wait_step(qtbot, window, 1)


def test_save_then_load_a_model(qtbot, window, tmp_path, monkeypatch):
    window.runner.call(lambda run: [run.trainer.step() for _ in range(20)]).result(30)
    path = tmp_path / "m.npz"
    monkeypatch.setattr(
        "rnnviz.gui.file_choice.QFileDialog.getSaveFileName", lambda *a, **k: (str(path), "")
    )
    window.save_model()  # written on the training thread; the window goes on
    qtbot.waitUntil(lambda: "saved" in window.statusBar().currentMessage(), timeout=5000)
    assert checkpoint.load(path).summary["step"] == 20
    before = window.overview
    window.reset()
    qtbot.waitUntil(lambda: window.overview is not before, timeout=5000)  # the reset answered
    assert not window.unsaved.pending  # (a status still showing the old step must not do here)
    assert window.load_model(str(path))
    qtbot.waitUntil(lambda: window.status.fields["step"].text() == "step 20", timeout=5000)
    qtbot.waitUntil(lambda: "own vocabulary" in window.statusBar().currentMessage(), timeout=5000)
    assert "0.0% of the training words of tiny are unknown" in window.statusBar().currentMessage()


def test_bad_dataset_shows_an_error_in_the_dialog(qtbot, tmp_path):
    from rnnviz.gui.dataset_dialog import DatasetDialog

    broken = tmp_path / "d.txt"
    broken.write_text("good\t1\nno label\nbad\t0\n")
    dialog = DatasetDialog()
    qtbot.addWidget(dialog)
    dialog.paths.setText(str(broken))
    dialog.preview()
    assert "line 2" in dialog.summary.text() and dialog.dataset is None
    dialog.lenient.setChecked(True)
    dialog.preview()
    assert "skipped 1 malformed" in dialog.summary.text()
    assert dialog.dataset is not None and len(dialog.dataset) == 2


def test_dataset_dialog_previews_rows_and_balance(qtbot, tmp_path):
    from rnnviz.gui.dataset_dialog import DatasetDialog

    data = tmp_path / "d.csv"
    data.write_text('text,label\n"good, really",pos\nawful,neg\nfine,pos\n')
    dialog = DatasetDialog()
    qtbot.addWidget(dialog)
    dialog.paths.setText(str(data))
    dialog.preview()
    assert dialog.table.rowCount() == 3 and dialog.table.item(0, 0).text() == "good, really"
    assert "negative: 1, positive: 2" in dialog.summary.text()


def test_halt_pauses_and_tells_the_user(qtbot, window):
    from rnnviz.core.train.config import TrainConfig
    from rnnviz.core.train.experiment import Experiment

    config = TrainConfig(lr=1e37, clip_mode="none", optimizer="sgd", dtype="float32")
    window.reset(make_experiment=lambda _: Experiment.build(config, window.source.load()))
    window.runner.train()
    qtbot.waitUntil(lambda: window.telemetry.read().status.state == "halted", timeout=10000)
    qtbot.waitUntil(lambda: "non-finite" in window.status.state_label.text(), timeout=3000)
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert any("restored" in b.text() for b in boxes)
    for b in boxes:
        b.close()


def test_closing_while_training_stops_the_thread_quickly(qtbot, tmp_path, monkeypatch):
    from rnnviz.gui.main_window import MainWindow

    asked = []
    monkeypatch.setattr(
        "rnnviz.gui.unsaved.QMessageBox.exec",
        lambda box: asked.append(box.text()) or QMessageBox.StandardButton.Discard,
    )

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings)
    win.show()
    win.runner.set_speed(None)
    win.runner.train()
    wait_step(qtbot, win, 20)
    win.close()
    assert asked and "since it was last saved. Closing the window replaces it." in asked[0]
    assert win.runner.stop(0)  # the training thread had ended when close() returned
    assert settings.value("geometry") is not None
    win.deleteLater()


@pytest.mark.parametrize(
    "key,value",
    [
        ("config", '{"hidden_size": 12.5}'),
        ("config", '{"lr": NaN}'),
        ("config", "[1, 2]"),
        ("config", "{not json"),
        ("speed", ["a", "list"]),
        ("speed", "light speed"),
        ("colour_scheme", "plaid"),
        ("dataset", '{"sources": 3}'),
        ("panels", '{"loss": {"smoothing": "much", "log_scale": 3}}'),
    ],
)
def test_bad_remembered_settings_are_dropped_with_a_note(qtbot, tmp_path, key, value):
    """A settings file from another version or edited by hand never stops the app starting."""
    from rnnviz.gui.app import dispose
    from rnnviz.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue(key, value)
    settings.sync()
    window = MainWindow(settings=settings)
    try:
        assert window.config.hidden_size == TrainConfig().hidden_size
        message = window.statusBar().currentMessage()
        assert f"the remembered {key} " in message
    finally:
        dispose(window)


def test_an_older_settings_files_log_scale_and_smoothing_come_back(qtbot, tmp_path):
    """Before panels kept their own state, the loss panel's choices had keys of their own."""
    from rnnviz.gui.app import dispose
    from rnnviz.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("log_scale", "true")
    settings.setValue("smoothing", "0.6")
    window = MainWindow(settings=settings, dataset="tiny")
    try:
        assert window.panels["loss"].state() == {"log_scale": True, "smoothing": 0.6}
    finally:
        dispose(window)


def test_settings_are_remembered(qtbot, tmp_path):
    from rnnviz.gui.app import dispose
    from rnnviz.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    first = MainWindow(settings=settings)
    first.controls.form.widgets["hidden_size"].setValue(24)
    first.controls.speed.setCurrentText("10 steps/s")
    first.panels["prediction"].entry.setText("remember me")
    qtbot.waitUntil(lambda: first.state.text == "remember me")  # typing is answered in turn
    first.panels["loss"].log_box.setChecked(True)
    first.panels["loss"].set_smoothing(0.6)
    first.close()
    dispose(first)
    second = MainWindow(settings=settings)
    try:
        assert second.controls.form.widgets["hidden_size"].value() == 24
        assert second.controls.speed.currentText() == "10 steps/s"
        assert second.panels["prediction"].text == "remember me"
        assert second.panels["loss"].log_box.isChecked()
        assert second.panels["loss"].smoothing == 0.6
        assert second.actions["smoothing:0.6"].isChecked()  # the View menu shows it too
    finally:
        dispose(second)


def test_main_opens_and_quits_in_a_subprocess(tmp_path):
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtCore import QTimer, QCoreApplication\n"
        "from rnnviz.gui import app\n"
        "a = app.application()\n"
        "QTimer.singleShot(1500, QCoreApplication.quit)\n"
        "from rnnviz.cli import main\n"
        "sys.exit(main([]))\n"
    )
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, **_passthrough()},
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "QThread" not in done.stderr


def _passthrough():
    import os

    return {k: v for k, v in os.environ.items() if k in ("PYTHONPATH", "VIRTUAL_ENV", "LANG")}


def test_no_display_prints_the_fix(monkeypatch, capsys):
    from rnnviz.gui import app

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert app.run() == 1
    err = capsys.readouterr().err
    assert "no display" in err and "rnnviz train" in err


def test_missing_xcb_libraries_are_named(monkeypatch):
    from rnnviz.gui import app

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(sys, "platform", "linux")

    def fake_cdll(name):
        if "cursor" in name:
            raise OSError("not found")

    monkeypatch.setattr(app.ctypes, "CDLL", fake_cdll)
    problem = app.display_problem()
    assert "libxcb-cursor0" in problem and "apt-get install libxcb-cursor0" in problem


def test_round_ceilings():
    from rnnviz.gui.follow_range import nice_ceiling

    assert [nice_ceiling(v) for v in (3, 3000, 3001, 0.07, 9.5, 10)] == [
        3,
        3000,
        4000,
        0.08,
        10,
        10,
    ]


def test_plots_follow_the_data_until_the_user_zooms(qtbot):
    import pyqtgraph as pg

    from rnnviz.gui.follow_range import FollowRange

    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    follow = FollowRange(widget.getPlotItem())
    follow.update(2900, 0.0, 0.7)
    (x0, x1), (y0, y1) = widget.getPlotItem().getViewBox().viewRange()
    assert x0 <= 0 < 3000 <= x1 < 3100 and y0 <= 0 and 0.8 <= y1 < 0.9
    follow.update(2950, 0.0, 0.72)  # within the round view: it stays (the scheduler counts moves)
    assert follow.moves == 1
    widget.getPlotItem().getViewBox().sigRangeChangedManually.emit([True, True])
    follow.update(9000, 0.0, 0.7)
    assert widget.getPlotItem().getViewBox().viewRange()[0][1] < 3100  # the user's view stays
    widget.getPlotItem().getViewBox().enableAutoRange()  # the "A" button
    follow.update(9000, 0.0, 0.7)
    assert follow.following


def test_a_growing_x_range_leaves_room_ahead_and_fits_again_when_growth_stops(qtbot):
    """From launch, training at ~180 steps/s took the x range 10 -> 2,000 in 12 s in 17 moves,
    each a draw of 12-30 ms (the late ticks of the window's clock). While training runs the
    range leaves room for LEAD_S of growth at the recent rate, given when the data outgrows it."""
    import pyqtgraph as pg

    from rnnviz.gui.follow_range import LEAD_S, FollowRange, nice_ceiling

    moves = {}
    for growing in (False, True):
        widget = pg.PlotWidget()
        qtbot.addWidget(widget)
        times = iter(i / 10 for i in range(1, 122))  # drawn every 0.1 s
        follow = FollowRange(widget.getPlotItem(), clock=lambda t=times: next(t))
        for i in range(1, 121):  # 100 steps/s
            x = 10.0 * i
            follow.update(x, 0.0, 0.7, growing=growing)
            shown = widget.getPlotItem().getViewBox().viewRange()[0]
            assert shown[0] <= 0 and x <= shown[1]  # the newest point is always in view
        moves[growing] = follow.moves
        if growing:  # the room it left was 2 s of steps at most, rounded up
            assert shown[1] <= 1.02 * nice_ceiling(1200 + LEAD_S * 100)
            follow.update(1200, 0.0, 0.7, growing=False)  # paused: the view fits the data
            assert 1200 <= widget.getPlotItem().getViewBox().viewRange()[0][1] < 1.03 * 1250
    assert moves[False] >= 15 and moves[True] <= 7, moves


def test_an_inside_legend_gets_a_band_above_the_data(qtbot, monkeypatch):
    """The gradient norm plot's legend covered its top quarter, and with it the unclipped run's
    ‖g‖ (a line at 3-4 in a view of 10^-4 to 10^3): the view now leaves the legend its band."""
    import pyqtgraph as pg

    from rnnviz.gui.follow_range import FollowRange
    from rnnviz.gui.theme import inside_legend

    monkeypatch.setitem(pg.CONFIG_OPTIONS, "background", "#ffffff")  # as the window's theme sets
    widget = pg.PlotWidget()
    widget.resize(500, 160)
    qtbot.addWidget(widget)
    plot = widget.getPlotItem()
    legend = inside_legend(plot, "left")
    plot.plot([1, 2], [1, 2], name="before (smoothed)")
    widget.show()
    qtbot.waitExposed(widget)
    view = plot.getViewBox()
    share = legend.boundingRect().height() / view.height()
    assert legend.isVisible() and 0.1 < share < 0.5
    follow = FollowRange(plot, clear_of=legend)
    follow.set_log_y(True)
    follow.update(630, 1e-4, 375.0)
    (_, _), (low, high) = view.viewRange()
    assert (high - math.log10(375.0)) / (high - low) >= share * 0.98  # the top band is free
    follow.set_log_y(False)  # linear: the same
    follow.update(630, 0.0, 0.7)
    (_, _), (low, high) = view.viewRange()
    assert (high - 0.7) / (high - low) >= share * 0.98
    FollowRange(plot).update(630, 0.0, 0.7)
    assert view.viewRange()[1][1] < 0.9  # not told of the legend: no band


def test_epochs_are_numbered_as_in_the_cli(qtbot, window):
    """tiny has 60 training sentences, 4 steps an epoch: after step 400 the window, like
    `rnnviz train`'s "--- Epoch 100 (step 400)", says epoch 100 (it said 99 before)."""
    window.runner.call(lambda run: [run.trainer.step() for _ in range(400)]).result(60)
    qtbot.waitUntil(lambda: window.status.fields["step"].text() == "step 400", timeout=5000)
    assert window.status.fields["epoch"].text() == "epoch 100"


def start_leaking_thread(release):
    thread = threading.Thread(target=release.wait, name="left-running")
    thread.start()
    return thread


def start_leaking_timer():
    timer = QTimer()
    timer.start(1000)
    return timer


def start_leaking_qthread():
    qthread = QThread()
    qthread.setObjectName("left-looping")
    qthread.start()
    return qthread


def test_the_leak_check_names_each_leftover_and_where_it_was_started(qtbot):
    """The autouse no_leftovers fixture relies on this: each kind of leftover is reported, a
    thread, a QTimer and a QThread with the stack that started it."""
    from PySide6.QtWidgets import QDialog

    from .conftest import alive, left_since, leftovers, recording_starts, settle

    before = alive()
    release = threading.Event()
    with recording_starts((threading.Thread, "start"), (QTimer, "start"), (QThread, "start")):
        thread = start_leaking_thread(release)
        timer = start_leaking_timer()
        qthread = start_leaking_qthread()
    dialog = QDialog()
    dialog.show()
    try:
        report = leftovers(lambda: left_since(before), wait=0, settle=settle)
        assert "thread 'left-running' started at:" in report
        assert "active QTimer (interval 1000 ms) started at:" in report
        assert "QThread 'left-looping' started at:" in report
        assert "window QDialog" in report
        for starter in ("start_leaking_thread", "start_leaking_timer", "start_leaking_qthread"):
            assert f'{__file__}", line' in report and f"in {starter}\n" in report, report
        assert "in test_the_leak_check_names_each_leftover" in report
    finally:
        release.set()
        thread.join()
        timer.stop()
        qthread.quit()
        qthread.wait()
        dialog.close()
        dialog.deleteLater()
    assert leftovers(lambda: left_since(before), settle=settle) is None


def test_the_cell_chosen_in_the_controls_is_built_on_reset(qtbot, window):
    box = window.controls.form.widgets["cell"]  # read from the registry, the lessons' cells too
    assert [box.itemText(i) for i in range(box.count())] == [
        "vanilla",
        "gru",
        "lstm",
        "bag",
        "vanilla-bug",
    ]
    window.controls.form.widgets["cell"].setCurrentText("lstm")
    window.reset()
    qtbot.waitUntil(lambda: window.config.cell == "lstm", timeout=5000)
    assert window.runner.call(lambda run: run.model.cell.name).result(5) == "lstm"
    window.runner.step_once()
    qtbot.waitUntil(lambda: window.panels["hidden"].layer_box.count() == 5, timeout=5000)
    layers = [window.panels["hidden"].layer_box.itemText(i) for i in range(5)]
    assert layers == ["h (hidden state)", "input i", "forget f", "output o", "cell c"]
    hidden = window.panels["hidden"]
    for label, scale in (("forget f", "forget f (σ)"), ("cell c", "c (cell state)")):
        hidden.layer_box.setCurrentText(label)
        qtbot.waitUntil(lambda s=scale: hidden.shown_scale[1] == s, timeout=5000)
        assert hidden.shown_title == f"{scale.split(' (')[0]} after each word · lstm cell"


def test_validation_curve_reliability_restore_best_and_temperature(qtbot, tmp_path):
    """With the defaults: validation points and the best mark on the loss plot, a reliability
    diagram, Restore best with its temperature, and typed probabilities with and without it."""
    import json

    from PySide6.QtCore import QSettings

    from rnnviz.core.train.config import TrainConfig
    from rnnviz.gui.app import dispose
    from rnnviz.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("config", json.dumps(TrainConfig(hidden_size=16, lr=0.02).to_dict()))
    window = MainWindow(settings=settings, dataset="negation")
    window.show()
    try:
        calibration = window.panels["calibration"]
        assert calibration.hint.label.isVisible() and not calibration.diagonal.isVisible()
        window.panels["prediction"].entry.setText("the food was not good at all")
        window.runner.call(lambda run: [run.trainer.step() for _ in range(3 * 165)]).result(120)
        window.redraw_all()
        qtbot.waitUntil(lambda: window.telemetry.read().status.best_step > 0, timeout=5000)
        window.redraw_all()
        loss = window.panels["loss"]
        assert len(loss.held_out["validation"][0].getData()[0]) == 3
        assert loss.best_lines[0].isVisible() and "best: epoch" in loss.summary.text()
        assert "validation at step" in calibration.summary.text()
        assert len(calibration.points.getData()[0]) > 0
        assert calibration.diagonal.isVisible() and not calibration.hint.label.isVisible()
        window.keep_best()
        qtbot.waitUntil(
            lambda: "restored the weights of epoch" in window.statusBar().currentMessage(),
            timeout=10000,
        )
        temperature = window.runner.call(lambda run: run.model.temperature).result(5)
        assert temperature != 1.0
        qtbot.waitUntil(
            lambda: (
                window.state.snapshot is not None
                and window.state.snapshot.model.temperature == temperature
            ),
            timeout=5000,
        )
        window.redraw_all()
        calibrated = window.state.probe.final.copy()
        calibration.apply_box.setChecked(False)
        raw = window.state.probe.final.copy()
        assert calibrated.argmax() == raw.argmax() and not np.allclose(calibrated, raw)
        assert f"temperature {temperature:.2f}" in calibration.summary.text()
    finally:
        dispose(window)


def answering(monkeypatch, answer):
    """Make the unsaved-model question answer `answer`; returns the questions asked."""
    asked = []
    monkeypatch.setattr(
        "rnnviz.gui.unsaved.QMessageBox.exec", lambda box: asked.append(box.text()) or answer
    )
    return asked


def test_reset_asks_before_discarding_a_trained_model(qtbot, window, monkeypatch):
    Button = QMessageBox.StandardButton
    asked = answering(monkeypatch, Button.Cancel)
    window.confirm_reset()  # nothing trained yet: no question
    assert not asked
    window.runner.call(lambda run: [run.trainer.step() for _ in range(12)]).result(30)
    wait_step(qtbot, window, 12)
    window.confirm_reset()
    assert "trained 12 steps since it was last saved. Reset replaces it." in asked[0]
    # cancelled: no reset was posted (it would have run before this answer)
    assert window.runner.call(lambda run: run.trainer.step_count).result(5) == 12
    answering(monkeypatch, Button.Discard)
    window.confirm_reset()
    qtbot.waitUntil(lambda: window.telemetry.read().status.step == 0, timeout=5000)
    assert not window.unsaved.pending


def test_save_in_the_question_saves_then_goes_on(qtbot, window, monkeypatch, tmp_path):
    from rnnviz.core.train import checkpoint

    asked = answering(monkeypatch, QMessageBox.StandardButton.Save)
    path = tmp_path / "kept.npz"
    monkeypatch.setattr(
        "rnnviz.gui.file_choice.QFileDialog.getSaveFileName", lambda *a, **k: (str(path), "")
    )
    window.runner.call(lambda run: [run.trainer.step() for _ in range(7)]).result(30)
    wait_step(qtbot, window, 7)
    window.choose_dataset("negation")
    assert "Opening another dataset replaces it" in asked[0]
    qtbot.waitUntil(lambda: window.overview.name == "negation", timeout=10000)
    assert checkpoint.load(path).summary["step"] == 7
    window.runner.call(lambda run: run.trainer.step()).result(30)
    wait_step(qtbot, window, 1)
    window.save_model(str(tmp_path / "again.npz"))
    qtbot.waitUntil(lambda: not window.unsaved.pending, timeout=5000)


def test_the_last_dataset_is_reopened_or_reported_gone(qtbot, tmp_path):
    from rnnviz.gui.app import dispose
    from rnnviz.gui.main_window import MainWindow

    data = tmp_path / "mine.tsv"
    data.write_text("good fun\tpos\nbad mess\tneg\n" * 20)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    first = MainWindow(settings=settings, dataset="tiny")
    first.reset(DataSource((str(data),)))
    qtbot.waitUntil(lambda: first.overview.name == "mine.tsv", timeout=10000)
    dispose(first)  # saves the settings
    second = MainWindow(settings=settings)
    try:
        qtbot.waitUntil(lambda: second.overview.name == "mine.tsv", timeout=10000)
    finally:
        dispose(second)
    data.unlink()
    third = MainWindow(settings=settings)
    try:
        assert "the dataset of the last session is gone" in third.statusBar().currentMessage()
        assert third.overview.name == "negation"
    finally:
        dispose(third)


def test_the_wheel_changes_a_setting_only_once_its_box_has_focus(qtbot, window):
    """Scrolling the control column over a spin box scrolls the column, never the setting."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    box = window.controls.form.widgets["dropout"]
    before = box.value()

    def wheel() -> None:
        centre = QPointF(box.rect().center())
        event = QWheelEvent(
            centre, QPointF(box.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 120),
            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
            False,
        )  # fmt: skip
        QApplication.sendEvent(box, event)

    wheel()
    assert box.value() == before
    window.activateWindow()
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    wheel()
    assert box.value() > before
