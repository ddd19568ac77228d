"""`rnnviz report`: a saved model or a run's history as one self-contained, interactive HTML page
(rnnviz/report/)."""

import argparse
import time
from pathlib import Path

from ..core.data.datasets import bundled_names, load
from ..core.words import bytes_text
from .numbers import whole
from .options import MAX_STEP
from .output import Output, add_output_arguments, checked_output_path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "model",
        metavar="MODEL_OR_HISTORY",
        help="a saved checkpoint, or a run's history (rnnviz train --history: with its curves)",
    )
    parser.add_argument("--out", required=True, metavar="RUN.html", help="the page to write")
    parser.add_argument(
        "--text",
        action="append",
        metavar="SENTENCE",
        help="a sentence whose hidden state, gates and saliency the page shows (repeat for "
        "more; default: “this is not bad at all”)",
    )
    parser.add_argument(
        "--step",
        type=whole(0, MAX_STEP),
        metavar="S",
        help="with a history file: the model after step S (default: its last step)",
    )
    parser.add_argument(
        "--data",
        metavar="NAME_OR_FILE",
        help="the run's data, for its calibration and state space on the held-out sentences "
        "(split as the run split it; default: its bundled dataset, if it was one)",
    )
    add_output_arguments(parser, "stdout is one JSON object: path, bytes, plots, seconds")


def run(args: argparse.Namespace) -> int:
    from ..report import page, source  # Plotly's script is read only here

    out = Output.of(args)
    target = checked_output_path(args.out, "report")
    started = time.perf_counter()
    read = source.read(args.model, args.step)
    data = args.data or read.ckpt.summary.get("dataset")
    if args.data or data in bundled_names():
        read = source.with_held_out(read, load([data]))
    else:
        out.note(f"no calibration or state space: give --data (the run's data was {data!r})")
    made = page.render(read, args.text)
    written = page.write(target, made)
    size = Path(written).stat().st_size
    seconds = time.perf_counter() - started
    plots = len(made.plots)
    out.record({"path": str(written), "bytes": size, "plots": plots, "seconds": round(seconds, 3)})
    out.say(
        f"wrote {written}: {plots} plots, {bytes_text(size)} in {seconds:.1f} s (it opens "
        "offline in any browser)"
    )
    return 0
