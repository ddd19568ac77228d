"""`rnnviz predict`: class probabilities of a sentence under a saved model."""

import argparse

from ..core.probe import probe
from ..core.train import checkpoint
from .output import Output, add_output_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, metavar="MODEL.npz", help="a saved checkpoint")
    add_output_arguments(
        parser, "stdout is one JSON object: probabilities, prediction, tokens, unknown"
    )
    parser.add_argument("text", nargs="+", help="the sentence (quote it, or give it as words)")


def run(args: argparse.Namespace) -> int:
    out = Output.of(args)
    ckpt = checkpoint.load(args.model)
    result = probe(ckpt.model, ckpt.vocab, " ".join(args.text))
    unknown = [tok for tok, unk in zip(result.tokens, result.unknown, strict=True) if unk]
    final = result.final
    probs = (
        None if final is None else {c: float(p) for c, p in zip(ckpt.classes, final, strict=True)}
    )
    best = None if probs is None else max(probs, key=probs.get)
    out.record(
        {"probabilities": probs, "prediction": best, "unknown": unknown, "tokens": result.tokens}
    )
    if out.json_lines:
        return 0
    if probs is None:
        out.say("no words in the text: nothing to predict")
        return 0
    for name, p in probs.items():
        out.say(f"{name:>12}  {p:6.1%}  {'#' * round(30 * p)}")
    out.say(f"prediction: {best}")
    if unknown:
        out.say(f"unknown words (read as <unk>): {', '.join(unknown)}")
    return 0
