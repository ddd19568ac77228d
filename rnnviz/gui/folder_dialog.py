"""Choose a folder, or name one that does not exist yet and have it made: Qt's folder chooser
answers a new name with "Directory not found"."""

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from . import messages


class NewFolderDialog(QFileDialog):
    def __init__(self, parent: QWidget | None, title: str, start: str):
        super().__init__(parent, title, start)
        self.setFileMode(QFileDialog.FileMode.Directory)
        self.setOption(QFileDialog.Option.ShowDirsOnly)
        # Qt's own dialog on every platform: a native one would never call accept() below
        self.setOption(QFileDialog.Option.DontUseNativeDialog)

    def accept(self) -> None:
        """Make the folder typed if it is not there yet, then take it."""
        chosen = self.selectedFiles()
        folder = Path(chosen[0]) if chosen else None
        if folder is not None and not folder.exists():
            try:
                folder.mkdir(parents=True)
            except OSError as error:
                messages.show_error(
                    self, "Cannot make the folder", f"{folder}: {error.strerror or error}"
                )
                return
        super().accept()


def choose_folder(parent: QWidget | None, title: str, start: str) -> str:
    """The folder chosen or named (made if new), "" when cancelled."""
    dialog = NewFolderDialog(parent, title, start)
    try:
        return dialog.selectedFiles()[0] if dialog.exec() else ""
    finally:
        dialog.deleteLater()
