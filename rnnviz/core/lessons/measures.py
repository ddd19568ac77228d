"""What a lesson's checks measure on a run: each a figure of its model and its training so far.

A run is measured from its experiment (weights, test data) and its history (the StepRecord and
the gradient flow of every step taken). `at` is the measure's parameter where it takes one (a
distance in words, a temperature).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..data.batching import EncodedSet
from ..data.corpus import NextTokenSet, unigram_perplexity
from ..insight.dynamics import recurrent_block
from ..insight.dynamics import saturation as saturated_share
from ..insight.flow import gradient_flow
from ..nn.gradcheck import check_gradients
from ..nn.model import SequenceModel
from ..train.calibration import fit_temperature, probabilities
from ..train.experiment import Experiment
from ..train.records import Evaluation, StepRecord
from ..train.scoring import logits_of, next_token_logits, scores_of
from ..train.trainer import Trainer


@dataclass
class RunHistory:
    steps: list[StepRecord] = field(default_factory=list)
    flows: list[np.ndarray] = field(default_factory=list)  # per step: (T,) mean ‖∂L/∂h_t‖ by
    # distance from the sentence end, index 0 = the last word
    tested: Evaluation | None = None  # the trainer's newest evaluation of the test split
    validated: list[Evaluation] = field(default_factory=list)  # each epoch's, of validation
    detach: Callable[[], None] = field(default=lambda: None, repr=False)  # stop recording

    @classmethod
    def of(cls, trainer: Trainer) -> "RunHistory":
        """A history that the trainer's steps are added to from now on (until detach())."""
        history = cls()

        def add(record: StepRecord) -> None:
            history.steps.append(record)
            history.flows.append(gradient_flow(trainer.last)["h"])

        def scored(evaluation: Evaluation) -> None:
            if evaluation.split == "test":
                history.tested = evaluation
            elif evaluation.split == "validation":
                history.validated.append(evaluation)

        trainer.on("step", add)
        trainer.on("evaluation", scored)

        def detach() -> None:
            trainer.off("step", add)
            trainer.off("evaluation", scored)

        history.detach = detach
        return history


Measure = Callable[[Experiment, RunHistory, float | None], float]


def _ratios(history: RunHistory, at: float | None) -> list[float]:
    """‖∂L/∂h_{T-at}‖ / ‖∂L/∂h_T‖ of each step taken whose batch reached `at` words back."""
    k = int(at or 0)
    return [f[k] / f[0] for f in history.flows if len(f) > k and f[0] > 0]


def gradient_ratio(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """‖∂L/∂h_{T-at}‖ / ‖∂L/∂h_T‖: the gradient `at` words before the sentence end against the
    last word's, the median over the steps taken (of those whose batch reached that far): what
    the gradient flow panel shows over training."""
    ratios = _ratios(history, at)
    return float(np.median(ratios)) if ratios else float("nan")


def first_gradient_ratio(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """The same ratio at the first such step: the fresh weights' gradient flow."""
    ratios = _ratios(history, at)
    return float(ratios[0]) if ratios else float("nan")


def test_accuracy(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """The trainer's own score of the test split at its epoch's end when the weights are still
    those (no step, no restored best since), else a new one."""
    trainer, tested = experiment.trainer, history.tested
    if tested is not None and tested.step == trainer.step_count and trainer.restored is None:
        return float(tested.accuracy)
    return float(trainer.evaluate("test").accuracy)


def spectral_radius(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """ρ = max |λ| of the recurrent block feeding the candidate state."""
    return float(np.abs(np.linalg.eigvals(recurrent_block(experiment.model))).max())


def saturation(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """Share of the hidden units (vanilla: |tanh| > SATURATED) or gate activations (gated cells: σ
    within 1 - SATURATED of 0 or 1) saturated over the probe batch's words: the dynamics panel's
    figure."""
    batch = experiment.probe_batch
    model = experiment.model
    return saturated_share(model, model.forward(batch.ids, batch.lengths))


def halted(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """1 when training stopped on a non-finite loss (the last good weights restored), else 0."""
    return 1.0 if experiment.trainer.halt is not None else 0.0


def largest_gradient(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """The largest ‖g‖ before clipping over the steps taken (inf if one was not finite)."""
    norms = [s.global_before for s in history.steps]
    return float(np.max(np.where(np.isfinite(norms), norms, np.inf))) if norms else float("nan")


def train_loss(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """The mean loss on the training split with the weights now, without dropout: near 0, every
    training label is learnt by heart."""
    return float(experiment.trainer.evaluate("train").loss)


def validation_rise(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """The newest epoch's validation loss over the lowest one's: above 1, training has gone past
    the weights that generalise best."""
    losses = [evaluation.loss for evaluation in history.validated]
    return float(losses[-1] / min(losses)) if losses and min(losses) > 0 else float("nan")


def _best_model(experiment: Experiment) -> SequenceModel | None:
    """A copy of the model with the trainer's best-validation weights (what Restore best puts
    back), the model itself left as it is."""
    best = experiment.trainer.best
    if best is None:
        return None
    model = experiment.model.copy()
    for name, value in best.params.items():
        np.copyto(model.params[name], value)
    return model


def best_test_accuracy(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """Test accuracy of the best-validation weights."""
    model = _best_model(experiment)
    if model is None or model.is_language_model:  # a language model: no class to be right on
        return float("nan")
    return scores_of(*logits_of(model, experiment.evaluation_sets["test"])).accuracy


def test_ece(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """Expected calibration error on the test split of the weights now at temperature 1: how far
    the probabilities stated are from the accuracy reached (ECE = Σ_k n_k/N |acc_k − conf_k|)."""
    if experiment.model.is_language_model:
        return float("nan")
    return scores_of(*logits_of(experiment.model, experiment.evaluation_sets["test"])).ece


def calibrated_test_ece(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """The same ECE with the probabilities softmax(z / T), T fitted on the validation split
    (temperature scaling), the model's own temperature left as it is."""
    sets, model = experiment.evaluation_sets, experiment.model
    if "validation" not in sets or model.is_language_model:
        return float("nan")
    temperature = fit_temperature(*logits_of(model, sets["validation"]))
    return scores_of(*logits_of(model, sets["test"]), temperature).ece


def order_effect(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """mean_n |p(s_n) − p(reversed s_n)| over the test sentences, p the classes' probabilities
    (half the L1 distance): how much the words' order moves the model's opinion. 0: it reads a
    bag of words."""
    test = experiment.test_set
    if isinstance(test, NextTokenSet):
        return float("nan")  # a language model's next word: no opinion of a sentence
    flipped = EncodedSet([s[::-1].copy() for s in test.sequences], test.labels, test.truncated)
    model = experiment.model
    p, q = (probabilities(logits_of(model, part)[0]) for part in (test, flipped))
    return float(np.abs(p - q).sum(axis=1).mean() / 2)


BATCH = 256  # sentences a forward pass, for the measures that read whole splits
GRADCHECK_SENTENCES = 4  # of the probe batch: the check computes the loss a sentence at a time
GRADCHECK_ENTRIES = 40  # sampled entries a parameter (each costs four losses)


def gradient_check_error(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """The largest relative error |analytic − numeric| / max(|analytic|, |numeric|) between the
    run's backward pass and centred finite differences of its loss (nn/gradcheck.py), on a few
    probe sentences, a sample of each parameter's entries, the weights now (on a float64 copy):
    about 1e-9 when the gradients are right."""
    batch = experiment.probe_batch
    keep = slice(0, GRADCHECK_SENTENCES)
    lengths = batch.lengths[keep]
    ids = batch.ids[keep, : int(lengths.max())]
    source = experiment.model
    params = {name: value.astype(np.float64) for name, value in source.params.items()}
    model = SequenceModel(source.cell, source.head, params)
    result = check_gradients(model, ids, lengths, batch.labels[keep], max_entries=GRADCHECK_ENTRIES)
    return result.max_rel_error


def echo_accuracy(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """A language model's share of the test sentences whose last word it predicts best (the
    word it is given last is the one before): on the echo task, the name that opened the
    sentence, `distance` words back (chance: 1 / 12)."""
    test = experiment.test_set
    if not isinstance(test, NextTokenSet):
        return float("nan")
    model = experiment.model
    # each sentence is <s> w_1 ... w_n </s>: read up to w_(n-1), predict w_n
    heads = EncodedSet([s[:-2] for s in test.sequences], test.labels, test.truncated)
    right = 0
    for batch in heads.batches_in_order(BATCH):
        last = model.forward(batch.ids, batch.lengths).last  # (B, H)
        guess = model.head.logits(model.params, last).argmax(axis=1)  # (B,)
        right += int(np.count_nonzero(guess == [test.sequences[i][-2] for i in batch.indices]))
    return right / max(len(test), 1)


def perplexity_ratio(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """A language model's test perplexity over the unigram baseline's (a model that ignores the
    context): below 1, the context is used."""
    train, test = experiment.train_set, experiment.test_set
    if not (isinstance(train, NextTokenSet) and isinstance(test, NextTokenSet)):
        return float("nan")  # a classifier: no next token, no baseline
    baseline = unigram_perplexity(train, test, len(experiment.vocab))
    return float(np.exp(experiment.trainer.evaluate("test").loss) / baseline)


def sampling_choices(experiment: Experiment, history: RunHistory, at: float | None) -> float:
    """exp(mean_t H(softmax(z_t / T))), T = `at`, over the test split's steps: how many next words
    the sampler picks among at a step, on a geometric mean (1: it always takes the likeliest; the
    vocabulary's size: it ignores the model)."""
    if not experiment.model.is_language_model:
        return float("nan")  # a classifier samples no next word
    temperature = at or 1.0
    total, count = 0.0, 0
    for logits, targets in next_token_logits(experiment.model, experiment.evaluation_sets["test"]):
        p = probabilities(logits, temperature)
        total -= float(np.sum(p * np.log(np.where(p > 0, p, 1.0))))
        count += len(targets)
    return float(np.exp(total / max(count, 1)))


MEASURES: dict[str, tuple[Measure, str]] = {
    "gradient_ratio": (gradient_ratio, "‖∂L/∂h_(T-k)‖ / ‖∂L/∂h_T‖"),
    "first_gradient_ratio": (first_gradient_ratio, "‖∂L/∂h_(T-k)‖ / ‖∂L/∂h_T‖ at the first step"),
    "test_accuracy": (test_accuracy, "test accuracy"),
    "spectral_radius": (spectral_radius, "spectral radius ρ(W_hh)"),
    "saturation": (saturation, "share of units saturated"),
    "halted": (halted, "halted on a non-finite loss (1 yes, 0 no)"),
    "largest_gradient": (largest_gradient, "largest ‖g‖ before clipping"),
    "train_loss": (train_loss, "training loss"),
    "validation_rise": (validation_rise, "validation loss now / its lowest"),
    "best_test_accuracy": (best_test_accuracy, "test accuracy of the best weights"),
    "test_ece": (test_ece, "test ECE at temperature 1"),
    "calibrated_test_ece": (calibrated_test_ece, "test ECE after temperature scaling"),
    "order_effect": (order_effect, "opinion change with the words reversed"),
    "gradient_check_error": (gradient_check_error, "gradient check: largest relative error"),
    "echo_accuracy": (echo_accuracy, "last word predicted right"),
    "perplexity_ratio": (perplexity_ratio, "test perplexity / the unigram baseline's"),
    "sampling_choices": (sampling_choices, "words the sampler picks among at temperature T"),
}
