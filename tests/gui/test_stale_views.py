"""What a panel shows comes from the model open now: a load, a new dataset or Restore best leaves
nothing of the weights before it on screen, and the readouts name the weights they were read
with (issue 25, item 3: each view the newcomer found stale, reproduced)."""

import html
import json
import re

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from rnnviz.core.generate import sample
from rnnviz.core.train import checkpoint
from rnnviz.core.train.config import TrainConfig


def wait_step(qtbot, window, step, timeout=15000):
    qtbot.waitUntil(lambda: window.telemetry.read().status.step == step, timeout=timeout)


def train(window, steps):
    window.runner.call(lambda run: [run.trainer.step() for _ in range(steps)]).result(120)


def discard_when_asked(monkeypatch):
    monkeypatch.setattr(
        "rnnviz.gui.unsaved.QMessageBox.exec", lambda box: QMessageBox.StandardButton.Discard
    )


def rebuild_as(qtbot, window, cell):
    window.controls.form.widgets["cell"].setCurrentText(cell)
    window.reset()
    qtbot.waitUntil(lambda: window.config.cell == cell and window.telemetry.status.step == 0)


def saved(qtbot, window, path):
    window.save_model(str(path))
    qtbot.waitUntil(lambda: path.exists() and not window.unsaved.pending, timeout=10000)
    return path


def side_step(window, label) -> int:
    view = window.side_runs.runs[label].view
    return -1 if view is None else view.status.step


def points(curve) -> int:
    x = curve.getData()[0]
    return 0 if x is None else len(x)


def test_a_loaded_model_shows_nothing_of_the_runs_before_it(qtbot, window, tmp_path, monkeypatch):
    """Loading a GRU at step 40 beside an LSTM with a run beside it left the run's curves over
    the empty plots' hints and the LSTM's ‖∂L/∂c_t‖ curve and legend; its plots then spanned
    0-60 for steps 41-60, even once the run beside it was removed."""
    discard_when_asked(monkeypatch)
    rebuild_as(qtbot, window, "gru")
    train(window, 40)
    wait_step(qtbot, window, 40)
    path = saved(qtbot, window, tmp_path / "gru.npz")
    rebuild_as(qtbot, window, "lstm")
    window.add_run({"hidden_size": 8})
    qtbot.waitUntil(lambda: bool(window.side_runs.runs), timeout=10000)
    (label,) = window.side_runs.runs
    train(window, 12)
    qtbot.waitUntil(lambda: side_step(window, label) == 12, timeout=10000)
    window.redraw_all()
    loss, gradients = window.panels["loss"], window.panels["gradients"]
    assert points(loss.run_curves[0].curves[label]) == 12 and gradients.flow_c is not None

    assert window.load_model(str(path))
    wait_step(qtbot, window, 40)
    qtbot.waitUntil(lambda: side_step(window, label) == 40, timeout=10000)
    window.redraw_all()
    assert loss.hints[0].label.isVisible()  # nothing trained since the load ...
    assert all(points(c) == 0 for curves in loss.run_curves for c in curves.curves.values())
    names = [label.text for _, label in gradients.flow_plot.legend.items]
    assert gradients.flow_c is None and not any("c_t" in n for n in names)  # a GRU: h only

    train(window, 20)
    qtbot.waitUntil(lambda: side_step(window, label) == 60, timeout=10000)
    window.redraw_all()
    side_x = loss.run_curves[0].curves[label].getData()[0]
    assert side_x[0] == 41 and side_x[-1] == 60  # beside the loaded run's steps, not 1-20
    for plot in (loss.loss_plot, loss.acc_plot, gradients.norm_plot):
        low, high = plot.viewRange()[0]
        assert 39 < low <= 40 and 60 <= high < 70, (plot.titleLabel.text, low, high)
    window.remove_run(label)
    train(window, 2)
    wait_step(qtbot, window, 62)
    window.redraw_all()
    low, high = loss.loss_plot.viewRange()[0]
    assert 39 < low <= 40 and 62 <= high < 70 and not loss.run_curves[0].curves


def samples_of_the_open_model(window) -> list[str]:
    view = window.panels["prediction"].next_view
    snapshot = window.state.snapshot
    temperature = view.temperature.value() / 100
    drawn = sample(
        snapshot.model, snapshot.vocab, window.state.text, snapshot.level, temperature, 3,
        view.seed.value(),
    )  # fmt: skip
    return [html.escape(text) for text in drawn]


def open_dataset(qtbot, window, name):
    window.choose_dataset(name)
    qtbot.waitUntil(lambda: window.overview.name == name, timeout=20000)
    qtbot.waitUntil(
        lambda: window.state.snapshot.vocab is not None and window.view.status.step == 0
    )
    window.redraw_all()


def test_after_a_dataset_switch_the_samples_come_from_the_new_model(qtbot, lm_window, monkeypatch):
    """The samples said "step 504" with the words of the model before while everything else said
    step 0: a draw within a second of the last, with the same text, was dropped for good."""
    monkeypatch.setattr("rnnviz.gui.next_token_view.SAMPLE_EVERY", 3600.0)  # always within it
    discard_when_asked(monkeypatch)
    window = lm_window
    window.redraw_all()
    view = window.panels["prediction"].next_view
    assert "step 0</b>" in view.samples.text()
    open_dataset(qtbot, window, "negation")  # step 0 again (a relaunch: step 0, then the last data)
    assert all(s in view.samples.text() for s in samples_of_the_open_model(window))
    train(window, 30)
    wait_step(qtbot, window, 30)
    window.redraw_all()  # within SAMPLE_EVERY: the samples wait for their turn
    open_dataset(qtbot, window, "tiny")
    assert "step 0</b>" in view.samples.text()
    assert all(s in view.samples.text() for s in samples_of_the_open_model(window))


class Clock:
    """A stand-in for next_token_view's `time` whose monotonic() moves only when told."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_newer_weights_held_back_get_their_samples_when_it_is_time(qtbot, lm_window, monkeypatch):
    """Training paused within a second of the last samples: they are drawn again with the
    paused weights once the second is over, not left at an older step."""
    clock = Clock()
    monkeypatch.setattr("rnnviz.gui.next_token_view.time", clock)
    window = lm_window
    train(window, 10)
    wait_step(qtbot, window, 10)
    clock.now += 10.0  # long after any draw so far
    window.redraw_all()
    view = window.panels["prediction"].next_view
    assert "step 10</b>" in view.samples.text()
    train(window, 1)  # the clock stands: every draw of step 11 is within SAMPLE_EVERY
    wait_step(qtbot, window, 11)
    window.redraw_all()
    qtbot.waitUntil(lambda: "step 11</b>" in view.samples.text(), timeout=5000)
    assert all(s in view.samples.text() for s in samples_of_the_open_model(window))


def test_after_restore_best_the_prediction_names_the_weights_it_used(qtbot, tmp_path, monkeypatch):
    """It said "at step 990" with the best weights, of step 495, put back."""
    from rnnviz.gui.app import dispose
    from rnnviz.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("config", json.dumps(TrainConfig(hidden_size=16, lr=0.02).to_dict()))
    window = MainWindow(settings=settings, dataset="negation")
    window.show()
    try:
        train(window, 3 * 165)
        window.runner.apply({"lr": 3.0}).result(10)  # three worse epochs after the best
        train(window, 3 * 165)
        wait_step(qtbot, window, 990)
        status = window.telemetry.read().status
        assert status.best_epoch == 3 and status.best_step == 495
        trained = window.state.snapshot
        window.keep_best()
        qtbot.waitUntil(lambda: "restored" in window.statusBar().currentMessage(), timeout=10000)
        qtbot.waitUntil(lambda: window.state.snapshot is not trained)
        window.redraw_all()
        verdict = window.panels["prediction"].verdict.text()
        assert verdict.endswith("at best step 495"), verdict
        assert window.status.fields["step"].text() == "step 990"  # the steps taken: true too
        window.runner.step_once()
        wait_step(qtbot, window, 991)
        qtbot.waitUntil(lambda: window.state.snapshot.step == 991)
        window.redraw_all()
        assert window.panels["prediction"].verdict.text().endswith("at step 991")
    finally:
        dispose(window)


def test_paused_shows_no_speed(qtbot, window):
    """ "Paused" stood beside "7,383 tokens/s"."""
    speed = window.status.fields["speed"]
    window.runner.train()
    qtbot.waitUntil(lambda: re.fullmatch(r"[1-9][\d,]* tokens/s", speed.text()), timeout=15000)
    window.runner.pause()
    qtbot.waitUntil(lambda: window.status.state_label.text() == "Paused")
    assert speed.text() == ""
    window.unsaved.mark_kept()


def test_a_loaded_model_shows_the_time_it_trained(qtbot, window, tmp_path, monkeypatch):
    """A loaded 3,736-step model said "0:00 trained": its file now carries the time, and one
    that does not (older) says the clock counts from the load."""
    discard_when_asked(monkeypatch)
    train(window, 30)
    window.runner.call(lambda run: setattr(run.trainer, "seconds_before", 754.0)).result(5)
    path = saved(qtbot, window, tmp_path / "m.npz")
    seconds = checkpoint.load(path).summary["seconds"]
    minutes, rest = divmod(int(seconds), 60)
    window.reset()
    qtbot.waitUntil(lambda: window.status.fields["elapsed"].text() == "0:00 trained")
    assert window.load_model(str(path))
    elapsed = window.status.fields["elapsed"]
    qtbot.waitUntil(lambda: elapsed.text() == f"{minutes}:{rest:02d} trained", timeout=10000)

    older = checkpoint.load(path)
    del older.summary["seconds"]
    checkpoint.save(tmp_path / "older.npz", older)
    assert window.load_model(str(tmp_path / "older.npz"))
    qtbot.waitUntil(lambda: elapsed.text() == "0:00 since load", timeout=10000)
    assert "loaded at step 30" in elapsed.toolTip()


def test_the_prediction_and_the_status_bar_name_the_same_step(qtbot, window):
    """The prediction said step 1,968 while the status bar said 1,963. Here no snapshot comes
    from the training loop (only from commands): a pause must publish the paused weights."""
    window.runner.publish_every = 1e9
    window.runner.train()
    steps = lambda: window.runner.call(lambda run: run.trainer.step_count).result(5)  # noqa: E731
    qtbot.waitUntil(lambda: steps() > 30, timeout=15000)  # (no status published meanwhile)
    window.runner.pause()
    qtbot.waitUntil(lambda: window.telemetry.status.state == "paused")
    qtbot.waitUntil(lambda: window.state.snapshot.step == window.telemetry.status.step)
    window.redraw_all()
    step = window.telemetry.status.step
    assert window.status.fields["step"].text() == f"step {step:,}"
    assert window.panels["prediction"].verdict.text().endswith(f"at step {step:,}")
    window.unsaved.mark_kept()
