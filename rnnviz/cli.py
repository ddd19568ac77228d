"""`rnnviz` command line: the window by default, and headless subcommands."""

import argparse
import sys

from .commands import evaluate, gradcheck, predict, train, window
from .core.errors import RnnvizError

COMMANDS = {
    "window": ((window.add_arguments, window.run), "open the desktop window (the default)"),
    "screenshot": (
        (window.add_screenshot_arguments, window.run_screenshot),
        "open the window offscreen, train, type, save a PNG",
    ),
    "train": ((train.add_arguments, train.run), "train a model headless"),
    "predict": (
        (predict.add_arguments, predict.run),
        "class probabilities of a sentence under a saved model",
    ),
    "eval": (
        (evaluate.add_arguments, evaluate.run),
        "loss, accuracy and confusion matrix of a saved model",
    ),
    "gradcheck": (
        (gradcheck.add_arguments, gradcheck.run),
        "check backprop against finite differences",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rnnviz", description="Watch a from-scratch NumPy RNN learn sentiment."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, ((add_arguments, handler), help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(command)
        command.set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rnnviz` command and of `python main.py`; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command is None:
        args.handler = window.run
    try:
        return args.handler(args)
    except RnnvizError as error:
        print(f"rnnviz: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rnnviz: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
