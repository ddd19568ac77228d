"""A language model's answer to the typed text: the distribution of the next token (top 10 as
bars) and sampled continuations, with a temperature and a seed, drawn again as the model learns."""

import html
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.data.corpus import EOS
from ..core.generate import sample
from ..core.insight.probe import Probe
from ..core.train.telemetry import Snapshot
from .panel import weights_at
from .theme import Theme, plot_rows, set_ticks, set_view, style_plot

TOP = 10  # next tokens shown
SAMPLES = 3
SAMPLE_EVERY = 1.0  # seconds at least between two draws while the weights change
DEFAULT_TEMPERATURE = 0.7


def shown_token(token: str) -> str:
    """A token as the bars' axis shows it (a space or the end of the sentence made visible)."""
    return {" ": "␣", EOS: "end"}.get(token, token)


class NextTokenView(QWidget):
    def __init__(self, theme: Theme, parent=None):
        super().__init__(parent)
        self.theme = theme
        self.graphics, (self.plot,) = plot_rows((1,), (False,))
        style_plot(self.plot, "Next token", "", "p")
        self.plot.invertY(True)  # the likeliest on top
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setToolTip(
            "p(next token | <s> and the typed text) = softmax(W_hy h_T + b_y): the ten most "
            "likely tokens after what is typed (at temperature 1)."
        )
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.7, brush=theme.train, pen=None)
        self.plot.addItem(self.bars)
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
        controls = QHBoxLayout()
        controls.addWidget(self.temperature_label)
        controls.addWidget(self.temperature, 1)
        controls.addWidget(QLabel("seed"))
        controls.addWidget(self.seed)
        controls.addWidget(again)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics, 3)
        layout.addLayout(controls)
        layout.addWidget(self.samples, 2)
        self._key: tuple = ()  # (text, T, seed) of the samples shown
        self._sampled: Snapshot | None = None  # the weights they were drawn with
        self._drawn_at = 0.0
        self._latest: tuple | None = None  # (snapshot, text) to sample from
        self.later = QTimer(self)  # newer weights held back by SAMPLE_EVERY get their turn
        self.later.setSingleShot(True)
        self.later.timeout.connect(self._settings_changed)
        self._show_temperature()

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
        following = probe.final
        vocab = snapshot.vocab
        top = np.argsort(-following, kind="stable")[:TOP]
        self.bars.setOpts(x0=np.zeros(len(top)), y=np.arange(len(top)), width=following[top])
        set_ticks(
            self.plot.getAxis("left"),
            [(i, shown_token(vocab.tokens[t])) for i, t in enumerate(top)],
        )
        set_view(self.plot, (0, 1), (-0.6, TOP - 0.4))
        self._latest = (snapshot, text)
        self._draw_samples(snapshot, text)

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
