"""The lesson beside the plots: its title, text, equation and steps (they scroll), and under them,
always in view, its checks as the run measures them (pending, seen, not seen, with the value);
Show me marks the panel to watch, Close ends the lesson."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..core.lessons.lesson import Lesson
from ..core.lessons.live import LessonProgress
from .lesson_text import check_html, equation_html, progress_text, steps_html
from .theme import Theme, plain_label


def _wrapped(label: QLabel, rich: bool = False) -> QLabel:
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class LessonPanel(QWidget):
    show_me_clicked = Signal()
    close_clicked = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self.theme = theme
        self.lesson: Lesson | None = None
        self.progress: LessonProgress | None = None
        self.title = _wrapped(plain_label())
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.text = _wrapped(plain_label())
        self.equation = _wrapped(QLabel(), rich=True)
        self.equation.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.equation.setFrameShape(QFrame.Shape.StyledPanel)
        self.equation.setMargin(6)
        font = self.equation.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.equation.setFont(font)
        self.steps = _wrapped(QLabel(), rich=True)
        self.status = _wrapped(plain_label())
        self.checks: list[QLabel] = []
        self._checks_box = QVBoxLayout()
        self._checks_box.setSpacing(8)

        contents = QWidget()
        column = QVBoxLayout(contents)
        column.setContentsMargins(8, 6, 8, 6)
        column.addWidget(self.title)
        column.addWidget(self.text)
        column.addWidget(self.equation)
        column.addWidget(_heading("What to do"))
        column.addWidget(self.steps)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(contents)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        self.show_me = QPushButton("Show me")
        self.show_me.clicked.connect(self.show_me_clicked)
        self.close_button = QPushButton("Close lesson")
        self.close_button.setToolTip("End the lesson (the Lessons menu has it again).")
        self.close_button.clicked.connect(self.close_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_me)
        buttons.addWidget(self.close_button)
        seen = QVBoxLayout()  # the checks stay in view under the scrolling text
        seen.setContentsMargins(8, 4, 8, 4)
        seen.addWidget(_heading("What you should see"))
        seen.addWidget(self.status)
        seen.addLayout(self._checks_box)
        seen.addLayout(buttons)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(line)
        layout.addLayout(seen)

    def show_lesson(self, lesson: Lesson, watched: str) -> None:
        """`lesson`, its checks pending; `watched`: the title of the panel it watches."""
        self.lesson, self.progress = lesson, None
        self.title.setText(lesson.title)
        self.text.setText(lesson.text)
        self.equation.setText(equation_html(lesson.equation))
        self.equation.setVisible(bool(lesson.equation))
        self.steps.setText(steps_html(lesson.steps))
        self.show_me.setToolTip(f"Bring the {watched} panel to the front and mark it.")
        for label in self.checks:
            self._checks_box.removeWidget(label)
            label.deleteLater()
        self.checks = [_wrapped(QLabel(), rich=True) for _ in lesson.checks]
        for label in self.checks:
            self._checks_box.addWidget(label)
        self._show()

    def show_progress(self, progress: LessonProgress) -> None:
        self.progress = progress
        self._show()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._show()

    def _show(self) -> None:
        lesson = self.lesson
        if lesson is None:
            return
        self.status.setText(progress_text(self.progress, lesson.settings.epochs))
        results = self.progress.results if self.progress else (None,) * len(lesson.checks)
        for label, check, result in zip(self.checks, lesson.checks, results, strict=True):
            label.setText(check_html(check, result, self.theme))
