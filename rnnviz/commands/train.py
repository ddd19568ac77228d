"""`rnnviz train`: train headless, print a line per epoch, save the model and the metrics."""

import argparse
import csv
import json
import sys
import time
from pathlib import Path

from ..core import checkpoint
from ..core.errors import RnnvizError
from ..core.trainer import Evaluation, StepRecord, Trainer
from .options import add_data_arguments, add_hyperparameter_arguments, config_from, load_data


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_arguments(parser)
    parser.add_argument("--save", metavar="MODEL.npz", help="write the trained model here")
    parser.add_argument(
        "--resume",
        metavar="MODEL.npz",
        help="continue from a checkpoint (its vocabulary, weights and settings)",
    )
    parser.add_argument("--metrics", metavar="OUT.csv", help="write one row per step here")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of results")
    add_hyperparameter_arguments(parser)


class Progress:
    """A live progress bar on a terminal; nothing when output is redirected."""

    def __init__(self, total_steps: int):
        self.enabled = sys.stderr.isatty()
        self.total = max(total_steps, 1)
        self.last_draw = 0.0

    def update(self, record: StepRecord) -> None:
        now = time.perf_counter()
        if not self.enabled or now - self.last_draw < 0.1:
            return
        self.last_draw = now
        done = min(record.step / self.total, 1.0)
        bar = "#" * int(30 * done) + "-" * (30 - int(30 * done))
        sys.stderr.write(f"\r[{bar}] step {record.step}/{self.total}  loss {record.loss:.4f}")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    data = load_data(args)
    if args.resume:
        ckpt = checkpoint.load(args.resume)
        trainer = Trainer(config_from(args, ckpt.config), data, vocab=ckpt.vocab, model=ckpt.model)
        if tuple(ckpt.classes) != tuple(trainer.classes):
            raise RnnvizError(
                f"{args.resume} was trained on classes {list(ckpt.classes)}, "
                f"the data has {list(trainer.classes)}"
            )
        trainer.resume(
            ckpt.summary.get("step", 0),
            ckpt.summary.get("epoch", 0),
            ckpt.optimizer_state if ckpt.config.optimizer == trainer.config.optimizer else {},
        )
    else:
        trainer = Trainer(config_from(args), data)
    cfg = trainer.config
    print(
        f"{data.name}: {len(trainer.train_set)} train / {len(trainer.test_set)} test sentences, "
        f"{len(trainer.classes)} classes {list(trainer.classes)}, vocabulary {len(trainer.vocab)}"
    )
    if trainer.train_set.truncated:
        print(f"note: {trainer.train_set.truncated} training sentences cut to {cfg.max_len} tokens")
    steps_per_epoch = -(-len(trainer.train_set) // cfg.batch_size)
    progress = Progress(steps_per_epoch * (cfg.epochs - trainer.epoch) + trainer.step_count)
    epoch_losses: list[float] = []
    epoch_hits = [0.0, 0]
    rows: list[StepRecord] = []

    def on_step(record: StepRecord) -> None:
        epoch_losses.append(record.loss)
        epoch_hits[0] += record.accuracy
        epoch_hits[1] += 1
        if args.metrics:
            rows.append(record)
        progress.update(record)

    def on_evaluation(evaluation: Evaluation) -> None:
        if evaluation.split != "test":
            return
        progress.clear()
        train_loss = sum(epoch_losses) / max(len(epoch_losses), 1)
        train_acc = epoch_hits[0] / max(epoch_hits[1], 1)
        print(f"--- Epoch {evaluation.epoch} (step {evaluation.step})")
        print(f"Train:\tLoss {train_loss:.3f} | Accuracy: {train_acc:.3f}")
        print(f"Test:\tLoss {evaluation.loss:.3f} | Accuracy: {evaluation.accuracy:.3f}")
        epoch_losses.clear()
        epoch_hits[:] = [0.0, 0]

    trainer.on("step", on_step)
    trainer.on("evaluation", on_evaluation)
    started = time.perf_counter()
    trainer.run()
    seconds = time.perf_counter() - started
    progress.clear()
    train_eval = trainer.evaluate("train")
    test_eval = trainer.evaluate("test")
    tokens_per_s = trainer.tokens_seen / trainer.seconds if trainer.seconds else 0.0
    if trainer.halt:
        print(f"stopped: {trainer.halt.reason}")
    print(
        f"Done: {trainer.epoch} epochs, {trainer.step_count} steps in {seconds:.1f} s "
        f"({tokens_per_s:,.0f} tokens/s). Train accuracy {train_eval.accuracy:.3f}, "
        f"test accuracy {test_eval.accuracy:.3f}."
    )
    if args.metrics:
        write_metrics(Path(args.metrics), rows)
        print(f"metrics: {args.metrics}")
    if args.save:
        path = checkpoint.save(args.save, checkpoint.from_trainer(trainer))
        print(f"saved: {path}")
    if args.json:
        print(
            json.dumps(
                {
                    "train_loss": train_eval.loss,
                    "train_acc": train_eval.accuracy,
                    "test_loss": test_eval.loss,
                    "test_acc": test_eval.accuracy,
                    "epochs": trainer.epoch,
                    "steps": trainer.step_count,
                    "seconds": seconds,
                    "tokens_per_s": tokens_per_s,
                    "halted": trainer.halt is not None,
                    "classes": list(trainer.classes),
                    "vocab_size": len(trainer.vocab),
                }
            )
        )
    return 1 if trainer.halt else 0


def write_metrics(path: Path, rows: list[StepRecord]) -> None:
    """One CSV row per step: loss, accuracy, norms before/after clipping per parameter, ..."""
    if not rows:
        return
    names = list(rows[0].norms_before)
    header = [
        "step",
        "epoch",
        "loss",
        "accuracy",
        "global_norm_before",
        "global_norm_after",
        "clipped_fraction",
        "lr",
        "tokens",
        "seconds",
    ]
    header += [f"norm_before_{n}" for n in names] + [f"norm_after_{n}" for n in names]
    try:
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            for r in rows:
                writer.writerow(
                    [
                        r.step,
                        r.epoch,
                        r.loss,
                        r.accuracy,
                        r.global_before,
                        r.global_after,
                        r.changed_fraction,
                        r.lr,
                        r.tokens,
                        r.seconds,
                        *r.norms_before.values(),
                        *r.norms_after.values(),
                    ]
                )
    except OSError as error:
        raise RnnvizError(f"cannot write {path}: {error.strerror or error}") from None
