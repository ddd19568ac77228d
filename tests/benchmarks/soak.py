"""Soak: the window trains at full speed for a long time while a sentence is retyped now and then;
resident memory is sampled throughout.

    python tests/benchmarks/soak.py [--minutes 30] [--warmup 2] [--json]

Prints RSS after warm-up, at the end, the largest rise after warm-up and the slope over the second
half (MB/min). Goal: flat within 5 MB after warm-up.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=2.0, help="minutes before the baseline")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from rnnviz.gui.app import application, dispose
    from rnnviz.gui.main_window import MainWindow

    app = application()
    settings = QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings, dataset="negation")
    win.show()
    # no end: early stopping ended negation's run within minutes, and the soak idled after it
    win.runner.call(lambda run: run.trainer.apply(epochs=1_000_000, patience=0)).result(10)
    win.runner.set_speed(None)
    win.runner.train()
    sentences = ["the food was not good at all", "i did not enjoy the movie", "the plot"]
    samples: list[tuple[float, float]] = []  # (minutes, MB)
    started = time.monotonic()

    def sample() -> None:
        minutes = (time.monotonic() - started) / 60
        samples.append((minutes, rss_mb()))
        entry = win.panels["prediction"].entry
        entry.setText(sentences[len(samples) % len(sentences)])
        if minutes >= args.minutes:
            loop.quit()

    timer = QTimer()
    timer.setInterval(5000)
    timer.timeout.connect(sample)
    timer.start()
    loop = QEventLoop()
    loop.exec()
    timer.stop()
    steps = win.telemetry.status.step
    win.runner.pause()
    dispose(win)
    after = [(m, mb) for m, mb in samples if m >= args.warmup]
    baseline, final = after[0][1], after[-1][1]
    half = [(m, mb) for m, mb in after if m >= (args.warmup + args.minutes) / 2]
    slope = (half[-1][1] - half[0][1]) / max(half[-1][0] - half[0][0], 1e-9)
    figures = {
        "minutes": args.minutes,
        "steps": steps,
        "rss_after_warmup_mb": baseline,
        "rss_end_mb": final,
        "largest_rise_after_warmup_mb": max(mb for _, mb in after) - baseline,
        "second_half_slope_mb_per_min": slope,
    }
    print(
        f"soak {args.minutes:g} min, {steps:,} steps: RSS {baseline:.1f} MB after "
        f"{args.warmup:g} min warm-up, {final:.1f} MB at the end; largest rise "
        f"{figures['largest_rise_after_warmup_mb']:.1f} MB; second-half slope {slope:+.3f} MB/min",
        flush=True,
    )
    if args.json:
        print(json.dumps(figures))
    app.processEvents()


if __name__ == "__main__":
    main()
