"""Open a dataset: pick files or a folder and a format, preview rows, classes and vocabulary. A
typed path is previewed as it is typed; Enter shows the preview of what is typed first, and opens
it once its preview is on screen."""

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..core.data.datasets import Dataset, DataSource
from ..core.data.importers import FORMAT_HELP, FORMATS
from ..core.data.text import Vocabulary, tokenize
from ..core.errors import RnnvizError
from ..core.words import class_summary

PREVIEW_ROWS = 12
PREVIEW_LINES = 2000  # lines of each file read for the preview (the full load runs on Open)
PREVIEW_AFTER_MS = 300  # typing pauses this long: the preview follows
ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
FILE_FILTER = "Datasets (*.csv *.tsv *.txt *.md *.jsonl *.json *.pos *.neg);;All files (*)"


class DatasetDialog(QDialog):
    def __init__(self, parent=None, start_dir: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Open dataset")
        self.resize(820, 560)
        self.start_dir = start_dir
        self.dataset: Dataset | None = None  # the preview: the first PREVIEW_LINES lines
        self.source: DataSource | None = None  # what Open loads, on the training thread
        self.paths = QLineEdit()
        self.paths.setPlaceholderText("file(s) or a folder; several files separated by ';'")
        self.paths.editingFinished.connect(self.preview)
        self.paths.installEventFilter(self)
        self.typing = QTimer(self)
        self.typing.setSingleShot(True)
        self.typing.setInterval(PREVIEW_AFTER_MS)
        self.typing.timeout.connect(self.preview)
        self.paths.textEdited.connect(lambda _: self.typing.start())
        self.previewed: tuple | None = None  # the choices the preview on screen was made of
        files_button = QPushButton("Files…")
        folder_button = QPushButton("Folder…")
        files_button.clicked.connect(self._pick_files)
        folder_button.clicked.connect(self._pick_folder)
        self.format = QComboBox()
        self.format.addItem("auto (by extension)", "auto")
        for fmt in FORMATS[1:]:
            self.format.addItem(f"{fmt}: {FORMAT_HELP[fmt]}", fmt)
        self.format.currentIndexChanged.connect(lambda _: self.preview())
        self.lenient = QCheckBox("skip malformed lines (and count them) instead of refusing")
        self.lenient.toggled.connect(lambda _: self.preview())
        self.summary = QLabel("Choose a file or folder.")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["text", "class"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.paths, 1)
        row.addWidget(files_button)
        row.addWidget(folder_button)
        form = QFormLayout()
        form.addRow("Source", row)
        form.addRow("Format", self.format)
        form.addRow("", self.lenient)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)

    def _choices(self) -> tuple:
        return (tuple(self.sources()), self.format.currentData(), self.lenient.isChecked())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Enter in the source box: the preview of what is typed, if it is not on screen yet
        (the key goes no further); else the box's own Enter, which opens."""
        typed_enter = event.type() == QEvent.Type.KeyPress and event.key() in ENTER
        if watched is self.paths and typed_enter and self._choices() != self.previewed:
            self.preview()
            return True
        return super().eventFilter(watched, event)

    def _pick_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Dataset files", self.start_dir, FILE_FILTER)
        if files:
            self.paths.setText(";".join(files))
            self.preview()

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Dataset folder", self.start_dir)
        if folder:
            self.paths.setText(folder)
            self.preview()

    def sources(self) -> list[str]:
        return [p.strip() for p in self.paths.text().split(";") if p.strip()]

    def preview(self) -> None:
        """Load with the chosen options; show the first rows, class balance and vocabulary size,
        or the error that stops loading."""
        self.typing.stop()
        self.previewed = self._choices()
        self.dataset = self.source = None
        self.table.setRowCount(0)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Open)
        ok.setEnabled(False)
        sources = self.sources()
        if not sources:
            return
        source = DataSource(tuple(sources), self.format.currentData(), self.lenient.isChecked())
        try:
            data = source.load(preview_lines=PREVIEW_LINES)
        except RnnvizError as error:
            self.summary.setText(
                f'<span style="color:#c62828;"><b>Cannot load:</b> {_escape(str(error))}</span>'
            )
            return
        self.dataset, self.source = data, source
        balance = _escape(class_summary(data.classes, data.class_counts()))
        vocab = Vocabulary.build(tokenize(t) for t in data.texts)
        split = "its own train/test split" if data.has_split else "no split (80/20 on load)"
        notes = "".join(f"<br>note: {_escape(n)}" for n in data.notes)
        scope = f"in the first {PREVIEW_LINES:,} lines of each file: " if len(data) else ""
        self.summary.setText(
            f"{scope}<b>{len(data)}</b> sentences · classes {balance} · vocabulary "
            f"{len(vocab)} words · {split}{notes}"
        )
        for i in range(min(PREVIEW_ROWS, len(data))):
            self.table.insertRow(i)
            self.table.setItem(i, 0, QTableWidgetItem(data.texts[i]))
            self.table.setItem(i, 1, QTableWidgetItem(data.classes[data.labels[i]]))
        ok.setEnabled(True)
        self.start_dir = str(Path(sources[0]).parent)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
