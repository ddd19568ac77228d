"""Test accuracy of each cell with the defaults the window and the CLI use, 3 seeds.

    python tests/benchmarks/accuracy.py [--seeds 3] [--cells vanilla gru lstm] [--json]

Data: the UCI Sentiment Labelled Sentences (the three files of ../shared/data pooled; the split
is the CLI's own seeded, stratified 80/20, which moves with the seed) and the bundled negation set
(its own split), plus negation's held-out frames alone.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rnnviz.core.data.batching import EncodedSet  # noqa: E402
from rnnviz.core.data.datasets import load  # noqa: E402
from rnnviz.core.nn.registry import CELLS  # noqa: E402
from rnnviz.core.train.config import TrainConfig  # noqa: E402
from rnnviz.core.train.experiment import Experiment  # noqa: E402
from rnnviz.core.train.trainer import score  # noqa: E402
from rnnviz.resources import resource_dir  # noqa: E402

UCI = [
    str(ROOT.parent / "shared" / "data" / name)
    for name in ("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt")
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--cells", nargs="+", default=list(CELLS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    datasets = {"negation": load(["negation"])}
    if all(Path(p).is_file() for p in UCI):
        datasets["UCI pooled"] = load(UCI)
    frames = load([str(resource_dir("data") / "negation" / "held_out_frames.tsv")])
    rows = []
    with threadpool_limits(limits=1):
        for name, data in datasets.items():
            for cell in args.cells:
                accs, frame_accs, started = [], [], time.perf_counter()
                for seed in range(args.seeds):
                    experiment = Experiment.build(TrainConfig(cell=cell, seed=seed), data)
                    experiment.trainer.run()
                    accs.append(experiment.trainer.evaluate("test").accuracy)
                    if name == "negation":
                        encoded = EncodedSet.build(frames.texts, frames.labels, experiment.vocab)
                        frame_accs.append(score(experiment.model, encoded)[1])
                seconds = (time.perf_counter() - started) / args.seeds
                row = {
                    "data": name,
                    "cell": cell,
                    "mean": statistics.mean(accs),
                    "std": statistics.stdev(accs) if len(accs) > 1 else 0.0,
                    "per_seed": accs,
                    "held_out_frames": frame_accs or None,
                    "seconds_per_run": seconds,
                }
                rows.append(row)
                frames_text = (
                    f"; held-out frames {statistics.mean(frame_accs):.3f}" if frame_accs else ""
                )
                print(
                    f"{name:>10} {cell:>7}: {row['mean']:.3f} ± {row['std']:.3f} "
                    f"(seeds {', '.join(f'{a:.3f}' for a in accs)}){frames_text}; "
                    f"{seconds:.1f} s per run",
                    flush=True,
                )
    if args.json:
        print(json.dumps(rows))


if __name__ == "__main__":
    main()
