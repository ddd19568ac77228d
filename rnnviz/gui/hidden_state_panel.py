"""Heatmap of the hidden state h_t (units x words) for one sentence, with a [-1, 1] colour bar."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..core.probe import Probe, probe
from ..core.train.experiment import Overview
from .panel import MAX_DRAWN_WORDS, PROBE, SNAPSHOT, Panel, PanelContext
from .theme import Theme, plain_label, set_ticks, set_view, style_plot

TYPED = "the sentence typed on the left"
HOVER_HINT = "Hover a cell to read word, unit and value."


class HiddenStatePanel(QWidget, Panel):
    key, slot, reads = "hidden", "bottom", frozenset({PROBE, SNAPSHOT})

    def __init__(self, theme: Theme, parent=None):
        super().__init__(parent)
        self.theme = theme
        self.context: PanelContext | None = None
        self.current: Probe | None = None  # what the heatmap shows (at most MAX_DRAWN_WORDS words)
        self.first_word = 0  # position of current's first word in the whole sentence
        self.graphics = pg.GraphicsLayoutWidget()
        self.plot = self.graphics.addPlot()
        style_plot(self.plot, "Hidden state h_t after each word", "hidden unit", "word")
        self.plot.setToolTip(
            "h_t = tanh(W_xh x_t + W_hh h_(t-1) + b_h): one column per word, one row per hidden "
            "unit; blue is -1, white 0, red +1. Hover a cell for its value."
        )
        self.plot.invertY(True)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        cmap = pg.colormap.get("CET-D1")
        self.image.setColorMap(cmap)
        self.image.setLevels((-1.0, 1.0))
        self.colorbar = pg.ColorBarItem(
            values=(-1, 1),
            colorMap=cmap,
            interactive=False,
            label="h (tanh)",
            colorMapMenu=False,
            width=14,
        )
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        self.image.hoverEvent = self._hover
        self.sentence_box = QComboBox()
        self.sentence_box.setToolTip("Which sentence to show: the typed one or any from the data.")
        self.sentence_box.setMinimumContentsLength(30)
        self.sentence_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.sentence_box.currentIndexChanged.connect(lambda _: self.refresh())  # own probe
        self.readout = plain_label(HOVER_HINT)
        top = QHBoxLayout()
        top.addWidget(QLabel("Sentence:"))
        top.addWidget(self.sentence_box, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.readout)
        self.show_overview(None)

    def show_overview(self, overview: Overview | None) -> None:
        """Offer the typed sentence plus the listed sentences of each split."""
        self.sentence_box.blockSignals(True)
        self.sentence_box.clear()
        self.sentence_box.addItem(TYPED, None)
        for name, sentences in (overview.sentences if overview else {}).items():
            for i, (text, label) in enumerate(sentences):
                self.sentence_box.addItem(f"{name} #{i + 1} [{label}]: {text}", text)
        self.sentence_box.blockSignals(False)

    def draw(self, context: PanelContext) -> None:
        self.context = context
        self.refresh()

    def refresh(self) -> None:
        """The typed sentence's shared probe, or a probe of the chosen dataset sentence."""
        context = self.context
        snapshot = context.view.snapshot if context and context.view else None
        if snapshot is None:
            return
        chosen = self.sentence_box.currentData()
        result = context.probe if chosen is None else probe(snapshot.model, snapshot.vocab, chosen)
        if result is None:
            return
        total = len(result.tokens)
        result, self.first_word = result.last(MAX_DRAWN_WORDS)
        self.current = result
        T, H = result.states.shape
        if T == 0:
            self.image.clear()
            set_ticks(self.plot.getAxis("bottom"), [])
            self.readout.setText("Type a sentence (or pick one above) to see its hidden state.")
            return
        self.readout.setText(
            HOVER_HINT
            if not self.first_word
            else f"Showing the last {T} of {total:,} words. {HOVER_HINT}"
        )
        self.image.setImage(
            result.states.T.astype(np.float32), levels=(-1.0, 1.0), autoLevels=False
        )  # (H, T): rows are units
        self.image.setRect(0, 0, T, H)
        labels = [
            (t + 0.5, tok if not unk else f"{tok}?")
            for t, (tok, unk) in enumerate(zip(result.tokens, result.unknown, strict=True))
        ]
        set_ticks(self.plot.getAxis("bottom"), labels)
        step = max(1, H // 8)
        set_ticks(self.plot.getAxis("left"), [(u + 0.5, str(u)) for u in range(0, H, step)])
        set_view(self.plot, (0, T), (0, H))

    def _hover(self, event) -> None:
        if event.isExit() or self.current is None or not len(self.current.tokens):
            return
        pos = event.pos()
        t, unit = int(np.floor(pos.x())), int(np.floor(pos.y()))
        T, H = self.current.states.shape
        if 0 <= t < T and 0 <= unit < H:
            word = self.current.tokens[t]
            unknown = " (unknown: read as <unk>)" if self.current.unknown[t] else ""
            value = self.current.states[t, unit]
            position = self.first_word + t + 1
            self.readout.setText(
                f"word {position} “{word}”{unknown} · unit {unit} · h = {value:+.3f}"
            )
            self.image.setToolTip(f"“{word}”, unit {unit}: {value:+.3f}")
