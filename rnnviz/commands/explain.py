"""`rnnviz explain`: how much each word of a sentence pushes a saved model towards its answer."""

import argparse

import numpy as np

from ..core.errors import RnnvizError
from ..core.insight.saliency import METHODS, explain
from ..core.words import relative_figures
from .numbers import whole
from .options import (
    add_calibration_argument,
    add_model_arguments,
    apply_calibration_argument,
    load_model,
)
from .output import Output, add_output_arguments
from .sample import classifier_of

BAR_WIDTH = 20  # characters of the largest score's bar
DEFAULT_LAST = 1000  # words scored by default (occlusion's time grows with the square of it)
MAX_LAST = 100_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    parser.add_argument(
        "--method",
        choices=tuple(METHODS),
        default="occlusion",
        help="; ".join(f"{k}: {v}" for k, v in METHODS.items()) + " (default occlusion)",
    )
    parser.add_argument(
        "--class",
        dest="target",
        metavar="NAME",
        help="the class to explain (default: the predicted one)",
    )
    parser.add_argument(
        "--last",
        type=whole(1, MAX_LAST),
        default=DEFAULT_LAST,
        metavar="N",
        help=f"score only the last N words (default {DEFAULT_LAST}; the others' score is null)",
    )
    add_calibration_argument(parser)
    add_output_arguments(
        parser, "stdout is one JSON object: method, class, probabilities, words (token, score)"
    )
    parser.add_argument("text", nargs="+", help="the sentence (quote it, or give it as words)")


def run(args: argparse.Namespace) -> int:
    out = Output.of(args)
    ckpt = load_model(args)
    classifier_of(ckpt, args.model)
    apply_calibration_argument(args, ckpt.model)
    target = None
    if args.target is not None:
        if args.target not in ckpt.classes:
            raise RnnvizError(f"no class {args.target!r}; the model knows {list(ckpt.classes)}")
        target = ckpt.classes.index(args.target)
    result = explain(ckpt.model, ckpt.vocab, " ".join(args.text), args.method, target, args.last)
    if result is None:
        out.record({"method": args.method, "class": None, "probabilities": None, "words": []})
        out.say("no words in the text: nothing to explain")
        return 0
    out.record(result.as_dict(ckpt.classes))
    if len(result.tokens) > args.last:
        out.note(f"scored the last {args.last} of {len(result.tokens)} words (--last)")
    name = ckpt.classes[result.target]
    out.say(
        f"{name} {result.probs[result.target]:.1%} · {args.method}: "
        f"{METHODS[args.method]} (+ for {name}, − against)"
    )
    scale = max(float(np.nanmax(np.abs(result.scores))), 1e-12)
    figures = relative_figures([float(v) for v in result.scores])
    rows = zip(result.tokens, result.unknown, result.scores, figures, strict=True)
    for token, unknown, score, figure in rows:
        if np.isnan(score):
            continue
        bar = ("+" if score > 0 else "−") * round(BAR_WIDTH * abs(score) / scale)
        shown = f"{token} (unknown)" if unknown else token
        out.say(f"{shown:>20} {figure:>10} {bar}")
    return 0
