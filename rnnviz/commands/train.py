"""`rnnviz train`: train headless, a line per epoch, save the model and the metrics.

Under --json, stdout is JSON Lines: one {"event": "epoch", ...} object per epoch, then one
{"event": "summary", ...} object; the human-readable lines go to stderr. The model is saved
whatever else fails (a metrics file, a signal: Ctrl-C, kill, a closed terminal).
"""

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..core.data.corpus import unigram_perplexity
from ..core.errors import ConfigError, RnnvizError
from ..core.files import WriteError, refuse_overlaps, writing
from ..core.train import checkpoint, history_file
from ..core.train.config import BY_FIELD, TrainConfig
from ..core.train.experiment import Experiment
from ..core.train.history import History
from ..core.train.recorder import Measures
from ..core.train.records import Evaluation, StepRecord
from ..core.train.telemetry import Telemetry
from ..core.train.trainer import Trainer
from ..core.words import class_summary, plural
from . import interrupts
from .options import (
    add_data_arguments,
    add_history_budget_argument,
    add_hyperparameter_arguments,
    config_for,
    config_from,
    data_paths,
    load_data,
)
from .output import Output, add_output_arguments, checked_output_path, printable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_arguments(parser)
    parser.add_argument("--save", metavar="MODEL.npz", help="write the trained model here")
    parser.add_argument(
        "--resume",
        metavar="MODEL.npz",
        help="continue from a checkpoint (its vocabulary, weights and settings)",
    )
    parser.add_argument("--metrics", metavar="OUT.csv", help="write one row per step here")
    parser.add_argument(
        "--history",
        metavar="RUN.npz",
        help="write the run's history here: the model at the end, and any step since the start "
        "(or since --resume) replayable exactly (--step of predict, explain, units, ...; "
        "File > Open history in the window); a history given to --resume goes on",
    )
    add_history_budget_argument(parser, 1.0, "the history's copies")
    add_output_arguments(
        parser, "stdout is JSON Lines: an object per epoch, then the summary (human lines: stderr)"
    )
    add_hyperparameter_arguments(parser)


class ProgressBar:
    """tqdm on a terminal (steps, epoch, loss, tokens/s, time left); nothing when stderr is
    redirected or under --quiet."""

    REFRESH_S = 0.2

    def __init__(self, total_steps: int, done_steps: int, epochs: int, enabled: bool):
        self.epochs = epochs
        sized = _terminal_columns() > 0  # a terminal that reports no width draws nothing in tqdm
        self.bar = tqdm(
            total=total_steps,
            initial=done_steps,
            unit="step",
            file=sys.stderr,
            dynamic_ncols=sized,
            ncols=None if sized else 100,
            nrows=None if sized else 24,
            leave=False,
            disable=not enabled,
        )
        self.last_postfix = 0.0
        self.tokens = 0
        self.seconds = 0.0

    def update(self, record: StepRecord) -> None:
        self.bar.update(1)
        self.tokens += record.tokens
        self.seconds += record.seconds
        now = time.perf_counter()
        if not self.bar.disable and now - self.last_postfix >= self.REFRESH_S:
            self.last_postfix = now
            rate = self.tokens / self.seconds if self.seconds else 0.0
            self.bar.set_postfix_str(
                f"epoch {record.epoch + 1}/{self.epochs}, loss {record.loss:.4f}, "
                f"{rate:,.0f} tokens/s",
                refresh=False,
            )

    def write(self, line: str, stream) -> None:
        """A line printed above the bar (tqdm redraws the bar below it)."""
        self.bar.write(printable(line), file=stream)

    def close(self) -> None:
        self.bar.close()


def _terminal_columns() -> int:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError):
        return 0


SPLIT_ORDER = ("validation", "test")


FLOW_DEPTH = 30  # words back reported of the gradient flow
FADE_WORDS = 10  # the epoch line compares the gradient this many words back with the last word's


class EpochLog:
    """Gathers one epoch's training figures, evaluations, gradient flow and recurrence figures
    into lines and a JSON event."""

    def __init__(self, out: Output, progress: ProgressBar, experiment: Experiment):
        self.out, self.progress = out, progress
        self.measures = Measures(experiment, FLOW_DEPTH)
        self.losses: list[float] = []
        self.accuracies: list[float] = []
        self.evaluations: dict[str, Evaluation] = {}

    def on_step(self, record: StepRecord) -> None:
        self.losses.append(record.loss)
        self.accuracies.append(record.accuracy)
        self.progress.update(record)

    def on_evaluation(self, evaluation: Evaluation) -> None:
        self.evaluations[evaluation.split] = evaluation

    def take(self, trainer: Trainer) -> tuple[dict, list[str]]:
        """The epoch's figures (train means, each evaluation, lr) and their lines; starts the
        next epoch's gathering."""
        figures = {
            "train_loss": sum(self.losses) / max(len(self.losses), 1),
            "train_acc": sum(self.accuracies) / max(len(self.accuracies), 1),
        }
        lines = [
            f"--- Epoch {trainer.epoch} (step {trainer.step_count})",
            f"Train:\tLoss {figures['train_loss']:.3f} | Accuracy: {figures['train_acc']:.3f} "
            f"({while_training(trainer.config)})",
        ]
        for split in sorted(self.evaluations, key=SPLIT_ORDER.index):
            evaluation = self.evaluations[split]
            figures |= evaluation_figures(split, evaluation, trainer.model.is_language_model)
            best = " (best so far)" if split == "validation" and trainer.stale_epochs == 0 else ""
            lines.append(f"{split.capitalize()}:\t{evaluation_text(evaluation, trainer)}{best}")
        figures["lr"] = trainer.lr
        flows, recurrence = self.measures.take()
        flow = [float(v) for v in flows.get("h", [])]
        figures |= {
            "gradient_flow": flow,
            "sigma_max": recurrence.sigma_max,
            "rho": recurrence.rho,
            "saturation": recurrence.saturation,
        }
        fade = (
            f"‖∂L/∂h‖ {FADE_WORDS} words back {flow[FADE_WORDS] / flow[0]:.3g}x the last word's · "
            if len(flow) > FADE_WORDS and flow[0] > 0
            else ""
        )
        lines.append(
            f"Gradient:\t{fade}σ_max(W_hh) {recurrence.sigma_max:.3g} · ρ {recurrence.rho:.3g} · "
            f"{recurrence.saturation:.0%} saturated"
        )
        self.losses.clear()
        self.accuracies.clear()
        self.evaluations.clear()
        return figures, lines

    def on_epoch_end(self, trainer: Trainer) -> None:
        figures, lines = self.take(trainer)
        if not self.out.quiet:
            for line in lines:
                self.progress.write(line, self.out.human_stream)
        self.out.record(
            {"event": "epoch", "epoch": trainer.epoch, "step": trainer.step_count, **figures}
        )


REGULARISERS = ("dropout", "word_dropout")  # on while training, off when a model is scored


def while_training(config: TrainConfig) -> str:
    """How an epoch's Train figures are measured: the mean over its steps, as the weights
    changed, with the regularisers on (they are lower than the kept weights' figure)."""
    on = [f"{BY_FIELD[f].label} {getattr(config, f):g}" for f in REGULARISERS if getattr(config, f)]
    return "mean over the epoch's steps" + (f", {' and '.join(on)} on" if on else "")


def after_training(config: TrainConfig) -> str:
    """How the summary's train figure is measured: the kept weights on the training set."""
    off = any(getattr(config, f) for f in REGULARISERS)
    return "the kept weights" + (", no dropout" if off else "")


def evaluation_figures(split: str, evaluation: Evaluation, language_model: bool) -> dict:
    """{split}_loss, _acc, and _ece for a classifier or _perplexity (exp of the loss) for a
    language model."""
    figures = {f"{split}_loss": evaluation.loss, f"{split}_acc": evaluation.accuracy}
    if language_model:
        figures[f"{split}_perplexity"] = float(np.exp(evaluation.loss))
    else:
        figures[f"{split}_ece"] = evaluation.ece
    return figures


def evaluation_text(evaluation: Evaluation, trainer: Trainer) -> str:
    if trainer.model.is_language_model:
        return (
            f"Loss {evaluation.loss:.3f} | Perplexity {np.exp(evaluation.loss):.3f} | "
            f"Accuracy (next token): {evaluation.accuracy:.3f}"
        )
    return (
        f"Loss {evaluation.loss:.3f} | Accuracy: {evaluation.accuracy:.3f} | "
        f"ECE {evaluation.ece:.3f}"
    )


def run(args: argparse.Namespace) -> int:
    out = Output.of(args)
    save_path = checked_output_path(args.save, "model")
    metrics_path = checked_output_path(args.metrics, "metrics")
    history_path = checked_output_path(args.history, "history")
    named = [("--save", save_path), ("--metrics", metrics_path), ("--history", history_path)]
    refuse_overlaps(named, data_paths(args))
    if args.resume:  # --save and --history may name it: the run goes on from it, replaces it
        refuse_overlaps([("--metrics", metrics_path)], [("--resume", args.resume)])
    data = load_data(args, out)
    experiment, sized = _make_experiment(args, data)
    trainer = experiment.trainer
    recording = Recording(args, trainer) if history_path else None
    cfg = trainer.config
    validation = experiment.evaluation_sets.get("validation")
    classes = (  # a language model reads the sentences only: their classes mean nothing to it
        ""
        if cfg.task == "lm"
        else f"{plural(len(experiment.classes), 'class', 'classes')} "
        f"({class_summary(experiment.classes, data.class_counts())}), "
    )
    out.say(
        f"{data.name}: {len(experiment.train_set):,} train / "
        + (f"{len(validation):,} validation / " if validation else "")
        + f"{plural(len(experiment.test_set), 'test sentence')}, {classes}"
        f"vocabulary {len(experiment.vocab)}"
    )
    if trainer.train_set.truncated:
        how = "split into chunks of" if cfg.task == "lm" else "cut to"
        truncated = plural(trainer.train_set.truncated, "training sentence")
        out.note(f"{truncated} {how} {plural(cfg.max_len, 'token')}")
    for note in filter(None, [sized, *experiment.splits.notes]):
        out.note(note)
    if not validation:
        out.note("no validation data: the last weights are kept and no temperature is fitted")
    epochs = trainer.epoch_budget
    steps_per_epoch = -(-len(trainer.train_set) // cfg.batch_size)
    progress = ProgressBar(
        steps_per_epoch * max(epochs - trainer.epoch, 0) + trainer.step_count,
        trainer.step_count,
        epochs,
        enabled=not out.quiet and sys.stderr.isatty(),
    )
    log = EpochLog(out, progress, experiment)
    rows: list[StepRecord] = []
    trainer.on("step", log.on_step)
    trainer.on("evaluation", log.on_evaluation)
    trainer.on("epoch_end", lambda _: log.on_epoch_end(trainer))
    if metrics_path:
        trainer.on("step", rows.append)
    outputs = Outputs(save_path, metrics_path, rows, out, (history_path, recording))
    started = time.perf_counter()
    with interrupts.Deferred() as stop:  # a signal: the step under way ends, then we save
        try:
            report = experiment.train(should_stop=stop.requested)
        finally:
            progress.close()
    if stop.interruption:
        return outputs.after_interruption(stop.interruption, experiment)
    try:
        return _finish(experiment, report, started, outputs)
    except interrupts.Interrupted as interruption:  # during the closing figures or the writing
        return outputs.after_interruption(interruption, experiment)


def _finish(experiment: Experiment, report, started: float, outputs: "Outputs") -> int:
    """The closing lines, the files written and the summary record."""
    out = outputs.out
    trainer = experiment.trainer
    cfg = trainer.config
    seconds = time.perf_counter() - started
    tokens_per_s = trainer.tokens_seen / trainer.seconds if trainer.seconds else 0.0
    if trainer.halt:
        out.say(f"stopped: {trainer.halt.reason}")
    for line in report.describe(cfg, trainer.epoch):
        out.say(line)
    language_model = trainer.model.is_language_model
    evaluations = {name: trainer.evaluate(name) for name in ("train", *experiment.evaluation_sets)}
    test = evaluations["test"]
    calibrated = (
        f" (before temperature scaling: NLL {report.raw_test.loss:.3f}, "
        f"ECE {report.raw_test.ece:.3f})"
        if report.raw_test
        else ""
    )
    done = (
        f"Done: {plural(trainer.epoch, 'epoch')}, {plural(trainer.step_count, 'step')} in "
        f"{seconds:.1f} s "
        f"({tokens_per_s:,.0f} tokens/s). "
    )
    baseline = None
    if language_model:
        baseline = unigram_perplexity(
            experiment.train_set, experiment.test_set, len(experiment.vocab)
        )
        out.say(
            done + f"Test perplexity {np.exp(test.loss):.3f} (unigram baseline {baseline:.3f}), "
            f"next-token accuracy {test.accuracy:.3f}."
        )
    else:
        out.say(
            done + f"Train accuracy {evaluations['train'].accuracy:.3f} "
            f"({after_training(cfg)}), test accuracy "
            f"{test.accuracy:.3f}, NLL {test.loss:.3f}, ECE {test.ece:.3f}{calibrated}."
        )
    problems = outputs.write(experiment)
    figures = {}
    for name, evaluation in evaluations.items():
        figures |= evaluation_figures(name, evaluation, language_model)
    if baseline is not None:
        figures["unigram_perplexity"] = baseline
    if report.raw_test:
        figures |= {"raw_test_loss": report.raw_test.loss, "raw_test_ece": report.raw_test.ece}
    out.record(
        {
            "event": "summary",
            **figures,
            "temperature": experiment.model.temperature,
            "best_epoch": report.best_epoch,
            "stopped_early": report.stopped_early,
            "epochs": trainer.epoch,
            "steps": trainer.step_count,
            "seconds": seconds,
            "tokens_per_s": tokens_per_s,
            "halted": trainer.halt is not None,
            "classes": list(experiment.classes),
            "vocab_size": len(experiment.vocab),
        }
    )
    if problems:
        raise RnnvizError("; ".join(problems))
    return 1 if trainer.halt else 0


class Recording:
    """What --history writes: the run's history and its curves over training, --resume's own
    gone on when it is a history, else new ones."""

    def __init__(self, args: argparse.Namespace, trainer: Trainer):
        self.telemetry = Telemetry()
        if args.resume and history_file.is_history(args.resume):
            saved = history_file.load(args.resume)
            self.history = saved.history
            self.history.attach(trainer, go_on=True)
            if saved.curves is not None:
                self.telemetry.restore(saved.curves)
        else:
            self.history = History(budget_bytes=int(args.history_mb * 2**20))
            self.history.blas_threads = history_file.blas_threads()
            self.history.attach(trainer)
        self.telemetry.follow(trainer)


def write_history(path: Path, experiment: Experiment, recording: Recording) -> str:
    """Write the history file; the line that says what it holds."""
    history, curves = recording.history, recording.telemetry.curves()
    written = history_file.save(path, checkpoint.from_experiment(experiment), history, curves)
    size = written.stat().st_size / 2**20
    return (
        f"history: {written} (steps {history.first_step:,} to {history.last_step:,}, "
        f"{plural(len(history.states | {history.last_step: None}), 'copy', 'copies')}, "
        f"{size:,.1f} MB)"
    )


class Outputs:
    """What `rnnviz train` writes at its end: the model (--save) first, then the metrics; a
    failure of either is reported and never keeps the other from being written."""

    def __init__(
        self,
        save: Path | None,
        metrics: Path | None,
        rows: list,
        out: Output,
        history: tuple[Path | None, Recording | None] = (None, None),
    ):
        self.save, self.metrics, self.rows, self.out = save, metrics, rows, out
        self.history_path, self.recording = history

    def write(self, experiment: Experiment) -> list[str]:
        """Write them all; returns what failed, one message each."""
        problems = []
        if self.save:
            problems += filter(None, [save_model(self.save, experiment, self.out)])
        if self.history_path and self.recording:
            try:
                self.out.say(write_history(self.history_path, experiment, self.recording))
            except WriteError as error:
                problems.append(str(error))
        if self.metrics:
            try:
                write_metrics(self.metrics, self.rows)
                self.out.say(f"metrics: {self.metrics}")
            except WriteError as error:
                problems.append(str(error))
        return problems

    def after_interruption(
        self, interruption: interrupts.Interrupted, experiment: Experiment
    ) -> int:
        """The best weights back (and the temperature fitted), both files written, a line on
        stderr saying so; the exit status is the signal's (128 + its number)."""
        report = experiment.finish()
        problems = self.write(experiment)
        trainer = experiment.trainer
        kept = (
            f"the weights of epoch {report.best_epoch} (best validation)"
            if report.best_epoch is not None
            else f"the weights of step {trainer.step_count}"
        )
        saved = f"; saved {kept} to {self.save}" if self.save and not problems else ""
        print(
            f"rnnviz: interrupted by {interruption} at epoch {trainer.epoch + 1}, step "
            f"{trainer.step_count}{saved}",
            file=sys.stderr,
        )
        for problem in problems:
            print(f"rnnviz: error: {problem}", file=sys.stderr)
        return interruption.exit_status


def save_model(path: Path, experiment: Experiment, out: Output) -> str | None:
    """Save; if that fails after all (disk full, folder gone), save to the temporary folder
    instead so that the run is not lost. Returns the failure, or None."""
    ckpt = checkpoint.from_experiment(experiment)
    try:
        out.say(f"saved: {checkpoint.save(path, ckpt)}")
        return None
    except WriteError as error:
        failure = str(error)
    try:
        handle, rescue = tempfile.mkstemp(prefix="rnnviz-rescued-", suffix=".npz")
        os.close(handle)
    except OSError as error:
        folder = tempfile.gettempdir()
        return f"{failure}; nor could a rescue copy be made in {folder} ({error.strerror}): lost"
    try:
        checkpoint.save(rescue, ckpt)
    except WriteError as rescue_failure:
        Path(rescue).unlink(missing_ok=True)
        return f"{failure}; the rescue copy failed too ({rescue_failure}): the model is lost"
    return f"{failure}; the trained model was saved to {rescue} instead"


def _make_experiment(args: argparse.Namespace, data) -> tuple[Experiment, str]:
    """A fresh experiment sized for the data and the note of what its size changed, or one
    resumed from --resume (its vocabulary, weights, counters and settings) and ""."""
    if not args.resume:
        config, sized = config_for(args, data)
        return Experiment.build(config, data), sized
    ckpt = checkpoint.load(args.resume)
    try:
        experiment = Experiment.resume(ckpt, data, config_from(args, ckpt.config))
    except ConfigError as error:
        raise RnnvizError(f"--resume {args.resume}: {error}") from None
    trainer = experiment.trainer
    if trainer.epoch >= trainer.epoch_budget:
        raise RnnvizError(
            f"{args.resume} has already trained {plural(trainer.epoch, 'epoch')}: nothing to do "
            f"with --epochs {trainer.epoch_budget} (give a larger --epochs to train on)"
        )
    return experiment, ""


def write_metrics(path: Path, rows: list[StepRecord]) -> None:
    """One CSV row per step, the columns of StepRecord: step, epoch, loss, accuracy, global norms
    before/after clipping, ..., then the norm of each parameter before and after clipping."""
    if not rows:
        return
    with writing(path, text=True) as out:
        writer = csv.writer(out)
        writer.writerow(rows[0].columns())
        writer.writerows(r.values() for r in rows)
