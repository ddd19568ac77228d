"""A language model's answer to the typed text: the distribution of the next token (the likeliest
ten, or as many as the chart has room for, as bars with their probability) and sampled
continuations, with a temperature and a seed, drawn again as the model learns."""

import html
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.data.corpus import EOS
from ..core.generate import sample
from ..core.insight.probe import Probe
from ..core.train.telemetry import Snapshot
from .follow_range import sticky_ceiling
from .panel import weights_at
from .theme import Theme, plot_rows, set_ticks, set_view, style_plot

TOP = 10  # next tokens shown at most
ROW_GAP = 3  # pixels between two token labels: fewer bars when the chart is too short for TOP
TOKEN_PIXELS = 84  # the token axis's width: a longer token is elided (else the axis drops it)
TEXT_ROOM = 1.4  # the p axis reaches this times the top probability: room for its figure
SAMPLES = 3
SAMPLE_EVERY = 1.0  # seconds at least between two draws while the weights change
DEFAULT_TEMPERATURE = 0.7
MIN_SLIDER_PIXELS = 120  # the temperature slider: a lesson asks to move it to 0.3, then 2


def shown_token(token: str) -> str:
    """A token as the bars' axis shows it (a space or the end of the sentence made visible)."""
    return {" ": "␣", EOS: "end"}.get(token, token)


class NextTokenView(QWidget):
    def __init__(self, theme: Theme, parent=None):
        super().__init__(parent)
        self.theme = theme
        self.graphics, (self.plot,) = plot_rows((1,), (False,))
        style_plot(self.plot, "Next token", "", "")
        self.plot.hideAxis("bottom")  # each bar says its p: the axis would take rows from them
        self.plot.invertY(True)  # the likeliest on top
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setToolTip(
            "p(next token | <s> and the typed text) = softmax(W_hy h_T + b_y): the most likely "
            "tokens after what is typed (at temperature 1), ten when the chart has room for them."
        )
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.7, brush=theme.train, pen=None)
        self.plot.addItem(self.bars)
        self.figures: list[pg.TextItem] = []  # each bar's p, at its end
        axis = self.plot.getAxis("left")
        axis.setWidth(TOKEN_PIXELS)
        self.metrics = QFontMetrics(axis.font())
        self.row_pixels = self.metrics.height() + ROW_GAP
        self._next: tuple | None = None  # (p of every token (V,), vocabulary) shown
        self._p_top: float | None = None  # the p axis's end
        self._rows = TOP
        self.plot.getViewBox().sigResized.connect(lambda *_: self._draw_bars())
        self.temperature = QSlider(Qt.Orientation.Horizontal)
        self.temperature.setRange(5, 200)  # hundredths
        self.temperature.setValue(round(100 * DEFAULT_TEMPERATURE))
        self.temperature.setToolTip(
            "Sampling temperature T: tokens are drawn from softmax(logits / T); below 1 the "
            "likely tokens win more often, above 1 the rare ones come up."
        )
        self.temperature_label = QLabel()
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("The same seed and weights give the same samples.")
        again = QPushButton("New samples")
        again.setToolTip("Draw again with the next seed.")
        again.clicked.connect(lambda: self.seed.setValue(self.seed.value() + 1))
        self.temperature.valueChanged.connect(lambda _: self._settings_changed())
        self.seed.valueChanged.connect(lambda _: self._settings_changed())
        self.samples = QLabel()
        self.samples.setTextFormat(Qt.TextFormat.RichText)
        self.samples.setWordWrap(True)
        self.samples.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.samples.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.samples.setToolTip("Continuations of the typed text, drawn token by token until </s>.")
        self.controls = QHBoxLayout()  # the temperature, and the seed where there is room
        self.controls.addWidget(self.temperature_label)
        self.controls.addWidget(self.temperature, 1)
        self.temperature.setMinimumWidth(MIN_SLIDER_PIXELS)
        self.seed_row = QHBoxLayout()  # the seed when the panel is too narrow for one row
        self.seed_row.addStretch(1)
        self.seed_widgets = (QLabel("seed"), self.seed, again)
        for i, widget in enumerate(self.seed_widgets):
            self.seed_row.insertWidget(i, widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics, 3)
        layout.addLayout(self.controls)
        layout.addLayout(self.seed_row)
        scroll = QScrollArea()  # long samples scroll instead of squeezing the chart
        scroll.setWidget(self.samples)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(scroll, 2)
        self._key: tuple = ()  # (text, T, seed) of the samples shown
        self._sampled: Snapshot | None = None  # the weights they were drawn with
        self._drawn_at = 0.0
        self._latest: tuple | None = None  # (snapshot, text) to sample from
        self.later = QTimer(self)  # newer weights held back by SAMPLE_EVERY get their turn
        self.later.setSingleShot(True)
        self.later.timeout.connect(self._settings_changed)
        self._show_temperature()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._arrange_controls()

    def _row_widths(self) -> tuple[int, int]:
        """(the temperature's row alone, the seed's row alone): their least widths."""
        spacing = self.controls.spacing()
        slider = self.temperature_label.sizeHint().width() + spacing + MIN_SLIDER_PIXELS
        seeds = sum(w.sizeHint().width() + spacing for w in self.seed_widgets)
        return slider, seeds

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """As narrow as the two rows allow, whatever the arrangement now: with the seed beside
        the slider the layout's own minimum would never let the panel narrow again."""
        hint = super().minimumSizeHint()
        return QSize(max(self._row_widths()), hint.height())

    def _arrange_controls(self) -> None:
        """The seed beside the temperature slider when both fit in the panel's width, else on a
        row of its own (at 1366x768 the slider had shrunk to a dot beside it)."""
        one_row = self.width() >= sum(self._row_widths())
        row, other = (self.controls, self.seed_row) if one_row else (self.seed_row, self.controls)
        if row.indexOf(self.seed_widgets[0]) >= 0:
            return
        for i, widget in enumerate(self.seed_widgets):
            other.removeWidget(widget)
            row.insertWidget(
                row.count() if one_row else i, widget
            )  # the seed row ends in a stretch

    def _show_temperature(self) -> None:
        self.temperature_label.setText(f"T {self.temperature.value() / 100:.2f}")

    def _settings_changed(self) -> None:
        self._show_temperature()
        if self._latest is not None:
            self._draw_samples(*self._latest, force=True)

    def clear(self) -> None:
        """A new experiment: nothing drawn from the old one's weights stays."""
        self.later.stop()
        self._key, self._sampled, self._latest = (), None, None
        self.bars.setOpts(x0=[], y=[], width=[])
        set_ticks(self.plot.getAxis("left"), [])
        self.samples.setText("")

    def present(self, probe: Probe, snapshot: Snapshot, text: str) -> None:
        """Bars for the next token after `text`; samples drawn again when the text or the
        settings changed, or the weights did (at most every SAMPLE_EVERY seconds)."""
        self._next = (probe.final, snapshot.vocab)
        self._draw_bars()
        self._latest = (snapshot, text)
        self._draw_samples(snapshot, text)

    def rows(self) -> int:
        """Bars the chart has room for: a token label each, never piled on the next one."""
        height = self.plot.getViewBox().height()
        return int(np.clip(height // self.row_pixels, 1, TOP))

    def _draw_bars(self) -> None:
        """The likeliest rows() tokens, each bar with its p at its end."""
        if self._next is None:
            return
        following, vocab = self._next
        rows = self.rows()
        if rows != self._rows:  # a new title re-lays out the plot: only on change
            self._rows = rows
            self.plot.setTitle("Next token" if rows == TOP else f"Next token (top {rows})")
        top = np.argsort(-following, kind="stable")[:rows]
        p = following[top]
        self.bars.setOpts(x0=np.zeros(len(top)), y=np.arange(len(top)), width=p)
        set_ticks(
            self.plot.getAxis("left"),
            [(i, self._fitted(shown_token(vocab.tokens[t]))) for i, t in enumerate(top)],
        )
        while len(self.figures) < len(top):
            figure = pg.TextItem(color=self.theme.foreground, anchor=(0, 0.5))
            figure.textItem.document().setDocumentMargin(1)  # no taller than its row
            self.plot.addItem(figure, ignoreBounds=True)
            self.figures.append(figure)
        for i, figure in enumerate(self.figures):
            figure.setVisible(i < len(top))
            if i < len(top):
                figure.setPos(float(p[i]), i)
                text = f"{p[i]:.1%}"
                if figure.toPlainText() != text:
                    figure.setText(text)
        self._p_top = sticky_ceiling(self._p_top, TEXT_ROOM * float(p[0]))  # no axis: may pass 1
        set_view(self.plot, (0, self._p_top), (-0.6, rows - 0.4))

    def _fitted(self, token: str) -> str:
        """The token, elided to the axis's room for text (its ticks take the rest)."""
        return self.metrics.elidedText(token, Qt.TextElideMode.ElideRight, TOKEN_PIXELS - 12)

    def _draw_samples(self, snapshot: Snapshot, text: str, force: bool = False) -> None:
        temperature = self.temperature.value() / 100
        key = (text, temperature, self.seed.value())
        if key == self._key and snapshot is self._sampled:
            return
        wait = self._drawn_at + SAMPLE_EVERY - time.monotonic()
        if key == self._key and not force and wait > 0:  # newer weights: drawn when it is time
            if not self.later.isActive():
                self.later.start(max(1, round(1000 * wait)))
            return
        self.later.stop()
        self._key, self._sampled, self._drawn_at = key, snapshot, time.monotonic()
        texts = sample(
            snapshot.model,
            snapshot.vocab,
            text,
            snapshot.level,
            temperature,
            SAMPLES,
            self.seed.value(),
        )
        glue = "" if snapshot.level == "char" or not text else " "
        typed = html.escape(text)
        lines = [f"<i>{typed}</i>{glue}{html.escape(t)}" for t in texts]
        self.samples.setText(
            f"<b>Samples at T {temperature:.2f} {weights_at(snapshot)}</b><br>" + "<br>".join(lines)
        )
