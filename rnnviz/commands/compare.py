"""`rnnviz compare`: train 2-4 runs side by side on the same batches and compare them per epoch.

Each --run changes the shared settings (the hyperparameter options) for one run, e.g.
`--run cell=vanilla --run cell=lstm` or `--run clip=1 --run clip-mode=none`. Under --json, stdout
is JSON Lines: {"event": "epoch", "epoch": k, "runs": {label: figures}} per epoch, then
{"event": "summary", "runs": {label: ...}}.
"""

import argparse
import sys
import time

from ..core.errors import RnnvizError
from ..core.train.config import RUN_FIELDS
from ..core.train.lockstep import MAX_RUNS, Lockstep, parse_run
from ..core.words import plural
from .options import add_data_arguments, add_hyperparameter_arguments, config_for, load_data
from .output import Output, add_output_arguments
from .train import EpochLog, ProgressBar


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_arguments(parser)
    parser.add_argument(
        "--run",
        action="append",
        required=True,
        metavar="KEY=VALUE[,KEY=VALUE]",
        help=f"one run's changes to the shared settings (2 to {MAX_RUNS} runs); keys: "
        + ", ".join(k.replace("_", "-") for k in RUN_FIELDS),
    )
    add_output_arguments(
        parser, "stdout is JSON Lines: an object per epoch with every run, then the summary"
    )
    add_hyperparameter_arguments(parser)


def run(args: argparse.Namespace) -> int:
    out = Output.of(args)
    if len(args.run) < 2:
        raise RnnvizError(f"compare needs 2 to {MAX_RUNS} --run options")
    data = load_data(args, out)
    config, sized = config_for(args, data)
    lockstep = Lockstep.build(config, data, [parse_run(r) for r in args.run])
    first = lockstep.experiments[0]
    epochs = first.trainer.epoch_budget
    steps = -(-len(first.train_set) // first.config.batch_size) * epochs * len(args.run)
    out.say(
        f"{data.name}: {len(first.train_set):,} train / "
        f"{plural(len(first.test_set), 'test sentence')}, vocabulary {len(first.vocab)}; "
        f"{len(args.run)} runs on the same batches, {plural(epochs, 'epoch')} at most"
    )
    if sized:
        out.note(sized)
    out.say(  # the train columns run below validation's, which says why
        "train loss and acc: the mean over each epoch's steps, with the run's dropout on; "
        "validation and test: the weights at the epoch's end, without dropout"
    )
    progress = ProgressBar(steps, 0, epochs, enabled=not out.quiet and sys.stderr.isatty())
    logs = []
    for experiment in lockstep.experiments:
        log = EpochLog(out, progress, experiment)
        experiment.trainer.on("step", log.on_step)
        experiment.trainer.on("evaluation", log.on_evaluation)
        logs.append(log)
    started = time.perf_counter()
    last_flow: dict[str, list[float]] = {}
    try:
        for epoch in range(1, epochs + 1):
            ended = [e for e in lockstep.active]
            if not ended:
                break
            lockstep.run_epoch()
            by_run = {}
            for label, experiment, log in zip(
                lockstep.labels, lockstep.experiments, logs, strict=True
            ):
                if experiment not in ended:
                    continue
                figures, _ = log.take(experiment.trainer)
                last_flow[label] = figures["gradient_flow"]
                by_run[label] = {"step": experiment.trainer.step_count, **figures}
            _say_epoch(out, progress, epoch, by_run)
            out.record({"event": "epoch", "epoch": epoch, "runs": by_run})
    finally:
        progress.close()
    seconds = time.perf_counter() - started
    summary = {}
    for label, experiment in zip(lockstep.labels, lockstep.experiments, strict=True):
        trainer = experiment.trainer
        report = experiment.finish() if not trainer.halt else None
        test = trainer.evaluate("test")
        summary[label] = {
            "test_loss": test.loss,
            "test_acc": test.accuracy,
            "test_ece": test.ece,
            "best_epoch": report.best_epoch if report else None,
            "stopped_early": trainer.finished,
            "halted": trainer.halt is not None,
            "epochs": trainer.epoch,
            "steps": trainer.step_count,
            "train_seconds": trainer.seconds,
            "tokens_per_s": trainer.tokens_seen / trainer.seconds if trainer.seconds else 0.0,
            "gradient_flow": last_flow.get(label, []),
        }
    _say_summary(out, seconds, summary, "validation" in first.evaluation_sets)
    out.record({"event": "summary", "seconds": seconds, "runs": summary})
    return 0


def _say_epoch(out: Output, progress: ProgressBar, epoch: int, by_run: dict) -> None:
    if out.quiet:
        return
    width = max(len(label) for label in by_run)
    lines = [f"--- Epoch {epoch}"]
    columns = (
        "train_loss",
        "train_acc",
        "validation_loss",
        "validation_acc",
        "test_loss",
        "test_acc",
    )
    shown = [c for c in columns if any(c in f for f in by_run.values())]
    lines.append(f"{'run':<{width}}" + "".join(f"{c.replace('_', ' '):>16}" for c in shown))
    for label, figures in by_run.items():
        cells = "".join(f"{figures[c]:>16.3f}" if c in figures else f"{'':>16}" for c in shown)
        lines.append(f"{label:<{width}}{cells}")
    for line in lines:
        progress.write(line, out.human_stream)


def _say_summary(out: Output, seconds: float, summary: dict, validated: bool) -> None:
    kept = "best-validation weights kept, temperature fitted" if validated else "last weights"
    out.say(f"Done in {seconds:.1f} s ({kept}):")
    width = max(len(label) for label in summary)
    for label, s in summary.items():
        flow = s["gradient_flow"]
        fade = ""
        if len(flow) > 10 and flow[0]:
            fade = f" · ‖∂L/∂h‖ 10 words back / at the end: {flow[10] / flow[0]:.3g}"
        out.say(
            f"{label:<{width}}  test accuracy {s['test_acc']:.3f}, NLL {s['test_loss']:.3f}, "
            f"{plural(s['epochs'], 'epoch')}, {s['tokens_per_s']:,.0f} tokens/s{fade}"
        )
