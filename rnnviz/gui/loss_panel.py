"""Loss and accuracy curves: raw per step (faint), smoothed, validation and test points, the
best-validation mark, epoch and change marks."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from ..core.train.telemetry import TelemetryView
from .curves import envelope, smooth
from .follow_range import FollowRange
from .panel import TELEMETRY, Panel, PanelContext
from .theme import (
    Theme,
    history_plot,
    points_curve,
    set_points,
    stacked_plots,
    style_plot,
    summary_label,
)

MAX_MARKS = 40  # epoch lines drawn at most (thinned evenly beyond)


class LossPanel(QWidget, Panel):
    key, slot, reads = "loss", "top", frozenset({TELEMETRY})

    def __init__(self, theme: Theme, parent=None):
        super().__init__(parent)
        self.theme = theme
        self.layout_widget, self.loss_plot, self.acc_plot = stacked_plots()
        style_plot(self.loss_plot, "Loss (cross-entropy)", "loss", "")
        style_plot(self.acc_plot, "Accuracy", "accuracy", "training step")
        self.acc_plot.setXLink(self.loss_plot)
        self.loss_range = FollowRange(self.loss_plot)
        self.acc_range = FollowRange(self.acc_plot, follow_y=False)
        self.acc_plot.setYRange(0, 1.0, padding=0.02)
        for plot in (self.loss_plot, self.acc_plot):
            history_plot(plot, theme)
        self.loss_plot.setToolTip(
            "Training loss L = mean_b -log p(y_b | sentence_b) per mini-batch (faint), its moving "
            "average, and the validation and test loss at each evaluation; the green line marks "
            "the best validation epoch (the weights early stopping keeps)."
        )
        self.acc_plot.setToolTip(
            "Share of sentences whose argmax_c p(c) is the true class: training batches "
            "(moving average), and the validation and test splits at each evaluation."
        )
        t = theme
        self.raw_loss = self.loss_plot.plot(pen=pg.mkPen(t.faint, width=1), name="train (per step)")
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
        label = {"position": 0.08, "color": t.best, "anchors": [(1, 1), (1, 1)]}
        self.best_lines = (
            pg.InfiniteLine(angle=90, pen=best_pen, movable=False, label="best", labelOpts=label),
            pg.InfiniteLine(angle=90, pen=best_pen, movable=False),
        )
        self.best_lines[0].setToolTip("Step of the best validation figures so far")
        for plot, line in zip((self.loss_plot, self.acc_plot), self.best_lines, strict=True):
            plot.addItem(line, ignoreBounds=True)
            line.setVisible(False)
        self._epoch_lines: list[tuple[pg.InfiniteLine, pg.InfiniteLine]] = []  # reused pool
        self._event_lines: list[pg.InfiniteLine] = []
        self._events: list[tuple[int, str]] = []
        self.log_box = QCheckBox("log scale")
        self.log_box.setToolTip(
            "Show the loss on a logarithmic axis (small losses become visible)."
        )
        self.log_box.toggled.connect(self._set_log)
        self.summary = summary_label("Press Train (Space) to start.")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.log_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.layout_widget, 1)
        layout.addLayout(bar)

    def draw(self, context: PanelContext) -> None:
        if context.view is not None:
            self.update_view(context.view)

    def update_view(self, view: TelemetryView) -> None:
        steps = view.steps
        if steps is None or len(steps) == 0:
            for curve in (self.raw_loss, self.smooth_loss, self.smooth_acc):
                curve.setData([], [])
            for curves in self.held_out.values():
                for curve in curves:
                    curve.setData([], [])
            for line in self.best_lines:
                line.setVisible(False)
            self._set_epoch_marks([])
            self._set_events([])
            self.summary.setText("Press Train (Space) to start.")
            return
        x, y = envelope(steps, "loss")
        self.raw_loss.setData(x, y)
        positive = y[y > 0]
        low = positive.min() if self.loss_range.log_y and len(positive) else 0.0
        self.loss_range.update(x[-1], low, y.max())
        self.acc_range.update(x[-1], 0.0, 1.0)
        smooth_loss = smooth(steps.mean["loss"])
        self.smooth_loss.setData(steps.x, smooth_loss)
        self.smooth_acc.setData(steps.x, smooth(steps.mean["accuracy"]))
        text = f"loss / accuracy: train {smooth_loss[-1]:.3f}"
        for split, (loss_curve, acc_curve) in self.held_out.items():
            series = view.evaluations.get(split)
            if series is None or not len(series):
                loss_curve.setData([], [])
                acc_curve.setData([], [])
                continue
            set_points(loss_curve, series.x, series.mean["loss"])
            set_points(acc_curve, series.x, series.mean["accuracy"])
            text += f" · {split} {series.mean['loss'][-1]:.3f} / {series.mean['accuracy'][-1]:.1%}"
        best = view.status.best_step
        for line in self.best_lines:
            line.setVisible(best > 0)
            if best and line.value() != best:
                line.setValue(best)
        if best:
            text += f" · best epoch {view.status.best_epoch}"
        if steps.width > 1:
            text += f" · 1 point = {steps.width} steps (min–max band)"
        self.summary.setText(text)
        self._set_epoch_marks(view.epoch_marks)
        self._set_events(view.events)

    def _set_log(self, on: bool) -> None:
        self.loss_plot.setLogMode(False, on)
        self.loss_range.set_log_y(on)

    def _set_epoch_marks(self, epochs: list[int]) -> None:
        """Dotted lines at (at most MAX_MARKS evenly thinned) epoch ends, from a reused pool."""
        stride = max(1, int(np.ceil(len(epochs) / MAX_MARKS)))
        shown = epochs[stride - 1 :: stride]
        pen = pg.mkPen(self.theme.marker, width=1, style=Qt.PenStyle.DotLine)
        while len(self._epoch_lines) < len(shown):
            pair = tuple(pg.InfiniteLine(0, angle=90, pen=pen, movable=False) for _ in range(2))
            self.loss_plot.addItem(pair[0], ignoreBounds=True)
            self.acc_plot.addItem(pair[1], ignoreBounds=True)
            self._epoch_lines.append(pair)
        for i, pair in enumerate(self._epoch_lines):
            for line in pair:
                if i < len(shown):
                    if line.value() != shown[i]:
                        line.setValue(shown[i])
                    line.setVisible(True)
                else:
                    line.setVisible(False)

    def _set_events(self, events: list[tuple[int, str]]) -> None:
        """A labelled dashed line wherever a setting changed mid-run (the newest 20)."""
        events = events[-20:]
        if events == self._events:
            return
        self._events = events
        for line in self._event_lines:
            self.loss_plot.removeItem(line)
        pen = pg.mkPen(self.theme.event, width=1, style=Qt.PenStyle.DashLine)
        options = {
            "position": 0.9,
            "color": self.theme.event,
            "rotateAxis": (1, 0),
            "anchors": [(0, 0), (0, 0)],
        }
        self._event_lines = []
        for step, what in events:
            line = pg.InfiniteLine(
                step, angle=90, pen=pen, movable=False, label=what, labelOpts=options
            )
            self.loss_plot.addItem(line, ignoreBounds=True)
            self._event_lines.append(line)
