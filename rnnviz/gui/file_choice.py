"""Where a file is written or read from: the path given, else one the user picks, starting in the
folder used last (else the working folder); the folder chosen is remembered for the next time."""

from pathlib import Path

from PySide6.QtWidgets import QFileDialog


def file_to_write(window, title: str, name: str, kinds: str, path: str | None) -> str | None:
    """`path`, or the one picked in a Save dialog offering `name`; None when cancelled."""
    if not path:
        start = str(Path(window.stored.last_dir()) / name)
        path, _ = QFileDialog.getSaveFileName(window, title, start, kinds)
    if path:
        window.stored.remember_dir(path)
    return path or None


def file_to_read(window, title: str, kinds: str, path: str | None) -> str | None:
    """`path`, or the one picked in an Open dialog; None when cancelled."""
    if not path:
        path, _ = QFileDialog.getOpenFileName(window, title, window.stored.last_dir(), kinds)
    if path:
        window.stored.remember_dir(path)
    return path or None
