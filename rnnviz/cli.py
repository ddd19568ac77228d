"""`rnnviz` command line: the window by default, and headless subcommands."""

import argparse
import difflib
import importlib
import os
import sys
from contextlib import nullcontext

from . import __version__, commands
from .commands import interrupts
from .commands.numbers import whole
from .commands.output import printable
from .core.errors import RnnvizError
from .core.heap import keep_freed_memory
from .core.words import bytes_text

# One BLAS thread by default: on sentence-sized matrices a second thread gains nothing on an idle
# 2-core machine (0.99x) and loses 2.8x when the other core is busy (bench.py --only cli).
DEFAULT_THREADS = 1
MAX_THREADS = 1024  # BLAS libraries' own limit is far below

# name -> (its module in rnnviz.commands, the function adding its options, the one running it,
# its help). A command's module is imported only when that command is given (CommandParser).
COMMANDS = {
    "window": ("window", "add_window_arguments", "run", "open the desktop window (the default)"),
    "screenshot": (
        "window",
        "add_screenshot_arguments",
        "run_screenshot",
        "open the window offscreen, train, type, save a PNG",
    ),
    "train": ("train", "add_arguments", "run", "train a model headless"),
    "compare": (
        "compare",
        "add_arguments",
        "run",
        "train 2-4 runs side by side on the same batches",
    ),
    "horizon": (
        "horizon",
        "add_arguments",
        "run",
        "how far back each cell remembers, on a generated memory task",
    ),
    "lesson": (
        "lesson",
        "add_arguments",
        "run",
        "the lessons: list, read, or --check one headless",
    ),
    "predict": (
        "predict",
        "add_arguments",
        "run",
        "class probabilities of a sentence under a saved model",
    ),
    "sample": ("sample", "add_arguments", "run", "continue a prefix with a saved language model"),
    "eval": (
        "evaluate",
        "add_arguments",
        "run",
        "loss, accuracy and confusion matrix of a saved model",
    ),
    "explain": (
        "explain",
        "add_arguments",
        "run",
        "how much each word of a sentence pushes a saved model's answer",
    ),
    "units": (
        "units",
        "add_arguments",
        "run",
        "where hidden units of a saved model fire most on a dataset",
    ),
    "states": (
        "states",
        "add_arguments",
        "run",
        "the state space of a saved model: principal components, fixed points, eigenvalues",
    ),
    "report": (
        "report",
        "add_arguments",
        "run",
        "a saved model or history as one self-contained, interactive HTML page",
    ),
    "gradcheck": ("gradcheck", "add_arguments", "run", "check backprop against finite differences"),
    "export": (
        "export",
        "add_arguments",
        "run",
        "write a saved model for PyTorch (safetensors) or ONNX Runtime (.onnx)",
    ),
}
HEADLESS = (
    "train",
    "compare",
    "horizon",
    "lesson",
    "predict",
    "sample",
    "eval",
    "explain",
    "units",
    "states",
    "report",
    "gradcheck",
    "export",
)


def command_module(name: str):
    """The module of rnnviz.commands that command `name` lives in, imported now."""
    return importlib.import_module(f"{commands.__name__}.{COMMANDS[name][0]}")


class Parser(argparse.ArgumentParser):
    """argparse, quoting the user's words in its errors ("invalid float value: ...") printable."""

    def error(self, message: str):
        super().error(printable(message))


class CommandParser(Parser):
    """A subcommand's parser that imports its command's module and adds its options when it is
    first used (parsing, usage or help): `rnnviz --version` and every command pay only for the
    imports of the command given (importing every command's module took 0.25-0.3 s)."""

    def __init__(self, *args, command: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.command = command

    def fill(self) -> None:
        if self.command is None:
            return
        name, self.command = self.command, None
        _, add_arguments, run, _ = COMMANDS[name]
        module = command_module(name)
        getattr(module, add_arguments)(self)
        if name in HEADLESS:
            self.add_argument(
                "--threads",
                type=whole(1, MAX_THREADS),
                default=DEFAULT_THREADS,
                metavar="N",
                help=f"BLAS threads for the math (default {DEFAULT_THREADS})",
            )
        self.set_defaults(handler=getattr(module, run))

    def parse_known_args(self, args=None, namespace=None):
        self.fill()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        self.fill()
        return super().format_usage()

    def format_help(self) -> str:
        self.fill()
        return super().format_help()


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="rnnviz", description="Watch a from-scratch NumPy RNN learn sentiment.")
    parser.add_argument("--version", action="version", version=f"rnnviz {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)
    parser.commands = {  # name -> its parser, for errors in that command's own words
        name: sub.add_parser(name, help=help_text, description=help_text, command=name)
        for name, (*_, help_text) in COMMANDS.items()
    }
    return parser


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Parsed arguments; an unknown option is refused by the command it was given to, with its
    usage and the options it is closest to (argparse alone blames the top-level command)."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        command = parser.commands.get(args.command, parser)
        names = {  # compared without dashes: "--out" is not close to "--dropout"
            o.lstrip("-"): o for action in command._actions for o in action.option_strings
        }
        close = [
            names[match]
            for word in unknown
            if word.startswith("--")
            for match in difflib.get_close_matches(word.split("=")[0][2:], names, n=2, cutoff=0.7)
        ]
        hint = f" (did you mean {' or '.join(dict.fromkeys(close))}?)" if close else ""
        command.error(f"unrecognized arguments: {' '.join(unknown)}{hint}")
    return args


def out_of_memory(error: MemoryError) -> str:
    """What ran out, in one line: NumPy's own words say how large the array was; a limit on the
    process's address space (ulimit -v) is named."""
    import resource

    asked = str(error).rstrip(".") or "an allocation failed"
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    cap = f"; this process may use {bytes_text(limit)} (ulimit -v)" if limit > 0 else ""
    return (
        f"out of memory: {asked[0].lower()}{asked[1:]}{cap}. Lower --hidden, --batch-size or "
        "the longest sentence (--max-len), or free memory"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rnnviz` command and of `python main.py`; returns the exit status."""
    args = parse(argv)
    from threadpoolctl import threadpool_limits  # here: `rnnviz --version` has exited already

    keep_freed_memory()  # training steps reuse their freed arrays instead of page-faulting them in
    if args.command is None:
        args.handler = command_module("window").run
    try:
        threads = getattr(args, "threads", None)
        headless = args.command in HEADLESS  # the window keeps Qt's own ways
        with threadpool_limits(limits=threads), interrupts.raising() if headless else nullcontext():
            return args.handler(args)
    except RnnvizError as error:
        print(f"rnnviz: error: {printable(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as error:
        if isinstance(error, interrupts.Interrupted):
            print(f"rnnviz: interrupted by {error}", file=sys.stderr)
            return error.exit_status
        print("rnnviz: interrupted", file=sys.stderr)
        return 130
    except MemoryError as error:
        print(f"rnnviz: error: {out_of_memory(error)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `rnnviz ... | head`: the reader left; stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
