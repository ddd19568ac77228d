"""The gradient flow over training as a picture, and what drives it: x = training step, y = words
back from the sentence end, colour = log10 ||dL/dh_t||; under it the largest singular value and
the spectral radius of the recurrent weights, and the share of saturated units or gates."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..core.insight.dynamics import SATURATED
from ..core.insight.records import Insight
from .follow_range import sticky_ceiling
from .hint import EmptyHint
from .panel import TELEMETRY, Panel, PanelContext
from .theme import (
    Theme,
    colour_bar,
    plain_label,
    plot_rows,
    set_ticks,
    set_view,
    style_plot,
    summary_label,
)
from .view_state import ViewState
from .viewed_step import ViewedStep

COLOURS = pg.colormap.get("CET-L8")  # perceptually uniform, dark (small) to bright (large)
THROUGH = {"h": "through h", "c": "through c (LSTM cell state)"}
FADE_WORDS = 10  # the summary compares the gradient this many words back with the last word's


class DynamicsPanel(QWidget, Panel):
    key, slot, reads = "dynamics", "tabs", frozenset({TELEMETRY})
    title = "Gradient flow over training"
    tab_with = "gradients"  # the gradient flow, over training

    def __init__(self, theme: Theme, state: ViewState, parent=None):
        super().__init__(parent)
        self.theme = theme
        self.shown: Insight | None = None
        self.graphics, (self.flow_plot, self.norm_plot, self.saturation_plot) = plot_rows(
            (5, 3, 2), (False, False, False)
        )
        style_plot(self.flow_plot, "", "words back", "")
        key = (  # the axis label is the legend
            f'<span style="color:{theme.train}">σ_max</span> '
            f'<span style="color:{theme.test}">ρ</span>'
        )
        style_plot(self.norm_plot, "", key, "")
        style_plot(self.saturation_plot, "", "saturated", "training step")
        for plot in (self.norm_plot, self.saturation_plot):
            plot.setXLink(self.flow_plot)
        for plot in (self.flow_plot, self.norm_plot, self.saturation_plot):
            plot.setMouseEnabled(x=True, y=False)
        self.saturation_top: float | None = None  # sticky tops of the short plots' y axes
        self.norm_top: float | None = None
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(COLOURS)
        self.flow_plot.addItem(self.image)
        self.colorbar = colour_bar(COLOURS, (-4, 0), "log10 ‖∂L/∂h_t‖", 12)
        self.colorbar.setImageItem(self.image)
        self.graphics.addItem(self.colorbar, row=0, col=1)  # its own column: x axes stay aligned
        self.image.hoverEvent = self._hover
        self.sigma = self.norm_plot.plot(pen=pg.mkPen(theme.train))
        self.rho = self.norm_plot.plot(pen=pg.mkPen(theme.test))
        self.one = pg.InfiniteLine(
            pos=1.0, angle=0, pen=pg.mkPen(theme.threshold, width=1, style=pg.QtCore.Qt.DashLine)
        )
        self.norm_plot.addItem(self.one)
        self.saturation = self.saturation_plot.plot(pen=pg.mkPen(theme.warning))
        self.viewed = ViewedStep(
            (self.flow_plot, self.norm_plot, self.saturation_plot), theme, labelled=False
        )
        self.hints = [
            EmptyHint(self.flow_plot, "The picture grows as training runs"),
            EmptyHint(self.norm_plot, ""),
            EmptyHint(self.saturation_plot, ""),
        ]
        self.through_box = QComboBox()
        self.through_box.addItem(THROUGH["h"], "h")
        self.through_box.setToolTip("An LSTM's gradient flows back through h and through c.")
        self.through_box.currentIndexChanged.connect(lambda _: self._redraw())
        self.relative_box = QCheckBox("relative to the last word")
        self.relative_box.setToolTip(
            "Divide each step's column by its value at the last word: the colour is then how "
            "much of the gradient reaches each word back (log10 of the ratio), whatever its size."
        )
        self.relative_box.toggled.connect(lambda _: self._redraw())
        self.readout = plain_label("")
        self.summary = summary_label("")
        self._set_tooltips()
        options = QHBoxLayout()
        options.addWidget(QLabel("Flow:"))
        options.addWidget(self.through_box)
        options.addWidget(self.relative_box)
        options.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(options)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.readout)
        layout.addWidget(self.summary)
        self._show_empty()

    def _set_tooltips(self) -> None:
        self.flow_plot.setToolTip(
            "One column per recorded training step (about two a second), one row per word "
            "counted back from the end of each sentence (0 = its last word). Colour: log10 of "
            "‖∂L/∂h_t‖ averaged over the sentences of the steps since the previous column. A "
            "colour that darkens going up is a vanishing gradient; one that brightens is an "
            "exploding one. Where no sentence was that long the picture is left blank."
        )
        self.norm_plot.setToolTip(
            "σ_max: the largest singular value of W_hh (all gates stacked); ρ: the spectral "
            "radius (largest |eigenvalue|) of the block feeding the candidate state (W_hh, W_hn "
            "for a GRU, W_hg for an LSTM). Backprop multiplies by diag(f′(a_t)) W_hhᵀ at every "
            "word: with ρ < 1 and saturated units the product shrinks geometrically."
        )
        self.saturation_plot.setToolTip(
            f"Share of saturated activations on a fixed held-out batch: |h| > {SATURATED} for "
            f"the vanilla cell (tanh′ < {1 - SATURATED**2:.2f}), gates below "
            f"{1 - SATURATED:.2f} or above {SATURATED} for GRU and LSTM (σ′ < 0.05)."
        )

    def show_overview(self, overview) -> None:
        self._show_empty()

    def show_viewed_step(self, step: int | None) -> None:
        self.viewed.set(step)

    def draw(self, context: PanelContext) -> None:
        self.show_viewed_step(context.viewed_step)
        insight = context.view.insight if context.view is not None else None
        if insight is None or insight is self.shown:
            return
        self.shown = insight
        offered = {self.through_box.itemData(i) for i in range(self.through_box.count())}
        if insight.flow and set(insight.flow) != offered:
            self._offer(tuple(insight.flow))
        self._redraw()

    def _offer(self, names: tuple[str, ...]) -> None:
        chosen = self.through_box.currentData()
        self.through_box.blockSignals(True)
        self.through_box.clear()
        for name in names:
            self.through_box.addItem(THROUGH[name], name)
        self.through_box.setCurrentIndex(max(0, names.index(chosen) if chosen in names else 0))
        self.through_box.setVisible(len(names) > 1)
        self.through_box.blockSignals(False)

    def _show_empty(self) -> None:
        self.shown = None
        self.image.clear()
        for curve in (self.sigma, self.rho, self.saturation):
            curve.setData([], [])
        for hint in self.hints:
            hint.set_empty(True)
        self.one.setVisible(False)
        self.saturation_top = self.norm_top = None
        self.readout.setText("")
        self.summary.setText("Recorded about twice a second while training runs.")

    def image_values(self) -> tuple[np.ndarray, np.ndarray, int] | None:
        """(steps (n,), log10 values (depth, n), depth) of the chosen flow, None when empty."""
        insight = self.shown
        flow = insight.flow.get(self.through_box.currentData()) if insight else None
        if flow is None or len(flow.steps) == 0 or flow.depth == 0:
            return None
        values = flow.image[:, : flow.depth]  # (n, depth)
        if self.relative_box.isChecked():
            values = values / values[:, :1]
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log10(values)
        logs[~np.isfinite(logs)] = np.nan
        return flow.steps, logs.T, flow.depth

    def _redraw(self) -> None:
        found = self.image_values()
        if found is None:
            self._show_empty()
            return
        steps, logs, depth = found
        for hint in self.hints:
            hint.set_empty(False)
        finite = logs[np.isfinite(logs)]
        low, high = np.percentile(finite, [1, 99]) if len(finite) else (-1.0, 0.0)
        low, high = np.floor(low * 2) / 2, np.ceil(high * 2) / 2  # half decades
        if high <= low:
            high = low + 0.5
        self.colorbar.setLevels((low, high))
        relative = self.relative_box.isChecked()
        label = "log10 ‖∂L/∂h_t‖ / ‖∂L/∂h_T‖" if relative else "log10 ‖∂L/∂h_t‖"
        self.colorbar.getAxis("left").setLabel(label)
        end = steps[-1] + max(int(np.median(np.diff(steps))) if len(steps) > 1 else 1, 1)
        grid = np.linspace(steps[0], end, num=max(len(steps), 2), endpoint=False)
        columns = np.searchsorted(steps, grid, side="right") - 1  # steps are not evenly spaced
        shown = logs[:, columns].astype(np.float32)  # NaN (no sentence that long): transparent
        self.image.setImage(shown, autoLevels=False, levels=(low, high))
        self.image.setRect(float(steps[0]), 0.0, float(end - steps[0]), float(depth))
        set_view(self.flow_plot, (float(steps[0]), float(end)), (0, depth))
        dynamics = self.shown.dynamics
        if dynamics is not None and len(dynamics):
            self.sigma.setData(dynamics.x, dynamics.mean["sigma_max"])
            self.rho.setData(dynamics.x, dynamics.mean["rho"])
            self.saturation.setData(dynamics.x, dynamics.mean["saturation"])
            self.one.setVisible(True)
            x_range = (float(steps[0]), float(end))
            top = max(0.05, float(dynamics.mean["saturation"].max()))
            self.saturation_top = min(1.0, sticky_ceiling(self.saturation_top, top))
            _short_axis(
                self.saturation_plot, x_range, self.saturation_top, lambda v: f"{100 * v:g}%"
            )
            top = max(1.0, float(max(dynamics.high["sigma_max"].max(), dynamics.high["rho"].max())))
            self.norm_top = sticky_ceiling(self.norm_top, top)
            _short_axis(self.norm_plot, x_range, self.norm_top, lambda v: f"{v:g}")
        self.summary.setText(self._summary(logs, dynamics))

    def _summary(self, logs: np.ndarray, dynamics) -> str:
        newest = logs[:, -1]
        parts = []
        if len(newest) > FADE_WORDS and np.isfinite(newest[[0, FADE_WORDS]]).all():
            ratio = 10 ** (newest[FADE_WORDS] - newest[0])
            parts.append(f"{FADE_WORDS} words back the gradient is {ratio:.2g}× the last word's")
        if dynamics is not None and len(dynamics):
            parts.append(
                f"σ_max {dynamics.mean['sigma_max'][-1]:.3g} · ρ {dynamics.mean['rho'][-1]:.3g}"
                f" · {dynamics.mean['saturation'][-1]:.0%} saturated"
            )
        return " · ".join(parts)

    def _hover(self, event) -> None:
        found = self.image_values()
        if event.isExit() or found is None:
            return
        steps, logs, depth = found
        pos = self.image.mapToParent(event.pos())
        column = int(np.searchsorted(steps, pos.x(), side="right")) - 1
        row = int(np.floor(pos.y()))
        if 0 <= column < len(steps) and 0 <= row < depth:
            value = logs[row, column]
            shown = "no sentence that long" if not np.isfinite(value) else f"{10**value:.3g}"
            what = "of the last word's" if self.relative_box.isChecked() else ""
            self.readout.setText(
                f"step {steps[column]:,} · {row} words back · ‖∂L/∂h‖ {shown} {what}".strip()
            )


def _short_axis(plot, x_range: tuple[float, float], top: float, label) -> None:
    """A short plot's view from 0 to `top`, labelled at 0, top / 2 and top only (automatic ticks
    crowd a plot this short)."""
    set_view(plot, x_range, (0, top))
    set_ticks(plot.getAxis("left"), [(v, label(v)) for v in (0, top / 2, top)])
