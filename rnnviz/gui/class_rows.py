"""The prediction panel's per-class views, bounded: a bar per class beside the sentence and its
curve (and legend entry) in the opinion-after-each-word plot. With many classes only the
TOP_CLASSES most probable are drawn one by one, most probable first, and the rest are summed in
one "+N more classes" row and curve: a legend entry per class of 10,000 took minutes to lay out.
Compared with a pinned model (A), each row also has A's curve, dashed, out of the legend."""

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar

from ..core.words import percent
from .theme import Theme, plain_label, points_curve

TOP_CLASSES = 6  # classes drawn one by one when there are more than TOP_CLASSES + 1
ONE_COLUMN = 3  # more rows are laid out two by two, the most probable first (and the legend)
ONE_ROW = 8  # the legend's entries in a row when the bars are in one column


def shown_classes(final: np.ndarray) -> np.ndarray:
    """The classes drawn one by one: every class when they fit in TOP_CLASSES + 1 rows (a
    "+1 more class" row would take that class's own place), else the TOP_CLASSES most probable,
    most probable first."""
    if len(final) <= TOP_CLASSES + 1:
        return np.arange(len(final))
    top = np.argpartition(-final, TOP_CLASSES)[:TOP_CLASSES]
    return top[np.argsort(-final[top], kind="stable")]


class ClassRows:
    """Rows of (name, bar) in `grid` and their curves in `plot`; row r keeps its colour, and with
    many classes its name follows whichever class is r-th most probable."""

    def __init__(self, theme: Theme, grid: QGridLayout, plot: pg.PlotItem):
        self.theme, self.grid, self.plot = theme, grid, plot
        self.classes: tuple[str, ...] = ()
        self.bars: list[tuple[QLabel, QProgressBar]] = []
        self.curves: list[pg.PlotDataItem] = []
        self.pinned_curves: list[pg.PlotDataItem] = []  # A's, dashed
        self.names: list[str] = []  # what each row is called now
        self.colours: list[str] = []  # each row's
        self.shown = np.arange(0)  # the class of each row drawn one by one
        self.values = np.zeros(0)  # each row's probability on its bar

    @property
    def summed(self) -> bool:
        """Are some classes summed in a last "+N more classes" row?"""
        return len(self.classes) > TOP_CLASSES + 1

    def build(self, classes: tuple[str, ...]) -> None:
        """Rows for `classes`: one per class, or TOP_CLASSES and the rest's row."""
        for label, bar in self.bars:
            label.deleteLater()
            bar.deleteLater()
        for curve in self.curves + self.pinned_curves:
            self.plot.removeItem(curve)
        self.plot.legend.clear()
        self.classes, self.bars, self.curves, self.names, self.colours = classes, [], [], [], []
        self.pinned_curves = []
        rows = TOP_CLASSES + 1 if self.summed else len(classes)
        across = 1 if rows <= ONE_COLUMN else 2  # rows side by side, as the legend's entries
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(3, across - 1)
        self.plot.legend.setColumnCount(across if across > 1 else ONE_ROW)  # longer: cut off
        for row in range(rows):
            rest = self.summed and row == TOP_CLASSES
            colour = self.theme.faint if rest else self.theme.classes[row % len(self.theme.classes)]
            bar = QProgressBar()
            bar.setMaximum(1000)
            bar.setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; }}")
            label = plain_label()
            self.grid.addWidget(label, row // across, 2 * (row % across))
            self.grid.addWidget(bar, row // across, 2 * (row % across) + 1)
            self.bars.append((label, bar))
            self.curves.append(points_curve(self.plot, colour, ""))
            dashed = pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine)
            self.pinned_curves.append(self.plot.plot(pen=dashed))
            self.names.append("")
            self.colours.append(colour)
        self._name(np.arange(rows - self.summed))
        if self.summed:
            more = len(classes) - TOP_CLASSES
            self.bars[-1][1].setToolTip(
                f"The summed probability of the {more:,} classes not drawn one by one (the "
                f"{TOP_CLASSES} most probable are)."
            )
            self._rename(TOP_CLASSES, f"+{more:,} more classes")

    def show(self, final: np.ndarray | None, x: np.ndarray, probs: np.ndarray) -> None:
        """`final` (C,) on the bars (None: no words, empty bars and curves); `probs` (T, C), the
        opinion after each word at positions `x`, on the curves."""
        if final is None:
            for _, bar in self.bars:
                bar.setValue(0)
                bar.setFormat("–")
            for curve in self.curves + self.pinned_curves:
                curve.setData([], [])
            return
        self._name(shown_classes(final))
        self.values = self.rows_of(final[None])[:, 0]
        for (_, bar), p in zip(self.bars, self.values, strict=True):
            bar.setValue(round(1000 * float(p)))
            bar.setFormat(percent(float(p)))
        for curve, line in zip(self.curves, self.rows_of(probs), strict=True):
            curve.setData(x, line)

    def show_pinned(self, x: np.ndarray, probs: np.ndarray | None) -> None:
        """A's opinion after each word `probs` (T, C) dashed and its answer on the bars after
        the one shown ("99.4% · A 53.9%"), by the rows of the last show() (None: no A)."""
        if probs is None or not len(x):
            for curve in self.pinned_curves:
                curve.setData([], [])
            return
        lines = self.rows_of(probs)
        for curve, line in zip(self.pinned_curves, lines, strict=True):
            curve.setData(x, line)
        for (_, bar), b, a in zip(self.bars, self.values, lines[:, -1], strict=True):
            bar.setFormat(f"{percent(float(b))} · A {percent(float(a))}")

    def rows_of(self, probs: np.ndarray) -> np.ndarray:
        """(rows, T) `probs` (T, C) by row: the classes shown, then the rest's sum if summed."""
        lines = probs[:, self.shown].T
        if self.summed:
            lines = np.vstack([lines, np.clip(1.0 - lines.sum(axis=0), 0.0, 1.0)])
        return lines

    def colour(self, c: int) -> str:
        """The colour class `c` is drawn in: its row's (the rest's when it has none)."""
        rows = np.flatnonzero(self.shown == c)
        return self.colours[int(rows[0]) if len(rows) else -1]

    def _name(self, shown: np.ndarray) -> None:
        """Rows 0, 1, ... named after the classes `shown`."""
        self.shown = shown
        for row, c in enumerate(shown.tolist()):
            self._rename(row, self.classes[c])

    def _rename(self, row: int, name: str) -> None:
        """The row's label, bar tooltip and legend entry say `name` (unchanged: nothing done)."""
        if self.names[row] == name:
            return
        self.names[row] = name
        label, bar = self.bars[row]
        label.setText(name)
        if not (self.summed and row == TOP_CLASSES):
            bar.setToolTip(f"p({name} | sentence) = softmax(W_hy h_T + b_y)[{name}]")
        legend = self.plot.legend
        legend.getLabel(self.curves[row]).setText(html.escape(name))  # legends render HTML
        legend.updateSize()
