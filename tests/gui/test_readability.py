"""What the user can read: marks, labels, readouts, hints and legends inside their plots, in
colours that stand apart and contrast with what is under them."""

from PySide6.QtCore import QPoint, QPointF, QRectF
from PySide6.QtTest import QTest

from .geometry import fit


def trained(window, steps=60):
    window.runner.call(lambda run: [run.trainer.step() for _ in range(steps)]).result(60)
    window.redraw_all()


def painted(widget) -> None:
    """Paint `widget` as the screen would (views apply their ranges when they paint)."""
    widget.grab()


def inside(rect: QRectF, box: QRectF, slack: float = 0.5) -> bool:
    """rect lies within box (scene pixels, half a pixel of rounding allowed)."""
    return box.adjusted(-slack, -slack, slack, slack).contains(rect)


def test_live_change_marks_have_their_own_style_and_labels_inside_the_view(qtbot, window):
    fit(qtbot, window, (1366, 768))
    trained(window, 30)
    for changes in ({"lr": 0.02}, {"lr": 0.03}, {"clip": 2.0}):  # two close together
        window.apply_live(changes)
        trained(window, 2)
    trained(window, 60)
    loss = window.panels["loss"]
    marks = loss.event_marks
    qtbot.waitUntil(lambda: len(marks.lines) == 3, timeout=5000)
    painted(window)
    best_pen = loss.best_lines[0].pen
    for line in marks.lines:
        assert line.pen.color().name() != best_pen.color().name()
        assert line.pen.style() != best_pen.style()
    view = loss.loss_plot.getViewBox().sceneBoundingRect()
    shown = [line.label.sceneBoundingRect() for line in marks.lines if line.label.isVisible()]
    assert shown, "no change labelled"
    for i, rect in enumerate(shown):
        assert inside(rect, view), f"label {i} {rect} outside the view {view}"
        assert not any(rect.intersects(other) for other in shown[i + 1 :]), "labels overlap"
    hidden = [line for line in marks.lines if not line.label.isVisible()]
    assert all("Changed at step" in line.toolTip() for line in hidden)


def test_the_heatmap_reads_the_cell_under_the_mouse_and_keeps_it_while_training(qtbot, window):
    window.state.set_text("this is not bad")
    trained(window, 5)
    panel = window.panels["hidden"]
    qtbot.waitUntil(lambda: panel.current is not None and len(panel.current.tokens) == 4)
    painted(window)
    view, box = panel.graphics, panel.plot.getViewBox()
    cell = view.mapFromScene(box.mapViewToScene(QPointF(2.5, 3.5)))  # word 3, unit 3
    for dx in (-6, -3, 0):  # a real mouse move over the view (Qt sends hover events on moves)
        QTest.mouseMove(view.viewport(), QPoint(cell.x() + dx, cell.y()))
    qtbot.waitUntil(lambda: panel.readout.text().startswith("word 3 “not” · unit 3"))
    trained(window, 3)  # the weights change and the heatmap is drawn again: the readout stays
    value = panel.current.states[2, 3]
    assert panel.readout.text() == f"word 3 “not” · unit 3 · h = {value:+.3f}"
    QTest.mouseMove(view.viewport(), QPoint(2, 2))  # off the image: the hint comes back
    qtbot.waitUntil(lambda: panel.readout.text().startswith("Hover a cell"))


def test_the_readout_boxes_are_one_line_inside_their_own_plot(qtbot, window):
    fit(qtbot, window, (1366, 768))
    trained(window, 120)
    loss = window.panels["loss"]
    painted(window)
    views = [plot.getViewBox().sceneBoundingRect() for plot in loss.hover.plots]
    for step in (5, 60, 115):  # near the left edge, in the middle, near the right edge
        loss.hover.show_at(step)
        painted(window)
        for box, view, other in zip(loss.hover.boxes, views, reversed(views), strict=True):
            rect = box.sceneBoundingRect()
            assert box.isVisible() and inside(rect, view), f"at {step}: {rect} outside {view}"
            assert not rect.intersects(other)
            assert box.textItem.document().begin().layout().lineCount() == 1  # not one per curve


def legend_names(plot) -> list[str]:
    return [label.text for _, label in plot.legend.items]


def test_gradient_legends_sit_inside_their_plots_in_one_row(qtbot, window):
    fit(qtbot, window, (1366, 768))
    window.state.set_text("this is not bad")
    trained(window, 20)
    gradients = window.panels["gradients"]
    qtbot.waitUntil(lambda: window.redraw_all() or not gradients.hints[1].empty)  # the flow came
    painted(window)
    for plot, names in (
        (gradients.norm_plot, ["each step", "before (smoothed)", "after (smoothed)"]),
        (gradients.flow_plot, ["‖∂L/∂h_t‖"]),
    ):
        assert legend_names(plot) == names
        legend = plot.legend
        rows = {round(label.sceneBoundingRect().center().y()) for _, label in legend.items}
        assert legend.isVisible() and len(rows) == 1  # one row
        view = plot.getViewBox().sceneBoundingRect()
        assert inside(legend.sceneBoundingRect(), view)  # no row of its own under the plot
        assert view.height() > 0.2 * gradients.layout_widget.height()  # was 0.12 with a row


def test_hints_are_wrapped_inside_their_plots_and_say_what_will_come(qtbot, window):
    fit(qtbot, window, (1366, 768))
    window.redraw_all()
    window.show_tab("dynamics")
    painted(window)
    hints = [
        *window.panels["loss"].hints,
        *window.panels["gradients"].hints,
        window.panels["dynamics"].hints[0],
    ]
    for hint in hints:
        if hint.label.toPlainText():
            rect = hint.label.sceneBoundingRect()
            assert inside(rect, hint.view.sceneBoundingRect(), slack=1), hint.label.toPlainText()
    assert window.panels["loss"].hints[1].label.toPlainText() == "accuracy per step appears here"


def test_the_calibration_legend_explains_every_colour(qtbot, window):
    names = legend_names(window.panels["calibration"].plot)
    assert {"accuracy in the bin", "gap to the diagonal", "perfectly calibrated"} <= set(names)


def test_the_shortcuts_dialog_is_a_two_column_table_of_every_key():
    from PySide6.QtGui import QTextDocument, QTextTable

    from rnnviz.gui.actions import COMMANDS, shortcuts_html

    document = QTextDocument()
    document.setHtml(shortcuts_html())
    frames = document.rootFrame().childFrames()
    assert len(frames) == 1 and isinstance(frames[0], QTextTable)
    table = frames[0]
    keyed = [c for c in COMMANDS if c.shortcut]
    assert (table.rows(), table.columns()) == (len(keyed), 2)
    for row, command in enumerate(keyed):
        cells = [table.cellAt(row, col) for col in (0, 1)]
        texts = [document.toPlainText()[c.firstPosition() : c.lastPosition()] for c in cells]
        assert texts[1] == command.text and texts[0]
