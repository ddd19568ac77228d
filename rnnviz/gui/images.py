"""A picture to an image file, through the one writer (core.files): encoded in memory first, so
that a full disk leaves an older file whole instead of a torn one."""

from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QPixmap

from ..core.files import write_bytes


def write_image(pixmap: QPixmap, path: Path) -> Path:
    """In the format the name's extension says (PNG without one), as QPixmap.save(path)."""
    kind = path.suffix.lstrip(".").upper() or "PNG"
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not pixmap.save(buffer, kind):
        raise OSError(f"could not write {path}: no {kind} image could be made")
    return write_bytes(path, buffer.data().data())
