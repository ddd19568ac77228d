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
    # the state space of step 30 follows its weights, analysed on the history's thread
    window.show_tab("state_space")
    space_panel = window.panels["state_space"]
    qtbot.waitUntil(lambda: window.state.past.state_space is not None, timeout=20000)
    window.redraw_all()
    space = window.state.past.state_space
    assert window.state.past.step == space.step == 30 and space_panel.shown is space
    assert space_panel.summary.toolTip().startswith("step 30: PC1")

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
    assert space_panel.shown is window.view.insight.state_space
    assert not any(line.isVisible() for line in window.panels["loss"].viewed.lines)
    live = window.view.snapshot.step
    assert window.panels["prediction"].verdict.text().endswith(f"at step {live:,}")
    assert timeline.slider.value() == timeline.live


def test_the_plots_mark_a_past_step_as_it_comes_and_the_flow_is_its_own(qtbot, window):
    """The plots over training were marked by full redraws (the loss panel's took 13-29 ms while
    a replay ran), hurried after the sentence's views: the marks now move as the weights come,
    and the gradient panel draws the past step's flow (it reads the weights shown)."""
    train(window, 60)
    qtbot.waitUntil(lambda: window.scrubbing.timeline.live == 60)
    window.redraw_all()
    arrived, marks = window.scrubbing._arrived, []

    def spy(snapshot, error):
        arrived(snapshot, error)
        for key in ("loss", "gradients", "dynamics"):
            lines = window.panels[key].viewed.lines
            marks.extend(line.value() if line.isVisible() else None for line in lines)

    window.scrubbing._arrived = spy
    window.scrubbing.timeline.slider.setValue(20)
    qtbot.waitUntil(lambda: window.state.past is not None and window.state.past.step == 20)
    assert marks and all(mark == 20 for mark in marks), marks
    gradients = window.panels["gradients"]
    qtbot.waitUntil(lambda: gradients._flow_snapshot is window.state.past)
    assert "batch of step 20" in gradients.flow_plot.titleLabel.text


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


def test_a_pinned_step_is_compared_with_the_one_shown(qtbot, window):
    """Pin as A, drag to B: the prediction says A's and B's probabilities with A's curves dashed,
    the hidden state shows B − A exactly, and unpinning (or another model) ends it."""
    import numpy as np

    from rnnviz.core.words import percent

    train(window, 60)
    qtbot.waitUntil(lambda: window.scrubbing.timeline.live == 60)
    timeline = window.scrubbing.timeline
    prediction, hidden = window.panels["prediction"], window.panels["hidden"]
    looked_back(qtbot, window, 5)
    timeline.pin_button.click()  # A: step 5
    assert timeline.pin_button.isChecked() and timeline.pin_button.text() == "A: step 5 ✕"
    looked_back(qtbot, window, 50)  # B: step 50
    a, b = window.state.pinned, window.state.past
    assert (a.step, b.step) == (5, 50)
    text, t = window.state.text, window.state.temperature
    under_a, under_b = (probe(s.model, s.vocab, text, t) for s in (a, b))
    assert window.state.pinned_probe.final.tolist() == under_a.final.tolist()
    bars = [bar.format() for _, bar in prediction.rows.bars]
    assert bars == [
        f"{percent(b)} · A {percent(a)}" for b, a in zip(under_b.final, under_a.final, strict=True)
    ]
    assert prediction.plot.titleLabel.text == "Opinion after each word · A (step 5) dashed"

    def drawn_y(curve):
        y = curve.getData()[1]
        return np.zeros(0) if y is None else y

    dashed = [c for c in prediction.rows.pinned_curves if len(drawn_y(c))]
    assert len(dashed) == len(window.overview.classes)
    drawn = {tuple(drawn_y(c).round(12)) for c in dashed}
    assert drawn == {tuple(line.round(12)) for line in under_a.probs.T}

    assert hidden.difference_box.isVisible()
    hidden.difference_box.setChecked(True)
    shown = hidden.image.image.T  # (T, H) as drawn
    expected = (under_b.states - under_a.states).astype(np.float32)
    assert np.array_equal(shown, expected)
    largest = np.abs(expected).max()
    bound = hidden.image.levels[1]  # the first of 1/4, 1/2, 1, 2 that holds B − A
    assert (
        hidden.image.levels[0] == -bound
        and largest <= bound
        and (bound == 0.25 or largest > bound / 2)
    )
    assert "h at step 50 − at step 5" in hidden.plot.titleLabel.text

    timeline.live_button.click()  # live is B now; A stays
    window.redraw_all()
    assert window.state.pinned is a
    bars = [bar.format() for _, bar in prediction.rows.bars]
    assert all(" · A " in text for text in bars), bars

    timeline.pin_button.click()  # compare no more
    window.redraw_all()
    assert window.state.pinned is None and window.state.pinned_probe is None
    assert not hidden.difference_box.isVisible()
    assert prediction.plot.titleLabel.text == "Opinion after each word"
    assert not any(" · A " in bar.format() for _, bar in prediction.rows.bars)
    assert not any(len(drawn_y(c)) for c in prediction.rows.pinned_curves)
    live = probe(window.view.snapshot.model, window.view.snapshot.vocab, text, t)
    assert np.array_equal(hidden.image.image.T, live.states.astype(np.float32))
    assert timeline.pin_button.text() == "Pin as A"

    timeline.pin_button.click()
    old = window.overview
    window.reset()
    qtbot.waitUntil(lambda: window.overview is not old)
    assert window.state.pinned is None and not timeline.pin_button.isChecked()


def test_a_language_model_says_the_pinned_steps_next_token(qtbot, lm_window):
    import numpy as np

    from rnnviz.core.words import percent
    from rnnviz.gui.next_token_view import shown_token

    window = lm_window
    train(window, 30)
    qtbot.waitUntil(lambda: window.scrubbing.timeline.live == 30)
    looked_back(qtbot, window, 3)
    window.scrubbing.timeline.pin_button.click()
    looked_back(qtbot, window, 25)
    a = window.state.pinned
    following = probe(a.model, a.vocab, window.state.text).final
    best = int(np.argmax(following))
    verdict = window.panels["prediction"].verdict.text()
    said = f" · A (step 3): “{shown_token(a.vocab.tokens[best])}” ({percent(following[best])})"
    assert verdict.startswith("Next: “") and verdict.endswith(said), verdict
