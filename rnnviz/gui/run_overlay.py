"""Runs side by side on one plot: one curve per run beside the window's own, in the run's
colour, made and dropped as runs come and go."""

import html
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ..core.insight.probe import Probe
from ..core.train.telemetry import TelemetryView


@dataclass(frozen=True, eq=False)  # compared by identity: its view holds arrays
class RunView:
    """What the panels draw of one run beside the window's own."""

    label: str  # its settings changes, "cell=lstm,lr=0.01"
    colour: str
    view: TelemetryView
    probe: Probe | None  # the typed sentence under its newest weights


XY = Callable[..., tuple[np.ndarray, np.ndarray] | None]  # (view, **options) -> (x, y)


class RunCurves:
    def __init__(self, plot: pg.PlotItem, xy: XY, dashed: bool = False, named: bool = False):
        """xy(view, **options) gives a run's curve (None: nothing yet). Named: the curve is
        named by its run's label (in the plot's legend and readout); else no legend entries:
        the loss panel's run key names the colours (a legend row that grows with the runs would
        widen the plots)."""
        self.plot = plot
        self.xy = xy
        self.dashed = dashed
        self.named = named
        self.curves: dict[str, pg.PlotDataItem] = {}

    def set(self, runs: tuple[RunView, ...], **options) -> None:
        labels = {run.label for run in runs}
        for label in [label for label in self.curves if label not in labels]:
            self.plot.removeItem(self.curves.pop(label))
        for run in runs:
            curve = self.curves.get(run.label)
            if curve is None:
                style = Qt.PenStyle.DashLine if self.dashed else Qt.PenStyle.SolidLine
                name = html.escape(run.label) if self.named else None  # legends render HTML
                curve = self.plot.plot(pen=pg.mkPen(run.colour, width=1, style=style), name=name)
                self.curves[run.label] = curve
            found = self.xy(run.view, **options)
            curve.setData(*(found if found is not None else ([], [])))

    def ys(self) -> list[np.ndarray]:
        """Each run's y values (as set: not the log10 a log axis draws), for the plot's range."""
        found = (curve.getOriginalDataset()[1] for curve in self.curves.values())
        return [y for y in found if y is not None and len(y)]


def evaluated(view: TelemetryView, split: str, metric: str):
    """A split's evaluations of `metric`, None before the first."""
    series = view.evaluations.get(split)
    return None if series is None or not len(series) else (series.x, series.mean[metric])


def latest_test(runs: tuple[RunView, ...]) -> str:
    """· label: test loss, accuracy, for each run that has a test evaluation."""
    parts = []
    for run in runs:
        found = evaluated(run.view, "test", "loss")
        if found is not None:
            accuracy = run.view.evaluations["test"].mean["accuracy"][-1]
            parts.append(f" · {run.label}: test {found[1][-1]:.3g}, {accuracy:.1%}")
    return "".join(parts)


def runs_key(runs: tuple[RunView, ...]) -> str:
    """Rich text naming each run's colour."""
    if not runs:
        return ""
    swatches = " ".join(
        f'<span style="color:{run.colour}">■</span> {html.escape(run.label)}' for run in runs
    )
    return f"{swatches} <i>(dashed: test)</i>"
