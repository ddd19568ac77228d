"""Runs → Memory horizon: the textbook picture, computed from the cells on screen. Each cell is
trained on the memory task at each distance with the window's settings (core/lessons/horizon.py,
on a thread of its own; the window's training goes on), and each point is drawn as it comes: the
test accuracy by distance, and the gradient ratio ‖∂L/∂h_(T−N)‖ / ‖∂L/∂h_T‖ that explains it."""

import threading
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from threadpoolctl import threadpool_limits

from ..core.data.tasks import Task
from ..core.lessons.horizon import LEARNED, HorizonPoint, horizons, sweep
from ..core.train.config import TrainConfig
from .replies import Replies
from .theme import Theme, plot_rows

DISTANCES = (5, 10, 20, 50, 100)


class HorizonDialog(QDialog):
    def __init__(
        self,
        parent: QWidget,
        task: Task,
        config: TrainConfig,
        cells: Sequence[str],
        theme: Theme,
        distances: Sequence[int] = DISTANCES,
    ):
        super().__init__(parent)
        self.setWindowTitle(f"Memory horizon on {task.spec}")
        self.points: list[HorizonPoint] = []
        self._said_finished = False  # the worker's last word reached the dialog
        self.total = len(cells) * len(distances)
        self.cells = list(cells)
        self.replies = Replies(self)
        self.graphics, (self.accuracy_plot, self.ratio_plot) = plot_rows((1, 1), (False, True))
        self.accuracy_plot.setTitle("Test accuracy by distance")
        self.accuracy_plot.setLabel("left", "accuracy")
        self.accuracy_plot.setYRange(0.0, 1.05)
        self.ratio_plot.setTitle("‖∂L/∂h_(T−N)‖ / ‖∂L/∂h_T‖: the gradient N words back")
        self.ratio_plot.setLabel("left", "ratio")
        self.ratio_plot.setLogMode(y=True)
        ticks = [[(float(np.log10(n)), str(n)) for n in distances]]  # the distances, not 2·10¹
        for plot in (self.accuracy_plot, self.ratio_plot):
            plot.setLogMode(x=True)
            plot.getAxis("bottom").setTicks(ticks)
            plot.setLabel("bottom", "distance N (words between the word to remember and the end)")
            plot.showGrid(x=True, y=True, alpha=0.2)
        dashed = pg.mkPen(theme.threshold, style=Qt.PenStyle.DashLine)
        learned = pg.InfiniteLine(LEARNED, angle=0, pen=dashed)
        self.accuracy_plot.addItem(learned)
        colours = [theme.train, *theme.runs]
        self.curves = {}
        for cell, colour in zip(self.cells, colours, strict=False):
            pen, brush = pg.mkPen(colour, width=2), pg.mkBrush(colour)
            self.curves[cell] = tuple(
                plot.plot([], [], pen=pen, symbol="o", symbolBrush=brush, name=cell)
                for plot in (self.accuracy_plot, self.ratio_plot)
            )
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop measuring (the point being measured is left out)")
        self.stop_button.clicked.connect(self.stop)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        what = QLabel(self._what(task, config))
        what.setWordWrap(True)
        layout.addWidget(what)
        layout.addWidget(self.graphics, 1)
        layout.addLayout(row)
        self.resize(720, 620)
        self._stopping = threading.Event()
        self._worker = threading.Thread(
            target=self._measure,
            args=(task, config, distances),
            name="rnnviz-horizon",
            daemon=True,
        )
        self._show_status()
        self._worker.start()

    @staticmethod
    def _what(task: Task, config: TrainConfig) -> str:
        epochs = f"{config.epochs} epochs" if config.epochs else "epochs by data size"
        cut = f", BPTT truncated to {config.bptt_truncate}" if config.bptt_truncate else ""
        cut += f", sentences cut at {config.max_len} words" if config.max_len else ""
        return (
            f"Each cell trained at each distance on {task.sentences:,} sentences, the same ones "
            f"and batches for every cell: {config.optimizer} lr {config.lr:g}, H "
            f"{config.hidden_size}, {epochs}, seed {config.seed}, memory bias "
            f"{config.memory_bias:g}{cut}. The dashed line: {LEARNED:g}, what counts as "
            "remembered."
        )

    def _measure(self, task: Task, config: TrainConfig, distances: Sequence[int]) -> None:
        add, finished = self.replies.to(self._add), self.replies.to(self._finished)
        try:
            with threadpool_limits(limits=1):  # one core for this, the other for the window
                seeds = (config.seed,)
                sweep(task, config, self.cells, distances, seeds, add, self._stopping.is_set)
        except Exception as error:  # noqa: BLE001 (said in the dialog, not lost on a thread)
            finished(f"stopped by an error: {error}")
        else:
            finished("")

    def _add(self, point: HorizonPoint) -> None:
        self.points.append(point)
        mine = sorted((p for p in self.points if p.cell == point.cell), key=lambda p: p.distance)
        distances = np.array([p.distance for p in mine], dtype=float)
        accuracy, ratio = self.curves[point.cell]
        accuracy.setData(distances, [p.accuracy for p in mine])
        ratios = np.array([p.gradient_ratio for p in mine])
        ratio.setData(distances, np.where(ratios > 0, ratios, np.nan))
        self._show_status()

    def _show_status(self, finished: bool = False, problem: str = "") -> None:
        done = f"{len(self.points)} of {self.total} points"
        if self.points:
            p = self.points[-1]
            done += (
                f" · last: {p.cell} N = {p.distance}, accuracy {p.accuracy:.3f}, ratio "
                f"{p.gradient_ratio:.2g} ({p.seconds:.0f} s)"
            )
        if problem:
            done += f" · {problem}"
        elif finished and self.points:
            reach = ", ".join(f"{c} {n}" for c, n in horizons(self.points).items())
            done += f" · horizon (the longest N learned, every shorter one too): {reach}"
        elif not finished:
            done += " · measuring…" if not self._stopping.is_set() else " · stopping…"
        self.status.setText(done)

    def _finished(self, problem: str) -> None:
        self._said_finished = True
        self.stop_button.setEnabled(False)
        self._show_status(finished=True, problem=problem)

    def stop(self) -> None:
        """The point being measured ends at its next step, and no new one starts."""
        self._stopping.set()
        self._show_status()

    @property
    def running(self) -> bool:
        """Until the sweep's end is said (the worker's thread may end a moment before)."""
        return not self._said_finished

    def done(self, result: int) -> None:  # noqa: D102 (closing stops the measuring)
        self.stop()
        super().done(result)
