"""File → Save history and Open history (issue 29): the window's run saved with every step,
opened again in a new window state (the timeline spans all its steps, each exactly the run's),
trained on with the history continued; a file without a history is refused with the reason."""

from rnnviz.core.train import checkpoint, history_file
from rnnviz.gui import history_files

from .test_timeline import looked_back, train


def same_bits(a: dict, b: dict) -> bool:
    return all(a[n].tobytes() == b[n].tobytes() for n in b)


def test_a_saved_history_opens_scrubs_every_step_and_trains_on(qtbot, window, tmp_path):
    seen = train(window, 60)
    timeline = window.scrubbing.timeline
    qtbot.waitUntil(lambda: timeline.live == 60)
    path = tmp_path / "run.npz"
    history_files.save_history(window, str(path))
    qtbot.waitUntil(lambda: "every step since 0" in window.statusBar().currentMessage())
    saved = history_file.load(path)
    assert (saved.history.first_step, saved.history.last_step) == (0, 60)
    assert saved.curves is not None and saved.curves.steps.total == 60

    window.reset()  # another model: its history starts again
    qtbot.waitUntil(lambda: timeline.live == 0 and not window.unsaved.pending)
    assert history_files.open_history(window, str(path))
    qtbot.waitUntil(lambda: "steps 0 to 60" in window.statusBar().currentMessage())
    qtbot.waitUntil(lambda: timeline.live == 60 and window.runner.history.first_step == 0)
    assert (timeline.slider.minimum(), timeline.slider.maximum()) == (0, 60)
    window.redraw_all()  # the curves of the run gone before are drawn
    steps = window.view.steps
    assert steps is not None and steps.x[0] == 1 and steps.x[-1] == 60
    x, _ = window.panels["loss"].smooth_loss.getData()
    assert len(x) == 60 and x[-1] == 60
    looked_back(qtbot, window, 25)
    assert same_bits(window.state.past.model.params, seen[25])

    timeline.live_button.click()
    later = train(window, 15)  # on from the last step: the history goes on
    qtbot.waitUntil(lambda: timeline.live == 75)
    assert window.runner.history.first_step == 0 and timeline.slider.minimum() == 0
    for step, weights in ((70, later[70]), (25, seen[25])):
        looked_back(qtbot, window, step)
        assert same_bits(window.state.past.model.params, weights), step


def test_a_checkpoint_without_a_history_is_refused(qtbot, window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(
        "rnnviz.gui.messages.show_error", lambda parent, title, text, *a: shown.append(text)
    )
    path = tmp_path / "model.npz"
    window.runner.call(
        lambda experiment: checkpoint.save(path, checkpoint.from_experiment(experiment))
    ).result(10)
    assert not history_files.open_history(window, str(path))
    assert shown and "model.npz: a checkpoint without a history" in shown[0]
