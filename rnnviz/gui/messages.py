"""Message boxes whose text is always plain: an error may quote a file (a class name such as
"<img src=...>"), and Qt would otherwise render it as HTML."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

Icon = QMessageBox.Icon


def message_box(
    parent: QWidget, icon: Icon, title: str, text: str, rich: bool = False
) -> QMessageBox:
    """rich: `text` is our own HTML (never text from a file)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    return box


def show_error(parent: QWidget, title: str, text: str, icon: Icon = Icon.Critical) -> None:
    """A modal error (drawing goes on: the dialog runs its own event loop)."""
    message_box(parent, icon, title, text).exec()
