"""Looking back (issue 29): the timeline's step sets the weights every view reads, exactly the
run's at that step, while training goes on; the plots over training mark the step; Back to live
and a new model return to the newest weights."""

from rnnviz.core.insight.probe import probe


def train(window, steps):
    """`steps` steps on the training thread, the weights after each kept (by step)."""
    seen: dict[int, dict] = {}

    def run(experiment):
        for _ in range(steps):
            experiment.trainer.step()
            seen[experiment.trainer.step_count] = {
                n: p.copy() for n, p in experiment.model.params.items()
            }

    window.runner.call(run).result(120)
    return seen


def looked_back(qtbot, window, step):
    window.scrubbing.timeline.slider.setValue(step)  # as a drag that stops there
    qtbot.waitUntil(lambda: window.state.past is not None and window.state.past.step == step)
    window.redraw_all()


def test_every_view_shows_the_model_at_the_step_looked_at(qtbot, window):
    seen = train(window, 80)
    qtbot.waitUntil(lambda: window.scrubbing.timeline.live == 80)
    timeline = window.scrubbing.timeline
    assert (timeline.slider.minimum(), timeline.slider.maximum()) == (0, 80)
    assert "live · step 80" in timeline.label.text()

    looked_back(qtbot, window, 30)
    past = window.state.past
    assert all(past.model.params[n].tobytes() == seen[30][n].tobytes() for n in seen[30])
    expected = probe(past.model, past.vocab, window.state.text, window.state.temperature)
    assert window.state.probe.final.tolist() == expected.final.tolist()
    verdict = window.panels["prediction"].verdict.text()
    assert verdict.endswith("at past step 30"), verdict
    assert "viewing step 30 · epoch" in timeline.label.text()
    assert timeline.live_button.isEnabled()
    for key in ("loss", "gradients", "dynamics"):
        lines = window.panels[key].viewed.lines
        assert all(line.isVisible() and line.value() == 30 for line in lines), key

    # training goes on: the curves and the timeline's end move, the weights shown stay
    window.runner.train()
    qtbot.waitUntil(lambda: timeline.live > 100, timeout=20000)
    window.runner.pause()
    window.redraw_all()
    assert window.state.past.step == 30 and timeline.slider.value() == 30
    assert window.panels["prediction"].verdict.text().endswith("at past step 30")

    timeline.live_button.click()
    window.redraw_all()
    assert window.state.past is None and window.state.view_step is None
    assert window.state.snapshot is window.view.snapshot
    assert not any(line.isVisible() for line in window.panels["loss"].viewed.lines)
    live = window.view.snapshot.step
    assert window.panels["prediction"].verdict.text().endswith(f"at step {live:,}")
    assert timeline.slider.value() == timeline.live


def test_an_answer_for_a_step_left_behind_is_dropped(qtbot, window):
    train(window, 60)
    qtbot.waitUntil(lambda: window.scrubbing.timeline.live == 60)
    slider = window.scrubbing.timeline.slider
    for step in (5, 12, 40):  # a drag: only where it stops counts
        slider.setValue(step)
    qtbot.waitUntil(lambda: window.state.past is not None and window.state.past.step == 40)
    qtbot.wait(200)  # any answer for 5 or 12 still on its way is dropped
    assert window.state.past.step == 40
    slider.setValue(60)  # dragged to the end: live again
    assert window.state.view_step is None and window.state.past is None


def test_a_new_model_returns_to_live(qtbot, window):
    train(window, 30)
    qtbot.waitUntil(lambda: window.scrubbing.timeline.live == 30)
    looked_back(qtbot, window, 10)
    old = window.overview
    window.reset()
    qtbot.waitUntil(lambda: window.overview is not old)  # the new model shown
    window.redraw_all()
    assert window.state.view_step is None and window.state.past is None
    assert window.scrubbing.timeline.label.text().startswith("live · step 0")
