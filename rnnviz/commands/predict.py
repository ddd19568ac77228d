"""`rnnviz predict`: class probabilities of sentences under a saved model.

One sentence on the command line gets a readable answer (or one JSON object under --json). With
--input FILE (or "-" for stdin, also used when no sentence is given and stdin is not a terminal),
every line is a sentence and stdout is CSV (text, prediction, one probability column per class,
unknown words), or JSON Lines under --json, one row per input line in order.
"""

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

from ..core.data.batching import EncodedSet
from ..core.data.importers import ReadReport, read_stream, read_text, split_lines
from ..core.errors import RnnvizError
from ..core.insight.probe import probe
from ..core.train.calibration import probabilities
from ..core.train.scoring import logits_of
from .options import (
    add_calibration_argument,
    add_model_arguments,
    apply_calibration_argument,
    load_model,
)
from .output import Output, add_output_arguments, printable
from .sample import classifier_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    parser.add_argument(
        "--input",
        metavar="FILE",
        help='sentences, one per line ("-": standard input); writes a row per line',
    )
    add_calibration_argument(parser)
    add_output_arguments(
        parser,
        "stdout is JSON: one object for one sentence (probabilities, prediction, tokens, "
        "unknown), a JSON Lines row per sentence with --input",
    )
    parser.add_argument("text", nargs="*", help="the sentence (quote it, or give it as words)")


def run(args: argparse.Namespace) -> int:
    out = Output.of(args)
    if args.text and args.input:
        raise RnnvizError("give a sentence or --input, not both")
    ckpt = load_model(args)
    classifier_of(ckpt, args.model)
    apply_calibration_argument(args, ckpt.model)
    if args.text:
        return _one(out, ckpt, " ".join(args.text))
    if args.input is None and sys.stdin.isatty():
        raise RnnvizError("give a sentence, or sentences with --input FILE (or on stdin)")
    return _many(out, ckpt, _read_lines(args.input or "-", out))


def _one(out: Output, ckpt, text: str) -> int:
    result = probe(ckpt.model, ckpt.vocab, text)
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


def _read_lines(source: str, out: Output) -> list[str]:
    """The sentences of a file or of standard input ("-"), decoded as --data files are (a note
    says how, when not as UTF-8), one per line: split at line ends only, so that a form feed or
    U+2028 inside a line never makes two rows of it."""
    report = ReadReport()
    if source == "-":
        text = read_stream(sys.stdin.buffer, "standard input", report)
    else:
        text = read_text(Path(source), report)
    for note in report.notes:
        out.note(note)
    return split_lines(text)


def _many(out: Output, ckpt, lines: list[str]) -> int:
    """All sentences in batches; a line without words gets an empty prediction. The CSV's
    fields are printable() (a row is one line whatever the text holds); JSON is exact."""
    classes = list(ckpt.classes)
    encoded = EncodedSet.build(lines, np.zeros(len(lines), dtype=np.int64), ckpt.vocab)
    probs = probabilities(logits_of(ckpt.model, encoded)[0], ckpt.model.temperature)
    writer = None if out.json_lines else csv.writer(sys.stdout, lineterminator="\n")
    if writer:
        header = ["text", "prediction", *(f"p_{c}" for c in classes), "unknown"]
        writer.writerow(map(printable, header))
    for text, row in zip(lines, probs, strict=True):
        encoded_line = ckpt.vocab.encode(text)
        tokens = encoded_line.tokens
        unknown = [t for t, u in zip(tokens, encoded_line.unknown, strict=True) if u]
        best = classes[int(row.argmax())] if tokens else None
        if writer:
            shown = [f"{p:.6f}" for p in row] if tokens else [""] * len(classes)
            writer.writerow(map(printable, [text, best or "", *shown, " ".join(unknown)]))
        else:
            shown = dict(zip(classes, map(float, row), strict=True)) if tokens else None
            record = {"text": text, "prediction": best, "probabilities": shown, "unknown": unknown}
            print(json.dumps(record))
    return 0
