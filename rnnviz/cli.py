"""`rnnviz` command line: the window by default, and headless subcommands."""

import argparse
import sys

from .commands import evaluate, gradcheck, predict, train
from .core.errors import RnnvizError

COMMANDS = {
    "train": (train, "train a model headless"),
    "predict": (predict, "class probabilities of a sentence under a saved model"),
    "eval": (evaluate, "loss, accuracy and confusion matrix of a saved model"),
    "gradcheck": (gradcheck, "check backprop against finite differences"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rnnviz", description="Watch a from-scratch NumPy RNN learn sentiment."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rnnviz` command and of `python main.py`; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command is None:
        build_parser().print_help()
        return 0
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
