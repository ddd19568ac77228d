"""`rnnviz gradcheck`: prove backward() right with centred finite differences (float64)."""

import argparse

from ..core.nn.gradcheck import check_gradients, demo_problem
from ..core.nn.registry import ALL_CELLS
from ..core.train.config import TASKS, TrainConfig
from .numbers import seed, whole
from .output import Output, add_output_arguments

MAX_TRUNCATE = 1000  # steps of the truncated-BPTT window


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--truncate",
        type=whole(1, MAX_TRUNCATE),
        default=2,
        metavar="K",
        help="window of the truncated-BPTT check (default 2)",
    )
    parser.add_argument("--seed", type=seed, default=0, help="seed of the random problem")
    parser.add_argument(
        "--cell",
        choices=tuple(ALL_CELLS),
        default=TrainConfig().cell,
        help=f"cell to check (default {TrainConfig().cell}, the cell train defaults to)",
    )
    parser.add_argument(
        "--task",
        choices=tuple(TASKS),
        default="classify",
        help="head to check: classify (one loss per sentence) or lm (a loss at every step; "
        "truncation runs in chunks of K)",
    )
    add_output_arguments(parser, "stdout is one JSON object: max_rel_error, per_param, passed")


def run(args: argparse.Namespace) -> int:
    out = Output.of(args)
    modes = {"full": None, f"truncated k={args.truncate}": args.truncate}
    results = {}
    for label, truncate in modes.items():
        model, ids, lengths, labels = demo_problem(args.seed, cell=args.cell, task=args.task)
        results[label] = check_gradients(model, ids, lengths, labels, truncate)
    names = list(next(iter(results.values())).per_param)
    tolerance = next(iter(results.values())).tolerance
    out.say(
        f"Gradient check of the {args.cell} cell, {args.task} head: backward vs centred finite "
        f"differences, float64, tolerance {tolerance:.0e}"
    )
    out.say(f"{'parameter':<10}" + "".join(f"{label:>20}" for label in results))
    for name in names:
        out.say(f"{name:<10}" + "".join(f"{r.per_param[name]:>20.2e}" for r in results.values()))
    worst = max(r.max_rel_error for r in results.values())
    passed = all(r.passed for r in results.values())
    out.say(f"max relative error {worst:.2e}: {'PASS' if passed else 'FAIL'}")
    per_param = {n: max(r.per_param[n] for r in results.values()) for n in names}
    out.record(
        {
            "max_rel_error": worst,
            "per_param": per_param,
            "passed": passed,
            "tolerance": tolerance,
            "modes": {label: r.per_param for label, r in results.items()},
        }
    )
    return 0 if passed else 1
