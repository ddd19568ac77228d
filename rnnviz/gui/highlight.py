"""A dock marked for a few seconds, to say "watch this one": a coloured frame over it, and its
title (in its title bar or its tab) pointed at."""

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QFrame

HIGHLIGHT_MS = 4000
FRAME_PX = 3
MARK = "▶ "


class Highlight(QObject):
    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.dock: QDockWidget | None = None
        self.frame: QFrame | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(HIGHLIGHT_MS)
        self.timer.timeout.connect(self.clear)

    def mark(self, dock: QDockWidget, colour: str) -> None:
        """Frame `dock` in `colour` and point at its title, for HIGHLIGHT_MS (one at a time)."""
        self.clear()
        self.dock = dock
        self.frame = QFrame(dock)
        self.frame.setObjectName("highlight")
        self.frame.setStyleSheet(
            f"QFrame#highlight {{ border: {FRAME_PX}px solid {colour}; background: transparent; }}"
        )
        self.frame.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.frame.setGeometry(dock.rect())
        self.frame.show()
        self.frame.raise_()
        dock.installEventFilter(self)
        dock.setWindowTitle(MARK + dock.windowTitle())
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """The frame follows its dock's size: on any of its events (a dock resized behind a tab
        is not sent a resize event when it comes to the front)."""
        frame = self.frame
        if watched is self.dock and frame is not None and frame.geometry() != watched.rect():
            frame.setGeometry(watched.rect())
        return False

    def clear(self) -> None:
        self.timer.stop()
        if self.dock is None:
            return
        self.dock.removeEventFilter(self)
        self.dock.setWindowTitle(self.dock.windowTitle().removeprefix(MARK))
        if self.frame is not None:
            self.frame.deleteLater()
        self.dock, self.frame = None, None
