"""The report's page: one HTML file with Plotly's script inlined (no request leaves it), the run's
facts (settings, data, model size, version, the command that trains it again), its plots and,
under each, a button that downloads the table behind it as CSV."""

import csv
import html
import io
import itertools
import json
import shlex
from dataclasses import fields
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .. import __version__
from ..core.files import writing
from ..core.insight.probe import EXAMPLE, probe
from ..core.insight.saliency import explain
from ..core.train.config import HYPERPARAMETERS, SMALL_DATA_SETTINGS, TrainConfig
from . import figures
from .figures import MAX_WORDS, Plot
from .source import LessonChecks, ReportSource

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 0 16px;
       color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; font-size: 1.2em; }
.facts td, .facts th, .settings td { padding: 2px 12px 2px 0; text-align: left; }
.settings { columns: 3; font-size: 0.9em; } code { background: #f3f3f3; padding: 2px 4px; }
.plot { border: 1px solid #e5e5e5; border-radius: 4px; margin: 10px 0; padding: 6px; }
.plot h3 { font-size: 1em; margin: 4px 0; } .note { color: #555; font-size: 0.9em; }
button.csv { font-size: 0.8em; float: right; }
"""
SCRIPT = """
for (const plot of REPORT.plots) {
  Plotly.newPlot(plot.key, plot.traces, plot.layout, {responsive: true, displaylogo: false});
}
function downloadCsv(key) {
  const blob = new Blob([REPORT.csv[key]], {type: "text/csv"});
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = key + ".csv";
  link.click();
  URL.revokeObjectURL(link.href);
}
"""


def plotly_script() -> str:
    """Plotly's JavaScript, read from the plotly package (the page's only script library)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def csv_of(table: dict[str, list]) -> str:
    """Named columns as CSV (shorter columns padded with empty cells, as is a null)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table)
    writer.writerows(itertools.zip_longest(*table.values()))
    return out.getvalue()


def reproduce_command(source: ReportSource) -> str:
    """The `rnnviz train` command with the run's settings (those not at their default)."""
    config, defaults = source.ckpt.config, TrainConfig()
    parts = ["rnnviz", "train"]
    dataset = source.ckpt.summary.get("dataset")
    if dataset:
        parts += ["--data", str(dataset)]
    for h in HYPERPARAMETERS:  # the small-data rule's settings always: it would change them
        value = getattr(config, h.field)
        if value != getattr(defaults, h.field) or h.field in SMALL_DATA_SETTINGS:
            parts += [f"--{h.names[0]}", str(value)]
    return shlex.join(parts)


def sentence_plots(source: ReportSource, texts: list[str]) -> list[tuple[str, list[Plot]]]:
    """Per sentence: its opinion after each word (a language model's surprise), saliency, and
    its hidden state and gates word by word."""
    ckpt, sections = source.ckpt, []
    model, vocab, level = ckpt.model, ckpt.vocab, ckpt.config.level
    for i, text in enumerate(texts):
        whole = probe(model, vocab, text, level=level)
        result, start = whole.last(MAX_WORDS)
        if not result.tokens:
            sections.append((text, []))
            continue
        plots = []
        if model.is_language_model:
            plots.append(figures.surprise_plot(f"s{i}_surprise", result, start))
        else:
            plots.append(figures.opinion_plot(f"s{i}_opinion", result, ckpt.classes, start))
            saliency = explain(model, vocab, text, "occlusion", last=MAX_WORDS)
            plots.append(figures.saliency_plot(f"s{i}_saliency", saliency, ckpt.classes, start))
        h_title = "Hidden state h after each word"
        plots.append(
            figures.heatmap_plot(f"s{i}_h", h_title, result, result.states, "h", (-1.0, 1.0), start)
        )
        for gate in model.cell.gates:
            values = result.gates[gate.key]
            scale = (0.0, 1.0) if gate.sigmoid else _symmetric(values)
            plots.append(
                figures.heatmap_plot(
                    f"s{i}_{gate.key}", f"Gate {gate.label}", result, values, gate.key, scale, start
                )
            )
        sections.append((text, plots))
    return sections


def _symmetric(values: np.ndarray) -> tuple[float, float]:
    bound = float(max(1.0, np.ceil(np.abs(values).max())))
    return -bound, bound


class Page(NamedTuple):
    html: str
    plots: list[Plot]


def render(source: ReportSource, texts: list[str] | None = None) -> Page:
    """The whole page, and the plots on it."""
    ckpt = source.ckpt
    texts = texts or [EXAMPLE]
    groups: list[tuple[str, str, list[Plot]]] = []
    if source.curves is not None:
        groups.append(
            (
                "Training",
                "",
                figures.training_plots(source.curves, ckpt.config.clip, source.runs, _step(source)),
            )
        )
    if source.flow:
        groups.append(("Gradient flow", "", [figures.flow_plot(source.flow, _step(source))]))
    held_out = []
    if source.reliability is not None:
        held_out.append(figures.calibration_plot(source.reliability))
    if source.state_space is not None and source.state_space.points.shape[1] == 2:
        language_model = ckpt.model.is_language_model
        held_out.append(figures.state_space_plot(source.state_space, ckpt.classes, language_model))
    if held_out:
        groups.append(("Held-out sentences", "", held_out))
    for text, plots in sentence_plots(source, texts):
        said = "" if plots else "No word of it is in the vocabulary's reach: nothing to draw."
        groups.append((f"“{text}”", said, plots))
    plots = [p for _, _, group in groups for p in group]
    data = {
        "plots": [{"key": p.key, "traces": p.traces, "layout": p.layout} for p in plots],
        "csv": {p.key: csv_of(p.table) for p in plots},
    }
    body = [f"<h1>rnnviz report: {html.escape(source.origin)}</h1>", _facts(source)]
    if source.lesson is not None:
        body.append(_lesson(source.lesson))
    for title, said, group in groups:
        body.append(f"<h2>{html.escape(title)}</h2>")
        if said:
            body.append(f"<p class='note'>{html.escape(said)}</p>")
        body += [_plot_html(p) for p in group]
    body.append(_settings(ckpt.config))
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>rnnviz report: {html.escape(source.origin)}</title><style>{STYLE}</style>"
        f"<script>{plotly_script()}</script></head><body>{''.join(body)}"
        f"<script>const REPORT = {payload};{SCRIPT}</script></body></html>\n"
    )
    return Page(page, plots)


def _step(source: ReportSource) -> int:
    """The step whose gradient flow is shown."""
    if source.flow_step is not None:
        return source.flow_step
    return int(source.ckpt.summary.get("step", 0))


def _plot_html(plot: Plot) -> str:
    note = f"<p class='note'>{html.escape(plot.note)}</p>" if plot.note else ""
    return (
        f"<div class='plot'><button class='csv' onclick=\"downloadCsv('{plot.key}')\">"
        f"Download CSV</button><h3>{html.escape(plot.title)}</h3>{note}"
        f"<div id='{plot.key}' class='figure'></div></div>"
    )


def _facts(source: ReportSource) -> str:
    ckpt, summary = source.ckpt, source.ckpt.summary
    params = ckpt.model.params
    count = sum(p.size for p in params.values())
    size = sum(p.nbytes for p in params.values())
    rows = [
        ("model", f"{ckpt.model.cell.name} cell, H = {ckpt.model.hidden_size}, {ckpt.model.task}"),
        ("parameters", f"{count:,} ({size / 2**20:.2f} MB as {ckpt.config.dtype})"),
        ("trained", f"{summary.get('step', 0):,} steps, {summary.get('epoch', 0)} epochs"),
        (
            "data",
            f"{summary.get('dataset', 'unknown')} · vocabulary {len(ckpt.vocab.tokens):,}"
            + ("" if ckpt.model.is_language_model else f" · classes {', '.join(ckpt.classes)}"),
        ),
        ("temperature", f"{ckpt.model.temperature:.3f} (fitted on held-out data; 1: none)"),
        ("made by", f"rnnviz {__version__}"),
    ]
    cells = "".join(f"<tr><th>{k}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    command = html.escape(reproduce_command(source))
    return f"<table class='facts'>{cells}</table><p>Train it again: <code>{command}</code></p>"


def _lesson(lesson: LessonChecks) -> str:
    """The lesson's checks: each claim, its run, the value measured, its bound, seen or not."""
    rows = []
    for claim, run, value, bound, seen in lesson.rows:
        if value is None:
            said, mark = "pending", "…"
        else:
            said, mark = f"{value:.4g}", "✓ seen" if seen else "✗ not yet"
        cells = (claim, run, said, bound, mark)
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("claim", "run", "measured", "should be", ""))
    return (
        f"<h2>Lesson: {html.escape(lesson.title)}</h2><p class='note'>The lesson's checks "
        f"{html.escape(lesson.measured)}.</p><table class='facts'><tr>{head}</tr>"
        f"{''.join(rows)}</table>"
    )


def _settings(config: TrainConfig) -> str:
    items = "".join(
        f"<div><b>{f.name}</b> {html.escape(str(getattr(config, f.name)))}</div>"
        for f in fields(config)
    )
    return f"<h2>Settings</h2><div class='settings'>{items}</div>"


def write(path: str | Path, page: Page) -> Path:
    """Write the page (whole or not at all); returns the path written."""
    with writing(path, text=True) as out:
        out.write(page.html)
    return Path(path)
