"""The state-space tab (issue 28): the training thread's analysis drawn, the typed sentence's
path word by word, a hovered fixed point's eigenvalues, Refit basis, and its fit on a laptop."""

import dataclasses

import numpy as np
from PySide6.QtCore import QPointF, Qt

from rnnviz.core.insight.state_space import FixedPoints
from rnnviz.core.train.config import TrainConfig
from rnnviz.gui.panel import PanelContext
from rnnviz.gui.state_space_panel import StateSpacePanel

from .geometry import fit, problems

KEY = "state_space"


def analysed(window, steps=30):
    """Train `steps` steps, record an analysis (as the loop does every 2 s) and draw it."""
    window.runner.train_steps(steps).result(60)
    window.runner.record_insight().result(60)
    window.redraw_all()
    panel = window.panels[KEY]
    assert panel.shown is window.view.insight.state_space is not None
    return panel, panel.shown


def test_an_empty_panel_says_when_the_analysis_comes(qtbot, window):
    """The first analysis comes with the first weights (step 0): until then, and after a new
    experiment until its own, a hint and no axes."""
    panel = StateSpacePanel(window.theme, window.state)
    qtbot.addWidget(panel)
    panel.draw(PanelContext(None, None, TrainConfig()))
    assert panel.hints[0].label.isVisible() and not panel.plane.plot.getAxis("left").isVisible()
    assert "every few seconds" in panel.summary.text()
    assert not panel.refit_button.isEnabled()


def test_the_analysis_is_drawn_in_its_basis(window):
    window.show_tab(KEY)
    panel, space = analysed(window)
    assert not panel.hints[0].label.isVisible() and panel.refit_button.isEnabled()
    drawn = np.vstack([dots.xy for dots in panel.plane.dots])
    assert len(drawn) == len(space.points)
    np.testing.assert_allclose(np.sort(drawn, axis=0), np.sort(space.points, axis=0))
    names = [dots.name() for dots in panel.plane.dots]
    assert names == list(window.view.snapshot.classes)  # one item (and legend entry) per class
    x, y = panel.plane.fixed.getData()
    np.testing.assert_allclose(np.c_[x, y], space.fixed_points)
    bottom = panel.plane.plot.getAxis("bottom").labelText
    assert bottom == f"PC1 ({space.explained_now[0]:.0%} of variance)"
    np.testing.assert_allclose(panel.bars.opts["height"], 100 * space.explained_now)
    assert panel.summary.text().startswith(f"step {space.step:,}: PC1 ")
    arrow, label = panel.plane.readouts[0]  # two classes: one readout direction and its zero line
    assert arrow.isVisible() and label.toPlainText() == window.view.snapshot.classes[1]
    assert panel.plane.boundary.isVisible()
    r, b = space.readout[0], space.readout_offset[0]
    on_line = np.array([panel.plane.boundary.pos().x(), panel.plane.boundary.pos().y()])
    assert abs(b + r @ on_line) < 1e-9  # the readout's logit difference is 0 on it


def test_the_typed_sentence_is_a_path_with_a_label_per_word(qtbot, window):
    window.show_tab(KEY)
    panel, space = analysed(window)
    window.state.set_text("it is not good now")
    qtbot.waitUntil(lambda: panel.shown_probe is window.state.probe)
    probe = window.state.probe
    x, y = panel.plane.path.getData()
    np.testing.assert_allclose(np.c_[x, y], space.basis.project(probe.states)[:, :2])
    assert panel.plane.word_labels() == ["it", "is", "not", "good", "now"]
    (first, last) = panel.plane.ends.points()
    assert first.symbol() == "s" and last.symbol() == "o"  # start and end told apart
    np.testing.assert_allclose([last.pos().x(), last.pos().y()], [x[-1], y[-1]])
    window.state.set_text("it is")
    qtbot.waitUntil(lambda: panel.plane.word_labels() == ["it", "is"])
    assert sum(label.isVisible() for label in panel.plane.words) <= 2


def test_hovering_a_fixed_point_shows_its_eigenvalues(window):
    window.show_tab(KEY)
    panel, space = analysed(window)
    # three fixed points apart in the plane: the found ones, shifted (the panel only draws)
    fixed = space.fixed
    n = fixed.states.shape[1]
    rng = np.random.default_rng(0)
    eigenvalues = rng.normal(size=(3, 10)) + 1j * rng.normal(size=(3, 10))
    three = FixedPoints(
        fixed.states[:1].repeat(3, axis=0) + np.arange(3)[:, None],
        np.array([1e-12, 1e-10, 1e-8]),
        eigenvalues * 0.3,
        np.eye(3, n),
        fixed.searched,
    )
    spread = np.array([[-1.0, -1.0], [0.0, 0.5], [1.0, 1.0]]) * np.ptp(space.points, axis=0)
    space = dataclasses.replace(space, fixed=three, fixed_points=spread)
    window.telemetry.record_state_space(space)
    window.redraw_all()
    assert panel.shown is space and panel.chosen == 0  # the slowest before any hover
    x, y = panel.eigenvalues.getData()
    values = three.eigenvalues[0, : min(10, n)]
    np.testing.assert_allclose(x + 1j * y, values)
    assert panel.readout.text().startswith("fixed point 1 of 3 · q 1.0e-12")
    view = panel.plane.plot.getViewBox()
    panel._hover(view.mapViewToScene(QPointF(*spread[2])))
    assert panel.chosen == 2
    x, y = panel.eigenvalues.getData()
    np.testing.assert_allclose(x + 1j * y, three.eigenvalues[2, : min(10, n)])
    assert panel.readout.text().startswith("fixed point 3 of 3")
    ring_x, ring_y = panel.plane.ring.getData()
    assert (ring_x[0], ring_y[0]) == tuple(spread[2])
    far = view.mapViewToScene(QPointF(*(spread[2] + 0.4 * np.ptp(spread, axis=0))))
    panel._hover(far)  # nothing under the cursor: the choice stays
    assert panel.chosen == 2


def test_refit_basis_asks_the_training_thread_for_a_new_basis(qtbot, window):
    window.show_tab(KEY)
    panel, old = analysed(window)
    with qtbot.waitSignal(panel.refit_requested):
        qtbot.mouseClick(panel.refit_button, Qt.MouseButton.LeftButton)
    assert "new basis" in panel.readout.text()

    def refitted() -> bool:
        window.refresh()
        space = window.view.insight.state_space
        return space is not old and space.basis is not old.basis

    qtbot.waitUntil(refitted, timeout=10000)  # the same step, a basis fitted anew
    assert window.view.insight.state_space.step == old.step
    window.set_colour_scheme("dark")  # the rebuilt panel asks the same
    again = window.panels[KEY]
    assert again is not panel
    before = window.view.insight.state_space
    qtbot.mouseClick(again.refit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.refresh() or window.view.insight.state_space is not before)


def test_nothing_is_clipped_at_1366x768(qtbot, window):
    panel, _ = analysed(window)
    window.state.set_text("this was very bad")
    fit(qtbot, window, (1366, 768))
    window.show_tab(KEY)
    qtbot.waitUntil(lambda: window.panel_shown(KEY))
    window.redraw_all()
    assert panel.arrangement == "row"  # wide and short: the four plots side by side
    assert panel.eigen_plot.isVisible() and panel.variance_plot.isVisible()
    found = [p for p in problems(window) if "in state_space" in p]
    assert found == [], "\n".join(found)


def test_a_language_model_is_coloured_by_position(lm_window):
    lm_window.show_tab(KEY)
    panel, space = analysed(lm_window)
    assert panel.language_model and panel.plane.position_bar in panel.colour_bars.items
    assert len(space.readout) == 0
    assert not panel.plane.boundary.isVisible()
    assert not any(arrow.isVisible() for arrow, _ in panel.plane.readouts)
    assert sum(len(dots.xy) for dots in panel.plane.dots) == len(space.points)
    low, high = panel.plane.position_bar.levels()
    assert low == 1 and high == space.point_labels.max() + 1


def test_states_plot_draws_the_panel_with_the_sentence_path(qtbot, tmp_path, capsys):
    """`rnnviz states --plot` writes the panel's picture headless, the --text sentence's path
    in the path colour on it; --text alone is refused (it has nothing to draw on)."""
    from PySide6.QtGui import QColor, QImage

    from rnnviz.cli import main
    from rnnviz.gui.state_space_picture import SIZE
    from rnnviz.gui.theme import current_theme

    model, picture = tmp_path / "tiny.npz", tmp_path / "states.png"
    assert main(["train", "--data", "tiny", "--epochs", "5", "-q", "--save", str(model)]) == 0
    argv = ["states", "--model", str(model), "--data", "tiny"]
    assert main([*argv, "--text", "it is not bad"]) == 2
    assert "give --plot" in capsys.readouterr().err
    assert main([*argv, "--plot", str(picture), "--text", "it is not bad"]) == 0
    assert f"wrote {picture}" in capsys.readouterr().out
    image = QImage(str(picture))
    assert image.size().toTuple() == SIZE
    path = QColor(current_theme().highlight).rgb()
    pixels = [image.pixel(x, y) for x in range(0, SIZE[0], 2) for y in range(0, SIZE[1], 2)]
    assert pixels.count(path) > 20  # the sentence's path is drawn
    assert len(set(pixels)) > 50  # dots by class, axes, bars: not a blank picture
