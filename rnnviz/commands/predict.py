"""`rnnviz predict`: class probabilities of a sentence under a saved model."""

import argparse
import json

from ..core import checkpoint
from ..core.probe import probe


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, metavar="MODEL.npz", help="a saved checkpoint")
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object: probabilities, unknown"
    )
    parser.add_argument("text", nargs="+", help="the sentence (quote it, or give it as words)")


def run(args: argparse.Namespace) -> int:
    ckpt = checkpoint.load(args.model)
    result = probe(ckpt.model, ckpt.vocab, " ".join(args.text))
    unknown = [tok for tok, unk in zip(result.tokens, result.unknown, strict=True) if unk]
    final = result.final
    probs = (
        None if final is None else {c: float(p) for c, p in zip(ckpt.classes, final, strict=True)}
    )
    if args.json:
        print(json.dumps({"probabilities": probs, "unknown": unknown, "tokens": result.tokens}))
        return 0
    if probs is None:
        print("no words in the text: nothing to predict")
        return 0
    best = max(probs, key=probs.get)
    for name, p in probs.items():
        print(f"{name:>12}  {p:6.1%}  {'#' * round(30 * p)}")
    print(f"prediction: {best}")
    if unknown:
        print(f"unknown words (read as <unk>): {', '.join(unknown)}")
    return 0
