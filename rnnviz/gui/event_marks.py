"""Where a setting changed mid-run: a dash-dotted line at each change's step with its label at
the top of the plot, inside the view, in rows so that labels of nearby changes never overlap (a
label with no room left is hidden: its line's tooltip still says what changed)."""

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from .theme import Theme

SHOWN = 20  # the newest changes drawn
GAP = 6  # pixels between two labels in a row
ROW_GAP = 1  # pixels between two rows (labels placed by fractions of the view's height touched)
FONT_POINTS = 8


class EventMarks:
    def __init__(self, plot: pg.PlotItem, theme: Theme):
        self.plot = plot
        self.view = plot.getViewBox()
        self.theme = theme
        self.pen = pg.mkPen(theme.event, width=1, style=Qt.PenStyle.DashDotLine)
        self.lines: list[pg.InfiniteLine] = []
        self.events: list[tuple[int, str]] = []
        self.view.sigXRangeChanged.connect(self._arrange)
        self.view.sigResized.connect(self._arrange)

    def set(self, events: list[tuple[int, str]]) -> None:
        """A line per (step, what changed), the newest SHOWN."""
        events = events[-SHOWN:]
        if events == self.events:
            return
        self.events = events
        for line in self.lines:
            self.plot.removeItem(line)
        self.lines = []
        for step, what in events:
            line = pg.InfiniteLine(
                step,
                angle=90,
                pen=self.pen,
                movable=False,
                label=what,
                labelOpts={"color": self.theme.event, "fill": self.theme.background + "c0"},
            )
            line.setToolTip(f"Changed at step {step:,}: {what}")
            font = QFont(line.label.textItem.font())
            font.setPointSize(FONT_POINTS)
            line.label.setFont(font)
            line.label.textItem.document().setDocumentMargin(1)
            self.plot.addItem(line, ignoreBounds=True)
            self.lines.append(line)
        self._arrange()

    def _arrange(self, *_) -> None:
        """Each label hangs from the top of the view, right of its line (left of it in the right
        half, so that it stays inside); a label that would overlap the one before it in a row
        goes down a row, and is hidden below the last row that fits."""
        height = self.view.height()
        if not self.lines or height <= 0:
            return
        (x0, x1), _ = self.view.viewRange()
        width = self.view.width()
        row_ends: list[float] = []  # per row, the right edge (pixels) of its last label
        for line in self.lines:
            label = line.label
            size = label.boundingRect()  # pixels: a TextItem ignores the view's scale
            x = (line.value() - x0) / (x1 - x0) * width if x1 > x0 else 0.0
            left_side = x > width / 2
            start = x - size.width() if left_side else x
            row = next((r for r, end in enumerate(row_ends) if start > end + GAP), len(row_ends))
            pitch = size.height() + ROW_GAP
            fits = (row + 1) * pitch - ROW_GAP <= height
            label.setVisible(fits)
            if not fits:
                continue
            if row == len(row_ends):
                row_ends.append(0.0)
            row_ends[row] = start + size.width()
            label.anchors = [(1, 0), (1, 0)] if left_side else [(0, 0), (0, 0)]
            label.setPosition(1 - row * pitch / height)
