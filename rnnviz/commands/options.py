"""Command-line options shared by several subcommands: data sources and hyperparameters."""

import argparse
from dataclasses import fields
from pathlib import Path

from ..core.data.datasets import Dataset, bundled_names, load, resolve
from ..core.data.importers import FORMAT_HELP, FORMATS, MAX_FILE_BYTES
from ..core.data.tasks import TASKS, is_task
from ..core.train import checkpoint
from ..core.train.checkpoint import Checkpoint
from ..core.train.config import CLASSIC_SETTINGS, HYPERPARAMETERS, TrainConfig, sized_for
from ..core.train.history import DEFAULT_BUDGET_MB
from .numbers import real, whole
from .output import Output

MAX_FILE_MB = 2.0**20  # a terabyte: --max-file-mb is a guard, not a goal


def add_data_arguments(
    parser: argparse.ArgumentParser, required: bool = True, held_out: bool = True
) -> None:
    """--data and how to read it; held_out adds --test and --validation."""
    formats = "; ".join(f"{k}: {v}" for k, v in FORMAT_HELP.items())
    parser.add_argument(
        "--data",
        action="append",
        required=required,
        metavar="NAME_OR_PATH",
        help=f"bundled dataset ({', '.join(bundled_names())}), a generated task that needs "
        f"memory ({', '.join(TASKS)}, e.g. recall:distance=50,distractors=0.15), or a file/folder; "
        "repeat to combine several. A folder holding train.* and test.* (and optionally "
        "validation.*, valid.* or dev.*) files, or train/ and test/ class folders, keeps that "
        "split",
    )
    for part in ("test", "validation") if held_out else ():
        parser.add_argument(
            f"--{part}",
            action="append",
            default=[],
            metavar="PATH",
            help=f"a {part} file or folder (any format; repeatable): then --data is all training "
            f"data, and no {part} part is carved from it",
        )
    parser.add_argument(
        "--format",
        default="auto",
        choices=FORMATS,
        help=f"file format (default: by extension). {formats}",
    )
    parser.add_argument(
        "--max-file-mb",
        type=real(0.0, MAX_FILE_MB, low_open=True),
        default=MAX_FILE_BYTES / 2**20,
        metavar="MB",
        help=f"refuse data files larger than this (default {MAX_FILE_BYTES >> 20})",
    )
    parser.add_argument(
        "--lenient",
        action="store_true",
        help="skip malformed lines (and count them) instead of stopping",
    )


def add_hyperparameter_arguments(parser: argparse.ArgumentParser) -> None:
    """One option per row of the hyperparameter table, defaulting to TrainConfig's value."""
    defaults = TrainConfig()
    group = parser.add_argument_group("hyperparameters")
    group.add_argument(
        "--classic",
        action="store_true",
        help="start from the classic tutorial's settings instead of the defaults: "
        + ", ".join(f"{k.replace('_', '-')} {v}" for k, v in CLASSIC_SETTINGS.items())
        + " (options given beside it still apply)",
    )
    for h in HYPERPARAMETERS:
        group.add_argument(
            *(f"--{name}" for name in h.names),
            dest=h.field,
            type=h.kind,
            choices=h.choices,
            default=None,
            help=f"{h.help} (default {getattr(defaults, h.field)})",
        )


def given_settings(args: argparse.Namespace) -> dict:
    """The settings given on the command line."""
    return {
        f.name: getattr(args, f.name)
        for f in fields(TrainConfig)
        if getattr(args, f.name, None) is not None
    }


def config_from(args: argparse.Namespace, base: TrainConfig | None = None) -> TrainConfig:
    """The config given on the command line, on top of `base` (defaults when None)."""
    if base is None:
        base = TrainConfig.classic() if getattr(args, "classic", False) else TrainConfig()
    return base.updated(**given_settings(args))


def config_for(args: argparse.Namespace, data: Dataset) -> tuple[TrainConfig, str]:
    """config_from(args) sized for the data (sized_for: small data) unless --classic, and the
    note of what the size changed ("" if nothing)."""
    config = config_from(args)
    if getattr(args, "classic", False):
        return config, ""
    return sized_for(config, data, given_settings(args))


DOCUMENT_SUFFIXES = (".txt", ".md")


def load_data(args: argparse.Namespace, out: Output) -> Dataset:
    """The --data sources; for a language model (--task lm) a .txt or .md file is read as a
    plain document (format "text") unless --format says otherwise."""
    fmt = args.format
    documents = all(Path(s).suffix.lower() in DOCUMENT_SUFFIXES for s in args.data)
    if fmt == "auto" and getattr(args, "task", None) == "lm" and documents:
        fmt = "text"
    data = load(
        args.data,
        fmt,
        args.lenient,
        int(args.max_file_mb * 2**20),
        test=getattr(args, "test", ()),
        validation=getattr(args, "validation", ()),
    )
    for note in data.notes:
        out.note(note)
    return data


def data_paths(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """(option, path) of every --data, --test and --validation source, bundled names resolved:
    the files an output must not overwrite."""
    return [
        (f"--{option}", resolve(source))
        for option in ("data", "test", "validation")
        for source in getattr(args, option, None) or ()
        if not is_task(source)  # generated: no file to protect
    ]


def add_calibration_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--uncalibrated",
        action="store_true",
        help="ignore the temperature fitted after training (raw softmax probabilities)",
    )


def apply_calibration_argument(args: argparse.Namespace, model) -> None:
    """--uncalibrated: the model reports softmax(z), not softmax(z / T)."""
    if args.uncalibrated:
        model.temperature = 1.0


MAX_STEP = 10**12


def add_model_arguments(parser: argparse.ArgumentParser, what: str = "a saved checkpoint") -> None:
    """--model, and --step to read a history file's model at a past step."""
    parser.add_argument(
        "--model",
        required=True,
        metavar="MODEL.npz",
        help=f"{what}, or a run's history (rnnviz train --history): its last step's model",
    )
    parser.add_argument(
        "--step",
        type=whole(0, MAX_STEP),
        metavar="S",
        help="with a history file: the model after step S, replayed exactly (without the "
        "temperature fitted at the run's end)",
    )


def load_model(args: argparse.Namespace) -> Checkpoint:
    """The checkpoint --model names, or its history's model at --step."""
    if args.step is None:
        return checkpoint.load(args.model)
    from ..core.train import history_file  # only here: the other commands start faster

    saved = history_file.load(args.model)
    return history_file.model_at(saved.checkpoint, saved.history, args.step)


def add_history_budget_argument(parser: argparse.ArgumentParser, low: float, what: str) -> None:
    """--history-mb: the memory a run's history may take (history.py), at least `low`."""
    parser.add_argument(
        "--history-mb",
        type=real(low, 2.0**20),
        default=DEFAULT_BUDGET_MB,
        metavar="MB",
        help=f"the memory {what} may take (default {DEFAULT_BUDGET_MB}); past it, older copies "
        "thin out and a far step takes longer to replay",
    )
