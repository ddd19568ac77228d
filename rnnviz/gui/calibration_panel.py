"""Reliability diagram: how often the network is right when it says it is p sure, per confidence
bin, against the diagonal of perfect calibration; NLL, ECE and the fitted temperature beside it."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from ..core.train.experiment import Overview
from ..core.train.records import Evaluation
from .hint import EmptyHint
from .panel import TELEMETRY, Panel, PanelContext
from .theme import Theme, plot_rows, points_curve, style_plot, summary_label
from .view_state import ViewState

EMPTY_TEXT = "The diagram appears at the first evaluation (each epoch's end)."
LANGUAGE_MODEL_TEXT = (
    "A language model is scored by perplexity (the loss panel), not by a reliability diagram."
)
EMPTY_HINT, LANGUAGE_MODEL_HINT = "appears at the first evaluation", "only for classifiers"


class CalibrationPanel(QWidget, Panel):
    key, slot, reads = "calibration", "tabs", frozenset({TELEMETRY})
    title = "Calibration"
    tab_with = "hidden"

    def __init__(self, theme: Theme, state: ViewState, parent=None):
        super().__init__(parent)
        self.theme = theme
        # the legend under the plot, one entry a line: on the plot it hid the bars, and in one
        # line it is wider than the panel
        self.plot_widget, (self.plot,) = plot_rows((1,), legend_columns=1)
        style_plot(
            self.plot, "Calibration: reliability", "accuracy in bin", "confidence (top probability)"
        )
        self.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.02)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.bars = pg.BarGraphItem(
            x=[], height=[], width=0.05, brush=pg.mkBrush(theme.train + "90"), pen=None
        )
        self.gaps = pg.BarGraphItem(
            x=[], y0=[], height=[], width=0.05, brush=pg.mkBrush(theme.warning + "50"), pen=None
        )
        self.plot.addItem(self.bars)
        self.plot.addItem(self.gaps)
        self.plot.legend.addItem(self.bars, "accuracy in the bin")  # what each colour is
        self.plot.legend.addItem(self.gaps, "gap to the diagonal")
        self.diagonal = self.plot.plot(
            [0, 1],
            [0, 1],
            pen=pg.mkPen(theme.foreground, width=1, style=Qt.PenStyle.DashLine),
            name="perfectly calibrated",
        )
        self.points = points_curve(self.plot, theme.validation, "mean confidence → accuracy")
        self.hint = EmptyHint(self.plot, EMPTY_HINT)
        self.plot_widget.setToolTip(
            "Predictions grouped by the probability of their top class (15 equal bins). Bar "
            "height: the share of the bin predicted right; red: its gap to the diagonal. "
            "ECE = Σ_bins n_bin/N · |accuracy − confidence|. Bars under the diagonal: "
            "overconfident."
        )
        self.split = QComboBox()
        self.split.addItems(["validation", "test"])
        self.split.setToolTip("Which held-out split the diagram shows.")
        self.split.currentTextChanged.connect(lambda _: self._draw_latest())
        self.apply_box = QCheckBox("apply temperature")
        self.apply_box.setChecked(state.calibrated)
        self.apply_box.setToolTip(
            "Typed sentences' probabilities use softmax(z / T) with the temperature T fitted on "
            "validation when early stopping fires or the best weights are restored (T = 1 until "
            "then). Off: the raw softmax(z)."
        )
        self.apply_box.toggled.connect(state.set_calibrated)
        state.calibrated_changed.connect(self.apply_box.setChecked)
        self.summary = summary_label(EMPTY_TEXT)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar = QHBoxLayout()
        bar.addWidget(self.split)
        bar.addWidget(self.apply_box)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget, 1)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        self._latest: dict[str, Evaluation] = {}
        self._drawn: Evaluation | None = None
        self._language_model = False
        self._show_empty(True)

    def show_overview(self, overview: Overview) -> None:
        """A new experiment; a language model's gets no diagram, and says so from the start."""
        self._language_model = overview.task == "lm"
        self.split.setEnabled(not self._language_model)
        self.apply_box.setEnabled(not self._language_model)
        self._latest, self._drawn = {}, None
        self._draw_latest()

    def draw(self, context: PanelContext) -> None:
        if context.view is not None:
            self._latest = context.view.latest
            self._draw_latest()

    def _show_empty(self, empty: bool) -> None:
        """A hint instead of axes, diagonal and legend while there is nothing to show."""
        self.hint.set_empty(empty)
        self.diagonal.setVisible(not empty)
        self.plot.legend.setVisible(not empty)

    def _draw_latest(self) -> None:
        """Draw the chosen split's newest evaluation (nothing to do if it is already shown:
        telemetry changes every step, evaluations once an epoch)."""
        evaluation = self._latest.get(self.split.currentText()) or self._latest.get("test")
        if evaluation is not None and evaluation is self._drawn:
            return
        self._drawn = evaluation
        table = None if evaluation is None else evaluation.reliability
        empty = table is None or not table.counts.sum()
        self._show_empty(empty)
        if empty:
            self.bars.setOpts(x=[], height=[])
            self.gaps.setOpts(x=[], y0=[], height=[])
            self.points.setData([], [])
            self.summary.setText(LANGUAGE_MODEL_TEXT if self._language_model else EMPTY_TEXT)
            self.hint.set_text(LANGUAGE_MODEL_HINT if self._language_model else EMPTY_HINT)
            return
        filled = table.counts > 0
        centres = (table.edges[:-1] + table.edges[1:])[filled] / 2
        width = float(table.edges[1] - table.edges[0]) * 0.9
        accuracy, confidence = table.accuracy[filled], table.confidence[filled]
        self.bars.setOpts(x=centres, height=accuracy, width=width)
        self.gaps.setOpts(
            x=centres,
            y0=np.minimum(accuracy, confidence),
            height=np.abs(confidence - accuracy),
            width=width,
        )
        self.points.setData(confidence, accuracy)
        self.summary.setText(
            f"{evaluation.split} at step {evaluation.step:,}: NLL {evaluation.loss:.3f} · ECE "
            f"{evaluation.ece:.3f} · temperature {evaluation.temperature:.2f} · "
            f"{int(table.counts.sum()):,} sentences"
        )
