"""The first time the window opens: "New here? Start with a lesson" in the status bar, a link to
the first lesson and a button that hides it. Once hidden, or once a lesson is opened, it is
remembered and not shown again."""

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QToolButton, QWidget

from .settings_store import WindowSettings

OFFERED = "lessons_offered"  # the remembered setting


class FirstRunHint(QWidget):
    def __init__(self, window: QMainWindow, stored: WindowSettings, start: Callable[[], None]):
        super().__init__()
        self.stored = stored
        self.link = QLabel('New here? <a href="lesson">Start with a lesson</a>')
        self.link.setToolTip("Opens the first lesson of the Lessons menu.")
        self.link.linkActivated.connect(lambda _: start())
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Hide this for good (the Lessons menu has every lesson).")
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 8, 0)
        layout.addWidget(self.link)
        layout.addWidget(self.close_button)
        window.statusBar().insertWidget(0, self)  # left of the run's state
        self.setVisible(not stored.flag(OFFERED))

    def dismiss(self) -> None:
        """Hidden, and not shown again."""
        self.hide()
        self.stored.save(**{OFFERED: True})
