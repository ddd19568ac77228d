"""Trainer: one mini-batch at a time, pause-able from outside, with a NaN/Inf guard.

It knows the cell only through `params`, `gradients()` and `forward()`. Listeners subscribe to
events ("step", "evaluation", "epoch_end", "halt") instead of the trainer growing flags.
"""

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .batching import EncodedSet, chunk
from .config import TrainConfig
from .datasets import Dataset, split
from .losses import cross_entropy
from .optim import clip_gradients, make_optimizer
from .rnn import VanillaRNN
from .text import Vocabulary, tokenize

GOOD_WEIGHTS_EVERY = 25  # steps between copies of the last weights known to give a finite loss


@dataclass(frozen=True)
class StepRecord:
    step: int  # 1-based count of updates applied (or attempted, for a halted step)
    epoch: int  # completed epochs before this step (the step belongs to epoch `epoch + 1`)
    loss: float
    accuracy: float
    norms_before: dict[str, float]
    norms_after: dict[str, float]
    global_before: float
    global_after: float
    changed_fraction: float  # share of gradient entries clipping changed
    clipped: bool
    lr: float
    tokens: int
    seconds: float
    halted: bool = False  # non-finite: no update applied, weights restored


@dataclass(frozen=True)
class Evaluation:
    step: int
    epoch: int
    split: str
    loss: float
    accuracy: float
    confusion: np.ndarray  # (C, C) rows true class, columns predicted


@dataclass(frozen=True)
class Halt:
    step: int
    reason: str  # one sentence for the user
    restored_step: int  # the weights now in the model gave a finite loss at this step


class Trainer:
    def __init__(
        self,
        config: TrainConfig,
        data: Dataset,
        *,
        vocab: Vocabulary | None = None,
        model: VanillaRNN | None = None,
    ):
        self.config = config
        self.data = data
        self.classes = data.classes
        splits = split(data, config.test_fraction, config.validation_fraction, config.seed)
        self.splits = splits
        self.vocab = vocab or Vocabulary.build(
            (tokenize(t) for t in splits.train.texts), config.min_count, config.max_vocab
        )
        max_len = config.max_len or None
        self.train_set = EncodedSet.build(
            splits.train.texts, splits.train.labels, self.vocab, max_len
        )
        self.test_set = EncodedSet.build(splits.test.texts, splits.test.labels, self.vocab, max_len)
        self.validation_set = (
            EncodedSet.build(splits.validation.texts, splits.validation.labels, self.vocab, max_len)
            if splits.validation
            else None
        )
        self.model = model or VanillaRNN.create(
            len(self.vocab),
            config.hidden_size,
            len(self.classes),
            init=config.init,
            seed=config.seed,
            dtype=config.dtype,
        )
        if self.model.vocab_size != len(self.vocab):
            raise ValueError("model and vocabulary sizes differ")
        self.optimizer = make_optimizer(config.optimizer)
        self.rng = np.random.default_rng(config.seed)
        self.step_count = 0
        self.epoch = 0
        self.tokens_seen = 0
        self.seconds = 0.0
        self.last: object | None = None  # the newest Gradients, for diagnostics
        self.halt: Halt | None = None
        self.best_validation = np.inf
        self.stale_epochs = 0
        self.finished = False  # early stopping fired
        self._plan: list[np.ndarray] = []
        self._position = 0
        self._listeners: dict[str, list[Callable]] = defaultdict(list)
        self._good = self._copy_state()

    # ----------------------------------------------------------------- events
    def on(self, event: str, callback: Callable) -> None:
        """Call callback(payload) on "step", "evaluation", "epoch_end" or "halt"."""
        self._listeners[event].append(callback)

    def _emit(self, event: str, payload) -> None:
        for callback in self._listeners[event]:
            callback(payload)

    # ------------------------------------------------------------ live changes
    def apply(self, **changes) -> TrainConfig:
        """Change hyperparameters between two steps (validated; a new optimizer starts fresh)."""
        new = self.config.updated(**changes)
        if new.optimizer != self.config.optimizer:
            self.optimizer = make_optimizer(new.optimizer)
        if new.batch_size != self.config.batch_size and self._position < len(self._plan):
            self._plan = chunk(np.concatenate(self._plan[self._position :]), new.batch_size)
            self._position = 0
        self.config = new
        self.halt = None
        return new

    # -------------------------------------------------------------- training
    def _next_batch(self):
        if self._position >= len(self._plan):
            self._plan = self.train_set.plan_epoch(self.config.batch_size, self.rng)
            self._position = 0
        indices = self._plan[self._position]
        self._position += 1
        return self.train_set.batch(indices)

    def _end_epoch(self) -> None:
        self.epoch += 1
        if self.config.eval_every == 0:
            self._emit("evaluation", self.evaluate("test"))
        if self.validation_set is not None:
            validation = self.evaluate("validation")
            self._emit("evaluation", validation)
            self._track_early_stopping(validation.loss)
        self._emit("epoch_end", self.epoch)

    def _track_early_stopping(self, loss: float) -> None:
        if loss < self.best_validation:
            self.best_validation, self.stale_epochs = loss, 0
        else:
            self.stale_epochs += 1
            if self.config.patience and self.stale_epochs >= self.config.patience:
                self.finished = True

    def step(self) -> StepRecord:
        """One mini-batch: forward, BPTT, clip, update. A non-finite loss or gradient never reaches
        the weights: the last good weights come back and the record says halted."""
        started = time.perf_counter()
        cfg = self.config
        batch = self._next_batch()
        result = self.model.gradients(
            batch.ids, batch.lengths, batch.labels, cfg.bptt_truncate or None
        )
        self.step_count += 1
        report = clip_gradients(result.grads, cfg.clip_mode, cfg.clip)
        finite = np.isfinite(result.loss) and np.isfinite(report.global_before)
        if finite:
            if self.step_count % GOOD_WEIGHTS_EVERY == 1:
                self._good = self._copy_state()
            self.optimizer.step(self.model.params, result.grads, cfg.lr)
        else:
            self._restore_good()
        self.last = result
        seconds = time.perf_counter() - started
        self.seconds += seconds
        self.tokens_seen += batch.tokens
        record = StepRecord(
            self.step_count,
            self.epoch,
            result.loss,
            result.correct / len(batch.labels),
            report.norms_before,
            report.norms_after,
            report.global_before,
            report.global_after,
            report.changed_fraction,
            report.clipped,
            cfg.lr,
            batch.tokens,
            seconds,
            halted=not finite,
        )
        self._emit("step", record)
        if not finite:
            what = "loss" if not np.isfinite(result.loss) else "gradient"
            self.halt = Halt(
                self.step_count,
                f"non-finite {what} at step {self.step_count}: no update applied, weights "
                f"restored to step {self._good[0]}. Lower the learning rate or turn clipping on.",
                self._good[0],
            )
            self._emit("halt", self.halt)
        elif cfg.eval_every and self.step_count % cfg.eval_every == 0:
            self._emit("evaluation", self.evaluate("test"))
        if self._position >= len(self._plan):  # the step that completes an epoch ends it
            self._end_epoch()
        return record

    def run(self, epochs: int | None = None, should_stop: Callable[[], bool] = lambda: False):
        """Train until `epochs` epochs are complete (config.epochs by default), a halt, early
        stopping, or should_stop(). Every epoch ends with its evaluation."""
        target = self.config.epochs if epochs is None else epochs
        while self.epoch < target and not should_stop():
            self.step()
            if self.halt or self.finished:
                break

    # ------------------------------------------------------------ evaluation
    def evaluate(self, split_name: str = "test") -> Evaluation:
        """Mean loss, accuracy and confusion matrix on a split (no gradients)."""
        data = {"train": self.train_set, "test": self.test_set, "validation": self.validation_set}[
            split_name
        ]
        loss, accuracy, confusion = score(self.model, data, len(self.classes))
        return Evaluation(self.step_count, self.epoch, split_name, loss, accuracy, confusion)

    def resume(self, step: int, epoch: int, optimizer_state: dict) -> None:
        """Carry on counting from a checkpoint, with its optimizer state when it has one."""
        self.step_count, self.epoch = step, epoch
        if optimizer_state:
            self.optimizer.load_state_arrays(optimizer_state)
        self._good = self._copy_state()

    # ------------------------------------------------------------ good state
    def _copy_state(self) -> tuple[int, dict, dict]:
        params = {n: p.copy(order="K") for n, p in self.model.params.items()}
        return self.step_count, params, self.optimizer.state_arrays()

    def _restore_good(self) -> None:
        _, params, optimizer_state = self._good
        for name, value in params.items():
            np.copyto(self.model.params[name], value)
        self.optimizer.load_state_arrays(optimizer_state)

    def gradient_flow(self) -> np.ndarray:
        """(T,) mean ||dL/dh_t|| of the newest batch by distance from each sequence's end
        (index 0 = last token): how the gradient fades or grows going back in time."""
        if self.last is None:
            return np.zeros(0)
        norms, lengths = self.last.dh_norms, self.last.forward.lengths  # (B, T), (B,)
        distance = np.arange(norms.shape[1])
        position = lengths[:, None] - 1 - distance[None, :]  # (B, T)
        valid = position >= 0
        picked = np.where(
            valid, norms[np.arange(len(lengths))[:, None], np.maximum(position, 0)], 0
        )
        counts = valid.sum(axis=0)
        return picked.sum(axis=0) / np.maximum(counts, 1)


def score(model: VanillaRNN, data: EncodedSet, num_classes: int, batch_size: int = 256):
    """(mean loss, accuracy, confusion (C, C) rows true / columns predicted) of a model on data."""
    confusion = np.zeros((num_classes, num_classes), dtype=np.int64)
    total_loss = 0.0
    for batch in data.batches_in_order(batch_size):
        fwd = model.forward(batch.ids, batch.lengths)
        total_loss += cross_entropy(fwd.logits, batch.labels)[0] * len(batch.labels)
        np.add.at(confusion, (batch.labels, fwd.logits.argmax(axis=1)), 1)
    n = max(len(data), 1)
    return total_loss / n, float(np.trace(confusion) / n), confusion
