"""Lessons in the window: the menus list every lesson; opening one sets its data and settings and
shows its panel with pending checks; training it turns them to the values `rnnviz lesson --check`
measures (same code, same batches); Show me brings the watched panel to the front, marked; the
first-run hint shows once; nothing is clipped at 1366x768 with the lesson open."""

import html

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from rnnviz.core.data.datasets import DataSource
from rnnviz.core.lessons.lesson import lesson_names, load
from rnnviz.core.lessons.run import run_lesson, window_settings
from rnnviz.core.train.config import TrainConfig
from rnnviz.core.train.records import RunState
from rnnviz.gui.app import dispose
from rnnviz.gui.first_run import FirstRunHint
from rnnviz.gui.lesson_text import equation_html, steps_html
from rnnviz.gui.main_window import MainWindow

from .conftest import open_window
from .geometry import fit, problems

LESSON = "3-vanishing-gradients"


@pytest.fixture
def laptop(qtbot, tmp_path):
    """The window at 1366x768."""
    yield from open_window(tmp_path, TrainConfig.classic(), (1366, 768))


def opened(qtbot, window, name: str = LESSON):
    """Lessons → `name`, waited for until its panel shows."""
    window.actions[f"lesson:{name}"].trigger()
    qtbot.waitUntil(lambda: window.lessons.lesson is not None, timeout=30_000)
    return window.lessons.lesson


def trained_to_the_end(qtbot, window) -> None:
    window.runner.train()
    qtbot.waitUntil(
        lambda: window.lessons.progress is not None and window.lessons.progress.done,
        timeout=120_000,
    )


def check_texts(window) -> list[str]:
    return [label.text() for label in window.lessons.panel.checks]


def test_the_lessons_menu_and_help_list_every_lesson(window):
    titles = [load(name).title for name in lesson_names()]
    menus = {a.text(): a.menu() for a in window.menuBar().actions() if a.menu()}
    assert [a.text() for a in menus["&Lessons"].actions()] == titles
    help_lessons = next(a.menu() for a in menus["&Help"].actions() if a.text() == "Lessons")
    assert [a.text() for a in help_lessons.actions()] == titles


def test_opening_a_lesson_sets_its_data_and_settings_and_shows_pending_checks(qtbot, window):
    lesson = opened(qtbot, window)
    assert window.source == DataSource((lesson.data,))
    assert window.config == window_settings(lesson)
    assert window.controls.dataset.currentText() == lesson.data
    assert window.telemetry.status.state == RunState.READY  # ready for Train
    assert window.lessons.dock.isVisible()
    panel = window.lessons.panel
    assert panel.title.text() == lesson.title and "press Train" in panel.status.text()
    texts = check_texts(window)
    assert len(texts) == len(lesson.checks) and all("pending" in t for t in texts)
    window.lessons.panel.close_button.click()
    assert not window.lessons.dock.isVisible() and window.lessons.lesson is None
    assert window.actions[f"lesson:{LESSON}"].isEnabled()  # still in the menu


def test_a_lesson_asks_before_a_trained_model_is_replaced(qtbot, window, monkeypatch):
    from .test_window import answering, wait_step

    asked = answering(monkeypatch, QMessageBox.StandardButton.Cancel)
    window.runner.call(lambda run: [run.trainer.step() for _ in range(5)]).result(30)
    wait_step(qtbot, window, 5)
    window.actions[f"lesson:{LESSON}"].trigger()
    assert "Opening a lesson replaces it" in asked[0]
    assert window.lessons.lesson is None and window.overview.name == "tiny"
    answering(monkeypatch, QMessageBox.StandardButton.Discard)
    assert opened(qtbot, window).name == LESSON


def test_the_next_session_reopens_the_lessons_data(qtbot, tmp_path):
    session = open_window(tmp_path, TrainConfig.classic())
    window = next(session)
    lesson = opened(qtbot, window)
    next(session, None)  # saves the settings
    stored = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    again = MainWindow(settings=stored)  # no dataset given: the last session's
    try:
        qtbot.waitUntil(lambda: again.overview.name == lesson.data, timeout=30_000)
        assert "gone" not in again.statusBar().currentMessage()
    finally:
        dispose(again)


def test_training_a_lesson_gives_the_headless_checks_values(qtbot, window, tmp_path):
    lesson = opened(qtbot, window)
    trained_to_the_end(qtbot, window)
    qtbot.waitUntil(lambda: window.telemetry.status.state == RunState.PAUSED)
    assert window.telemetry.status.epoch == lesson.settings.epochs  # it paused at its end
    live = [r.value for r in window.lessons.progress.results]
    headless = [r.value for r in run_lesson(lesson, lesson.settings.seed)]
    assert live == headless
    assert all("✓ seen" in text for text in check_texts(window)), check_texts(window)
    assert f"{headless[0]:.3g}" in check_texts(window)[0]
    # the HTML report of the lesson's run carries its checks
    from rnnviz.gui import html_report

    html_report.export_html(window, str(tmp_path / "lesson.html"))
    qtbot.waitUntil(lambda: "report: " in window.statusBar().currentMessage(), timeout=30000)
    page = (tmp_path / "lesson.html").read_text()
    assert f"Lesson: {html.escape(lesson.title)}" in page
    assert page.count("✓ seen") == len(lesson.checks) and f"{headless[0]:.4g}" in page


def test_show_me_brings_the_watched_panel_to_the_front_marked(qtbot, laptop):
    lesson = opened(qtbot, laptop)
    layout = laptop.panel_layout
    dock = layout.docks[lesson.watch]
    assert laptop.lessons.highlight.dock is dock and dock.windowTitle().startswith("▶")
    behind = [d for d in laptop.tabifiedDockWidgets(dock) if d.isVisible()]
    assert behind, "the laptop's arrangement tabs the watched panel with another"
    other = next(k for k, d in layout.docks.items() if d is behind[0])
    laptop.show_tab(other)
    qtbot.waitUntil(lambda: not laptop.panel_shown(lesson.watch))
    laptop.lessons.panel.show_me.click()
    qtbot.waitUntil(lambda: laptop.panel_shown(lesson.watch))
    assert laptop.lessons.highlight.frame.isVisible()
    laptop.lessons.highlight.clear()
    assert dock.windowTitle() == laptop.panels[lesson.watch].title


def test_the_lesson_stands_beside_the_settings_and_gives_its_room_back(qtbot, laptop):
    layout = laptop.panel_layout
    assert layout.arrangement == "compact"
    opened(qtbot, laptop)
    assert layout.arrangement == "narrow"  # the panels have the width the lesson leaves

    def beside() -> bool:
        lesson, settings = laptop.lessons.dock.geometry(), layout.docks["settings"].geometry()
        return lesson.left() > settings.right() and lesson.top() == settings.top()

    qtbot.waitUntil(beside)
    laptop.actions["layout:reset"].trigger()
    qtbot.waitUntil(beside)
    laptop.lessons.dock.close()  # its own close button ends the lesson
    assert laptop.lessons.lesson is None and layout.arrangement == "compact"


def test_in_a_narrow_window_the_lesson_is_a_tab_of_the_settings(qtbot, tmp_path):
    session = open_window(tmp_path, TrainConfig.classic(), (1024, 700))
    window = next(session)
    layout = window.panel_layout
    opened(qtbot, window)
    assert window.lessons.dock in window.tabifiedDockWidgets(layout.docks["settings"])
    assert layout.arrangement == "narrow" and window.panels["loss"].width() > 700
    fit(qtbot, window, (1920, 1080))  # room enough: beside them
    assert window.lessons.dock not in window.tabifiedDockWidgets(layout.docks["settings"])
    assert layout.arrangement == "wide"
    next(session, None)


def test_nothing_is_clipped_at_1366x768_with_the_lesson_open(qtbot, laptop):
    def drawn_problems() -> list[str]:
        laptop.redraw_all()
        qtbot.wait(50)  # the labels' new texts laid out
        return problems(laptop)

    opened(qtbot, laptop)
    fit(qtbot, laptop, (1366, 768))
    assert laptop.lessons.dock.isVisible() and laptop.lessons.highlight.frame.isVisible()
    found = drawn_problems()
    laptop.runner.train_steps(63 * 2).result(60)  # two epochs: values in the checks
    qtbot.waitUntil(lambda: laptop.lessons.progress.epoch == 2)
    found += [p for p in drawn_problems() if p not in found]
    assert found == [], "\n".join(found)


def test_the_first_run_hint_shows_once(qtbot, tmp_path):
    first = open_window(tmp_path, TrainConfig.classic())
    window = next(first)
    hint = window.findChild(FirstRunHint)
    assert hint.isVisible() and "Start with a lesson" in hint.link.text()
    hint.close_button.click()
    assert not hint.isVisible()
    next(first, None)
    again = open_window(tmp_path, TrainConfig.classic())
    window = next(again)
    assert not window.findChild(FirstRunHint).isVisible()
    next(again, None)


def test_the_first_run_link_opens_the_first_lesson(qtbot, tmp_path):
    session = open_window(tmp_path, TrainConfig.classic())
    window = next(session)
    window.findChild(FirstRunHint).link.linkActivated.emit("lesson")
    qtbot.waitUntil(lambda: window.lessons.lesson is not None, timeout=30_000)
    assert window.lessons.lesson.name == lesson_names()[0]
    assert not window.findChild(FirstRunHint).isVisible()
    assert window.stored.flag("lessons_offered")
    next(session, None)


def test_the_equation_reads_as_lines_with_sub_and_superscripts():
    shown = equation_html("a_{t=1..T} = W_hh · x   (‖·‖ ≤ σ^(T−k))")
    assert shown.split("<br>") == [
        "a<sub>t=1..T</sub>&nbsp;= W<sub>hh</sub>&nbsp;· x",
        "(‖·‖&nbsp;≤&nbsp;σ<sup>T−k</sup>)",
    ]
    assert "<li>run <code>rnnviz horizon</code> &lt;now&gt;</li>" in steps_html(
        ("run `rnnviz horizon` <now>",)
    )


@pytest.fixture
def laptop_window(qtbot, tmp_path):
    from rnnviz.core.train.config import TrainConfig

    from .conftest import open_window

    yield from open_window(tmp_path, TrainConfig(), (1366, 768))


def test_every_lessons_equation_fits_the_panel_at_1366x768(qtbot, laptop_window):
    """An equation's parts do not wrap inside a formula, so a long one set the panel's width: the
    truncated-BPTT lesson's prose in its equation cut every line of its text on the right."""
    from PySide6.QtWidgets import QScrollArea

    window = laptop_window
    equation = window.lessons.panel.equation
    view = window.lessons.panel.findChild(QScrollArea).viewport()  # what the text is seen in
    for name in lesson_names():
        window.lessons.start(load(name))
        qtbot.waitUntil(
            lambda n=name: getattr(window.lessons.lesson, "name", "") == n, timeout=30_000
        )
        qtbot.waitUntil(window.lessons.dock.isVisible, timeout=5_000)
        window.grab()  # laid out
        needed = equation.minimumSizeHint().width()
        assert needed <= view.width(), (name, needed, view.width())
