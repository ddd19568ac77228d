"""Recording the network's insides while it trains (core/insight measures them): the gradient
flow and the recurrence's figures, and every unit's top words, measured the same way for the
window and the command line; and a unit's contexts on the training data, when asked."""

import time

import numpy as np

from ..insight import dynamics, state_space, units
from ..insight.dynamics import Dynamics
from ..insight.flow import DEPTH, FlowAverage, gradient_flow
from ..insight.records import UnitWords
from .experiment import Experiment
from .telemetry import Telemetry

DYNAMICS_EVERY = 0.5  # seconds between records of the gradient flow and the recurrence figures
UNIT_WORDS_EVERY = 5.0  # seconds at least between two records of every unit's top words (taken
# at epoch ends; each is a forward pass over UNIT_WORDS_SENTENCES training sentences, ~0.1 s)
UNIT_WORDS_SENTENCES = 1000
STATE_SPACE_EVERY = 2.0  # seconds at least between two analyses of the state space,
STATE_SPACE_SHARE = 0.05  # and at most this share of the training thread's time


class Measures:
    """The gradient flow ("h" (, "c") -> (depth,)) averaged over the steps since the last take(),
    and sigma_max / rho of W_hh and saturation on the experiment's probe batch."""

    def __init__(self, experiment: Experiment, depth: int = DEPTH):
        self.experiment = experiment
        self.flow = FlowAverage(depth)
        trainer = experiment.trainer
        trainer.on("step", lambda _: self.flow.add(gradient_flow(trainer.last)))

    def take(self) -> tuple[dict[str, np.ndarray], Dynamics]:
        """The flow since the last take() (then started again) and the figures now."""
        probe = self.experiment.probe_batch
        return self.flow.take(), dynamics.measure(self.experiment.model, probe.ids, probe.lengths)


class InsightRecorder:
    """One experiment's insight into its Telemetry: the Measures at most every DYNAMICS_EVERY
    seconds and only after new steps; the units' top words at epoch ends, at most every
    UNIT_WORDS_EVERY seconds."""

    def __init__(self, experiment: Experiment, telemetry: Telemetry):
        self.experiment = experiment
        self.telemetry = telemetry
        self.measures = Measures(experiment)
        self._dynamics_at = (0.0, -1)  # (time, step) of the last dynamics record
        self._unit_words_at = -UNIT_WORDS_EVERY  # time of the last top-words record
        self._space_at = (-STATE_SPACE_EVERY, -1, 0.0)  # (time, step, seconds) of the last
        self._refit = False  # the next analysis fits a new basis
        self._basis: state_space.Basis | None = None  # kept across analyses
        experiment.trainer.on("epoch_end", lambda _: self.record_unit_words())

    @property
    def basis(self) -> "state_space.Basis | None":
        """The basis the state space is drawn in now (a past step is analysed in it too)."""
        return self._basis

    def record_dynamics(self, force: bool = False) -> None:
        """The Measures now, if the throttle allows (force: whenever there are new steps)."""
        trainer = self.experiment.trainer
        then, step = self._dynamics_at
        now = time.perf_counter()
        if trainer.last is None or step == trainer.step_count:
            return
        if now - then < DYNAMICS_EVERY and not force:
            return
        self._dynamics_at = (now, trainer.step_count)
        self.telemetry.record_dynamics(trainer.step_count, *self.measures.take())

    def record_state_space(self, force: bool = False, refit: bool = False) -> None:
        """The state space now (state_space.analyse on held-out sentences, the basis kept), if
        the throttle allows: STATE_SPACE_EVERY apart and at most STATE_SPACE_SHARE of the time
        (force: whenever the step is new; refit: a new basis, whatever the step)."""
        self._refit = self._refit or refit
        then, step, cost = self._space_at
        now = time.perf_counter()
        trainer = self.experiment.trainer
        if step == trainer.step_count and not self._refit:
            return
        wait = max(STATE_SPACE_EVERY, cost / STATE_SPACE_SHARE)
        if not force and not self._refit and now - then < wait:
            return
        batch = self.experiment.state_space_batch
        space = state_space.analyse(
            self.experiment.model,
            batch.ids,
            batch.lengths,
            batch.labels,
            trainer.step_count,
            basis=self._basis,
            refit=self._refit,
        )
        self._basis, self._refit = space.basis, False
        self._space_at = (now, trainer.step_count, time.perf_counter() - now)
        self.telemetry.record_state_space(space)

    def record_unit_words(self) -> None:
        """Every unit's top words on (a sample of) the training data, if the throttle allows."""
        now = time.perf_counter()
        if now - self._unit_words_at < UNIT_WORDS_EVERY:
            return
        self._unit_words_at = now
        experiment = self.experiment
        acts = units.activations(
            experiment.model,
            experiment.train_set,
            experiment.splits.train.texts,
            max_sentences=UNIT_WORDS_SENTENCES,
        )
        positive, negative = units.top_words(acts, experiment.vocab.tokens)
        self.telemetry.record_unit_words(
            UnitWords(experiment.trainer.step_count, positive, negative)
        )


def unit_contexts(
    experiment: Experiment, unit: int, k: int = units.TOP_CONTEXTS
) -> tuple[int, list[units.Context], list[units.Context]]:
    """(step, top k positive contexts, top k negative contexts) of `unit` on the experiment's
    training data (no contexts for a unit the model does not have)."""
    step = experiment.trainer.step_count
    if unit >= experiment.model.hidden_size:
        return step, [], []
    acts = units.activations(experiment.model, experiment.train_set, experiment.splits.train.texts)
    tokens_of, glue = units.token_reader(
        experiment.model.is_language_model, experiment.config.level
    )
    positive = units.contexts(acts, unit, k, 1, tokens_of, glue)
    negative = units.contexts(acts, unit, k, -1, tokens_of, glue)
    return step, positive, negative
