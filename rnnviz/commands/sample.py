"""`rnnviz sample`: continuations of a prefix under a saved language model, and the distribution
of the next token after it."""

import argparse

import numpy as np

from ..core.errors import RnnvizError
from ..core.generate import TEMPERATURE_RANGE, read_prefix, sample
from .numbers import real, seed, whole
from .options import add_model_arguments, load_model
from .output import Output, add_output_arguments

TOP = 10  # next tokens listed
MAX_SAMPLES = 1000  # -n: drawn as one batch, n x V probabilities a step
MAX_TOKENS = 10_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser, "a language model")
    parser.add_argument("--prefix", default="", help="the text to continue (default: nothing)")
    parser.add_argument(
        "--temperature",
        type=real(*TEMPERATURE_RANGE),
        default=1.0,
        help="softmax(logits / T), T from 0.001 to 1000: below 1 safer, above 1 wilder (default 1)",
    )
    parser.add_argument(
        "-n", type=whole(1, MAX_SAMPLES), default=5, help="continuations (default 5)"
    )
    parser.add_argument("--seed", type=seed, default=0, help="the same seed gives the same samples")
    parser.add_argument(
        "--max-tokens", type=whole(1, MAX_TOKENS), default=None, help="stop a sample after N tokens"
    )
    add_output_arguments(
        parser, "stdout is one JSON object: prefix, tokens, next (top 10), samples"
    )


def run(args: argparse.Namespace) -> int:
    out = Output.of(args)
    ckpt = load_model(args)
    model = language_model_of(ckpt, args.model)
    level = ckpt.config.level
    prefix = read_prefix(model, ckpt.vocab, args.prefix, level, args.temperature)
    top = np.argsort(-prefix.next, kind="stable")[:TOP]
    following = {ckpt.vocab.tokens[i]: float(prefix.next[i]) for i in top}
    texts = sample(
        model, ckpt.vocab, args.prefix, level, args.temperature, args.n, args.seed, args.max_tokens
    )
    unknown = [t for t, u in zip(prefix.tokens, prefix.unknown, strict=True) if u]
    out.record(
        {
            "prefix": args.prefix,
            "tokens": prefix.tokens,
            "unknown": unknown,
            "next": following,
            "samples": texts,
            "temperature": args.temperature,
            "level": level,
        }
    )
    glue = "" if level == "char" or not args.prefix else " "
    out.say(f"after {args.prefix!r} the next token is likely:")
    for token, p in following.items():
        out.say(f"  {token!r:>16} {p:6.1%}")
    if unknown:
        out.say(f"unknown in the prefix (read as <unk>): {', '.join(unknown)}")
    out.say(f"samples at temperature {args.temperature:g}:")
    for text in texts:
        out.say(f"  {args.prefix}{glue}{text}")
    return 0


def language_model_of(ckpt, path: str):
    """The checkpoint's model, refused unless it is a language model."""
    if not ckpt.model.is_language_model:
        raise RnnvizError(
            f"{path} is a sentence classifier, not a language model: train one with "
            "rnnviz train --task lm"
        )
    return ckpt.model


def classifier_of(ckpt, path: str):
    """The checkpoint's model, refused if it is a language model."""
    if ckpt.model.is_language_model:
        raise RnnvizError(
            f"{path} is a language model: it continues text (rnnviz sample) rather than "
            "classifying it"
        )
    return ckpt.model
