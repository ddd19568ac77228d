"""Answers from the training thread, delivered on the GUI thread.

The runner calls on_done(result, error) on its own thread; a Qt signal emitted there reaches a
slot of an object living in the GUI thread through the event queue, so the handler runs on the
GUI thread, later, and the window never waits for it.
"""

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot


class Replies(QObject):
    _delivered = Signal(object)  # (function, arguments)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._delivered.connect(self._run)

    def to(self, handler: Callable[..., None]) -> Callable[..., None]:
        """A callable for any thread that runs handler(*arguments) later on this object's thread
        (the runner's on_done(result, error), a progress report ...)."""
        return lambda *arguments: self._delivered.emit((handler, arguments))

    @Slot(object)
    def _run(self, delivery) -> None:
        handler, arguments = delivery
        handler(*arguments)
