"""`rnnviz horizon`: how far back each cell remembers, on a generated memory task.

Trains every cell at every distance (and seed) on the same sentences and batches, and prints per
point the test accuracy and the gradient ratio ‖∂L/∂h_{T-N}‖ / ‖∂L/∂h_T‖ (the word to remember
against the last), then each cell's horizon. Under --json, stdout is JSON Lines: one object per
point, then {"event": "summary", "horizons": {cell: N}, "points": [...]}.
"""

import argparse
from dataclasses import asdict

from ..core.data.tasks import is_task, parse
from ..core.errors import RnnvizError
from ..core.lessons.horizon import LEARNED, HorizonPoint, horizons, sweep
from ..core.nn.registry import CELLS
from .numbers import seed, whole
from .options import add_hyperparameter_arguments, config_from
from .output import Output, add_output_arguments

DEFAULT_DISTANCES = (5, 10, 20, 50, 100)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        default="recall",
        metavar="TASK",
        help="the recall task with its knobs (all but the distance apply, e.g. "
        "recall:distractors=0.15); default recall",
    )
    parser.add_argument(
        "--cells", nargs="+", choices=tuple(CELLS), default=list(CELLS), help="default: all"
    )
    parser.add_argument(
        "--distances",
        nargs="+",
        type=whole(1, 2000),
        default=list(DEFAULT_DISTANCES),
        metavar="N",
        help="words between the one to remember and the end (default 5 10 20 50 100)",
    )
    parser.add_argument(
        "--seeds", nargs="+", type=seed, default=[0], metavar="S", help="training seeds (default 0)"
    )
    add_output_arguments(parser, "stdout is JSON Lines: one object per point, then the summary")
    add_hyperparameter_arguments(parser)


def run(args: argparse.Namespace) -> int:
    out = Output.of(args)
    if not is_task(args.data) or parse(args.data).name != "recall":
        why = " (an echo sentence ends on its own label)" if is_task(args.data) else ""
        raise RnnvizError(f"--data must be the recall task (with knobs), not {args.data}{why}")
    task = parse(args.data)
    config = config_from(args)
    out.say(
        f"{task.spec}: {task.sentences:,} training sentences at each distance; "
        f"{config.optimizer} lr {config.lr:g}, H {config.hidden_size}, "
        f"{config.epochs or 'by size'} epochs; the cells share each seed's batches"
    )

    def said(point: HorizonPoint) -> None:
        out.record({"event": "point", **asdict(point)})
        out.say(
            f"{point.cell:>8} N={point.distance:<4} seed {point.seed}: accuracy "
            f"{point.accuracy:.3f}, ‖∂L/∂h_(T-N)‖/‖∂L/∂h_T‖ {point.gradient_ratio:.2g} "
            f"(at the start {point.initial_ratio:.2g}), {point.seconds:.0f} s"
        )

    points = sweep(task, config, args.cells, args.distances, args.seeds, said)
    reach = horizons(points)
    out.record({"event": "summary", "horizons": reach, "points": [asdict(p) for p in points]})
    out.say(
        f"horizon (the longest distance with mean accuracy >= {LEARNED:g}): "
        + ", ".join(f"{cell} {n}" for cell, n in reach.items())
    )
    return 0
