"""The run's history (issue 29): what it weighs, what it costs while training, how fast a step
is reached.

    python tests/benchmarks/history.py [--quick]

Memory: one copy of a float64 model with Adam's moments (what the window trains) is measured at
each size; the copies kept after n steps are those of the real History driven through n steps
of a stand-in trainer whose copy is as many times smaller as its budget is (only the ratio of
budget to copy decides what is kept). Cost: tokens/s of the real training step on `negation`
with a History attached against without, interleaved rounds, one BLAS thread. Reach: seconds
from asking for a past step to its weights (a copy, then the replay from it), median and p99
over steps drawn at random from those 10, 1,000 and all `--steps` behind the newest, after
`--steps` steps on negation (V = 184), and 10 and 100 behind after `--large-steps` steps on a
made-up corpus of V = 20,000 words.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rnnviz.core.data.datasets import load  # noqa: E402
from rnnviz.core.heap import keep_freed_memory  # noqa: E402
from rnnviz.core.nn.model import SequenceModel  # noqa: E402
from rnnviz.core.train.config import TrainConfig  # noqa: E402
from rnnviz.core.train.experiment import Experiment  # noqa: E402
from rnnviz.core.train.history import DEFAULT_BUDGET_MB, History  # noqa: E402
from rnnviz.core.train.optim import make_optimizer  # noqa: E402

SIZES = ((128, 184), (128, 20_000))  # (H, V): negation's vocabulary, a large one
STEPS = (10**3, 10**4, 10**5)
SCALED_COPY = 1024  # bytes of the stand-in's copy


def copy_bytes(cell: str, H: int, V: int) -> int:
    """Bytes of one copy: the float64 weights and Adam's two moments (after one update)."""
    model = SequenceModel.create(V, H, 2, cell=cell, seed=0, dtype="float64")
    optimizer = make_optimizer("adam")
    result = model.loss_and_grads(np.array([[2, 3, 4]]), np.array([3]), np.array([1]))
    optimizer.step(model.params, result.grads, 0.001)
    arrays = (*model.params.values(), *optimizer.state_arrays().values())
    return sum(a.nbytes for a in arrays)


class StandIn:
    """What History reads of a trainer, with one array of SCALED_COPY bytes for the weights."""

    def __init__(self):
        self.step_count, self.epoch, self.config, self.lr_scale = 0, 0, TrainConfig(), 1.0
        self.model = type("Model", (), {"params": {"w": np.zeros(SCALED_COPY // 8)}})()
        self.optimizer = type("Optimizer", (), {"state_arrays": lambda self: {}})()
        self.rng = np.random.default_rng(0)
        self._plan, self._position = [], 0
        self.train_set = None

    def on(self, event, callback):
        pass

    def off(self, event, callback):
        pass


def copies_after(steps: int, copies_in_budget: float) -> int:
    history = History(budget_bytes=int(copies_in_budget * SCALED_COPY))
    trainer = StandIn()
    history.attach(trainer)
    for _ in range(steps):
        trainer.step_count += 1
        history._stepped(None)
    return len(history.states)


def memory_rows(budget_mb: float) -> None:
    budget = budget_mb * 2**20
    for cell in ("gru", "lstm"):
        for H, V in SIZES:
            one = copy_bytes(cell, H, V)
            kept = [copies_after(n, budget / one) for n in STEPS]
            sizes = " · ".join(
                f"10^{len(str(n)) - 1} steps: {k} copies, {k * one / 2**20:,.1f} MB"
                for n, k in zip(STEPS, kept, strict=True)
            )
            print(f"memory {cell} H={H} V={V:,}: one copy {one / 2**20:,.2f} MB · {sizes}")


def tokens_per_second(rounds: int, seconds: float) -> None:
    """Without a history, with one, and with one while someone looks back (the extra copies
    near the present are taken), in rounds whose order turns."""
    data = load(["negation"])
    config = TrainConfig(cell="gru", hidden_size=128, dtype="float64")
    runs = {name: Experiment.build(config, data) for name in ("off", "on", "looking")}
    History().attach(runs["on"].trainer)
    looked_at = History()
    looked_at.attach(runs["looking"].trainer)
    speeds: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(rounds):
        for name in list(runs)[:: 1 if round_ % 2 == 0 else -1]:  # none always first
            looked_at.expect_looks()
            run, tokens, started = runs[name], 0, time.perf_counter()
            while time.perf_counter() - started < seconds:
                tokens += run.trainer.step().tokens
            speeds[name].append(tokens / (time.perf_counter() - started))

    def ratio(name: str) -> float:
        return statistics.median(a / b for a, b in zip(speeds[name], speeds["off"], strict=True))

    print(
        f"training GRU H=128 on negation, float64: history off "
        f"{statistics.median(speeds['off']):,.0f} tokens/s · on "
        f"{statistics.median(speeds['on']):,.0f} tokens/s · on/off {ratio('on'):.3f} · while "
        f"looking back (copies every 5 steps near the present) {ratio('looking'):.3f} (median of "
        f"{rounds} paired rounds of {seconds:g} s)"
    )


def large_vocabulary(folder: Path, V: int = 20_000, sentences: int = 30_000) -> Path:
    """A file of random sentences over V made-up words (the bench's own data: a vocabulary of V
    is what matters here, not what the words mean)."""
    rng = np.random.default_rng(0)
    path = folder / "large.txt"
    with path.open("w") as out:
        for _ in range(sentences):
            ids = rng.integers(0, V, rng.integers(6, 16))
            out.write(" ".join(f"w{i}" for i in ids) + f"\t{ids[0] % 2}\n")
    return path


def reach(data_source: str, steps: int, samples: int, distances: tuple[int, ...]) -> None:
    config = TrainConfig(
        cell="gru", hidden_size=128, dtype="float64", min_count=1, max_vocab=50_000, patience=0
    )
    run = Experiment.build(config.updated(validation_fraction=0.0), load([data_source]))
    history = History()
    history.attach(run.trainer)
    seconds = []
    for _ in range(steps):
        started = time.perf_counter()
        run.trainer.step()
        seconds.append(time.perf_counter() - started)
    rng = np.random.default_rng(0)
    V, step_ms = len(run.vocab), 1e3 * statistics.median(seconds)
    print(
        f"reach GRU H=128 V={V:,} after {steps:,} steps (a step {step_ms:.1f} ms median; "
        f"{len(history.states)} copies, {history.nbytes / 2**20:.1f} MB, spacing "
        f"{history.spacing}, per level {history.per_level}):"
    )
    for back in distances:
        times = []
        for _ in range(samples):
            step = run.trainer.step_count - int(rng.integers(1, back + 1))
            started = time.perf_counter()
            history.weights_at(step)
            times.append(time.perf_counter() - started)
        p99 = float(np.percentile(times, 99))
        print(
            f"    a step up to {back:,} back: {1e3 * statistics.median(times):.1f} ms median, "
            f"{1e3 * p99:.1f} ms p99"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter timings")
    parser.add_argument("--steps", type=int, default=3000, help="steps before the reach figures")
    parser.add_argument(
        "--large-steps", type=int, default=300, help="steps before the reach figures at V=20,000"
    )
    args = parser.parse_args()
    keep_freed_memory()
    samples = 20 if args.quick else 60
    with threadpool_limits(limits=1), tempfile.TemporaryDirectory() as folder:
        memory_rows(DEFAULT_BUDGET_MB)
        tokens_per_second(3 if args.quick else 7, 1.0 if args.quick else 3.0)
        reach("negation", args.steps, samples, (10, 1000, args.steps))
        large = str(large_vocabulary(Path(folder)))
        reach(large, args.large_steps, max(samples // 4, 5), (10, 100))


if __name__ == "__main__":
    main()
