"""Looking back in the window (issue 29): from a move of the timeline's slider to every view
redrawn with that step's model, while training goes on; and how late a 10 ms timer on the GUI
thread runs meanwhile (the window must never freeze, however long a replay takes).

    python tests/benchmarks/scrub.py [--quick]

Offscreen, a GRU with H = 128 (float64, Adam), one BLAS thread for training and one for the
replays (as the window runs them). negation (V = 184) after --steps steps, then a made-up corpus
of V = 20,000 words (tests/benchmarks/history.py writes it) after --large-steps steps. Each
sample moves the slider to a random step up to d back and waits until the past model has come
and every view on screen that reads weights has drawn it (by the window's own scheduler);
median and p99 over the samples, then until the plots over training have marked the step too
("all"); then, after a look at DRAG_FROM back, a drag to the right DRAG_STEP steps at a time,
each step waited for (the -> key held), and back (<-); the timer's lateness over all of them.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DRAG_FROM, DRAG_STEP = 200, 3  # a drag starts this far back and moves this far at each frame

PROBE = r"""
import json, os, sys, time, tempfile
import numpy as np
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from rnnviz.core.heap import keep_freed_memory
keep_freed_memory()
from rnnviz.gui.app import application, dispose
app = application()
from PySide6.QtCore import QSettings, QTimer
from rnnviz.core.data.datasets import DataSource
from rnnviz.core.train.config import TrainConfig
from rnnviz.gui.main_window import MainWindow
from rnnviz.gui.panel import PROBE, SNAPSHOT

source, steps, samples = sys.argv[1], int(sys.argv[2]), int(sys.argv[4])
drag_from, drag_step = int(sys.argv[5]), int(sys.argv[6])
distances = json.loads(sys.argv[3])
config = TrainConfig(cell="gru", hidden_size=128, dtype="float64", min_count=1, max_vocab=50_000,
                     validation_fraction=0.0, patience=0, epochs=1000)
settings = QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat)
settings.setValue("config", json.dumps(config.to_dict()))
win = MainWindow(settings=settings, dataset="negation")
win.resize(1366, 768); win.show(); app.processEvents()

def wait(condition, seconds):
    end = time.perf_counter() + seconds
    while not condition():
        if time.perf_counter() > end:
            raise SystemExit("timed out")
        app.processEvents(); time.sleep(0.002)

if source != "negation":
    win.reset(DataSource((source,)))
    wait(lambda: win.overview.vocab_size > 10_000, 300)
win.runner.set_speed(None)
win.runner.train_steps(steps).result(3600)
wait(lambda: win.scrubbing.timeline.live >= steps, 30)
win.runner.train()  # training goes on while the past is looked at
late, last = [], [time.perf_counter()]
def tick():
    now = time.perf_counter(); late.append(max(0.0, (now - last[0]) * 1000 - 10)); last[0] = now
timer = QTimer(); timer.setInterval(10); timer.timeout.connect(tick); timer.start()
weights = {SNAPSHOT, PROBE}  # the panels that draw with the weights shown
readers = [k for k, p in win.panels.items() if p.reads & weights and win.scheduler.shown(k)]
plots = [k for k, p in win.panels.items() if hasattr(p, "viewed") and win.scheduler.shown(k)]
def marks_at(step):  # the plots over training mark the step (Panel.show_viewed_step)
    lines = [line for k in plots for line in win.panels[k].viewed.lines]
    return all(line.isVisible() and line.value() == step for line in lines)
at_arrival = {}  # each panel's draws when the past model came: redrawn once each after it
arrived = win.scrubbing._arrived
def counted(snapshot, error):
    at_arrival.update(win.scheduler.drawn)
    arrived(snapshot, error)
win.scrubbing._arrived = counted
def redrawn(step, panels):
    past = win.state.past
    return past is not None and past.step == step and all(
        win.scheduler.drawn[k] > at_arrival.get(k, 0) for k in panels)
rng = np.random.default_rng(0)
reached, marked = {}, {}
for back in distances:
    times, all_times = [], []
    for _ in range(samples):
        step = win.scrubbing.timeline.live - int(rng.integers(1, back + 1))
        started = time.perf_counter()
        win.scrubbing.timeline.slider.setValue(step)
        wait(lambda: redrawn(step, readers), 600)
        times.append(1000 * (time.perf_counter() - started))
        wait(lambda: redrawn(step, readers) and marks_at(step), 60)
        all_times.append(1000 * (time.perf_counter() - started))
        win.scrubbing.go_live()
        wait(lambda: not win.scheduler.hurrying, 60)  # the live views back before the next look
    reached[back], marked[back] = sorted(times), sorted(all_times)
dragged, start = [], win.scrubbing.timeline.live - drag_from
win.scrubbing.timeline.slider.setValue(start)  # the handle taken (a look, not timed)
wait(lambda: redrawn(start, readers), 600)
for i in range(1, samples + 1):  # a drag to the right (or the -> key held): each step once shown
    step = start + drag_step * i
    started = time.perf_counter()
    win.scrubbing.timeline.slider.setValue(step)
    wait(lambda: redrawn(step, readers), 600)
    dragged.append(1000 * (time.perf_counter() - started))
back_again = []
for i in range(samples - 1, 0, -1):  # and back to the left (the <- key held)
    step = start + drag_step * i
    started = time.perf_counter()
    win.scrubbing.timeline.slider.setValue(step)
    wait(lambda: redrawn(step, readers), 600)
    back_again.append(1000 * (time.perf_counter() - started))
win.scrubbing.go_live()
timer.stop()
win.runner.pause()
history = win.runner.history
figures = {"V": win.overview.vocab_size, "copies": len(history.states),
           "mb": history.nbytes / 2**20, "live": win.scrubbing.timeline.live,
           "reached": reached, "marked": marked, "dragged": sorted(dragged),
           "back_again": sorted(back_again),
           "late": sorted(late), "views": len(readers),
           "plots": len(plots)}
dispose(win)
print(json.dumps(figures))
"""


def p99(values: list[float]) -> float:
    return values[int(0.99 * (len(values) - 1))]


def probe(source: str, steps: int, distances: list[int], samples: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    argv = [sys.executable, "-c", PROBE, source, str(steps), json.dumps(distances), str(samples)]
    argv += [str(DRAG_FROM), str(DRAG_STEP)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=3600)
    if done.returncode != 0:
        print(f"the window probe failed ({done.returncode}):\n{done.stderr[-2000:]}")
        return
    f = json.loads(done.stdout.strip().splitlines()[-1])
    reach = " · ".join(
        f"up to {int(back):,} back {statistics.median(t):.0f} ms median, {p99(t):.0f} ms p99 "
        f"(all {statistics.median(f['marked'][back]):.0f} / {p99(f['marked'][back]):.0f} ms)"
        for back, t in f["reached"].items()
    )
    print(
        f"window, GRU H=128 V={f['V']:,} after {steps:,} steps ({f['copies']} copies, "
        f"{f['mb']:.0f} MB; trained on to {f['live']:,} meanwhile): slider to all "
        f"{f['views']} views of the weights redrawn (all: and the {f['plots']} plots over "
        f"training marking it) "
        f"{reach}; dragged to the right {DRAG_STEP} steps at a time from {DRAG_FROM} back "
        f"{statistics.median(f['dragged']):.0f} ms median, {p99(f['dragged']):.0f} ms p99 a "
        f"move, back to the left {statistics.median(f['back_again']):.0f} / "
        f"{p99(f['back_again']):.0f} ms; 10 ms timer meanwhile late by "
        f"{statistics.median(f['late']):.2f} ms median, "
        f"{p99(f['late']):.2f} ms p99, {f['late'][-1]:.1f} ms max"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--large-steps", type=int, default=200)
    args = parser.parse_args()
    samples = 10 if args.quick else 30
    sys.path.insert(0, str(ROOT))
    from tests.benchmarks.history import large_vocabulary

    probe("negation", args.steps, [10, 1000], samples)
    with tempfile.TemporaryDirectory() as folder:
        large = str(large_vocabulary(Path(folder)))
        probe(large, args.large_steps, [10, 100], max(samples // 5, 3))


if __name__ == "__main__":
    main()
