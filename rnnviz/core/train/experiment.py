"""From settings and data to something to train: splits, vocabulary, encoded sets, the model and
its trainer. The one place that builds them, for the window, the command line and checkpoints."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ..data.batching import Batch, EncodedSet
from ..data.corpus import NextTokenSet, build_vocabulary
from ..data.datasets import Dataset, Splits, split
from ..data.progress import Progress, counting
from ..data.text import Vocabulary, tokenize
from ..errors import ConfigError
from ..insight.flow import gradient_flow
from ..nn.model import SequenceModel
from ..words import plural
from .calibration import fit_temperature
from .config import TrainConfig
from .records import Evaluation
from .scoring import logits_of
from .telemetry import Snapshot
from .trainer import Trainer

if TYPE_CHECKING:
    from .checkpoint import Checkpoint

MAX_LISTED = 2000  # sentences per split offered by the window's sentence list
PROBE_SENTENCES = 64  # held-out sentences of the fixed batch the dynamics are measured on
STATE_SPACE_SENTENCES = 1000  # held-out sentences the state space is analysed on, at most


@dataclass(frozen=True)
class Overview:
    """What the window shows of an experiment: plain values, safe to read on any thread."""

    name: str
    task: str  # "classify" or "lm" (the settings themselves are the trainer's, live)
    step: int  # the trainer's step count as built: 0, or a resumed checkpoint's
    classes: tuple[str, ...]
    class_counts: tuple[int, ...]
    train_size: int
    test_size: int
    vocab_size: int
    hidden_size: int
    truncated: int  # training sentences cut to max_len
    unknown_share: float  # share of training tokens outside the vocabulary (read as <unk>)
    sentences: dict[str, list[tuple[str, str]]]  # split -> (text, class), first MAX_LISTED


@dataclass(frozen=True)
class TrainingReport:
    """How a run to the end went: which weights were kept and what calibration changed."""

    stopped_early: bool  # early stopping fired
    best_epoch: int | None  # epoch of the kept best-validation weights; None: the last weights
    temperature: float  # fitted on validation (1.0 without validation data)
    raw_test: Evaluation | None  # test figures before temperature scaling (None: not fitted)

    def describe(self, config: TrainConfig, epoch: int) -> list[str]:
        """Why training stopped early (after `epoch`) and which weights were kept: the lines
        `rnnviz train` prints and the window's status says."""
        lines = []
        if self.stopped_early:
            lines.append(
                f"early stopping: no validation progress ({config.monitor}) for "
                f"{plural(config.patience, 'epoch')} (after epoch {epoch})"
            )
        kept = f"kept the weights of epoch {self.best_epoch}"
        if self.best_epoch is not None and config.task == "lm":
            lines.append(f"{kept} (best validation perplexity)")
        elif self.best_epoch is not None:
            lines.append(
                f"{kept} (best validation {config.monitor}); temperature {self.temperature:.3f} "
                "fitted on validation"
            )
        return lines


@dataclass(eq=False)  # one experiment is one run: equal only to itself
class Experiment:
    data: Dataset
    splits: Splits
    vocab: Vocabulary
    train_set: EncodedSet
    evaluation_sets: dict[str, EncodedSet]
    trainer: Trainer

    @property
    def config(self) -> TrainConfig:
        """The live settings: the trainer owns them (a live change is seen here at once)."""
        return self.trainer.config

    @property
    def model(self) -> SequenceModel:
        return self.trainer.model

    @property
    def classes(self) -> tuple[str, ...]:
        return self.data.classes

    @property
    def test_set(self) -> EncodedSet:
        return self.evaluation_sets["test"]

    @cached_property
    def probe_batch(self) -> Batch:
        """A fixed batch of the first PROBE_SENTENCES held-out sentences (validation, else
        test): the same sentences every time, so that figures measured on it are comparable."""
        held_out = self.evaluation_sets.get("validation") or self.test_set
        return held_out.batch(np.arange(min(PROBE_SENTENCES, len(held_out))))

    @cached_property
    def state_space_batch(self) -> Batch:
        """The first STATE_SPACE_SENTENCES held-out sentences (validation, else test), fixed."""
        held_out = self.evaluation_sets.get("validation") or self.test_set
        return held_out.batch(np.arange(min(STATE_SPACE_SENTENCES, len(held_out))))

    @classmethod
    def build(
        cls,
        config: TrainConfig,
        data: Dataset,
        *,
        vocab: Vocabulary | None = None,
        model: SequenceModel | None = None,
        progress: Progress | None = None,
    ) -> "Experiment":
        """Split the data (seeded), build the vocabulary from the training part (or use the given
        one), encode every part once, and create the model (or use the given one)."""
        progress = progress or Progress()
        splits = split(data, config.test_fraction, config.validation_fraction, config.seed)
        texts = splits.train.texts
        language_model = config.task == "lm"
        if vocab is None and language_model:
            vocab = build_vocabulary(
                texts, config.level, config.min_count, config.max_vocab, progress
            )
        vocab = vocab or Vocabulary.build(
            (tokenize(t) for t in counting(texts, progress, "building the vocabulary", len(texts))),
            config.min_count,
            config.max_vocab,
        )
        max_len = config.max_len or None

        def encode(part: Dataset) -> EncodedSet:
            if language_model:
                return NextTokenSet.build_lm(part.texts, vocab, config.level, max_len, progress)
            return EncodedSet.build(part.texts, part.labels, vocab, max_len, progress)

        if config.patience and splits.validation is None:
            ask = "give a validation fraction or a validation file"
            why = splits.notes[-1] if splits.notes else ask
            raise ConfigError(f"early stopping (patience) needs validation data: {why}")
        parts = {"test": splits.test, "validation": splits.validation}
        evaluation_sets = {name: encode(part) for name, part in parts.items() if part}
        model = model or SequenceModel.create(
            len(vocab),
            config.hidden_size,
            len(vocab) if language_model else len(data.classes),
            cell=config.cell,
            task=config.task,
            init=config.init,
            seed=config.seed,
            dtype=config.dtype,
            memory_bias=config.memory_bias,
            recurrent_radius=config.recurrent_radius,
        )
        if model.vocab_size != len(vocab):
            raise ConfigError(
                f"the model reads {model.vocab_size} tokens, the vocabulary has {len(vocab)}"
            )
        train_set = encode(splits.train)
        trainer = Trainer(config, model, train_set, evaluation_sets)
        return cls(data, splits, vocab, train_set, evaluation_sets, trainer)

    @classmethod
    def resume(
        cls,
        ckpt: "Checkpoint",
        data: Dataset,
        config: TrainConfig | None = None,
        progress: Progress | None = None,
    ) -> "Experiment":
        """Go on from a checkpoint: its vocabulary, weights, step and epoch counters, the time it
        trained and (for the same optimizer) its optimizer state, with `config` (default: the
        checkpoint's)."""
        if tuple(ckpt.classes) != tuple(data.classes):
            raise ConfigError(
                f"the model was trained on classes {list(ckpt.classes)}, the data has "
                f"{list(data.classes)}"
            )
        config = config or ckpt.config
        experiment = cls.build(config, data, vocab=ckpt.vocab, model=ckpt.model, progress=progress)
        same_optimizer = ckpt.config.optimizer == config.optimizer
        experiment.trainer.resume(
            ckpt.summary.get("step", 0),
            ckpt.summary.get("epoch", 0),
            ckpt.optimizer_state if same_optimizer else {},
            ckpt.summary.get("seconds"),
        )
        return experiment

    def train(self, should_stop: Callable[[], bool] = lambda: False) -> TrainingReport:
        """Train to the end (epochs, halt or early stopping), then finish(): what `rnnviz train`
        and the benchmarks do."""
        self.trainer.run(should_stop=should_stop)
        if self.trainer.halt or should_stop():
            return TrainingReport(self.trainer.finished, None, self.model.temperature, None)
        return self.finish()

    def finish(self) -> TrainingReport:
        """Keep the best-validation weights and fit the temperature on validation (nothing to do
        without validation data)."""
        trainer = self.trainer
        if "validation" not in self.evaluation_sets:
            return TrainingReport(trainer.finished, None, self.model.temperature, None)
        best = trainer.restore_best()
        self.model.temperature = 1.0
        if self.model.is_language_model:  # a language model's probabilities are left as they are
            return TrainingReport(trainer.finished, best.epoch if best else None, 1.0, None)
        raw_test = trainer.evaluate("test")
        return TrainingReport(
            trainer.finished, best.epoch if best else None, self.calibrate(), raw_test
        )

    def calibrate(self) -> float:
        """Fit the temperature that minimises validation NLL and give it to the model."""
        self.model.temperature = 1.0
        logits, labels = logits_of(self.model, self.evaluation_sets["validation"])
        self.model.temperature = fit_temperature(logits, labels)
        return self.model.temperature

    def snapshot(self) -> Snapshot:
        """A copy of the model now, with what reading text with it needs."""
        trainer = self.trainer
        restored = trainer.restored
        return Snapshot(
            trainer.step_count,
            trainer.model.copy(),
            self.vocab,
            self.classes,
            gradient_flow(trainer.last),
            self.config.level,
            None if restored is None else (restored.epoch, restored.step),
            trainer.epoch,
        )

    def overview(self) -> Overview:
        listed = {
            name: [
                (part.texts[i], part.classes[part.labels[i]])
                for i in range(min(len(part), MAX_LISTED))
            ]
            for name, part in (("train", self.splits.train), ("test", self.splits.test))
        }
        return Overview(
            self.data.name,
            self.config.task,
            self.trainer.step_count,
            self.classes,
            tuple(int(n) for n in self.data.class_counts()),
            len(self.train_set),
            len(self.test_set),
            len(self.vocab),
            self.model.hidden_size,
            self.train_set.truncated,
            self.train_set.unknown_share(),
            listed,
        )
