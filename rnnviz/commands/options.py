"""Command-line options shared by several subcommands: data sources and hyperparameters."""

import argparse
from dataclasses import fields

from ..core.config import DTYPES, TrainConfig
from ..core.datasets import Dataset, bundled_names, load
from ..core.importers import FORMAT_HELP, FORMATS
from ..core.init import INIT_SCHEMES
from ..core.optim import CLIP_MODES, OPTIMIZERS
from .output import Output

# flag -> (config field, type, choices, help)
HYPERPARAMETERS = {
    "--hidden": ("hidden_size", int, None, "hidden units H"),
    "--lr": ("lr", float, None, "learning rate"),
    "--optimizer": ("optimizer", str, tuple(OPTIMIZERS), "optimizer"),
    "--clip-mode": ("clip_mode", str, CLIP_MODES, "gradient clipping"),
    "--clip": ("clip", float, None, "clip threshold c"),
    "--batch-size": ("batch_size", int, None, "sentences per mini-batch"),
    "--epochs": ("epochs", int, None, "passes over the training split"),
    "--bptt-truncate": ("bptt_truncate", int, None, "backprop only the last K steps (0 = full)"),
    "--init": ("init", str, INIT_SCHEMES, "weight initialisation"),
    "--seed": ("seed", int, None, "seed of weights, split and batch order"),
    "--dtype": ("dtype", str, DTYPES, "floating-point type"),
    "--test-fraction": ("test_fraction", float, None, "test share when the data has no split"),
    "--validation-fraction": ("validation_fraction", float, None, "validation share (0 = none)"),
    "--patience": ("patience", int, None, "early stopping after N epochs without progress"),
    "--max-len": ("max_len", int, None, "cut sentences to N tokens (0 = no limit)"),
    "--max-vocab": ("max_vocab", int, None, "largest vocabulary, <pad> and <unk> included"),
    "--min-count": ("min_count", int, None, "drop words seen fewer times in training"),
    "--eval-every": ("eval_every", int, None, "steps between test evaluations (0 = per epoch)"),
}


def add_data_arguments(parser: argparse.ArgumentParser, required: bool = True) -> None:
    formats = "; ".join(f"{k}: {v}" for k, v in FORMAT_HELP.items())
    parser.add_argument(
        "--data",
        action="append",
        required=required,
        metavar="NAME_OR_PATH",
        help=f"bundled dataset ({', '.join(bundled_names())}) or a file/folder; "
        "repeat to combine several",
    )
    parser.add_argument(
        "--format",
        default="auto",
        choices=FORMATS,
        help=f"file format (default: by extension). {formats}",
    )
    parser.add_argument(
        "--lenient",
        action="store_true",
        help="skip malformed lines (and count them) instead of stopping",
    )


def add_hyperparameter_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = TrainConfig()
    group = parser.add_argument_group("hyperparameters")
    for flag, (name, kind, choices, help_text) in HYPERPARAMETERS.items():
        default = getattr(defaults, name)
        group.add_argument(
            flag,
            dest=name,
            type=kind,
            choices=choices,
            default=None,
            help=f"{help_text} (default {default})",
        )


def config_from(args: argparse.Namespace, base: TrainConfig | None = None) -> TrainConfig:
    """The config given on the command line, on top of `base` (defaults when None)."""
    given = {
        f.name: getattr(args, f.name)
        for f in fields(TrainConfig)
        if getattr(args, f.name, None) is not None
    }
    return (base or TrainConfig()).updated(**given)


def load_data(args: argparse.Namespace, out: Output) -> Dataset:
    data = load(args.data, args.format, args.lenient)
    for note in data.notes:
        out.note(note)
    return data
