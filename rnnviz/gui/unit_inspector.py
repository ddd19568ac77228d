"""What one hidden unit means: where in the training data it is most positive and most negative
(the word highlighted in its sentence), its trace over the typed sentence, and how its top words
changed during training. A tool window beside the main one; it follows training live."""

import html
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
)

from ..core.insight.probe import Probe
from ..core.insight.records import UnitWords
from ..core.insight.units import Context
from .theme import Theme, plain_label, plot_rows, points_curve, set_ticks, set_view, style_plot

TOP = 20  # contexts per side
REFRESH_MS = 2000  # at most this often the contexts are recomputed (a pass over the training set)

# request(unit, on_done(step, positive contexts, negative contexts)) computes on the worker
Request = Callable[[int, Callable[[int, list[Context], list[Context]], None]], None]


class UnitInspector(QDialog):
    def __init__(self, theme: Theme, request: Request, parent=None):
        super().__init__(parent)
        self.setWindowTitle("rnnviz: unit inspector")
        self.setWindowFlag(Qt.WindowType.Tool)
        self.theme = theme
        self.request = request
        self.pending = False  # a request is on its way
        self.shown_key: tuple = ()  # (unit, step) of the contexts shown
        self.step = 0  # newest snapshot step
        self.probe: Probe | None = None
        self.history: tuple[UnitWords, ...] = ()
        self.contexts: tuple[list[Context], list[Context]] = ([], [])  # shown: (+, -)
        self.unit_box = QSpinBox()
        self.unit_box.setToolTip("The hidden unit (a row of the heatmap).")
        self.unit_box.valueChanged.connect(lambda _: self._unit_changed())
        self.info = plain_label("")
        self.graphics, (self.plot,) = plot_rows((1,), (False,))
        style_plot(self.plot, "", "h_u", "")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setYRange(-1, 1, padding=0.05)
        self.trace = points_curve(self.plot, theme.train)
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(theme.faint)))
        self.graphics.setFixedHeight(150)
        self.graphics.setToolTip("The unit's h after each word of the sentence typed in the window")
        self.positive, self.negative = QTextBrowser(), QTextBrowser()
        for box, side in ((self.positive, "positive"), (self.negative, "negative")):
            box.setToolTip(
                f"The {TOP} word positions of the training data where the unit's h is most "
                f"{side} (h after reading the highlighted word), with up to 6 words around."
            )
        self.words = QTableWidget(0, 3)
        self.words.setHorizontalHeaderLabels(["step", "most positive on", "most negative on"])
        for column in (1, 2):
            self.words.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.Stretch
            )
        self.words.verticalHeader().setVisible(False)
        self.words.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.words.setToolTip(
            "The first distinct words among the unit's 50 highest and lowest positions in (up to "
            "1,000 sentences of) the training data, recorded at epoch ends, at most every 5 s: "
            "how its meaning formed."
        )
        top = QHBoxLayout()
        top.addWidget(QLabel("Unit"))
        top.addWidget(self.unit_box)
        top.addWidget(self.info, 1)
        lists = QGridLayout()
        lists.addWidget(QLabel("<b>Most positive</b>"), 0, 0)
        lists.addWidget(QLabel("<b>Most negative</b>"), 0, 1)
        lists.addWidget(self.positive, 1, 0)
        lists.addWidget(self.negative, 1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.graphics)
        layout.addLayout(lists, 3)
        layout.addWidget(QLabel("<b>Top words during training</b>"))
        layout.addWidget(self.words, 2)
        self.resize(820, 720)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._ask)

    @property
    def unit(self) -> int:
        return self.unit_box.value()

    def inspect(self, unit: int, hidden_size: int) -> None:
        """Show `unit` (of hidden_size) and start following training."""
        self.unit_box.setMaximum(hidden_size - 1)
        self.unit_box.setValue(min(unit, hidden_size - 1))
        self._unit_changed()
        self.show()
        self.raise_()
        self.timer.start()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.timer.stop()
        super().closeEvent(event)

    def follow(self, step: int, probe: Probe | None, history: tuple[UnitWords, ...]) -> None:
        """Newest weights' step, the typed sentence's probe and the top-word records."""
        self.step = step
        if probe is not self.probe:
            self.probe = probe
            self._draw_trace()
        if history is not self.history:
            self.history = history
            self._fill_words()

    def _unit_changed(self) -> None:
        self.positive.setHtml("<i>Reading the training data…</i>")
        self.negative.setHtml("")
        self._draw_trace()
        self._fill_words()
        self._ask(force=True)

    def _ask(self, force: bool = False) -> None:
        """Recompute the contexts on the worker when the weights or the unit changed."""
        if self.pending or not self.isVisible() and not force:
            return
        if (self.unit, self.step) == self.shown_key:
            return
        self.pending = True
        self.request(self.unit, self._show_contexts)

    def _show_contexts(self, step: int, positive: list[Context], negative: list[Context]) -> None:
        self.pending = False
        self.shown_key = (self.unit, step) if positive or negative else ()
        self.contexts = (positive, negative)
        self.info.setText(
            f"of {self.unit_box.maximum() + 1} · contexts from the training data at step "
            f"{step:,} · above: h of the unit after each typed word"
        )
        self.positive.setHtml(self._contexts_html(positive))
        self.negative.setHtml(self._contexts_html(negative))

    def show_failure(self, message: str) -> None:
        self.pending = False
        self.positive.setHtml(f"<i>{html.escape(message)}</i>")

    def _contexts_html(self, contexts: list[Context]) -> str:
        mark = self.theme.warning
        rows = []
        for c in contexts:
            before, after = (html.escape(" ".join(words)) for words in (c.before, c.after))
            word = f'<b style="color:{mark}">{html.escape(c.word)}</b>'
            rows.append(
                f"<tr><td align='right'>{c.value:+.2f}&nbsp;</td>"
                f"<td>{before} {word} {after}</td></tr>"
            )
        return f"<table>{''.join(rows)}</table>" if rows else "<i>no words</i>"

    def _draw_trace(self) -> None:
        probe = self.probe
        if probe is None or not len(probe.tokens) or self.unit >= probe.states.shape[1]:
            self.trace.setData([], [])
            set_ticks(self.plot.getAxis("bottom"), [])
            return
        drawn, start = probe.last(60)
        x = np.arange(start, start + len(drawn.tokens))
        self.trace.setData(x, drawn.states[:, self.unit])
        set_ticks(self.plot.getAxis("bottom"), list(zip(x.tolist(), drawn.tokens, strict=True)))
        set_view(self.plot, (start - 0.5, start + len(drawn.tokens) - 0.5), (-1, 1), padding=0.02)

    def _fill_words(self) -> None:
        records = [r for r in reversed(self.history) if self.unit < len(r.positive)]
        self.words.setRowCount(len(records))
        for row, record in enumerate(records):
            cells = (
                f"{record.step:,}",
                ", ".join(record.positive[self.unit]),
                ", ".join(record.negative[self.unit]),
            )
            for column, text in enumerate(cells):
                self.words.setItem(row, column, QTableWidgetItem(text))
        self.words.resizeColumnToContents(0)
