"""Loss and accuracy curves: each step's training loss (a min-max band once steps share a
point), its smoothed curve, validation and test points, the best-validation mark, epoch and change
marks, a crosshair readout, and the smoothing and log-scale controls."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from ..core.train.experiment import Overview
from ..core.train.telemetry import TelemetryView
from .band import Band
from .curves import ema, robust_top
from .event_marks import EventMarks
from .follow_range import FollowRange, run_start
from .hint import EmptyHint
from .hover import HoverReadout
from .marks import VerticalMarks
from .panel import TELEMETRY, Panel, PanelContext
from .remembered import boolean, number
from .run_overlay import RunCurves, evaluated, latest_test, runs_key
from .theme import (
    LogAxis,
    Theme,
    history_plot,
    label_when_room,
    line_label,
    plot_rows,
    points_curve,
    set_points,
    style_plot,
    summary_label,
)
from .view_state import ViewState
from .viewed_step import ViewedStep

MAX_MARKS = 40  # epoch lines drawn at most (thinned evenly beyond)
DEFAULT_SMOOTHING = 0.9  # weight of the moving average per plotted point
SMOOTHING_PRESETS = (0.0, 0.6, 0.9, 0.99)  # the View menu's
START_HINT = "Press Train (Space) to start"
LOWER_HINTS = {False: "accuracy per step appears here", True: "perplexity per step appears here"}
ACCURACY_TIP = (
    "Share of sentences whose argmax_c p(c) is the true class: training batches (moving "
    "average), and the validation and test splits at each evaluation."
)


class LossPanel(QWidget, Panel):
    key, slot, reads = "loss", "top", frozenset({TELEMETRY})
    title = "Loss and accuracy"
    remembered = {"log_scale": boolean, "smoothing": number(low=0, high=1, high_open=True)}
    smoothing_changed = Signal(float)

    def __init__(self, theme: Theme, state: ViewState, parent=None):
        super().__init__(parent)
        self.theme = theme
        self.layout_widget, (self.loss_plot, self.acc_plot) = plot_rows(
            (3, 2),
            legends=(True, False),  # the accuracy curves have the loss curves' colours
        )
        for plot in (self.loss_plot, self.acc_plot):  # readable on a log scale too
            plot.setAxisItems({"left": LogAxis("left")})
        style_plot(self.loss_plot, "Loss (cross-entropy)", "loss", "")
        style_plot(self.acc_plot, "Accuracy", "accuracy", "training step")
        self.acc_plot.setXLink(self.loss_plot)
        # the steps are numbered under the accuracy plot: the loss plot's own numbers said the
        # same, took its height, and were re-rendered at every move of the shared x range
        self.loss_plot.getAxis("bottom").setStyle(showValues=False)
        self.loss_range = FollowRange(self.loss_plot)
        self.acc_range = FollowRange(self.acc_plot, follow_y=False)
        self.acc_plot.setYRange(0, 1.0, padding=0.02)
        for plot in (self.loss_plot, self.acc_plot):
            history_plot(plot)
        self.loss_plot.setToolTip(
            "Training loss L = mean_b -log p(y_b | sentence_b) per mini-batch (faint), its moving "
            "average, and the validation and test loss at each evaluation; the green line marks "
            "the best validation epoch (the weights early stopping keeps)."
        )
        self.acc_plot.setToolTip(ACCURACY_TIP)
        t = theme
        self.raw_loss = Band(self.loss_plot, t.faint, "train (per step)")
        self.smooth_loss = self.loss_plot.plot(
            pen=pg.mkPen(t.train, width=1), name="train (smoothed)"
        )
        self.smooth_acc = self.acc_plot.plot(
            pen=pg.mkPen(t.train, width=1), name="train (smoothed)"
        )
        self.held_out = {  # split -> (loss curve, accuracy curve)
            split: (
                points_curve(self.loss_plot, colour, split),
                points_curve(self.acc_plot, colour, split),
            )
            for split, colour in (("validation", t.validation), ("test", t.test))
        }
        best_pen = pg.mkPen(t.best, width=2)
        label = line_label(t, t.best, 0.92, (1, 0))
        self.best_lines = (
            pg.InfiniteLine(angle=90, pen=best_pen, movable=False, label="best", labelOpts=label),
            pg.InfiniteLine(angle=90, pen=best_pen, movable=False),
        )
        self.best_lines[0].setToolTip("Step of the best validation figures so far")
        for plot, line in zip((self.loss_plot, self.acc_plot), self.best_lines, strict=True):
            plot.addItem(line, ignoreBounds=True)
            line.setVisible(False)
        label_when_room(self.best_lines[0], self.loss_plot)
        marker = pg.mkPen(t.marker, width=1, style=Qt.PenStyle.DotLine)
        self.epoch_marks = (
            VerticalMarks(self.loss_plot, marker),
            VerticalMarks(self.acc_plot, marker),
        )
        self.run_curves = (  # the runs beside this one: smoothed training, dashed test
            RunCurves(self.loss_plot, _smoothed("loss")),
            RunCurves(self.loss_plot, _test("loss"), dashed=True),
            RunCurves(self.acc_plot, _lower_smoothed),
            RunCurves(self.acc_plot, _lower_test, dashed=True),
        )
        self.perplexity = False  # the lower plot shows perplexity (a language model)
        self.runs_key = QLabel()
        self.runs_key.setTextFormat(Qt.TextFormat.RichText)
        self.runs_key.setToolTip(
            "Runs beside this one (Runs menu), on the same batches: their smoothed training "
            "curves and, dashed, their test evaluations; this run keeps its own colours."
        )
        self.runs: tuple = ()
        self.event_marks = EventMarks(self.loss_plot, theme)
        self.viewed = ViewedStep((self.loss_plot, self.acc_plot), theme)
        self.log_box = QCheckBox("log scale")
        self.log_box.setToolTip(
            "Show the loss on a logarithmic axis (small losses become visible)."
        )
        self.log_box.toggled.connect(self._set_log)
        self.smoothing_slider = QSlider(Qt.Orientation.Horizontal)
        self.smoothing_slider.setRange(0, 999)
        self.smoothing_slider.setFixedWidth(110)
        self.smoothing_slider.setToolTip(
            "Smoothing of the training curves (as in TensorBoard): the debiased exponential "
            "moving average s_t = w s_(t-1) + (1 - w) y_t, per plotted point; 0 shows the raw "
            "values."
        )
        self.smoothing_label = QLabel()
        self.smoothing_label.setFixedWidth(
            self.smoothing_label.fontMetrics().horizontalAdvance("smoothing 0.999") + 4
        )
        self.smoothing_slider.valueChanged.connect(self._smoothing_moved)
        self.summary = summary_label(START_HINT + ".")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar = QHBoxLayout()
        bar.addWidget(self.runs_key)
        bar.addStretch(1)
        bar.addWidget(self.smoothing_label)
        bar.addWidget(self.smoothing_slider)
        bar.addWidget(self.log_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.layout_widget, 1)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        self.hover = HoverReadout(self.layout_widget, [self.loss_plot, self.acc_plot], theme)
        self.hints = (
            EmptyHint(self.loss_plot, START_HINT),
            EmptyHint(self.acc_plot, LOWER_HINTS[False]),
        )
        self._view: TelemetryView | None = None
        self.set_smoothing(DEFAULT_SMOOTHING)

    @property
    def smoothing(self) -> float:
        return self.smoothing_slider.value() / 1000

    def set_smoothing(self, weight: float) -> None:
        value = round(1000 * min(max(weight, 0.0), 0.999))
        if value == self.smoothing_slider.value():  # no valueChanged: show it here
            self._smoothing_moved(value)
        else:
            self.smoothing_slider.setValue(value)

    def _smoothing_moved(self, value: int) -> None:
        self.smoothing_label.setText(f"smoothing {value / 1000:.3f}".rstrip("0").rstrip("."))
        self.smoothing_changed.emit(value / 1000)
        if self._view is not None:
            self.update_view(self._view)

    def state(self) -> dict:
        return {"log_scale": self.log_box.isChecked(), "smoothing": self.smoothing}

    def restore(self, state: dict) -> None:
        if "log_scale" in state:
            self.log_box.setChecked(state["log_scale"])
        if "smoothing" in state:
            self.set_smoothing(float(state["smoothing"]))

    def show_readouts_at(self, step: float) -> None:
        self.hover.show_at(step)

    def view_entries(self, menu) -> dict:
        """Loss on a log scale, and smoothing presets checked when the slider is on one."""
        log = QAction("Loss on a log scale", menu, checkable=True)
        log.setChecked(self.log_box.isChecked())
        log.toggled.connect(self.log_box.setChecked)
        self.log_box.toggled.connect(log.setChecked)
        menu.addAction(log)
        entries = {"log": log}
        presets = menu.addMenu("Smoothing of the training curves")
        group = QActionGroup(presets)
        for weight in SMOOTHING_PRESETS:
            action = QAction("none" if weight == 0 else f"{weight:g}", presets, checkable=True)
            action.triggered.connect(lambda _=False, w=weight: self.set_smoothing(w))
            group.addAction(action)
            presets.addAction(action)
            entries[f"smoothing:{weight:g}"] = action

        def follow(weight: float) -> None:
            for preset, action in zip(SMOOTHING_PRESETS, group.actions(), strict=True):
                action.setChecked(abs(preset - weight) < 5e-4)

        self.smoothing_changed.connect(follow)
        follow(self.smoothing)
        return entries

    def show_overview(self, overview: Overview) -> None:
        """A new experiment: no crosshair left over from the old one."""
        self.hover.hide()

    def view_moves(self) -> int:
        return self.loss_range.moves + self.acc_range.moves

    def show_viewed_step(self, step: int | None) -> None:
        self.viewed.set(step)

    def draw(self, context: PanelContext) -> None:
        snapshot = context.snapshot
        if snapshot is not None:
            self._set_perplexity(snapshot.model.is_language_model)
        key = runs_key(context.runs)
        if key != self.runs_key.text():
            self.runs_key.setText(key)
        self.runs = context.runs
        self.show_viewed_step(context.viewed_step)
        if context.view is not None:
            self.update_view(context.view)

    def update_view(self, view: TelemetryView) -> None:
        self._view = view
        steps = view.steps
        empty = steps is None or len(steps) == 0
        for hint in self.hints:
            hint.set_empty(empty)
        for curves in self.run_curves:  # the runs of this experiment, empty at its start too
            curves.set(self.runs, weight=self.smoothing, perplexity=self.perplexity)
        if empty:
            self.raw_loss.clear()
            for curve in (self.smooth_loss, self.smooth_acc):
                curve.setData([], [])
            for curves in self.held_out.values():
                for curve in curves:
                    set_points(curve, [], [])
            for line in self.best_lines:
                line.setVisible(False)
            self._set_epoch_marks([])
            self.event_marks.set([])
            self.hover.hide()
            self.summary.setText(START_HINT + ".")
            return
        self.raw_loss.set(steps, "loss")
        start = run_start(steps.x)
        growing = view.status.training
        high = steps.high["loss"]  # a one-step bucket's max is its value
        cut = False
        if self.loss_range.log_y:
            positive = steps.low["loss"][steps.low["loss"] > 0]
            self.loss_range.update(
                steps.x[-1], positive.min() if len(positive) else 1.0, high.max(), start, growing
            )
        else:  # the informative part: a few high early losses must not flatten the rest
            top = max(robust_top(high), _evaluated_top(view, self.run_curves[1]))
            self.loss_range.update(steps.x[-1], 0.0, top, start, growing)
            cut = self.loss_range.following and high.max() > self.loss_plot.viewRange()[1][1]
        smooth_loss = ema(steps.mean["loss"], self.smoothing)
        self.smooth_loss.setData(steps.x, smooth_loss)
        lower = _lower(steps.mean, smooth_loss, self.smoothing, self.perplexity)
        self.smooth_acc.setData(steps.x, lower)
        text = f"train loss {smooth_loss[-1]:.3g}"
        shown_top = float(np.nanmax(lower)) if len(lower) else 1.0
        for split, (loss_curve, acc_curve) in self.held_out.items():
            series = view.evaluations.get(split)
            if series is None or not len(series):
                set_points(loss_curve, [], [])
                set_points(acc_curve, [], [])
                continue
            set_points(loss_curve, series.x, series.mean["loss"])
            held = np.exp(series.mean["loss"]) if self.perplexity else series.mean["accuracy"]
            set_points(acc_curve, series.x, held)
            shown_top = max(shown_top, float(np.nanmax(held)))
            figure = f"perplexity {held[-1]:.3g}" if self.perplexity else f"{held[-1]:.1%}"
            text += f" · {split} {series.mean['loss'][-1]:.3g}, {figure}"
        if self.perplexity:
            self.acc_range.update(steps.x[-1], 1.0, shown_top, start, growing)
        else:
            self.acc_range.update(steps.x[-1], 0.0, 1.0, start, growing)
        best = view.status.best_step
        for line in self.best_lines:
            line.setVisible(best > 0)
            if best and line.value() != best:
                line.setValue(best)
        if best:
            text += f" · best: epoch {view.status.best_epoch}"
        if steps.width > 1:
            text += f" · {steps.width} steps a point (band: their min–max)"
        if cut:
            text += " · the highest losses are above the view (log scale shows all)"
        text += latest_test(self.runs)
        self.summary.setText(text)
        self._set_epoch_marks(view.epoch_marks)
        self.event_marks.set(view.events)

    def _set_perplexity(self, on: bool) -> None:
        """The lower plot shows accuracy (a classifier) or perplexity = exp(loss) (a language
        model, whose next-token accuracy says little)."""
        if on == self.perplexity:
            return
        self.perplexity = on
        self.acc_plot.setTitle("Perplexity (exp of the loss)" if on else "Accuracy", size="10pt")
        self.acc_plot.setLabel("left", "perplexity" if on else "accuracy")
        self.hints[1].set_text(LOWER_HINTS[on])
        self.hints[1].axes_relabelled()
        self.acc_range.follow_y = on
        self.acc_plot.setLogMode(False, on)  # perplexity spans 1 to the vocabulary size
        self.acc_range.set_log_y(on)
        if not on:
            self.acc_plot.setYRange(0, 1.0, padding=0.02)
        self.acc_plot.setToolTip(
            "Perplexity exp(L): the number of equally likely next tokens the model hesitates "
            "between, training batches (from the smoothed loss) and the validation and test "
            "splits at each evaluation. 1 is certainty; the vocabulary size is a guess."
            if on
            else ACCURACY_TIP
        )

    def _set_log(self, on: bool) -> None:
        self.loss_plot.setLogMode(False, on)
        self.loss_range.set_log_y(on)

    def _set_epoch_marks(self, epochs: list[int]) -> None:
        """Dotted lines at (at most MAX_MARKS evenly thinned) epoch ends."""
        stride = max(1, int(np.ceil(len(epochs) / MAX_MARKS)))
        for marks in self.epoch_marks:
            marks.set(epochs[stride - 1 :: stride])


def _smoothed(metric: str):
    """A run's training `metric`, smoothed like the window's own."""

    def xy(view, weight: float, perplexity: bool):
        steps = view.steps
        return (
            None if steps is None or not len(steps) else (steps.x, ema(steps.mean[metric], weight))
        )

    return xy


def _test(metric: str):
    return lambda view, weight, perplexity: evaluated(view, "test", metric)


def _lower(mean: dict, smooth_loss: np.ndarray, weight: float, perplexity: bool) -> np.ndarray:
    """The lower plot's training curve: smoothed accuracy, or exp of the smoothed loss."""
    return np.exp(smooth_loss) if perplexity else ema(mean["accuracy"], weight)


def _lower_smoothed(view, weight: float, perplexity: bool):
    steps = view.steps
    if steps is None or not len(steps):
        return None
    return steps.x, _lower(steps.mean, ema(steps.mean["loss"], weight), weight, perplexity)


def _lower_test(view, weight: float, perplexity: bool):
    found = evaluated(view, "test", "loss" if perplexity else "accuracy")
    return found if found is None or not perplexity else (found[0], np.exp(found[1]))


def _evaluated_top(view: TelemetryView, side_tests: RunCurves) -> float:
    """The highest held-out loss of this run (validation, test) and of the runs beside (test):
    each point is an epoch's score, a few a run, so all stay in view, unlike the training steps'
    spikes (a validation loss rising to 3x its lowest is what overfitting looks like)."""
    series = [s.mean["loss"] for s in view.evaluations.values() if s is not None and len(s)]
    tops = [np.nanmax(y) for y in [*series, *side_tests.ys()] if np.isfinite(y).any()]
    return float(max(tops, default=0.0))
