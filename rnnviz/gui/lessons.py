"""The window's lessons: opening one (after the unsaved-model question) sets its data, its
settings and its runs beside the window's own, paused; its panel docks beside the settings (a tab
of theirs in a narrow window), and its checks are measured live on the training thread
(core/lessons/live.py) and shown as they come. Show me brings the panel the lesson watches to the
front and marks it."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDockWidget

from ..core.data.datasets import DataSource
from ..core.lessons.lesson import Lesson, LessonError, lesson_names, load
from ..core.lessons.live import LessonProgress, LiveChecks
from ..core.lessons.run import side_runs, window_settings
from ..core.train.experiment import Experiment
from . import messages
from .first_run import FirstRunHint
from .highlight import Highlight
from .lesson_panel import LessonPanel
from .theme import Theme

LESSON_WIDTH = 340  # px; the panels are arranged in what is left of the window's width


class LessonDock(QDockWidget):
    closed = Signal()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Its close button ends the lesson, as Close lesson does."""
        super().closeEvent(event)
        self.closed.emit()


class Lessons:
    def __init__(self, window):
        self.window = window
        self.lesson: Lesson | None = None
        self.progress: LessonProgress | None = None
        self._live: LiveChecks | None = None
        self.panel = LessonPanel(window.theme)
        self.panel.show_me_clicked.connect(self.show_me)
        self.panel.close_clicked.connect(self.close)
        self.dock = LessonDock("Lesson", window)
        self.dock.setObjectName("dock:lesson")
        self.dock.setWidget(self.panel)
        self.dock.closed.connect(self.close)
        self.dock.hide()
        self.highlight = Highlight(window)
        self.hint = FirstRunHint(window, window.stored, self.open_first)

    def open_first(self) -> None:
        self.open(lesson_names()[0])

    def open(self, name: str) -> None:
        """Lessons → a lesson: asks before a trained model is replaced."""
        try:
            lesson = load(name)
        except LessonError as error:
            messages.show_error(self.window, "Cannot open the lesson", str(error))
            return
        self.window.unsaved.confirm("Opening a lesson", lambda: self.start(lesson))

    def start(self, lesson: Lesson) -> None:
        """Open `lesson` now: a new model on its data and settings (the runs beside the window's
        own replaced by its own), paused; its panel once the model is there."""
        window = self.window
        self.hint.dismiss()
        self._stop_checks()
        for label in list(window.side_runs.runs):
            window.remove_run(label)
        config, source = window_settings(lesson), DataSource((lesson.data,))

        def make(progress) -> Experiment:
            return Experiment.build(config, source.load(progress), progress=progress)

        window.reset(source, make, after=lambda _: self._started(lesson))

    def _started(self, lesson: Lesson) -> None:
        window = self.window
        self.lesson, self.progress = lesson, None
        for label, changes in side_runs(lesson).items():
            window.add_run(changes, label)
        live = LiveChecks(lesson, window.replies.to(lambda p: self._measured(live, p)))
        self._live = live
        window.runner.watch(live)  # after the runs are added: it follows them all from step 0
        if lesson.sentence:
            window.state.set_text(lesson.sentence)
        self.panel.show_lesson(lesson, window.panels[lesson.watch].title)
        window.panel_layout.put_beside(self.dock, LESSON_WIDTH, window.width())
        self.show_me()

    def _measured(self, live: LiveChecks, progress: LessonProgress) -> None:
        if live is self._live:  # not a closed lesson's last word
            self.progress = progress
            self.panel.show_progress(progress)

    def show_me(self) -> None:
        """The watched panel in front, marked for a few seconds."""
        if self.lesson is None:
            return
        key = self.lesson.watch
        self.window.panel_layout.bring_to_front(key)
        self.highlight.mark(self.window.panel_layout.docks[key], self.window.theme.highlight)

    def close(self) -> None:
        """End the lesson: its checks stop; the runs and the model stay."""
        self._stop_checks()
        self.lesson = None
        self.highlight.clear()
        self.window.panel_layout.put_beside(None, 0, self.window.width())

    def _stop_checks(self) -> None:
        if self._live is not None:
            self.window.runner.watch(None)
            self._live = None

    def set_theme(self, theme: Theme) -> None:
        self.panel.set_theme(theme)
