"""rnnviz benchmarks: training throughput, keystroke latency, the window under load.

    python tests/benchmarks/bench.py [--quick] [--json]

Every figure is measured in this run; candidates are interleaved (A B A B ...), tokens/s are
medians over rounds and each ratio is the median of the ratios measured within one round, so a
noisy shared machine moves both sides alike. BLAS is limited to one thread throughout. PyTorch
is compared when installed (pip install '.[bench]'), else reported as null. The allocator keeps
freed memory as the `rnnviz` command has it do (core/heap.py), so both sides of a comparison run
in the process the user's command would: which steps ran before no longer moves a figure.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rnnviz.core.heap import keep_freed_memory  # noqa: E402
from rnnviz.core.nn.model import SequenceModel  # noqa: E402
from rnnviz.core.nn.registry import CELLS  # noqa: E402
from rnnviz.core.train.optim import clip_gradients, make_optimizer  # noqa: E402

SIZES = [(64, 20, 10, 1), (64, 5000, 50, 32), (128, 20000, 50, 32), (128, 20000, 50, 1)]
BIG_SIZES = [(128, 10000, 35, 32), (256, 20000, 50, 128)]


class RnnvizStep:
    """The project's training step: batched forward, BPTT, global-norm clip, SGD (a language
    model's: a loss at every step over V outputs)."""

    def __init__(self, H, V, T, B, dtype, rng, cell="vanilla", task="classify"):
        outputs = V if task == "lm" else 2
        self.model = SequenceModel.create(V, H, outputs, cell=cell, task=task, seed=0, dtype=dtype)
        self.opt = make_optimizer("sgd")
        self.ids = rng.integers(2, V, size=(B, T))
        self.lengths = np.full(B, T)
        self.labels = rng.integers(2, V, size=(B, T)) if task == "lm" else rng.integers(0, 2, B)

    def __call__(self):
        result = self.model.loss_and_grads(self.ids, self.lengths, self.labels)
        clip_gradients(result.grads, "norm", 5.0)
        self.opt.step(self.model.params, result.grads, 0.01)


class TutorialStep:
    """Baseline: the classic tutorial's loop, one sentence at a time, one-hot column vectors."""

    def __init__(self, H, V, T, B, dtype, rng):
        self.V, self.B = V, B
        dt = np.dtype(dtype)
        self.Wxh = (rng.standard_normal((H, V)) / 1000).astype(dt)
        self.Whh = (rng.standard_normal((H, H)) / 1000).astype(dt)
        self.Why = (rng.standard_normal((2, H)) / 1000).astype(dt)
        self.bh, self.by = np.zeros((H, 1), dt), np.zeros((2, 1), dt)
        self.seqs = rng.integers(2, V, size=(B, T))
        self.labels = rng.integers(0, 2, size=B)
        self.dt = dt

    def __call__(self):
        for seq, label in zip(self.seqs, self.labels, strict=True):
            xs = []
            hs = [np.zeros((self.Whh.shape[0], 1), self.dt)]
            for token in seq:
                x = np.zeros((self.V, 1), self.dt)
                x[token] = 1
                xs.append(x)
                hs.append(np.tanh(self.Wxh @ x + self.Whh @ hs[-1] + self.bh))
            y = self.Why @ hs[-1] + self.by
            p = np.exp(y - y.max())
            p /= p.sum()
            dy = p.copy()
            dy[label] -= 1
            dWhy, dby = dy @ hs[-1].T, dy
            dWhh, dWxh, dbh = (
                np.zeros_like(self.Whh),
                np.zeros_like(self.Wxh),
                np.zeros_like(self.bh),
            )
            dh = self.Why.T @ dy
            for t in reversed(range(len(xs))):
                temp = (1 - hs[t + 1] ** 2) * dh
                dbh += temp
                dWhh += temp @ hs[t].T
                dWxh += temp @ xs[t].T
                dh = self.Whh.T @ temp
            grads = [dWxh, dWhh, dbh, dWhy, dby]
            norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
            scale = min(1.0, 5.0 / max(norm, 1e-12))
            for p_, g in zip((self.Wxh, self.Whh, self.bh, self.Why, self.by), grads, strict=True):
                p_ -= 0.01 * scale * g


class TorchStep:
    """PyTorch nn.RNN(tanh) / nn.GRU / nn.LSTM + Linear, embedding input, cross-entropy, SGD,
    clip_grad_norm_."""

    def __init__(self, H, V, T, B, dtype, rng, cell="vanilla"):
        import torch

        torch.set_num_threads(1)
        tdt = torch.float32 if dtype == "float32" else torch.float64
        self.torch = torch
        self.emb = torch.nn.Embedding(V, H).to(tdt)
        layer = getattr(torch.nn, CELLS[cell].export.torch_module)
        self.rnn = layer(H, H, batch_first=True).to(tdt)
        self.out = torch.nn.Linear(H, 2).to(tdt)
        self.params = [*self.emb.parameters(), *self.rnn.parameters(), *self.out.parameters()]
        self.opt = torch.optim.SGD(self.params, lr=0.01)
        self.ids = torch.as_tensor(rng.integers(2, V, size=(B, T)))
        self.labels = torch.as_tensor(rng.integers(0, 2, size=B))

    def __call__(self):
        self.opt.zero_grad()
        _, h = self.rnn(self.emb(self.ids))
        h = h[0] if isinstance(h, tuple) else h  # LSTM: (h, c)
        loss = self.torch.nn.functional.cross_entropy(self.out(h[0]), self.labels)
        loss.backward()
        self.torch.nn.utils.clip_grad_norm_(self.params, 5.0)
        self.opt.step()


def seconds_per_call(fn, min_time):
    """Median seconds per call over repeated timed blocks."""
    fn()
    calls, started = 0, time.perf_counter()
    while time.perf_counter() - started < min_time:
        fn()
        calls += 1
    return (time.perf_counter() - started) / max(calls, 1)


def interleaved(fns, rounds, min_time):
    """{name: [seconds per call in each round]}, timing the candidates A B C A B C ..."""
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            times[name].append(seconds_per_call(fn, min_time))
    return times


def paired_ratio(times, fast, slow):
    """Median over rounds of slow/fast time measured in the same round (None if absent)."""
    if slow not in times:
        return None
    return statistics.median(b / a for a, b in zip(times[fast], times[slow], strict=True))


def blas_kernels() -> str:
    """Which BLAS and which of its CPU kernels this process runs (OPENBLAS_CORETYPE, if set in
    the environment, forces older kernels: AVX2 instead of AVX-512 halves sgemm on a Zen 5)."""
    from threadpoolctl import threadpool_info

    libraries = [
        f"{i['internal_api']} {i['version']} {i.get('architecture') or ''}".strip()
        for i in threadpool_info()
        if i["user_api"] == "blas"
    ]
    forced = os.environ.get("OPENBLAS_CORETYPE")
    return ", ".join(libraries) + (f" (OPENBLAS_CORETYPE={forced})" if forced else "")


def matmul_peak(rounds=5):
    """Measured float32 GFLOP/s of a 1024 x 1024 matmul (one thread)."""
    a = np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32)
    best = min(seconds_per_call(lambda: a @ a, 0.3) for _ in range(rounds))
    return 2 * 1024**3 / best / 1e9


class TorchLanguageModelStep:
    """PyTorch embedding + nn.RNN / nn.GRU / nn.LSTM + Linear over V at every step,
    cross-entropy, SGD, clip_grad_norm_: the language model's step."""

    def __init__(self, H, V, T, B, rng, cell="vanilla"):
        import torch

        torch.set_num_threads(1)
        self.torch = torch
        self.emb = torch.nn.Embedding(V, H)
        layer = getattr(torch.nn, CELLS[cell].export.torch_module)
        self.rnn = layer(H, H, batch_first=True)
        self.out = torch.nn.Linear(H, V)
        self.params = [*self.emb.parameters(), *self.rnn.parameters(), *self.out.parameters()]
        self.opt = torch.optim.SGD(self.params, lr=0.01)
        self.ids = torch.as_tensor(rng.integers(2, V, size=(B, T)))
        self.targets = torch.as_tensor(rng.integers(2, V, size=(B, T)))

    def __call__(self):
        self.opt.zero_grad()
        outputs, _ = self.rnn(self.emb(self.ids))  # (B, T, H)
        logits = self.out(outputs)  # (B, T, V)
        loss = self.torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), self.targets.reshape(-1)
        )
        loss.backward()
        self.torch.nn.utils.clip_grad_norm_(self.params, 5.0)
        self.opt.step()


LM_SIZES = [(128, 10000, 35, 32), (128, 2000, 35, 32), (64, 100, 100, 32)]


def language_model_rows(quick):
    """The language model's float32 step against PyTorch's, one thread, interleaved rounds."""
    rng = np.random.default_rng(0)
    peak = matmul_peak()
    rows = []
    for cell in CELLS:
        for H, V, T, B in LM_SIZES[: 1 if quick else None]:
            fns = {
                "rnnviz": RnnvizStep(H, V, T, B, "float32", rng, cell, task="lm"),
                "torch": TorchLanguageModelStep(H, V, T, B, rng, cell),
            }
            times = interleaved(fns, 3 if quick else 7, 0.3 if quick else 0.5)
            flops = 6 * B * T * H * (V + CELLS[cell].stacked * H)  # output layer + recurrence
            row = versus_torch(times, cell, (H, V, T, B), flops, peak)
            rows.append(row)
            print(
                f"lm {cell:>7} H={H:<4} V={V:<6} T={T:<3} B={B:<3}: rnnviz "
                f"{row['rnnviz_tok_s']:>8,.0f} tok/s ({row['peak_share']:.0%} of peak) · torch "
                f"{row['torch_tok_s']:>8,.0f} · {row['ratio_vs_torch']:.2f}x",
                flush=True,
            )
    return rows


def train_rows(quick, have_torch):
    rng = np.random.default_rng(0)
    peak = matmul_peak()
    rows = []
    for H, V, T, B in SIZES[:2] if quick else SIZES:
        for dtype in ("float32", "float64"):
            fns = {
                "rnnviz": RnnvizStep(H, V, T, B, dtype, rng),
                "tutorial": TutorialStep(H, V, T, B, dtype, rng),
            }
            if have_torch:
                fns["torch"] = TorchStep(H, V, T, B, dtype, rng)
            times = interleaved(fns, 3 if quick else 7, 0.2 if quick else 0.4)
            med = {k: statistics.median(v) for k, v in times.items()}
            tok = {k: B * T / v for k, v in med.items()}
            flops = 6 * H * H * B * T  # forward + backward of the recurrence, as in the brief
            row = {
                "H": H,
                "V": V,
                "T": T,
                "B": B,
                "dtype": dtype,
                "rnnviz_tok_s": tok["rnnviz"],
                "tutorial_tok_s": tok["tutorial"],
                "torch_tok_s": tok.get("torch"),
                "ratio_vs_torch": paired_ratio(times, "rnnviz", "torch"),
                "ratio_vs_tutorial": paired_ratio(times, "rnnviz", "tutorial"),
                "peak_share": flops / med["rnnviz"] / 1e9 / peak,
            }
            rows.append(row)
            torch_text = (
                f"torch {row['torch_tok_s']:>10,.0f} ({row['ratio_vs_torch']:.2f}x)"
                if have_torch
                else "torch n/a"
            )
            print(
                f"train H={H:<4} V={V:<6} T={T:<3} B={B:<3} {dtype}: rnnviz "
                f"{row['rnnviz_tok_s']:>10,.0f} tok/s · tutorial {row['tutorial_tok_s']:>9,.0f} "
                f"({row['ratio_vs_tutorial']:.1f}x) · {torch_text} · "
                f"{row['peak_share']:.1%} of {peak:.0f} GFLOP/s",
                flush=True,
            )
    return rows


def versus_torch(times: dict, cell: str, size: tuple, flops: float, peak: float) -> dict:
    """One row of a comparison with PyTorch: tokens/s of both, the median per-round ratio and
    each one's share of the measured matmul peak (flops per step)."""
    H, V, T, B = size
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "cell": cell,
        "H": H,
        "V": V,
        "T": T,
        "B": B,
        "rnnviz_tok_s": B * T / med["rnnviz"],
        "torch_tok_s": B * T / med["torch"],
        "ratio_vs_torch": paired_ratio(times, "rnnviz", "torch"),
        "peak_share": flops / med["rnnviz"] / 1e9 / peak,
        "torch_peak_share": flops / med["torch"] / 1e9 / peak,
    }


def cell_rows(quick):
    """Each cell's float32 training step against PyTorch's, one thread, interleaved rounds."""
    rng = np.random.default_rng(0)
    peak = matmul_peak()
    rows = []
    for cell in CELLS:
        for H, V, T, B in (SIZES + BIG_SIZES)[: 2 if quick else None]:
            fns = {
                "rnnviz": RnnvizStep(H, V, T, B, "float32", rng, cell),
                "torch": TorchStep(H, V, T, B, "float32", rng, cell),
            }
            times = interleaved(fns, 3 if quick else 5, 0.2 if quick else 0.4)
            flops = 6 * CELLS[cell].stacked * H * H * B * T  # the recurrence, forward and backward
            row = versus_torch(times, cell, (H, V, T, B), flops, peak)
            rows.append(row)
            print(
                f"{cell:>7} H={H:<4} V={V:<6} T={T:<3} B={B:<3}: rnnviz "
                f"{row['rnnviz_tok_s']:>9,.0f} tok/s ({row['peak_share']:.0%} of peak) · torch "
                f"{row['torch_tok_s']:>9,.0f} ({row['torch_peak_share']:.0%}) · "
                f"{row['ratio_vs_torch']:.2f}x",
                flush=True,
            )
    return rows


def inference_ms():
    model = SequenceModel.create(20000, 128, 2, seed=0, dtype="float32")
    rng = np.random.default_rng(1)
    out = {}
    for n in (10, 50, 500):
        ids = rng.integers(2, 20000, size=n)
        out[str(n)] = 1000 * statistics.median(
            seconds_per_call(lambda ids=ids: model.trace(ids), 0.2) for _ in range(5)
        )
        print(f"inference, {n} words, H=128: {out[str(n)]:.3f} ms", flush=True)
    return out


GUI_PROBE = r"""
import json, os, sys, time, statistics, tempfile
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from rnnviz.core.heap import keep_freed_memory
keep_freed_memory()  # as `rnnviz` does before it opens the window
from rnnviz.gui.app import application, dispose
app = application()
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from rnnviz.gui.main_window import MainWindow
from rnnviz.core.train.telemetry import Telemetry
settings = QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat)
win = MainWindow(settings=settings, dataset="negation")
win.show(); app.processEvents()
if os.environ.get("RNNVIZ_BENCH_TAB"):  # a tab panel brought to the front ("state_space")
    win.show_tab(os.environ["RNNVIZ_BENCH_TAB"])
visible_at = time.time()
# 1. a 10 ms timer while training runs at full speed and the window redraws: from the start,
# then again once the history is long enough to be decimated (min-max bands drawn)
win.runner.call(lambda run: run.trainer.apply(epochs=1000, patience=0)).result(10)  # no end
win.runner.set_speed(None); win.runner.train()
def lateness(seconds):
    late, last = [], [time.perf_counter()]
    def tick():
        now = time.perf_counter(); late.append(max(0.0, (now - last[0]) * 1000 - 10)); last[0] = now
    timer = QTimer(); timer.setInterval(10); timer.timeout.connect(tick); timer.start()
    loop = QEventLoop()  # not app.exec(): quitting the application would close the window
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    timer.stop()
    return sorted(late)
def redraws(seconds):  # the lateness over `seconds`, and each panel's redraws a second
    before = dict(win.scheduler.drawn)
    late = lateness(seconds)
    return late, {k: (n - before.get(k, 0)) / seconds for k, n in win.scheduler.drawn.items()}
late, rates = redraws(DURATION)
steps = win.telemetry.status.step
win.timer.stop()  # the same clock with the window not drawing: what the machine allows
late_idle = lateness(DURATION)
win.timer.start()
# then with a history decimated as after 2 x capacity steps (buckets of 2+ steps: bands drawn),
# filled with copies of a real step (loss jittered): at ~50 steps/s they would take minutes
import dataclasses
import numpy as np
def fill(run):
    trainer, rng = run.trainer, np.random.default_rng(0)
    record = trainer.step()
    last = max(record.step, 2 * win.telemetry.capacity + 1)
    for step in range(record.step + 1, last + 1):
        jittered = record.loss * rng.lognormal(0.0, 0.2)
        win.telemetry.record_step(dataclasses.replace(record, step=step, loss=jittered))
    trainer.resume(last, trainer.epoch, {})  # real steps carry on from there
    return last
long_from = win.runner.call(fill).result(60)
late_long, rates_long = redraws(DURATION)
long_steps = win.telemetry.status.step - long_from
win.runner.pause()
# 2. the two plot panels redrawn with 10^6 steps of history (one new step per frame)
record = []
win.runner.call(lambda run: record.append(run.trainer.step())).result(30)
big = Telemetry()
for _ in range(10**6):
    big.record_step(record[0])
frames = []
for _ in range(40):
    big.record_step(record[0])
    started = time.perf_counter()
    view = big.read()
    win.panels["loss"].update_view(view)
    win.panels["gradients"].update_view(view)
    app.processEvents()
    frames.append(time.perf_counter() - started)
# 3. keystroke to updated prediction and heatmap on screen (debounce, math, redraw)
from PySide6.QtTest import QTest
entry = win.panels["prediction"].entry
entry.clear(); app.processEvents()
keys = []
for ch in "the plot was not bad at all, the ending was great " * 2:
    started = time.perf_counter()
    QTest.keyClick(entry, ch)
    while win.state.text != entry.text():  # the probe runs and draws when the text arrives
        app.processEvents()
    app.processEvents()  # paint
    keys.append(time.perf_counter() - started)
# 4. what a settings change, a reset and a save cost the GUI thread, at the slowest and the
# fastest speed: the call that posts the command, and the handling of the answer when it comes
handled = []
def timed(delivery):
    started = time.perf_counter()
    win.replies._run(delivery)
    handled.append(time.perf_counter() - started)
win.replies._delivered.disconnect()
win.replies._delivered.connect(timed)
stalls = {}
folder = tempfile.mkdtemp()
for speed_name, speed in (("slowest", 2.0), ("fastest", None)):
    win.runner.set_speed(speed)
    actions = {
        "setting": lambda i: win.apply_live({"lr": 0.001 + i * 1e-4}),
        "reset": lambda i: win.reset(),
        "save": lambda i: win.save_model(os.path.join(folder, f"m{i}.npz")),
    }
    for name, action in actions.items():
        worst = 0.0
        for i in range(5):
            win.runner.train()
            pause = QEventLoop(); QTimer.singleShot(200, pause.quit); pause.exec()
            handled.clear()
            started = time.perf_counter()
            action(i)
            posted = time.perf_counter() - started
            wait = QEventLoop(); QTimer.singleShot(1500, wait.quit); wait.exec()
            worst = max(worst, posted + sum(handled))
        stalls[f"{name}_{speed_name}_ms"] = 1000 * worst
win.runner.pause()
dispose(win)
print(json.dumps({"stall": stalls, "visible_at": visible_at,
                  "keystroke_ms": 1000 * statistics.median(keys),
                  "keystroke_max_ms": 1000 * max(keys),
                  "keystroke_p99_ms": 1000 * sorted(keys)[int(0.99 * (len(keys) - 1))],
                  "timer_late_p50_ms": statistics.median(late),
                  "timer_late_p99_ms": late[int(0.99 * (len(late) - 1))],
                  "timer_late_max_ms": late[-1], "steps_during_probe": steps,
                  "timer_late_idle_p99_ms": late_idle[int(0.99 * (len(late_idle) - 1))],
                  "timer_late_idle_max_ms": late_idle[-1],
                  "redraws_per_s": rates, "redraws_per_s_long": rates_long,
                  "long_from_step": long_from, "long_steps": long_steps,
                  "timer_late_long_p99_ms": late_long[int(0.99 * (len(late_long) - 1))],
                  "timer_late_long_max_ms": late_long[-1],
                  "plot_fps_1e6": 1.0 / statistics.median(frames)}))
"""


def redraw_rates(per_s: dict) -> str:
    """Each panel's redraws a second, as 'loss 4.0 gradients 3.5 ...'."""
    return " ".join(f"{key} {n:.1f}" for key, n in per_s.items())


def gui_figures(duration):
    """The window's figures, offscreen; on the X server of $DISPLAY (e.g. under xvfb-run) when
    RNNVIZ_BENCH_PLATFORM=xcb (offscreen painting skips the copy to a real screen); with the
    tab panel RNNVIZ_BENCH_TAB (a key: "state_space") in front of its group."""
    platform = os.environ.get("RNNVIZ_BENCH_PLATFORM", "offscreen")
    tab = os.environ.get("RNNVIZ_BENCH_TAB")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": platform}
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", GUI_PROBE.replace("DURATION", str(duration))],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if done.returncode != 0:
        print(f"the window probe failed (exit code {done.returncode}):\n{done.stderr[-2000:]}")
        return None
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["launch_s"] = figures.pop("visible_at") - started  # process start to visible window
    stalls = ", ".join(f"{name[:-3]} {ms:.1f} ms" for name, ms in figures["stall"].items())
    front = f", {tab} in front" if tab else ""
    print(
        f"window ({platform}{front}): launch to visible {figures['launch_s']:.2f} s; 10 ms timer "
        f"lateness while training at full speed over {duration} s: median "
        f"{figures['timer_late_p50_ms']:.2f} ms, p99 {figures['timer_late_p99_ms']:.2f} ms, "
        f"max {figures['timer_late_max_ms']:.2f} ms ({figures['steps_during_probe']} steps; "
        f"redraws/s {redraw_rates(figures['redraws_per_s'])}); not drawing, the machine's "
        f"floor: p99 {figures['timer_late_idle_p99_ms']:.2f} ms, max "
        f"{figures['timer_late_idle_max_ms']:.2f} ms; with a history filled to "
        f"{figures['long_from_step']:,} steps (decimated, min-max bands drawn): p99 "
        f"{figures['timer_late_long_p99_ms']:.2f} ms, "
        f"max {figures['timer_late_long_max_ms']:.2f} ms ({figures['long_steps']} steps; "
        f"redraws/s {redraw_rates(figures['redraws_per_s_long'])}); "
        "plots with 10^6 steps of history: "
        f"{figures['plot_fps_1e6']:.0f} frames/s; keystroke to updated prediction "
        f"{figures['keystroke_ms']:.1f} ms median, p99 {figures['keystroke_p99_ms']:.1f} ms, "
        f"max {figures['keystroke_max_ms']:.1f} ms; "
        f"GUI thread time per command (worst of 5; post + answer): {stalls}",
        flush=True,
    )
    return figures


def telemetry_mb():
    from rnnviz.core.train.records import StepRecord
    from rnnviz.core.train.telemetry import Telemetry

    norms = dict.fromkeys(("W_ih", "W_hh", "b_ih", "W_hy", "b_y"), 1.0)
    record = StepRecord(
        step=1,
        epoch=0,
        loss=0.5,
        accuracy=0.5,
        global_before=1.0,
        global_after=1.0,
        changed_fraction=0.0,
        clipped=False,
        lr=0.01,
        tokens=100,
        seconds=0.001,
        halted=False,
        norms_before=norms,
        norms_after=dict(norms),
    )
    telemetry = Telemetry()
    sizes = {}
    for n in range(1, 10**6 + 1):
        telemetry.record_step(record)
        if n in (10**3, 10**6):
            sizes[n] = telemetry.nbytes() / 2**20
    print(
        f"telemetry after 1e3 steps {sizes[10**3]:.2f} MB, after 1e6 steps {sizes[10**6]:.2f} MB",
        flush=True,
    )
    return sizes


def cli_figures(rounds=7, epochs=8):
    """Training tokens/s of `rnnviz train` (a process of its own, default and --threads 2, also
    with the other core kept busy, as a window or any other program does) vs the trainer in this
    process on one BLAS thread, on the bundled negation set with the defaults. Each figure is
    tokens per second of training steps, as the CLI's summary reports it."""
    from rnnviz.core.data.datasets import load
    from rnnviz.core.train.config import TrainConfig
    from rnnviz.core.train.experiment import Experiment

    data = load(["negation"])

    def in_process():
        trainer = Experiment.build(TrainConfig(epochs=epochs), data).trainer
        trainer.run()
        return trainer.tokens_seen / trainer.seconds

    def cli(*extra):
        argv = [sys.executable, "-m", "rnnviz", "train", "--data", "negation", "--json", "-q"]
        done = subprocess.run(
            [*argv, "--epochs", str(epochs), *extra],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT.parent,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        return json.loads(done.stdout.splitlines()[-1])["tokens_per_s"]

    def busy(fn):
        def run():
            spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
            try:
                return fn()
            finally:
                spinner.kill()
                spinner.wait()

        return run

    candidates = {
        "trainer": in_process,
        "cli": cli,
        "cli_threads_2": lambda: cli("--threads", "2"),
        "cli_busy_core": busy(cli),
        "cli_threads_2_busy_core": busy(lambda: cli("--threads", "2")),
    }
    rates = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, fn in candidates.items():
            rates[name].append(fn())
    figures = {f"{name}_tokens_per_s": statistics.median(v) for name, v in rates.items()}
    for name in list(candidates)[1:]:
        figures[f"{name}_vs_trainer"] = statistics.median(
            c / t for c, t in zip(rates[name], rates["trainer"], strict=True)
        )
    print(
        f"CLI training (negation, defaults, {epochs} epochs, median of {rounds} interleaved "
        f"rounds): trainer in-process {figures['trainer_tokens_per_s']:,.0f} tokens/s; "
        f"rnnviz train {figures['cli_tokens_per_s']:,.0f} "
        f"({figures['cli_vs_trainer']:.2f}x); --threads 2 "
        f"{figures['cli_threads_2_tokens_per_s']:,.0f} "
        f"({figures['cli_threads_2_vs_trainer']:.2f}x). With the other core busy: default "
        f"{figures['cli_busy_core_tokens_per_s']:,.0f}, --threads 2 "
        f"{figures['cli_threads_2_busy_core_tokens_per_s']:,.0f}",
        flush=True,
    )
    return figures


STARTUP_PROBE = r"""
import os, sys, time
import rnnviz.gui.app as app_module
make_application = app_module.application
def application():  # the window's own QApplication, watched for the main window's first paint
    app = make_application()
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QMainWindow
    def shown():  # after the paint pass that began with the main window: the frame is complete
        print(time.time(), flush=True)
        os._exit(0)
    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow):
                app.removeEventFilter(self)
                QTimer.singleShot(0, shown)
            return False
    app.first_paint = FirstPaint()
    app.installEventFilter(app.first_paint)
    return app
app_module.application = application
from rnnviz.cli import main
sys.exit(main(["window", "--data", "negation"]))
"""

STARTUP_GOALS_S = {"version": 0.3, "predict": 0.6, "window": 1.5}


def startup_figures(rounds=7):
    """Seconds from process start to done for `python -c pass`, `rnnviz --version`, `rnnviz
    predict` of one sentence (a negation GRU) and the window's first complete frame (offscreen,
    or RNNVIZ_BENCH_PLATFORM's), each a process of its own, interleaved over `rounds` after one
    warm-up round; medians, and the median per-round ratio to `python -c pass`. Bytecode is
    cached (as a pip install leaves it) in a folder of its own, the window's settings are
    throw-away, and the load average is reported: the other core's work moves these figures."""
    import tempfile

    folder = Path(tempfile.mkdtemp())
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONPYCACHEPREFIX=str(folder / "pycache"),
        XDG_CONFIG_HOME=str(folder / "config"),
        QT_QPA_PLATFORM=os.environ.get("RNNVIZ_BENCH_PLATFORM", "offscreen"),
    )
    rnnviz = [sys.executable, "-m", "rnnviz"]
    model = folder / "negation.npz"
    subprocess.run(
        [*rnnviz, "train", "--data", "negation", "--epochs", "1", "-q", "--save", str(model)],
        check=True,
        env=env,
        capture_output=True,
    )
    commands = {
        "pass": [sys.executable, "-c", "pass"],
        "version": [*rnnviz, "--version"],
        "predict": [*rnnviz, "predict", "--model", str(model), "the food was not good at all"],
        "window": [sys.executable, "-c", STARTUP_PROBE],
    }

    def seconds(name):
        started = time.time()
        done = subprocess.run(commands[name], capture_output=True, text=True, env=env, timeout=120)
        if done.returncode != 0:
            raise SystemExit(f"{name} failed (exit code {done.returncode}):\n{done.stderr[-2000:]}")
        if name == "window":  # the probe prints when the first frame is complete
            return float(done.stdout.split()[-1]) - started
        return time.time() - started

    load_before = os.getloadavg()[0]
    for name in commands:  # warm-up: bytecode compiled, files in the page cache
        seconds(name)
    times = {name: [] for name in commands}
    for _ in range(rounds):
        for name in commands:
            times[name].append(seconds(name))
    figures = {f"{name}_s": statistics.median(t) for name, t in times.items()}
    for name in list(commands)[1:]:
        figures[f"{name}_vs_pass"] = paired_ratio(times, "pass", name)
    figures["load_average"] = [load_before, os.getloadavg()[0]]
    verdict = {
        name: "met" if figures[f"{name}_s"] < goal else "MISSED"
        for name, goal in STARTUP_GOALS_S.items()
    }
    print(
        f"startup ({env['QT_QPA_PLATFORM']}, median of {rounds} interleaved rounds, load average "
        f"{load_before:.1f} -> {figures['load_average'][1]:.1f} on {os.cpu_count()} cores): "
        f"python -c pass {figures['pass_s']:.3f} s; rnnviz --version {figures['version_s']:.3f} s "
        f"({figures['version_vs_pass']:.1f}x; goal < 0.3 s {verdict['version']}); predict of one "
        f"sentence {figures['predict_s']:.3f} s ({figures['predict_vs_pass']:.1f}x; goal < 0.6 s "
        f"{verdict['predict']}); the window's first frame {figures['window_s']:.3f} s "
        f"({figures['window_vs_pass']:.1f}x; goal < 1.5 s {verdict['window']})",
        flush=True,
    )
    return figures


def naive_occlusion(model, ids):
    """The baseline: one (T + 1, T) batch in the model's dtype, every row run from the start."""
    T = len(ids)
    batch = np.tile(ids, (T + 1, 1))
    batch[np.arange(1, T + 1), np.arange(T)] = 1
    return model.logits(batch, np.full(T + 1, T))


def insight_figures(rounds=7):
    """Time of each live view's computation: saliency of a 50-word sentence (and the blocked,
    float32 occlusion against one full float64 batch, interleaved), the unit inspector's pass
    over the negation training set, and the recurrence figures recorded twice a second."""
    from rnnviz.core.data.datasets import load
    from rnnviz.core.insight import dynamics, saliency, units
    from rnnviz.core.train.config import TrainConfig
    from rnnviz.core.train.experiment import Experiment

    rng = np.random.default_rng(0)
    figures = {}
    for cell in CELLS:
        model = SequenceModel.create(20000, 128, 2, cell=cell, seed=0, dtype="float64")
        ids = rng.integers(2, 20000, size=50)
        times = interleaved(
            {
                "occlusion": lambda m=model, i=ids: saliency.occluded_probs(m, i),
                "naive": lambda m=model, i=ids: naive_occlusion(m, i),
                "gradient": lambda m=model, i=ids: saliency.gradient_times_input(m, i, 1),
            },
            rounds,
            0.2,
        )
        row = {name: 1000 * statistics.median(t) for name, t in times.items()}
        row["occlusion_speedup"] = paired_ratio(times, "occlusion", "naive")
        figures[cell] = row
        print(
            f"saliency, 50 words, H=128, {cell}: occlusion {row['occlusion']:.2f} ms "
            f"({row['occlusion_speedup']:.2f}x one float64 batch of {row['naive']:.2f} ms), "
            f"gradient x input {row['gradient']:.2f} ms",
            flush=True,
        )
    experiment = Experiment.build(TrainConfig(), load(["negation"]))
    model, train = experiment.model, experiment.train_set
    texts = experiment.splits.train.texts
    acts = units.activations(model, train, texts)
    probe = experiment.probe_batch
    times = interleaved(
        {
            "activations": lambda: units.activations(model, train, texts),
            "top_words": lambda: units.top_words(acts, experiment.vocab.tokens),
            "dynamics": lambda: dynamics.measure(model, probe.ids, probe.lengths),
            "step": experiment.trainer.step,
        },
        max(3, rounds // 2),
        0.3,
    )
    row = {name: 1000 * statistics.median(t) for name, t in times.items()}
    figures["negation_gru"] = row
    print(
        f"negation, GRU H=128, {len(train)} training sentences ({len(acts.states)} words): unit "
        f"activations {row['activations']:.0f} ms, every unit's top words "
        f"{row['top_words']:.0f} ms, recurrence figures {row['dynamics']:.1f} ms "
        f"(a training step: {row['step']:.1f} ms)",
        flush=True,
    )
    figures["state_space"] = state_space_figures(load(["negation"]), max(3, rounds // 2))
    return figures


def state_space_figures(data, rounds, seconds=20.0):
    """Per cell at H=128 on negation: one analysis of the state space (PCA of the window's probe
    sentences and the slow-point search), and its share of the training thread's time when
    recorded as the window records it, over `seconds` of training."""
    from rnnviz.core.insight import state_space
    from rnnviz.core.train.config import TrainConfig
    from rnnviz.core.train.experiment import Experiment
    from rnnviz.core.train.recorder import InsightRecorder
    from rnnviz.core.train.telemetry import Telemetry

    figures = {}
    for cell in CELLS:
        experiment = Experiment.build(TrainConfig(cell=cell, hidden_size=128), data)
        batch = experiment.state_space_batch
        model = experiment.model
        times = []
        for _ in range(rounds):
            before = time.perf_counter()
            state_space.analyse(model, batch.ids, batch.lengths, batch.labels, 0)
            times.append(time.perf_counter() - before)
        recorder = InsightRecorder(experiment, Telemetry())
        recorded = 0.0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            experiment.trainer.step()
            before = time.perf_counter()
            recorder.record_state_space()
            recorded += time.perf_counter() - before
        share = recorded / (time.perf_counter() - started)
        figures[cell] = {"analyse_ms": 1000 * statistics.median(times), "share": share}
        print(
            f"state space, {cell} H=128 on negation ({len(batch.lengths)} probe sentences, "
            f"{batch.tokens:,} states): one analysis {figures[cell]['analyse_ms']:.0f} ms; "
            f"recorded while training for {seconds:.0f} s, {share:.1%} of the thread's time",
            flush=True,
        )
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two sizes, shorter timings")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument(
        "--only",
        choices=("cli", "gui", "cells", "insight", "lm", "startup"),
        help="only the CLI vs trainer figures, the window's, the cells against PyTorch, the live "
        "views' computations, the language model against PyTorch, or the commands' and the "
        "window's start-up times",
    )
    args = parser.parse_args()
    keep_freed_memory()
    print(f"BLAS: {blas_kernels()}", flush=True)
    if args.only:
        with threadpool_limits(limits=1):
            only = {
                "cli": cli_figures,
                "gui": lambda: gui_figures(5 if args.quick else 12),
                "cells": lambda: cell_rows(args.quick),
                "insight": lambda: insight_figures(3 if args.quick else 7),
                "lm": lambda: language_model_rows(args.quick),
                "startup": lambda: startup_figures(3 if args.quick else 7),
            }
            figures = only[args.only]()
        if args.json:
            print(json.dumps({args.only: figures}))
        return
    try:
        import torch  # noqa: F401

        have_torch = True
    except ImportError:
        have_torch = False
        print("PyTorch is not installed: torch columns are null (pip install '.[bench]')")
    with threadpool_limits(limits=1):
        train = train_rows(args.quick, have_torch)
        infer = inference_ms()
        sizes = telemetry_mb()
        cli = cli_figures(3 if args.quick else 5)
    gui = gui_figures(5 if args.quick else 12) or {}
    gui.update({"telemetry_mb_1e3": sizes[10**3], "telemetry_mb_1e6": sizes[10**6]})
    startup = startup_figures(3 if args.quick else 7)
    if args.json:
        summary = {"train": train, "infer_ms": infer, "cli": cli, "gui": gui, "startup": startup}
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
