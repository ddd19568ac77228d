"""`rnnviz eval`: loss, accuracy and confusion matrix of a saved model on a dataset."""

import argparse

import numpy as np

from ..core.data.batching import EncodedSet
from ..core.errors import RnnvizError
from ..core.train import checkpoint
from ..core.train.trainer import score
from .options import add_data_arguments, load_data
from .output import Output, add_output_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, metavar="MODEL.npz", help="a saved checkpoint")
    add_data_arguments(parser)
    parser.add_argument(
        "--split",
        choices=("test", "all"),
        default="all",
        help="the data's own test part, or every example (default)",
    )
    add_output_arguments(parser, "stdout is one JSON object: loss, accuracy, confusion")


def run(args: argparse.Namespace) -> int:
    out = Output.of(args)
    ckpt = checkpoint.load(args.model)
    data = load_data(args, out)
    if set(data.classes) - set(ckpt.classes):
        raise RnnvizError(
            f"the data has classes {list(data.classes)}, the model knows {list(ckpt.classes)}"
        )
    keep = [i for i, part in enumerate(data.parts) if args.split == "all" or part == "test"]
    if not keep:
        raise RnnvizError(f"{data.name} has no test part of its own; use --split all")
    data = data.subset(keep, args.split)
    to_model = np.array([ckpt.classes.index(c) for c in data.classes])
    labels = to_model[data.labels]
    encoded = EncodedSet.build(data.texts, labels, ckpt.vocab, ckpt.config.max_len or None)
    loss, accuracy, confusion = score(ckpt.model, encoded)
    out.say(f"{data.name}: {len(encoded)} sentences. Loss {loss:.4f} | Accuracy {accuracy:.3f}")
    width = max(len(c) for c in ckpt.classes) + 2
    out.say("confusion (rows: true, columns: predicted)")
    out.say(" " * width + "".join(f"{c:>{width}}" for c in ckpt.classes))
    for name, row in zip(ckpt.classes, confusion, strict=True):
        out.say(f"{name:>{width}}" + "".join(f"{n:>{width}}" for n in row))
    out.record(
        {
            "loss": loss,
            "accuracy": accuracy,
            "classes": list(ckpt.classes),
            "confusion": confusion.tolist(),
            "sentences": len(encoded),
        }
    )
    return 0
