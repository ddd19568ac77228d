"""RNN vs a bag-of-words logistic regression on the same seeded split.

    python tests/benchmarks/compare_bow.py [--data negation] [--data ../shared/data/*.txt] [--json]

Each --data group (repeatable; several paths in one group are pooled) is split once (seeded,
stratified 80/20 unless it has its own split); the RNN trains with rnnviz's defaults (plus any
overrides) and the unigram logistic regression fits the same training part. Prints test accuracy.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from rnnviz.core.data.batching import EncodedSet  # noqa: E402
from rnnviz.core.data.datasets import bundled_names, load, split  # noqa: E402
from rnnviz.core.data.text import Vocabulary, tokenize  # noqa: E402
from rnnviz.core.train.config import TrainConfig  # noqa: E402
from rnnviz.core.train.experiment import Experiment  # noqa: E402
from rnnviz.core.train.scoring import score  # noqa: E402
from rnnviz.resources import resource_dir  # noqa: E402


def bag_of_words(texts, vocab: Vocabulary) -> np.ndarray:
    """(N, V) binary unigram presence."""
    X = np.zeros((len(texts), len(vocab)))
    for row, text in enumerate(texts):
        X[row, vocab.ids(tokenize(text))] = 1.0
    return X


def logistic_regression(X, y, classes: int, l2: float = 1e-3, steps: int = 2000, lr: float = 0.1):
    """Softmax regression, full-batch Adam on mean cross-entropy + l2/2 ||W||^2. Returns (W, b)."""
    N, V = X.shape
    W, b = np.zeros((V, classes)), np.zeros(classes)
    Y = np.eye(classes)[y]
    m = [np.zeros_like(W), np.zeros_like(b)]
    v = [np.zeros_like(W), np.zeros_like(b)]
    for t in range(1, steps + 1):
        z = X @ W + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        dz = (p - Y) / N
        grads = [X.T @ dz + l2 * W, dz.sum(axis=0)]
        for i, (param, g) in enumerate(zip((W, b), grads, strict=True)):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            param -= lr * (m[i] / (1 - 0.9**t)) / (np.sqrt(v[i] / (1 - 0.999**t)) + 1e-8)
    return W, b


def bow_accuracy(train, test, extra=None, l2s=(1e-4, 1e-3, 1e-2)) -> tuple[float, float, float]:
    """Best test accuracy over a few l2 strengths (a generous baseline), that l2, and the same
    model's accuracy on `extra` (NaN without it)."""
    vocab = Vocabulary.build(tokenize(t) for t in train.texts)
    Xtr, Xte = bag_of_words(train.texts, vocab), bag_of_words(test.texts, vocab)
    Xex = None if extra is None else bag_of_words(extra.texts, vocab)
    best = (0.0, 0.0, float("nan"))
    for l2 in l2s:
        W, b = logistic_regression(Xtr, train.labels, len(train.classes), l2)
        acc = float(np.mean((Xte @ W + b).argmax(axis=1) == test.labels))
        extra_acc = float("nan")
        if extra is not None:
            extra_acc = float(np.mean((Xex @ W + b).argmax(axis=1) == extra.labels))
        best = max(best, (acc, l2, extra_acc))
    return best


def held_out_frames(sources: list[str]):
    """The bundled negation set's test sentences whose frames training never saw, else None."""
    if len(sources) != 1 or sources[0] not in bundled_names():
        return None
    path = resource_dir("data") / sources[0] / "held_out_frames.tsv"
    return load([str(path)]) if path.is_file() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", action="append", help="one group of sources")
    parser.add_argument("--seeds", type=int, default=3, help="RNN seeds to average")
    parser.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="override RNN defaults, e.g. hidden_size=128 lr=0.002",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    groups = args.data or [["negation"]]
    overrides = {}
    for item in args.set:
        key, value = item.split("=", 1)
        field_type = type(getattr(TrainConfig(), key))
        overrides[key] = field_type(value)
    results = []
    with threadpool_limits(limits=1):
        for sources in groups:
            data = load(sources)
            config = TrainConfig().updated(**overrides)
            splits = split(data, config.test_fraction, 0.0, config.seed)
            frames = held_out_frames(sources)
            bow, l2, bow_frames = bow_accuracy(splits.train, splits.test, frames)
            rnn_accs, rnn_frames, started = [], [], time.perf_counter()
            for seed in range(args.seeds):
                experiment = Experiment.build(config.updated(seed=seed), data)
                trainer = experiment.trainer
                trainer.run()
                rnn_accs.append(trainer.evaluate("test").accuracy)
                if frames is not None:
                    encoded = EncodedSet.build(frames.texts, frames.labels, experiment.vocab)
                    rnn_frames.append(score(trainer.model, encoded).accuracy)
            seconds = (time.perf_counter() - started) / args.seeds
            name = data.name if len(data.name) < 60 else f"{len(sources)} files pooled"
            row = {
                "data": name,
                "train": len(splits.train),
                "test": len(splits.test),
                "bow_logreg_acc": bow,
                "bow_l2": l2,
                "rnn_acc_mean": float(np.mean(rnn_accs)),
                "rnn_acc_per_seed": rnn_accs,
                "rnn_seconds": seconds,
                "held_out_frames": None
                if frames is None
                else {"bow_logreg_acc": bow_frames, "rnn_acc_per_seed": rnn_frames},
                "config": {**config.to_dict(), "seed": list(range(args.seeds))},
            }
            results.append(row)
            print(
                f"{name}: {row['train']} train / {row['test']} test. "
                f"bag-of-words logistic regression {bow:.3f} (l2={l2}); "
                f"RNN {np.mean(rnn_accs):.3f} "
                f"(seeds {', '.join(f'{a:.3f}' for a in rnn_accs)}; {seconds:.1f} s per run)"
            )
            if frames is not None:
                print(
                    f"  held-out frames ({len(frames)} of the test sentences): bag-of-words "
                    f"{bow_frames:.3f}; RNN {np.mean(rnn_frames):.3f} "
                    f"(seeds {', '.join(f'{a:.3f}' for a in rnn_frames)})"
                )
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
