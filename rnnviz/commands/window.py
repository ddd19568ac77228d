"""`rnnviz` / `rnnviz window`: open the desktop window; `rnnviz screenshot`: a scripted PNG."""

import argparse

from ..core.data.corpus import LEVELS
from ..core.data.datasets import DEFAULT_DATASET, bundled_names
from ..core.errors import RnnvizError
from ..core.lessons.lesson import lesson_names
from ..core.nn.registry import ALL_CELLS, TASKS
from ..core.train.config import TrainConfig
from ..gui import COLOUR_SCHEMES
from ..gui.screenshot import LESSON_SCENES, SCENES, take_screenshot
from .numbers import MAX_SCREEN, screen_size, whole
from .options import add_history_budget_argument
from .output import checked_output_path, printable

MAX_STEPS = 10_000_000  # mini-batches before the picture


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        default=None,
        choices=bundled_names(),
        help=f"bundled dataset to open with (default: the last one used, else {DEFAULT_DATASET})",
    )


def add_window_arguments(parser: argparse.ArgumentParser) -> None:
    add_arguments(parser)
    add_history_budget_argument(parser, 0.0, "the timeline's history (0: none kept)")


def run(args: argparse.Namespace) -> int:
    from ..gui.app import run as run_window

    return run_window(getattr(args, "data", None), getattr(args, "history_mb", None))


def add_screenshot_arguments(parser: argparse.ArgumentParser) -> None:
    add_arguments(parser)
    parser.add_argument("--out", required=True, metavar="PATH.png", help="where to save the PNG")
    parser.add_argument(
        "--steps", type=whole(0, MAX_STEPS), default=300, help="mini-batches to train first"
    )
    parser.add_argument("--text", default=None, help="sentence to type into the prediction box")
    parser.add_argument(
        "--size",
        type=screen_size,
        default=(1440, 900),
        metavar="WIDTHxHEIGHT",
        help=f"window size in pixels (default 1440x900, at most {MAX_SCREEN[0]}x{MAX_SCREEN[1]})",
    )
    parser.add_argument(
        "--cell",
        choices=tuple(ALL_CELLS),
        default=None,
        help=f"cell (default {TrainConfig().cell}; {TrainConfig.classic().cell} with --classic)",
    )
    parser.add_argument(
        "--show", default=None, help="what the hidden-state panel shows (h, or a gate's name)"
    )
    parser.add_argument(
        "--task",
        choices=tuple(TASKS),
        default="classify",
        help="classify, or lm (a language model)",
    )
    parser.add_argument("--level", choices=LEVELS, default="word", help="a language model's tokens")
    parser.add_argument(
        "--run",
        action="append",
        default=[],
        metavar="KEY=VALUE[,KEY=VALUE]",
        help="a run beside the window's own (Runs > Add a run), e.g. cell=lstm; repeatable",
    )
    parser.add_argument(
        "--tab",
        choices=("calibration", "dynamics"),
        default=None,
        help="the tab to bring to the front in the bottom-right corner",
    )
    parser.add_argument(
        "--classic",
        action="store_true",
        help="the classic tutorial's settings (as rnnviz train --classic) instead of the defaults",
    )
    parser.add_argument(
        "--colours", choices=COLOUR_SCHEMES, default="light", help="colour scheme (default light)"
    )
    parser.add_argument(
        "--scene",
        choices=SCENES,
        default="window",
        help="what to picture: the window, the plots' crosshair readouts, the question before "
        "discarding a trained model, the loss after a long run (linear and log: two files), an "
        "exported report (--out is then a folder), the unit inspector on the unit that the word "
        "'not' of --text switches on most (and the window: two files), the window with the "
        "--lesson open and trained until its checks are measured, the memory horizon of the cells "
        "on screen (Runs menu; the --lesson's, if given), the state-space tab in front (and the "
        "panel maximised: two files), the same sentence a tenth of the way through the run on "
        "the timeline and at its end (two files)",
    )
    parser.add_argument(
        "--lesson",
        choices=lesson_names(),
        default=None,
        help="the lesson of --scene lesson (its own data, settings and runs; --steps unused)",
    )


def run_screenshot(args: argparse.Namespace) -> int:
    width, height = args.size
    if (
        args.scene == "lesson"
        and args.lesson is None
        or (args.lesson is not None and args.scene not in LESSON_SCENES)
    ):
        raise RnnvizError(
            "--scene lesson and --lesson NAME go together (--scene horizon may have it)"
        )
    report = args.scene == "report"  # --out is the folder the report is written into
    checked_output_path(args.out, "screenshot", 4 * width * height, into_folder=report)
    dataset = args.data or DEFAULT_DATASET
    paths = take_screenshot(
        args.out,
        dataset,
        args.steps,
        args.text,
        args.size,
        args.cell,
        args.show,
        args.colours,
        args.scene,
        args.classic,
        args.tab,
        tuple(args.run),
        {"task": args.task, "level": args.level},
        args.lesson,
    )
    for path in paths:
        print(printable(f"saved {path}"))
    return 0
