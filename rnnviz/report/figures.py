"""The report's plots as Plotly figures (plain JSON: data traces and a layout) with the table
behind each one (named columns, written as CSV on the page). Curves over training are the
decimated buckets the window draws (mean, and the min-max band of each bucket), so that a report
of 10^5 steps weighs what one of 10^3 does."""

from dataclasses import dataclass

import numpy as np

from ..core.insight.probe import Probe
from ..core.insight.saliency import Saliency
from ..core.insight.state_space import StateSpace
from ..core.train.calibration import Reliability
from ..core.train.telemetry import Curves
from .source import SideRun

COLOURS = {"train": "#1f5fbf", "validation": "#8e44ad", "test": "#e67e22", "after": "#c0392b"}
CLASS_COLOURS = ("#c0392b", "#27ae60", "#2c7fb8", "#8e44ad", "#e67e22", "#16a085", "#7f8c8d")
DIVERGING = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#b2182b"]]  # blue -1, white 0, red +1
SEQUENTIAL = [[0.0, "#ffffff"], [1.0, "#08306b"]]  # a gate: closed white, open dark blue
LOG_DECADES = 2  # values spanning more decades than this are drawn on a log axis
MAX_WORDS = 200  # the last words of a sentence drawn (as in the window)


@dataclass(frozen=True)
class Plot:
    key: str  # its element's id and its CSV's name
    title: str
    traces: list[dict]
    layout: dict
    table: dict[str, list]  # column name -> values (one row per point)
    note: str = ""  # how to read it


def numbers(values) -> list:
    """Floats at 6 significant digits (a report's size is its numbers), NaN as null."""
    return [None if not np.isfinite(v) else float(f"{v:.6g}") for v in np.asarray(values, float)]


def _layout(x_title: str, y_title: str, **more) -> dict:
    axis = {"gridcolor": "#e5e5e5", "zeroline": False}
    return {
        "xaxis": {**axis, "title": {"text": x_title}},
        "yaxis": {**axis, "title": {"text": y_title}},
        "margin": {"l": 60, "r": 20, "t": 30, "b": 45},  # the top: the mode bar's row
        "height": 300,
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.25},
        "plot_bgcolor": "white",
        **more,
    }


def _band(x, low, high, colour: str, name: str) -> list[dict]:
    """The min-max band of each bucket: its top, then its bottom filled up to it."""
    edge = {"x": numbers(x), "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip"}
    return [
        {**edge, "y": numbers(high), "showlegend": False, "legendgroup": name},
        {
            **edge,
            "y": numbers(low),
            "fill": "tonexty",
            "fillcolor": colour + "33",
            "name": f"{name} (min–max per bucket)",
            "legendgroup": name,
        },
    ]


def _y_axis(*series) -> dict:
    """A log axis with a tick per decade for values spanning over LOG_DECADES decades (a
    vanishing gradient), else a linear one (a log axis over less labels every minor tick)."""
    values = np.concatenate([np.asarray(v, float).ravel() for v in series])
    values = values[np.isfinite(values) & (values > 0)]
    if len(values) and np.log10(values.max() / values.min()) > LOG_DECADES:
        return {"type": "log", "dtick": 1, "exponentformat": "power"}
    return {}


def _metric(curves: Curves, metric: str, label: str, runs: tuple[SideRun, ...]) -> Plot:
    """Training's per-step `metric` (mean and band per bucket), each split's evaluations and the
    runs beside it."""
    traces, table = [], {}
    steps = curves.steps.view() if curves.steps is not None else None
    if steps is not None and metric in steps.mean:
        x = steps.x
        traces += _band(x, steps.low[metric], steps.high[metric], COLOURS["train"], "train")
        traces.append(
            {
                "x": numbers(x),
                "y": numbers(steps.mean[metric]),
                "mode": "lines",
                "name": f"train (mean of {steps.width} step{'s' if steps.width > 1 else ''})",
                "line": {"color": COLOURS["train"], "width": 1.5},
                "hovertemplate": f"step %{{x}}<br>{label} %{{y:.4g}}<extra>train</extra>",
            }
        )
        table |= {
            "step": x.tolist(),
            f"train_{metric}_mean": numbers(steps.mean[metric]),
            f"train_{metric}_min": numbers(steps.low[metric]),
            f"train_{metric}_max": numbers(steps.high[metric]),
        }
    for split, history in sorted(curves.evaluations.items()):
        if metric not in history.column:
            continue
        view = history.view()
        traces.append(
            {
                "x": numbers(view.x),
                "y": numbers(view.mean[metric]),
                "mode": "lines+markers",
                "name": split,
                "line": {"color": COLOURS.get(split, "#555555")},
                "hovertemplate": f"step %{{x}}<br>{label} %{{y:.4g}}<extra>{split}</extra>",
            }
        )
        table[f"{split}_step"] = view.x.tolist()
        table[f"{split}_{metric}"] = numbers(view.mean[metric])
    for run in runs:
        traces += _run_traces(run, metric, label, table)
    layout = _layout("training step", label)
    return Plot(metric, f"{label[0].upper()}{label[1:]} over training", traces, layout, table)


def _run_traces(run: SideRun, metric: str, label: str, table: dict[str, list]) -> list[dict]:
    """A run beside the reported one: its train mean dashed and its test evaluations dotted, in
    its own colour, and their columns in the table."""
    traces = []
    parts = [("train", run.steps, "dash")] + [
        (split, view, "dot") for split, view in sorted(run.evaluations.items()) if split == "test"
    ]
    for part, view, dash in parts:
        if view is None or metric not in view.mean:
            continue
        name = f"{run.label} ({part})"
        traces.append(
            {
                "x": numbers(view.x),
                "y": numbers(view.mean[metric]),
                "mode": "lines",
                "name": name,
                "line": {"color": run.colour, "dash": dash, "width": 1.5},
                "hovertemplate": f"step %{{x}}<br>{label} %{{y:.4g}}<extra>{name}</extra>",
            }
        )
        table[f"{run.label}_{part}_step"] = view.x.tolist()
        table[f"{run.label}_{part}_{metric}"] = numbers(view.mean[metric])
    return traces


def training_plots(
    curves: Curves, clip: float, runs: tuple[SideRun, ...] = (), step: int | None = None
) -> list[Plot]:
    """Loss and accuracy (train, validation, test; the runs beside it) and the gradient norm
    before and after clipping with the threshold c; the step reported marked on each when the
    curves go on past it (a history's model at an earlier step)."""
    plots = _training_plots(curves, clip, runs)
    last = curves.steps.view().x[-1] if curves.steps is not None and curves.steps.size else 0
    if step is not None and step < last:
        for plot in plots:
            plot.layout.setdefault("shapes", []).append(
                {
                    "type": "line",
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "x0": step,
                    "x1": step,
                    "line": {"color": "#111111", "width": 1.5},
                }
            )
            plot.layout.setdefault("annotations", []).append(
                {
                    "yref": "paper",
                    "y": 1,
                    "x": step,
                    "text": f"step {step:,} (reported)",
                    "showarrow": False,
                    "xanchor": "left",
                    "yanchor": "bottom",
                }
            )
    return plots


def _training_plots(curves: Curves, clip: float, runs: tuple[SideRun, ...]) -> list[Plot]:
    plots = [
        _metric(curves, "loss", "loss (cross-entropy)", runs),
        _metric(curves, "accuracy", "accuracy", runs),
    ]
    if curves.steps is None:
        return plots
    view = curves.steps.view()
    traces, x = [], view.x
    table: dict[str, list] = {"step": x.tolist()}
    for column, name, colour in (
        ("global_before", "before clipping", COLOURS["train"]),
        ("global_after", "after clipping", COLOURS["after"]),
    ):
        traces += _band(x, view.low[column], view.high[column], colour, name)
        traces.append(
            {
                "x": numbers(x),
                "y": numbers(view.mean[column]),
                "mode": "lines",
                "name": name,
                "line": {"color": colour, "width": 1.5},
                "hovertemplate": f"step %{{x}}<br>‖g‖ %{{y:.4g}}<extra>{name}</extra>",
            }
        )
        table |= {f"{column}_mean": numbers(view.mean[column])}
        table |= {f"{column}_min": numbers(view.low[column])}
        table |= {f"{column}_max": numbers(view.high[column])}
    layout = _layout("training step", "‖g‖ (all parameters)")
    layout["yaxis"] |= _y_axis(view.low["global_after"], view.high["global_before"])
    if clip > 0:
        layout["shapes"] = [
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": clip,
                "y1": clip,
                "line": {"color": "#c0392b", "dash": "dash", "width": 1},
            }
        ]
        layout["annotations"] = [
            {
                "xref": "paper",
                "x": 1,
                "y": np.log10(clip) if layout["yaxis"].get("type") == "log" else clip,
                "text": f"clip c = {clip:g}",
                "showarrow": False,
                "xanchor": "right",
                "yanchor": "bottom",
                "font": {"color": "#c0392b"},
            }
        ]
    note = "Each step's gradient norm before and after clipping; above c the step was scaled to c."
    return [
        *plots,
        Plot("gradient_norm", "Gradient norm before / after clipping", traces, layout, table, note),
    ]


def flow_plot(flow: dict[str, np.ndarray], step: int) -> Plot:
    """Mean ‖∂L/∂h_t‖ (and an LSTM's ‖∂L/∂c_t‖) of the step's batch by words before the end."""
    traces, table = [], {}
    for name, norms in sorted(flow.items()):
        distance = np.arange(len(norms))
        traces.append(
            {
                "x": distance.tolist(),
                "y": numbers(norms),
                "mode": "lines+markers",
                "name": f"‖∂L/∂{name}_t‖",
                "hovertemplate": f"%{{x}} words back<br>‖∂L/∂{name}‖ %{{y:.3g}}<extra></extra>",
            }
        )
        table.setdefault("words_before_end", distance.tolist())
        table[f"dL_d{name}_norm"] = numbers(norms)
    layout = _layout("words before the end of the sentence", "mean gradient norm")
    layout["yaxis"] |= _y_axis(*flow.values())
    note = (
        f"The batch of step {step:,}: how much of the loss's gradient reaches each word back. "
        "A curve falling by orders of magnitude is the vanishing gradient."
    )
    return Plot("gradient_flow", "Gradient flow back through time", traces, layout, table, note)


def _positions(count: int, start: int) -> list[int]:
    """The 1-based positions in the whole sentence of `count` words from word `start` on."""
    return list(range(start + 1, start + count + 1))


def _words(result: Probe, start: int) -> tuple[list[int], list[str]]:
    """Positions and the words (Plotly merges repeated category names: words are ticks)."""
    return _positions(len(result.tokens), start), _marked(result.tokens, result.unknown)


def _marked(tokens: list[str], unknown: np.ndarray) -> list[str]:
    """Tokens, an unknown one marked "word?" (read as <unk>)."""
    return [t + ("?" if u else "") for t, u in zip(tokens, unknown, strict=True)]


def heatmap_plot(
    key: str,
    title: str,
    result: Probe,
    values: np.ndarray,
    quantity: str,
    scale: tuple[float, float],
    start: int = 0,
) -> Plot:
    """(T, H) `values` as units x words (the sentence's from word `start` on), hover: word,
    unit, value."""
    positions, words = _words(result, start)
    T, H = values.shape
    diverging = scale[0] < 0
    trace = {
        "type": "heatmap",
        "z": [numbers(row) for row in values.T],
        "x": positions,
        "y": list(range(H)),
        "zmin": scale[0],
        "zmax": scale[1],
        "colorscale": DIVERGING if diverging else SEQUENTIAL,
        "customdata": [words] * H,
        "colorbar": {"title": {"text": quantity}},
        "hovertemplate": (
            f"word %{{x}} “%{{customdata}}”<br>unit %{{y}}<br>{quantity} = %{{z:.3f}}"
            "<extra></extra>"
        ),
    }
    layout = _layout("word", "hidden unit", height=min(600, 160 + 3 * H))
    layout["xaxis"] |= {"tickmode": "array", "tickvals": positions, "ticktext": words}
    layout["yaxis"]["autorange"] = "reversed"
    table: dict[str, list] = {"position": positions, "word": words}
    for unit in range(H):
        table[f"unit_{unit}"] = numbers(values[:, unit])
    return Plot(key, title, [trace], layout, table)


def opinion_plot(key: str, result: Probe, classes: tuple[str, ...], start: int = 0) -> Plot:
    """p(class | the words so far) after each word."""
    positions, words = _words(result, start)
    traces, table = [], {"position": positions, "word": words}
    for c, name in enumerate(classes):
        traces.append(
            {
                "x": positions,
                "y": numbers(result.probs[:, c]),
                "customdata": words,
                "mode": "lines+markers",
                "name": name,
                "line": {"color": CLASS_COLOURS[c % len(CLASS_COLOURS)]},
                "hovertemplate": f"after “%{{customdata}}”<br>p({name}) %{{y:.3f}}<extra></extra>",
            }
        )
        table[f"p_{name}"] = numbers(result.probs[:, c])
    layout = _layout("word", "p(class)")
    layout["xaxis"] |= {"tickmode": "array", "tickvals": positions, "ticktext": words}
    layout["yaxis"]["range"] = [0, 1]
    return Plot(key, "Opinion after each word", traces, layout, table)


def saliency_plot(key: str, saliency: Saliency, classes: tuple[str, ...], start: int = 0) -> Plot:
    """Each word's push towards (positive) or away from (negative) the explained class, for the
    sentence's words from `start` on (a word not scored is left empty)."""
    tokens, unknown = saliency.tokens[start:], saliency.unknown[start:]
    positions, words = _positions(len(tokens), start), _marked(tokens, unknown)
    scores = saliency.scores[start:]
    trace = {
        "type": "bar",
        "x": positions,
        "y": numbers(scores),
        "customdata": words,
        "marker": {"color": ["#c0392b" if s < 0 else "#27ae60" for s in scores]},
        "hovertemplate": "“%{customdata}”<br>score %{y:.3g}<extra></extra>",
    }
    layout = _layout("word", f"towards {classes[saliency.target]}")
    layout["xaxis"] |= {"tickmode": "array", "tickvals": positions, "ticktext": words}
    note = f"{saliency.method}: how much each word pushes the answer {classes[saliency.target]}."
    return Plot(
        key,
        "Saliency",
        [trace],
        layout,
        {"position": positions, "word": words, "score": numbers(scores)},
        note,
    )


def surprise_plot(key: str, result: Probe, start: int = 0) -> Plot:
    """A language model's surprise −log p(token | the tokens before it)."""
    positions, words = _words(result, start)
    trace = {
        "type": "bar",
        "x": positions,
        "y": numbers(result.surprise),
        "customdata": words,
        "hovertemplate": "“%{customdata}”<br>surprise %{y:.3g} nats<extra></extra>",
    }
    layout = _layout("token", "−log p (nats)")
    layout["xaxis"] |= {"tickmode": "array", "tickvals": positions, "ticktext": words}
    return Plot(
        key,
        "Surprise at each token",
        [trace],
        layout,
        {"position": positions, "token": words, "surprise_nats": numbers(result.surprise)},
    )


def calibration_plot(table: Reliability) -> Plot:
    """Per confidence bin: the share right against the mean top probability; the diagonal is
    a calibrated model."""
    centres = (table.edges[:-1] + table.edges[1:]) / 2
    width = float(table.edges[1] - table.edges[0])
    shown = table.counts > 0
    traces = [
        {
            "x": [0, 1],
            "y": [0, 1],
            "mode": "lines",
            "name": "calibrated",
            "line": {"color": "#999999", "dash": "dash"},
            "hoverinfo": "skip",
        },
        {
            "type": "bar",
            "x": numbers(centres[shown]),
            "y": numbers(table.accuracy[shown]),
            "width": width * 0.9,
            "customdata": [
                [int(n), c]
                for n, c in zip(table.counts[shown], numbers(table.confidence[shown]), strict=True)
            ],
            "name": "share right",
            "marker": {"color": COLOURS["train"] + "b0"},
            "hovertemplate": "confidence %{customdata[1]:.3f}<br>right %{y:.3f}<br>"
            "%{customdata[0]} sentences<extra></extra>",
        },
    ]
    layout = _layout("top probability (confidence)", "share right")
    layout["xaxis"]["range"], layout["yaxis"]["range"] = [0, 1], [0, 1]
    table_out = {
        "bin_low": numbers(table.edges[:-1]),
        "bin_high": numbers(table.edges[1:]),
        "sentences": table.counts.tolist(),
        "mean_confidence": numbers(table.confidence),
        "share_right": numbers(table.accuracy),
    }
    note = (
        f"The test sentences under the model's temperature; ECE {table.ece:.3f} (the mean "
        "gap between the bars and the diagonal, weighted by the sentences in each bin)."
    )
    return Plot("calibration", "Calibration", traces, layout, table_out, note)


def state_space_plot(space: StateSpace, classes: tuple[str, ...], language_model: bool) -> Plot:
    """The held-out sentences' hidden states on the first two principal components, coloured by
    class (a language model's: by position), the fixed points and h0."""
    traces = []
    table: dict[str, list] = {
        "pc1": numbers(space.points[:, 0]),
        "pc2": numbers(space.points[:, 1]),
        "colour": space.point_labels.tolist(),
    }
    groups = [(None, "states")] if language_model else list(enumerate(classes))
    for c, name in groups:
        keep = np.ones(len(space.points), bool) if c is None else space.point_labels == c
        marker = {"size": 4, "opacity": 0.6}
        if c is None:
            marker |= {
                "color": numbers(space.point_labels),
                "colorscale": "Viridis",
                "colorbar": {"title": {"text": "position"}},
            }
        else:
            marker["color"] = CLASS_COLOURS[c % len(CLASS_COLOURS)]
        traces.append(
            {
                "type": "scattergl" if keep.sum() > 5000 else "scatter",
                "x": numbers(space.points[keep, 0]),
                "y": numbers(space.points[keep, 1]),
                "mode": "markers",
                "name": name,
                "marker": marker,
                "hovertemplate": f"{name}<br>PC1 %{{x:.3f}}<br>PC2 %{{y:.3f}}<extra></extra>",
            }
        )
    q = space.fixed.q
    traces.append(
        {
            "x": numbers(space.fixed_points[:, 0]),
            "y": numbers(space.fixed_points[:, 1]),
            "customdata": numbers(q),
            "mode": "markers",
            "name": "fixed points (F(h) = h)",
            "marker": {"symbol": "diamond", "size": 11, "color": "#111111"},
            "hovertemplate": "fixed point<br>q %{customdata:.2e}<extra></extra>",
        }
    )
    traces.append(
        {
            "x": numbers(space.initial[:1]),
            "y": numbers(space.initial[1:]),
            "mode": "markers",
            "name": "h₀",
            "marker": {"symbol": "cross", "size": 10, "color": "#e67e22"},
        }
    )
    explained = space.explained_now
    layout = _layout(
        f"PC1 ({explained[0]:.0%} of variance)", f"PC2 ({explained[1]:.0%})", height=420
    )
    found = len(q)
    note = (
        f"Each dot is the hidden state after one word of a held-out sentence; {found} fixed "
        f"point{'' if found == 1 else 's'} of the network with no input."
    )
    return Plot("state_space", "State space", traces, layout, table, note)
