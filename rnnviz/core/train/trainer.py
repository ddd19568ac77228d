"""Trainer: one mini-batch at a time, pause-able from outside, with a NaN/Inf guard.

Nothing here knows which cell or task it trains: it sees `model.params`,
`model.loss_and_grads(...)`, `model.logits(...)` and `model.copy()`, an optimizer and the
encoded sets. Listeners subscribe to events ("step", "evaluation", "epoch_end", "halt") instead of
the trainer growing flags. Building data, vocabulary and model is experiment.py's job.
"""

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..data.batching import Batch, EncodedSet, chunk
from ..nn.model import SequenceModel, StepResult
from .config import PLATEAU_EPOCHS, PLATEAU_FACTOR, TrainConfig
from .optim import clip_gradients, make_optimizer
from .records import Evaluation, Halt, StepRecord
from .scoring import score


@dataclass(frozen=True)
class BestWeights:
    epoch: int  # epochs completed when these weights were scored
    step: int
    loss: float  # validation loss
    accuracy: float  # validation accuracy

    def beaten_by(self, evaluation: Evaluation, monitor: str) -> bool:
        """Is `evaluation` better on `monitor`: a lower loss, or a higher accuracy (an equal
        accuracy with a lower loss counts as better)?"""
        if monitor == "loss":
            return evaluation.loss < self.loss
        return (evaluation.accuracy, -evaluation.loss) > (self.accuracy, -self.loss)

    params: dict[str, np.ndarray]


GOOD_WEIGHTS_EVERY = 25  # steps between copies of the last weights known to give a finite loss


class Trainer:
    def __init__(
        self,
        config: TrainConfig,
        model: SequenceModel,
        train_set: EncodedSet,
        evaluation_sets: dict[str, EncodedSet],
    ):
        self.config = config
        self.model = model
        self.train_set = train_set
        self.evaluation_sets = evaluation_sets  # "test", and "validation" when there is one
        self.optimizer = make_optimizer(config.optimizer)
        self.rng = np.random.default_rng(config.seed)
        self.step_count = 0
        self.epoch = 0
        self.tokens_seen = 0
        self.seconds = 0.0  # spent in step() since it was built
        self.seconds_before = 0.0  # trained before a resume, as its checkpoint recorded
        self.clock_from = 0  # 0, or the step resumed from a checkpoint that did not record its
        # time: seconds_before + seconds is the time trained since this step
        self.last: StepResult | None = None  # the newest step, for diagnostics
        self.last_batch: Batch | None = None  # its batch (before word dropout): runs side by
        # side are given the same one
        self.halt: Halt | None = None
        self.best: BestWeights | None = None  # the best weights on validation so far
        self.restored: BestWeights | None = None  # the best weights, put back and not trained since
        self.stale_epochs = 0
        self.lr_scale = 1.0  # the schedule's factor on config.lr
        self.finished = False  # early stopping fired
        self._plan: list[np.ndarray] = []
        self._position = 0
        self._listeners: dict[str, list[Callable]] = defaultdict(list)
        self._good = self._copy_state()

    # ----------------------------------------------------------------- events
    def on(self, event: str, callback: Callable) -> None:
        """Call callback(payload) on "step", "evaluation", "epoch_end", "halt", "stepped" (the
        step's record once everything the step does is done, its epoch's end included),
        "applied" (the live changes) or "restored" (the best weights put back)."""
        self._listeners[event].append(callback)

    def off(self, event: str, callback: Callable) -> None:
        """Stop calling a callback given to on()."""
        self._listeners[event].remove(callback)

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
        self._emit("applied", changes)
        return new

    # -------------------------------------------------------------- training
    def _next_batch(self):
        if self._position >= len(self._plan):
            self._plan = self.train_set.plan_epoch(self.config.batch_size, self.rng)
            self._position = 0
        indices = self._plan[self._position]
        self._position += 1
        return self.train_set.batch(indices)

    def end_epoch(self) -> None:
        """Count an epoch, evaluate, track early stopping, tell the listeners (called by step()
        at the end of its own plan, or by whoever feeds it batches). A trainer without held-out
        sets (a replay: history.py) only counts."""
        self.epoch += 1
        if self.config.eval_every == 0 and "test" in self.evaluation_sets:
            self._emit("evaluation", self.evaluate("test"))
        if "validation" in self.evaluation_sets:
            validation = self.evaluate("validation")
            self._emit("evaluation", validation)
            self._track_early_stopping(validation)
        self._emit("epoch_end", self.epoch)

    def _track_early_stopping(self, validation: Evaluation) -> None:
        """Keep the best-validation weights (by config.monitor); on a plateau schedule halve the
        learning rate after every PLATEAU_EPOCHS epochs without progress; stop after `patience`
        such epochs."""
        monitor = "loss" if self.model.is_language_model else self.config.monitor  # perplexity
        if self.best is None or self.best.beaten_by(validation, monitor):
            params = {n: p.copy(order="K") for n, p in self.model.params.items()}
            self.best = BestWeights(
                self.epoch, self.step_count, validation.loss, validation.accuracy, params
            )
            self.stale_epochs = 0
            return
        self.stale_epochs += 1
        if self.config.lr_schedule == "plateau" and self.stale_epochs % PLATEAU_EPOCHS == 0:
            self.lr_scale *= PLATEAU_FACTOR
        if self.config.patience and self.stale_epochs >= self.config.patience:
            self.finished = True

    @property
    def trained_seconds(self) -> float:
        """Seconds spent training since step clock_from (0: since the model was built)."""
        return self.seconds_before + self.seconds

    @property
    def lr(self) -> float:
        """The learning rate of the next step: the configured one times the schedule's factor."""
        return self.config.lr * self.lr_scale

    @property
    def epoch_budget(self) -> int:
        """config.epochs, or when that is 0, epochs by data size (auto_epochs)."""
        return self.config.epochs or auto_epochs(len(self.train_set))

    def step(self, batch: Batch | None = None) -> StepRecord:
        """One mini-batch (the next of its own epoch plan, or `batch`): forward, BPTT, clip,
        update. A non-finite loss or gradient never reaches the weights: the last good weights
        come back and the record says halted. Given batches never end an epoch (end_epoch())."""
        started = time.perf_counter()
        cfg = self.config
        self.model.temperature = (
            1.0  # a temperature fits the weights it was fitted on, not new ones
        )
        own_plan = batch is None
        self.last_batch = batch = batch or self._next_batch()
        batch = batch.with_words_dropped(cfg.word_dropout, self.rng)
        keep = self.model.dropout_keep(batch.ids, cfg.dropout, self.rng)
        result = self.model.loss_and_grads(
            batch.ids, batch.lengths, batch.labels, cfg.bptt_truncate or None, keep
        )
        self.step_count += 1
        self.restored = None
        report = clip_gradients(result.grads, cfg.clip_mode, cfg.clip)
        finite = np.isfinite(result.loss) and np.isfinite(report.global_before)
        if finite:
            if self.step_count % GOOD_WEIGHTS_EVERY == 1:
                self._good = self._copy_state()
            self.optimizer.step(self.model.params, result.grads, self.lr, cfg.weight_decay)
        else:
            self._restore_good()
        self.last = result
        seconds = time.perf_counter() - started
        self.seconds += seconds
        self.tokens_seen += batch.tokens
        record = StepRecord(
            step=self.step_count,
            epoch=self.epoch,
            loss=result.loss,
            accuracy=result.correct / result.count,
            global_before=report.global_before,
            global_after=report.global_after,
            changed_fraction=report.changed_fraction,
            clipped=report.clipped,
            lr=self.lr,
            tokens=batch.tokens,
            seconds=seconds,
            halted=not finite,
            norms_before=report.norms_before,
            norms_after=report.norms_after,
        )
        self._emit("step", record)
        if not finite:
            what = "loss" if not np.isfinite(result.loss) else "gradient"
            self.halt = Halt(
                self.step_count,
                f"non-finite {what} at step {self.step_count}: no update applied, weights "
                f"restored to step {self._good[0]}. Lower the learning rate or turn clipping on.",
            )
            self._emit("halt", self.halt)
        elif (
            cfg.eval_every
            and self.step_count % cfg.eval_every == 0
            and "test" in self.evaluation_sets
        ):
            self._emit("evaluation", self.evaluate("test"))
        if own_plan and self._position >= len(self._plan):  # the step completing an epoch ends it
            self.end_epoch()
        self._emit("stepped", record)
        return record

    def run(self, epochs: int | None = None, should_stop: Callable[[], bool] = lambda: False):
        """Train until `epochs` epochs are complete (epoch_budget by default), a halt, early
        stopping, or should_stop(). Every epoch ends with its evaluation."""
        target = self.epoch_budget if epochs is None else epochs
        while self.epoch < target and not should_stop():
            self.step()
            if self.halt or self.finished:
                break

    # ------------------------------------------------------------ evaluation
    def evaluate(self, split_name: str = "test") -> Evaluation:
        """Mean loss, accuracy and calibration on "train", "test" or "validation"."""
        data = self.train_set if split_name == "train" else self.evaluation_sets[split_name]
        s = score(self.model, data)
        return Evaluation(
            self.step_count,
            self.epoch,
            split_name,
            s.loss,
            s.accuracy,
            s.ece,
            s.reliability,
            self.model.temperature,
        )

    def report_evaluations(self) -> None:
        """Score every held-out set now and tell the listeners (after the weights changed)."""
        for name in self.evaluation_sets:
            self._emit("evaluation", self.evaluate(name))

    def resume(
        self, step: int, epoch: int, optimizer_state: dict, seconds: float | None = 0.0
    ) -> None:
        """Carry on counting from a checkpoint, with its optimizer state when it has one, and the
        seconds it trained (None: it did not record them; the clock counts from `step`)."""
        self.step_count, self.epoch = step, epoch
        self.seconds_before = seconds or 0.0
        self.clock_from = step if seconds is None else 0
        if optimizer_state:
            self.optimizer.load_state_arrays(optimizer_state)
        self._good = self._copy_state()

    def restore_best(self) -> BestWeights | None:
        """Put the best-validation weights back into the model (training can go on from them)."""
        if self.best is not None:
            for name, value in self.best.params.items():
                np.copyto(self.model.params[name], value)
            self.restored = self.best
            self._emit("restored", self.best)
        return self.best

    # ------------------------------------------------------------ good state
    def _copy_state(self) -> tuple[int, dict, dict]:
        params = {n: p.copy(order="K") for n, p in self.model.params.items()}
        return self.step_count, params, self.optimizer.state_arrays()

    def _restore_good(self) -> None:
        _, params, optimizer_state = self._good
        for name, value in params.items():
            np.copyto(self.model.params[name], value)
        self.optimizer.load_state_arrays(optimizer_state)


AUTO_EPOCH_SENTENCES = 200_000  # auto_epochs: sentences to read in all, within its bounds
AUTO_EPOCH_BOUNDS = (5, 40)


def auto_epochs(train_size: int) -> int:
    """Epochs by data size: enough to read about AUTO_EPOCH_SENTENCES sentences, within
    AUTO_EPOCH_BOUNDS (early stopping usually ends a run sooner)."""
    low, high = AUTO_EPOCH_BOUNDS
    return int(min(max(round(AUTO_EPOCH_SENTENCES / max(train_size, 1)), low), high))
