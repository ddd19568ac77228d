"""Gradient norms before and after clipping, and how the gradient fades back through time."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..core.train.telemetry import Snapshot, TelemetryView
from .band import Band
from .curves import ema, positive
from .follow_range import FollowRange, run_start, sticky_ceiling
from .hint import EmptyHint
from .hover import HoverReadout
from .panel import CONFIG, SNAPSHOT, TELEMETRY, Panel, PanelContext
from .run_overlay import RunCurves
from .theme import (
    LogAxis,
    Theme,
    history_plot,
    inside_legend,
    label_when_room,
    line_label,
    place_legend,
    plot_rows,
    points_curve,
    set_ticks,
    set_view,
    style_plot,
    summary_label,
)
from .view_state import ViewState
from .viewed_step import ViewedStep

FLOW_TITLES = {  # by task: a language model's or a classifier's
    False: "Gradient flow back through time (newest batch)",
    True: "Gradient back through time: a loss at every word (newest batch)",
}
FLOW_HINTS = {
    False: "how ‖∂L/∂h‖ fades (or grows) back through the words",
    True: "how ‖∂L/∂h‖ builds up back through the words",
}
FLOW_TIPS = {
    False: "‖∂L/∂h_t‖ averaged over the batch, t counted back from each sentence's last word: "
    "a falling line is the vanishing gradient, a rising one the exploding gradient.",
    True: "‖∂L/∂h_t‖ averaged over the batch, t counted back from each sentence's last word. "
    "A language model has a loss at every word, and h_t gets the gradient of each later "
    "word's loss, so the line rises back from the end; where it levels off, the gradient of "
    "words further ahead has vanished.",
}
RECENT = 100  # steps over which the "recently clipped" share is reported
SMOOTHING = 0.9  # weight of the moving average per plotted point (curves.ema)
FAINT_ALPHA = "70"  # hex alpha of each step's norm under the smoothed curves


class GradientPanel(QWidget, Panel):
    key, slot = "gradients", "top"
    reads = frozenset({TELEMETRY, CONFIG, SNAPSHOT})  # the flow is the weights shown's
    title = "Gradients"

    def __init__(self, theme: Theme, state: ViewState, parent=None):
        super().__init__(parent)
        self.theme = theme
        # legends inside the plots, in one row: under them they took a third of the plots' height
        self.layout_widget, (self.norm_plot, self.flow_plot) = plot_rows((3, 2), (False, False))
        norm_legend = inside_legend(self.norm_plot, "left")  # the right: the threshold's label
        self.flow_legend = inside_legend(self.flow_plot)
        self.norm_plot.setAxisItems({"left": LogAxis("left")})
        style_plot(self.norm_plot, "Gradient norm before / after clipping", "‖g‖", "")
        style_plot(
            self.flow_plot, FLOW_TITLES[False], "‖∂L/∂h‖", "words before the end of the sentence"
        )
        self.language_model = False
        self.norm_plot.setLogMode(False, True)
        self.norm_range = FollowRange(self.norm_plot, clear_of=norm_legend)
        self.norm_range.set_log_y(True)
        self.flow_plot.disableAutoRange()
        self._flow_snapshot = None
        self._flow_range = ((0, None), (0, None))  # shown (words, ‖∂L/∂h‖) ranges
        self.clip_threshold = 1.0
        self._clip_shown: tuple[str, float] | None = None
        history_plot(self.norm_plot)
        self.viewed = ViewedStep((self.norm_plot,), theme, labelled=False)
        self.norm_plot.setToolTip(
            "Global gradient norm ‖g‖ = sqrt(Σ_params Σ_entries g²) before clipping and after. "
            "norm mode rescales g to ‖g‖ ≤ c; value mode clips each entry to [-c, c]."
        )
        self.flow_plot.setToolTip(FLOW_TIPS[False])
        t = theme
        # each step's norm before clipping, faint, over its min-max band; on top, the smoothed
        # norms before and after (one-pixel lines: wider ones cost 2-3x the paint). Where
        # clipping left the gradient alone the two coincide; the readout gives both values
        self.before = Band(self.norm_plot, t.before, "each step", FAINT_ALPHA)
        self.smooth_before = self.norm_plot.plot(
            pen=pg.mkPen(t.before, width=1), name="before (smoothed)"
        )
        self.after = self.norm_plot.plot(pen=pg.mkPen(t.after, width=1), name="after (smoothed)")
        self.threshold = pg.InfiniteLine(
            angle=0,
            movable=False,
            pen=pg.mkPen(t.threshold, width=1, style=Qt.PenStyle.DashLine),
            label="clip c",
            labelOpts=line_label(t, t.threshold, 0.97, (1, 1)),
        )
        self.norm_plot.addItem(self.threshold, ignoreBounds=True)
        self.threshold.setToolTip("The clipping threshold c")
        label_when_room(self.threshold, self.norm_plot)
        self.flow = points_curve(self.flow_plot, t.train, "‖∂L/∂h_t‖", size=4)
        self.flow_c: pg.PlotDataItem | None = None  # an LSTM's flow through c, when there is one
        self.run_curves = (  # the runs beside this one: smoothed norm before clipping, flow
            RunCurves(self.norm_plot, _smoothed_before),
            RunCurves(self.flow_plot, _flow, named=True),  # named: the flow has no run key
        )
        self.param_boxes: dict[str, QCheckBox] = {}
        self.param_curves: dict[str, pg.PlotDataItem] = {}
        self.params_row = QHBoxLayout()
        self.params_row.addWidget(QLabel("per parameter:"))
        self.params_row.addStretch(1)
        self.summary = summary_label("")
        self.hovers = (
            HoverReadout(self.layout_widget, [self.norm_plot], theme),
            HoverReadout(self.layout_widget, [self.flow_plot], theme, unit="words back"),
        )
        self.hints = (
            EmptyHint(self.norm_plot, "‖g‖ per step appears once training starts"),
            EmptyHint(self.flow_plot, FLOW_HINTS[False]),
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.layout_widget, 1)
        layout.addLayout(self.params_row)
        layout.addWidget(self.summary)

    def _show_cell_flow(self, flow: np.ndarray | None) -> None:
        """A second curve, in the legend, for the gradient through an LSTM's cell state."""
        if flow is None:
            if self.flow_c is not None:
                self.flow_plot.removeItem(self.flow_c)  # and its legend entry
                self.flow_c = None
            return
        if self.flow_c is None:
            self.flow_c = points_curve(self.flow_plot, self.theme.test, "‖∂L/∂c_t‖", size=4)
        self.flow_c.setData(np.arange(len(flow)), flow)

    def show_readouts_at(self, step: float) -> None:
        self.hovers[0].show_at(step)  # the norms (the flow's axis is words back, not steps)

    def view_moves(self) -> int:
        return self.norm_range.moves

    def show_viewed_step(self, step: int | None) -> None:
        self.viewed.set(step)

    def draw(self, context: PanelContext) -> None:
        self._set_language_model(context.config.task == "lm")
        self.set_clip(context.config.clip_mode, context.config.clip)
        for curves in self.run_curves:
            curves.set(context.runs)
        self.show_viewed_step(context.viewed_step)
        if context.view is not None:
            self.update_view(context.view, context.snapshot)

    def _set_language_model(self, on: bool) -> None:
        """Say what the flow shows: a classifier's gradient comes from the last word and fades
        back; a language model's sums every later word's and builds up back from the end (its
        legend moves to the top left, where the rising line is low)."""
        if on == self.language_model:
            return
        self.language_model = on
        self.flow_plot.setTitle(FLOW_TITLES[on], size="10pt")  # (flow_title's, once drawn)
        self.flow_plot.setToolTip(FLOW_TIPS[on])
        self.hints[1].set_text(FLOW_HINTS[on])
        place_legend(self.flow_legend, "left" if on else "right")

    def set_clip(self, mode: str, threshold: float) -> None:
        """Draw the threshold line (norm mode only: value mode bounds entries, not the norm)."""
        if (mode, threshold) == self._clip_shown:
            return
        self._clip_shown = (mode, threshold)
        self.clip_threshold = threshold
        self.threshold.setVisible(mode == "norm")
        self.threshold.setPos(np.log10(threshold))
        self.threshold.label.setFormat(f"clip c = {threshold:g}")

    def _ensure_param_boxes(self, names: tuple[str, ...]) -> None:
        if list(self.param_boxes) == list(names):
            return
        for i, name in enumerate(names):
            colour = self.theme.classes[i % len(self.theme.classes)]
            box = QCheckBox(name)
            box.setStyleSheet(f"QCheckBox {{ color: {colour}; }}")
            box.setToolTip(f"Show ‖∂L/∂{name}‖ before clipping")
            box.toggled.connect(lambda on, n=name: self.param_curves[n].setVisible(on))
            curve = self.norm_plot.plot(pen=pg.mkPen(colour, width=1))
            curve.setVisible(False)
            self.param_boxes[name], self.param_curves[name] = box, curve
            self.params_row.insertWidget(self.params_row.count() - 1, box)

    def update_view(self, view: TelemetryView, weights: Snapshot | None = None) -> None:
        """The norms over training, and the flow of the weights shown (default: the newest)."""
        steps = view.steps
        empty = steps is None or len(steps) == 0
        self.hints[0].set_empty(empty)
        if empty:
            self.before.clear()
            for curve in (self.smooth_before, self.after, self.flow, *self.param_curves.values()):
                curve.setData([], [])
            self._show_cell_flow(None)  # an LSTM's, before a model of another cell
            self._flow_snapshot = None
            self._flow_range = ((0, None), (0, None))
            self.hints[1].set_empty(True)
            for hover in self.hovers:
                hover.hide()
            self.summary.setText("Clipping statistics appear once training starts.")
            return
        self._ensure_param_boxes(view.param_names)
        self.before.set(steps, "global_before", positive)
        for curve, metric in ((self.smooth_before, "global_before"), (self.after, "global_after")):
            curve.setData(steps.x, positive(ema(steps.mean[metric], SMOOTHING)))
        shown = np.concatenate(
            [steps.low["global_after"], steps.high["global_before"], *self.run_curves[0].ys()]
        )
        shown = shown[np.isfinite(shown) & (shown > 0)]
        if len(shown):
            low_y, high_y = shown.min(), shown.max()
            self.norm_range.update(  # room above the threshold for its label
                steps.x[-1],
                min(low_y, self.clip_threshold),
                max(high_y, 1.5 * self.clip_threshold),
                run_start(steps.x),
                view.status.training,
            )
        for name, curve in self.param_curves.items():
            if curve.isVisible():
                curve.setData(steps.x, positive(ema(steps.mean[f"before/{name}"], SMOOTHING)))
        snapshot = weights if weights is not None else view.snapshot
        if (
            snapshot is not self._flow_snapshot
            and snapshot is not None
            and len(snapshot.gradient_flow)
        ):
            self._flow_snapshot = snapshot
            self.flow_plot.setTitle(flow_title(self.language_model, snapshot), size="10pt")
            self.hints[1].set_empty(False)
            flow = snapshot.gradient_flow["h"]
            self.flow.setData(np.arange(len(flow)), flow)
            cell_flow = snapshot.gradient_flow.get("c")  # an LSTM's, through its cell state
            self._show_cell_flow(cell_flow)
            stride = max(1, len(flow) // 12)  # whole words only on the axis
            set_ticks(
                self.flow_plot.getAxis("bottom"), [(d, str(d)) for d in range(0, len(flow), stride)]
            )
            beside = self.run_curves[1].ys()  # the runs beside this one
            curves = [flow, *([] if cell_flow is None else [cell_flow]), *beside]
            both = np.concatenate(curves)
            finite = both[np.isfinite(both)]  # a halted step can leave inf / nan here
            (_, shown_words), (_, shown_top) = self._flow_range
            top = (
                sticky_ceiling(shown_top, finite.max()) if len(finite) and finite.max() > 0 else 1.0
            )
            longest = max(len(curve) for curve in curves)  # sentences vary in length
            words = sticky_ceiling(shown_words, max(longest - 1, 1))
            self._flow_range = ((0, words), (0, top))
            set_view(self.flow_plot, *self._flow_range, padding=0.03)
        clipped = steps.mean["clipped"]
        recent = clipped[-max(1, RECENT // steps.width) :]
        entries = steps.mean["changed_fraction"]
        self.summary.setText(
            f"‖g‖ before {steps.mean['global_before'][-1]:.3g} → after "
            f"{steps.mean['global_after'][-1]:.3g} · clipped in {recent.mean():.0%} of the "
            f"last {min(RECENT, steps.x[-1])} steps ({clipped.mean():.0%} of all), "
            f"{entries[-1]:.1%} of entries in the newest"
        )


def flow_title(language_model: bool, snapshot: Snapshot) -> str:
    """The flow plot's title: the newest batch's, or looking back, the batch of the step shown."""
    title = FLOW_TITLES[language_model]
    return (
        title.replace("newest batch", f"batch of step {snapshot.step:,}")
        if snapshot.past
        else title
    )


def _smoothed_before(view: TelemetryView):
    steps = view.steps
    if steps is None or not len(steps):
        return None
    return steps.x, positive(ema(steps.mean["global_before"], SMOOTHING))


def _flow(view: TelemetryView):
    flow = view.snapshot.gradient_flow.get("h") if view.snapshot else None
    return None if flow is None else (np.arange(len(flow)), flow)
