"""`rnnviz eval`: accuracy, NLL, ECE, per-class precision/recall/F1 and the confusion matrix of a
saved model on a dataset."""

import argparse

import numpy as np

from ..core.data.batching import EncodedSet
from ..core.data.corpus import NextTokenSet
from ..core.errors import RnnvizError
from ..core.train.scoring import score
from ..core.words import plural
from .options import (
    add_calibration_argument,
    add_data_arguments,
    add_model_arguments,
    apply_calibration_argument,
    load_data,
    load_model,
)
from .output import Output, add_output_arguments, note_unknown


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    add_data_arguments(parser, held_out=False)
    parser.add_argument(
        "--split",
        choices=("auto", "test", "all"),
        default="auto",
        help="the data's own test part, or every example; auto (default): the test part when "
        "the data has one (a bundled set's training part is what the model learned from), else "
        "every example",
    )
    add_calibration_argument(parser)
    add_output_arguments(
        parser, "stdout is one JSON object: accuracy, NLL, ECE, per-class figures, confusion"
    )


def run(args: argparse.Namespace) -> int:
    out = Output.of(args)
    ckpt = load_model(args)
    data = load_data(args, out)
    if ckpt.model.is_language_model:
        return _language_model(args, out, ckpt, data)
    if set(data.classes) - set(ckpt.classes):
        raise RnnvizError(
            f"the data has classes {list(data.classes)}, the model knows {list(ckpt.classes)}"
        )
    data = _selected(args, data, out)
    to_model = np.array([ckpt.classes.index(c) for c in data.classes])
    labels = to_model[data.labels]
    encoded = EncodedSet.build(data.texts, labels, ckpt.vocab, ckpt.config.max_len or None)
    apply_calibration_argument(args, ckpt.model)
    scores = score(ckpt.model, encoded, confusion=True)
    per_class = per_class_figures(scores.confusion)
    note_unknown(out, encoded.unknown_share(), data.name)
    out.say(
        f"{data.name}: {plural(len(encoded), 'sentence')}. Accuracy {scores.accuracy:.3f} | NLL "
        f"{scores.loss:.4f} | ECE {scores.ece:.3f} (temperature {ckpt.model.temperature:.3f})"
    )
    width = max(max(len(c) for c in ckpt.classes) + 2, 11)
    out.say(f"{'':>{width}}{'precision':>11}{'recall':>11}{'F1':>11}{'support':>11}")
    for name, figures in zip(ckpt.classes, per_class, strict=True):
        out.say(
            f"{name:>{width}}{figures['precision']:>11.3f}{figures['recall']:>11.3f}"
            f"{figures['f1']:>11.3f}{figures['support']:>11}"
        )
    out.say("confusion (rows: true, columns: predicted)")
    out.say(" " * width + "".join(f"{c:>{width}}" for c in ckpt.classes))
    for name, row in zip(ckpt.classes, scores.confusion, strict=True):
        out.say(f"{name:>{width}}" + "".join(f"{n:>{width}}" for n in row))
    out.record(
        {
            "accuracy": scores.accuracy,
            "nll": scores.loss,
            "ece": scores.ece,
            "temperature": ckpt.model.temperature,
            "classes": list(ckpt.classes),
            "per_class": dict(zip(ckpt.classes, per_class, strict=True)),
            "confusion": scores.confusion.tolist(),
            "sentences": len(encoded),
        }
    )
    return 0


def _selected(args: argparse.Namespace, data, out: Output):
    """The part of the data --split names (auto: its own test part if it has one), and a note of
    which it is."""
    split = args.split
    if split == "auto":
        split = "test" if "test" in data.parts else "all"
    keep = [i for i, part in enumerate(data.parts) if split == "all" or part == "test"]
    if not keep:
        raise RnnvizError(f"{data.name} has no test part of its own; use --split all")
    out.note(
        f"evaluated on the test part of {data.name}"
        if split == "test"
        else f"evaluated on all of {data.name}"
    )
    return data.subset(keep, split)


def _language_model(args, out: Output, ckpt, data) -> int:
    """Perplexity and next-token accuracy of a language model on the data's sentences."""
    data = _selected(args, data, out)
    encoded = NextTokenSet.build_lm(
        data.texts, ckpt.vocab, ckpt.config.level, ckpt.config.max_len or None
    )
    scores = score(ckpt.model, encoded)
    perplexity = float(np.exp(scores.loss))
    predictions = int(encoded.lengths().sum())
    note_unknown(out, encoded.unknown_share(), data.name)
    out.say(
        f"{data.name}: {plural(len(encoded), 'sentence')}, "
        f"{plural(predictions, f'next-{ckpt.config.level} prediction')}. Perplexity "
        f"{perplexity:.3f} | loss {scores.loss:.4f} per token | "
        f"next-token accuracy {scores.accuracy:.3f} | unknown {encoded.unknown_share():.1%}"
    )
    out.record(
        {
            "perplexity": perplexity,
            "nll": scores.loss,
            "accuracy": scores.accuracy,
            "sentences": len(encoded),
            "predictions": predictions,
            "unknown_share": encoded.unknown_share(),
            "level": ckpt.config.level,
        }
    )
    return 0


def per_class_figures(confusion: np.ndarray) -> list[dict]:
    """Per class c: precision = n_cc / sum_r n_rc, recall = n_cc / sum_k n_ck, their harmonic
    mean F1, and support = sum_k n_ck (rows: true class, columns: predicted)."""
    right = np.diag(confusion).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.nan_to_num(right / confusion.sum(axis=0))
        recall = np.nan_to_num(right / confusion.sum(axis=1))
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
    support = confusion.sum(axis=1)
    return [
        {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(n)}
        for p, r, f, n in zip(precision, recall, f1, support, strict=True)
    ]
