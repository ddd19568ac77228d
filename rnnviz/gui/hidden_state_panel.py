"""Heatmap of the hidden state h_t (units x words) for one sentence, with a [-1, 1] colour bar;
with a step pinned as A, optionally the difference of the weights shown (B) from A's."""

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from ..core.insight.probe import Probe, probe
from ..core.nn.cell import Cell, Gate
from ..core.train.experiment import Overview
from .panel import MAX_DRAWN_WORDS, PROBE, SNAPSHOT, Panel, PanelContext
from .remembered import string
from .theme import (
    Theme,
    colour_bar,
    set_ticks,
    set_view,
    style_plot,
    summary_label,
    word_ticks,
)
from .view_state import ViewState

TYPED = "the typed sentence"
HIDDEN = "h (hidden state)"


@dataclass(frozen=True)
class HeatmapColours:
    """Colour maps whose zero (tanh quantities) or closed gate blends into the plot's background,
    so that in either colour scheme what stands out is what is active."""

    diverging: pg.ColorMap  # tanh quantities, symmetric around 0
    sequential: pg.ColorMap  # gates, 0 to 1
    reading: str  # how to read both, for the tooltip


def heatmap_colours(theme: Theme) -> HeatmapColours:
    """The light or the dark scheme's maps (CET colour maps: perceptually uniform)."""
    if theme.dark:
        return HeatmapColours(
            pg.colormap.get("CET-D4"),  # blue, black, red
            pg.colormap.get("CET-L3"),  # black, red, yellow, white
            "blue -1, black 0, red +1; gates (σ): 0 black to 1 white",
        )
    return HeatmapColours(
        pg.colormap.get("CET-D1"),  # blue, white, red
        pg.colormap.get("CET-L17"),  # white, orange, red, dark blue
        "blue -1, white 0, red +1; gates (σ): 0 white to 1 dark blue",
    )


HOVER_HINT = "Hover a cell to read word, unit and value; click a row to inspect its unit."


class HiddenStatePanel(QWidget, Panel):
    key, slot, reads = "hidden", "bottom", frozenset({PROBE, SNAPSHOT})
    remembered = {"layer": string}
    title = "Hidden state"
    stretch = 3

    def __init__(self, theme: Theme, state: ViewState, parent=None):
        super().__init__(parent)
        self.view_state = state
        self.theme = theme
        self.colours = heatmap_colours(theme)
        self.context: PanelContext | None = None
        self.current: Probe | None = None  # what the heatmap shows (at most MAX_DRAWN_WORDS words)
        self.compared: Probe | None = None  # the same words under A's weights, showing B − A
        self.first_word = 0  # position of current's first word in the whole sentence
        self.graphics = pg.GraphicsLayoutWidget()
        self.plot = self.graphics.addPlot()
        style_plot(self.plot, "Hidden state h_t after each word", "hidden unit", "word")
        self.plot.invertY(True)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.image.setColorMap(self.colours.diverging)
        self.image.setLevels((-1.0, 1.0))
        self.colorbar = colour_bar(self.colours.diverging, (-1, 1), "h (tanh)", 14)
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        self.image.hoverEvent = self._hover
        self.image.mouseClickEvent = self._click
        self.sentence_box = QComboBox()
        self.sentence_box.setToolTip("Which sentence to show: the typed one or any from the data.")
        self.sentence_box.setMinimumContentsLength(18)
        self.sentence_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.sentence_box.currentIndexChanged.connect(lambda _: self.refresh())  # own probe
        self.layer_box = QComboBox()
        self._wanted_layer = ""  # a restored layer, chosen once the cell offers it
        self.layer_box.addItem(HIDDEN)
        self.layer_box.setToolTip("What to show per unit and word: h, or a gate of a gated cell.")
        self.layer_box.currentIndexChanged.connect(lambda _: self._layer_chosen())
        self.difference_box = QCheckBox("B − A")
        self.difference_box.setToolTip(
            "Show how the weights shown (B) read the sentence differently from the ones pinned "
            "as A on the timeline: each cell is B's value minus A's."
        )
        self.difference_box.setVisible(False)
        self.difference_box.toggled.connect(lambda _: self.refresh())
        self.shown_cell = ""
        self.shown_title = ""
        self.shown_scale: tuple = ()
        self.readout = summary_label(HOVER_HINT)  # two lines: a narrow panel wraps it
        self.readout.setTextFormat(Qt.TextFormat.PlainText)  # words come from files
        self.hovered: tuple[int, int] | None = None  # (word, unit) under the cursor
        self.total_words = 0  # of the sentence shown (the heatmap has its last words)
        top = QHBoxLayout()
        top.addWidget(self.sentence_box, 1)  # its items say what they are: no label
        top.addWidget(self.layer_box)
        top.addWidget(self.difference_box)
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
        self.difference_box.setVisible(context.pinned is not None)
        self.refresh()

    def refresh(self) -> None:
        """The typed sentence's shared probe, or a probe of the chosen dataset sentence."""
        context = self.context
        snapshot = context.snapshot if context else None
        if snapshot is None:
            return
        chosen = self.sentence_box.currentData()
        if chosen is None:
            result = context.probe
        else:
            result = probe(snapshot.model, snapshot.vocab, chosen, level=snapshot.level)
        if result is None:
            return
        self._offer_layers(snapshot.model.cell)
        total = len(result.tokens)
        result, self.first_word = result.last(MAX_DRAWN_WORDS)
        self.current = result
        self.compared = self._under_pinned(chosen, result)
        T, H = result.states.shape
        if T == 0:
            self.image.clear()
            set_ticks(self.plot.getAxis("bottom"), [])
            self.readout.setText("Type a sentence (or pick one above) to see its hidden state.")
            return
        self.total_words = total
        self._show_readout()
        gate = self.layer_box.currentData()  # a Gate, None for h
        values = _values(result, gate)  # (T, H)
        if self.compared is not None:
            values = values - _values(self.compared, gate)
        levels, cmap, label = _scale(gate, values, self.colours, self.compared is not None)
        quantity = label.split(" (")[0].split(":")[0]  # "h", "update z", ...
        when = "after each word"
        if self.compared is not None:
            when = f"at step {snapshot.step:,} − at step {context.pinned.step:,}"
        title = f"{quantity} {when} · {snapshot.model.cell.name} cell"
        if title != self.shown_title:  # a new title re-lays out the plot: only on change
            self.shown_title = title
            self.plot.setTitle(title)
        if (levels, label) != self.shown_scale:  # a new colour-bar label re-lays out the plot
            self.shown_scale = (levels, label)
            self.image.setColorMap(cmap)
            self.colorbar.setColorMap(cmap)
            self.colorbar.setLevels(levels)
            self.colorbar.getAxis("left").setLabel(label)
        self.image.setImage(values.T.astype(np.float32), levels=levels, autoLevels=False)
        self.image.setRect(0, 0, T, H)
        labels = [
            (t + 0.5, tok if not unk else f"{tok}?")
            for t, (tok, unk) in enumerate(zip(result.tokens, result.unknown, strict=True))
        ]
        bottom = self.plot.getAxis("bottom")
        set_ticks(bottom, word_ticks(bottom, labels, self.plot.getViewBox().width()))
        step = max(1, H // 8)
        set_ticks(self.plot.getAxis("left"), [(u + 0.5, str(u)) for u in range(0, H, step)])
        set_view(self.plot, (0, T), (0, H))

    def _under_pinned(self, chosen: str | None, shown: Probe) -> Probe | None:
        """The words `shown` under A's weights, when B − A is asked for and A is pinned."""
        pinned = self.context.pinned if self.context else None
        if pinned is None or not self.difference_box.isChecked():
            return None
        if chosen is None:
            under = self.context.pinned_probe
        else:
            under = probe(pinned.model, pinned.vocab, chosen, level=pinned.level)
        if under is None:
            return None
        under = under.last(MAX_DRAWN_WORDS)[0]
        return under if under.states.shape == shown.states.shape else None

    def state(self) -> dict:
        return {"layer": self.layer_box.currentText()}

    def restore(self, state: dict) -> None:
        """The layer by its label, now or once the model's layers are offered (a label the cell
        does not have is ignored)."""
        self._wanted_layer = state.get("layer", "")
        self._choose_wanted_layer()

    def _layer_chosen(self) -> None:
        self._wanted_layer = self.layer_box.currentText()  # kept when another cell comes
        self.refresh()

    def _choose_wanted_layer(self) -> None:
        index = self.layer_box.findText(self._wanted_layer)
        if index >= 0:
            self.layer_box.setCurrentIndex(index)

    def _offer_layers(self, cell: Cell) -> None:
        """h, then the cell's gates (and an LSTM's cell state), once per cell type."""
        if cell.name == self.shown_cell:
            return
        self.shown_cell = cell.name
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        self.layer_box.addItem(HIDDEN)
        for gate in cell.gates:
            self.layer_box.addItem(gate.label, gate)
        self._choose_wanted_layer()
        self.layer_box.blockSignals(False)
        self.plot.setToolTip(
            f"{cell.equations}. One column per word, one row per hidden unit. h and tanh "
            f"quantities: {self.colours.reading}; a gate near 0 blocks, near 1 passes. Hover a "
            "cell for its value; click a row to see what that unit responds to in the training "
            "data."
        )

    def _click(self, event) -> None:
        """A click on a row opens the unit inspector on that unit."""
        if event.button() != Qt.MouseButton.LeftButton or self.current is None:
            return
        unit = int(np.floor(event.pos().y()))
        if 0 <= unit < self.current.states.shape[1]:
            event.accept()
            self.view_state.select_unit(unit)

    def _hover(self, event) -> None:
        """Remember the cell under the cursor (None once it leaves) and read it out."""
        if event.isExit() or self.current is None:
            self.hovered = None
        else:
            pos = event.pos()
            self.hovered = int(np.floor(pos.x())), int(np.floor(pos.y()))
        self._show_readout()

    def _show_readout(self) -> None:
        """The hovered cell's word, unit and value under the weights shown (kept while training
        redraws the heatmap), else how to read the heatmap."""
        T, H = self.current.states.shape if self.current is not None else (0, 0)
        t, unit = self.hovered or (-1, -1)
        if not (0 <= t < T and 0 <= unit < H):
            cut = f"Showing the last {T} of {self.total_words:,} words. " if self.first_word else ""
            self.readout.setText(cut + HOVER_HINT)
            return
        word = self.current.tokens[t]
        unknown = " (unknown: read as <unk>)" if self.current.unknown[t] else ""
        gate = self.layer_box.currentData()
        value, key = _values(self.current, gate)[t, unit], "h" if gate is None else gate.key
        said = f"{key} = {value:+.3f}"
        if self.compared is not None:
            before = _values(self.compared, gate)[t, unit]
            said = f"{key}: B − A = {value - before:+.3f} (A {before:+.3f}, B {value:+.3f})"
        position = self.first_word + t + 1
        self.readout.setText(f"word {position} “{word}”{unknown} · unit {unit} · {said}")
        self.image.setToolTip(f"“{word}”, unit {unit}: {said}")


def _values(result: Probe, gate: Gate | None) -> np.ndarray:
    """(T, H) h after each word, or the gate's values."""
    return result.states if gate is None else result.gates[gate.key]


def _scale(gate: Gate | None, values: np.ndarray, colours: HeatmapColours, difference: bool):
    """(levels, colour map, colour-bar label) fixed to the quantity's range: tanh outputs in
    [-1, 1], gates (sigmoids) in [0, 1], an LSTM's unbounded cell state symmetric around 0; a
    difference B − A symmetric around 0, to the first of ±1/4, ±1/2, ±1, ±2, ... that holds it
    (a fixed scale would leave the small changes of a late step invisible)."""
    if difference:
        name = "h" if gate is None else gate.label
        largest = float(np.nanmax(np.abs(values), initial=0.0))  # NaN: a halted model's
        bound = 0.25 * 2.0 ** max(0, int(np.ceil(np.log2(max(largest, 1e-12) / 0.25))))
        return (-bound, bound), colours.diverging, f"{name}: B − A"
    if gate is None:
        return (-1.0, 1.0), colours.diverging, "h (tanh)"
    if not gate.sigmoid:
        bound = float(max(1.0, np.ceil(np.abs(values).max())))
        return (-bound, bound), colours.diverging, "c (cell state)"
    return (0.0, 1.0), colours.sequential, f"{gate.label} (σ)"
