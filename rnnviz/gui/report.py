"""Get results out of the window: every panel as PNG, every plot's curves as CSV, the training
history as CSV and the run's settings as JSON, in one folder."""

import csv
import json
import re
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pyqtgraph as pg

from ..core.files import write_text, writing
from ..core.train.telemetry import TelemetryView
from .images import write_image


def write_history(path: Path, view: TelemetryView | None) -> int:
    """One row per point of the step history (each the mean of `width` steps once the history
    is decimated): step, then every step-record column. Returns the rows written."""
    steps = None if view is None else view.steps
    if steps is None or not len(steps):
        write_text(path, "step\n")
        return 0
    names = [n for n in steps.mean if n != "step"]  # x is the step
    columns = [steps.x, *(steps.mean[n] for n in names)]
    with writing(path, text=True) as out:
        writer = csv.writer(out)
        writer.writerow(["step", *names])
        writer.writerows(zip(*(_cells(c) for c in columns), strict=True))
    return len(steps)


def _cells(column: np.ndarray) -> list:
    """A column as CSV cells: whole numbers (steps, epochs, token counts) without ".0"."""
    values = np.asarray(column, dtype=float)
    whole = np.isfinite(values).all() and np.array_equal(values, np.round(values))
    return values.astype(np.int64).tolist() if whole else values.tolist()


def write_curves(path: Path, plot: pg.PlotItem) -> None:
    """Each curve of `plot` as two columns, named by the curve (its legend's name, else the y
    axis's) and the axes: "train (smoothed): training step", "train (smoothed): loss"."""
    x_label, y_label = (_axis_label(plot, side) for side in ("bottom", "left"))
    header, columns = [], []
    unnamed = [item for item in plot.listDataItems() if not item.name()]
    for item in plot.listDataItems():
        x, y = item.getData()
        if x is None or not len(x):
            continue
        name = item.name() or y_label or "y"
        if not item.name() and len(unnamed) > 1:
            name = f"{name} {unnamed.index(item) + 1}"
        header += [f"{name}: {x_label or 'x'}", f"{name}: {y_label or 'y'}"]
        columns += [_cells(x), _cells(y)]
    rows = max((len(c) for c in columns), default=0)
    with writing(path, text=True) as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for i in range(rows):
            writer.writerow([c[i] if i < len(c) else "" for c in columns])


def _axis_label(plot: pg.PlotItem, side: str) -> str:
    return re.sub(r"<[^>]+>", "", plot.getAxis(side).labelText or "").strip()


def plots_of(widget) -> dict[str, pg.PlotItem]:
    """The pyqtgraph plots with curves shown in a panel (not a colour bar's, not on a hidden
    page), by title, else by their y axis's label, else by position."""
    found = {}
    for view in widget.findChildren(pg.GraphicsView):
        if not view.isVisibleTo(widget):
            continue
        for item in view.scene().items():
            if isinstance(item, pg.PlotItem) and item.listDataItems():
                axis = _axis_label(item, "left")
                title = item.titleLabel.text or axis or f"plot {len(found) + 1}"
                found[title] = item
    return found


def export_report(
    folder: Path, panels: dict, view: TelemetryView | None, config, front: Callable[[str], None]
) -> list[Path]:
    """Write the report into `folder` (created if needed); returns the files written.
    front(key) puts the panel on screen and draws it, whatever the user has in front."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for key in list(panels):
        front(key)
        panel = panels[key]
        image = folder / f"{key}.png"
        written.append(write_image(panel.grab(), image))
        for title, plot in plots_of(panel).items():
            curves = folder / f"{key}-{_slug(title)}.csv"
            write_curves(curves, plot)
            written.append(curves)
    history = folder / "history.csv"
    write_history(history, view)
    settings = folder / "config.json"
    write_text(settings, json.dumps(asdict(config), indent=2) + "\n")
    return [*written, history, settings]


GREEK = {"σ": "sigma", "ρ": "rho", "∂": "d", "λ": "lambda", "μ": "mu", "τ": "tau"}
SLUG_LENGTH = 60


def _slug(text: str) -> str:
    """A file name part of ASCII letters, digits and hyphens, cut at a word."""
    plain = "".join(GREEK.get(c, c) for c in text.lower())
    plain = "".join(c if c.isascii() and c.isalnum() else "-" for c in plain)
    words = [part for part in plain.split("-") if part]
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > SLUG_LENGTH:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "plot"
