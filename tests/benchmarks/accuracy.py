"""Test accuracy, NLL and ECE of each cell with the defaults the window and the CLI use, per seed.

    python tests/benchmarks/accuracy.py [--seeds 3] [--cells vanilla gru lstm]
        [--sets uci negation amazon imdb yelp uci-600] [--set lr=0.001 ...] [--jobs 2] [--json]

Sets: "uci" pools the three UCI Sentiment Labelled Sentences files of ../shared/data (3,000
sentences; the split is the CLI's own seeded, stratified 80/20, which moves with the seed);
"amazon", "imdb", "yelp" are one file each (1,000); "uci-600" is a seeded 600-sentence sample of
the pool; a bundled name ("negation", "tiny", ...) is that set with its own split (negation is
also scored on its held-out frames).
Each run trains exactly as `rnnviz train` does (the defaults sized for the data, then
Experiment.train: early stopping, best weights, temperature). --set overrides a default, to compare
candidate defaults on the same seeds; a set setting counts as given, as on the command line.
"""

import argparse
import json
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rnnviz.core.data.batching import EncodedSet  # noqa: E402
from rnnviz.core.data.datasets import Dataset, bundled_names, load  # noqa: E402
from rnnviz.core.nn.registry import CELLS  # noqa: E402
from rnnviz.core.train.config import TrainConfig, sized_for  # noqa: E402
from rnnviz.core.train.experiment import Experiment  # noqa: E402
from rnnviz.core.train.scoring import score  # noqa: E402
from rnnviz.resources import resource_dir  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
UCI_FILES = {"amazon": "amazon_cells_labelled.txt", "imdb": "imdb_labelled.txt"}
UCI_FILES["yelp"] = "yelp_labelled.txt"


def dataset(name: str) -> Dataset:
    if name in bundled_names():
        return load([name])
    if name in UCI_FILES:
        return load([str(SHARED / UCI_FILES[name])])
    pooled = load([str(SHARED / f) for f in UCI_FILES.values()])
    if name == "uci":
        return pooled
    size = int(name.split("-")[1])
    return pooled.subset(np.random.default_rng(12345).permutation(len(pooled))[:size], str(size))


def parse_override(text: str) -> tuple[str, object]:
    key, _, value = text.partition("=")
    kind = type(getattr(TrainConfig(), key))
    return key, kind(value)


def one_run(name: str, cell: str, seed: int, overrides: dict) -> dict:
    """Train once as the CLI does; the test figures and how training ended."""
    with threadpool_limits(limits=1):
        data = dataset(name)
        started = time.perf_counter()
        config, _ = sized_for(TrainConfig(cell=cell, seed=seed, **overrides), data, overrides)
        experiment = Experiment.build(config, data)
        report = experiment.train()
        test = experiment.trainer.evaluate("test")
        row = {
            "data": name,
            "cell": cell,
            "seed": seed,
            "accuracy": test.accuracy,
            "nll": test.loss,
            "ece": test.ece,
            "raw_nll": report.raw_test.loss if report.raw_test else test.loss,
            "raw_ece": report.raw_test.ece if report.raw_test else test.ece,
            "temperature": experiment.model.temperature,
            "epochs": experiment.trainer.epoch,
            "best_epoch": report.best_epoch,
            "seconds": time.perf_counter() - started,
        }
        if name == "negation":
            frames = load([str(resource_dir("data") / "negation" / "held_out_frames.tsv")])
            encoded = EncodedSet.build(frames.texts, frames.labels, experiment.vocab)
            row["held_out_frames"] = score(experiment.model, encoded).accuracy
    return row


def summary(rows: list[dict], key: str) -> str:
    values = [r[key] for r in rows]
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} ± {spread:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--cells", nargs="+", default=list(CELLS))
    parser.add_argument("--sets", nargs="+", default=["uci", "negation"])
    parser.add_argument("--set", dest="overrides", action="append", default=[], type=parse_override)
    parser.add_argument("--jobs", type=int, default=1, help="runs in parallel (one thread each)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    overrides = dict(args.overrides)
    if any(s != "negation" for s in args.sets) and not SHARED.is_dir():
        sys.exit(f"{SHARED} is missing: run with --sets negation")
    plan = [
        (s, c, seed, overrides) for s in args.sets for c in args.cells for seed in range(args.seeds)
    ]
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(one_run, *zip(*plan, strict=True)))
    print(f"overrides: {overrides or 'none (the defaults)'}")
    for name in args.sets:
        for cell in args.cells:
            group = [r for r in rows if r["data"] == name and r["cell"] == cell]
            seeds = ", ".join(f"{r['accuracy']:.3f}" for r in group)
            frames = (
                f"; held-out frames {summary(group, 'held_out_frames')}"
                if name == "negation"
                else ""
            )
            print(
                f"{name:>9} {cell:>7}: accuracy {summary(group, 'accuracy')} ({seeds}); "
                f"NLL {summary(group, 'nll')} (raw {summary(group, 'raw_nll')}); "
                f"ECE {summary(group, 'ece')} (raw {summary(group, 'raw_ece')}){frames}; "
                f"epochs {', '.join(str(r['epochs']) for r in group)}; "
                f"{statistics.mean(r['seconds'] for r in group):.1f} s per run",
                flush=True,
            )
    if args.json:
        print(json.dumps(rows))


if __name__ == "__main__":
    main()
