"""Get results out of the window: every panel as PNG, every plot's curves as CSV, the training
history as CSV and the run's settings as JSON, in one folder."""

import csv
import json
import re
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from pyqtgraph.exporters import CSVExporter

from ..core.train.telemetry import TelemetryView


def write_history(path: Path, view: TelemetryView | None) -> int:
    """One row per point of the step history (each the mean of `width` steps once the history
    is decimated): step, then every step-record column. Returns the rows written."""
    steps = None if view is None else view.steps
    if steps is None or not len(steps):
        path.write_text("step\n", encoding="utf-8")
        return 0
    names = [n for n in steps.mean if n != "step"]  # x is the step
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["step", *names])
        columns = np.column_stack([steps.x, *(steps.mean[n] for n in names)])
        writer.writerows(columns.tolist())
    return len(steps)


def plots_of(widget) -> dict[str, pg.PlotItem]:
    """The pyqtgraph plots with curves shown in a panel (not a colour bar's, not on a hidden
    page), by title, else by their y axis's label, else by position."""
    found = {}
    for view in widget.findChildren(pg.GraphicsView):
        if not view.isVisibleTo(widget):
            continue
        for item in view.scene().items():
            if isinstance(item, pg.PlotItem) and item.listDataItems():
                axis = re.sub(r"<[^>]+>", "", item.getAxis("left").labelText or "").strip()
                title = item.titleLabel.text or axis or f"plot {len(found) + 1}"
                found[title] = item
    return found


def export_report(folder: Path, panels: dict, view: TelemetryView | None, config) -> list[Path]:
    """Write the report into `folder` (created if needed); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for key, panel in panels.items():
        image = folder / f"{key}.png"
        if not panel.grab().save(str(image)):
            raise OSError(f"could not write {image}")
        written.append(image)
        for title, plot in plots_of(panel).items():
            curves = folder / f"{key}-{_slug(title)}.csv"
            CSVExporter(plot).export(str(curves))
            written.append(curves)
    history = folder / "history.csv"
    write_history(history, view)
    settings = folder / "config.json"
    settings.write_text(json.dumps(asdict(config), indent=2) + "\n", encoding="utf-8")
    return [*written, history, settings]


def _slug(text: str) -> str:
    plain = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(part for part in plain.split("-") if part)[:40] or "plot"
