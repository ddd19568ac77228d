"""How far to believe a probability: negative log-likelihood, expected calibration error, the
reliability table behind it, and temperature scaling (Guo et al. 2017, "On Calibration of Modern
Neural Networks")."""

from dataclasses import dataclass

import numpy as np

from ..nn.losses import softmax

ECE_BINS = 15  # equal-width confidence bins, as in Guo et al.
TEMPERATURE_RANGE = (0.05, 20.0)


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float = 1.0) -> float:
    """mean_b [logsumexp(z_b / T) - z_b[y_b] / T]; logits (N, C), labels (N,)."""
    z = logits / temperature
    top = z.max(axis=1, keepdims=True)
    log_total = np.log(np.exp(z - top).sum(axis=1)) + top[:, 0]
    return float(np.mean(log_total - z[np.arange(len(labels)), labels])) if len(labels) else 0.0


@dataclass(frozen=True)
class Reliability:
    """Per confidence bin: how sure the model was and how often it was right."""

    edges: np.ndarray  # (K + 1,) bin edges over [0, 1]
    counts: np.ndarray  # (K,) predictions whose top probability falls in the bin
    confidence: np.ndarray  # (K,) mean top probability in the bin (NaN when empty)
    accuracy: np.ndarray  # (K,) share right in the bin (NaN when empty)

    @property
    def ece(self) -> float:
        """sum_k n_k / N * |accuracy_k - confidence_k| (empty bins add nothing)."""
        total = self.counts.sum()
        if not total:
            return 0.0
        gaps = np.abs(np.nan_to_num(self.accuracy - self.confidence))
        return float((self.counts * gaps).sum() / total)


def reliability(probs: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> Reliability:
    """Bin the top-class probability of each row of probs (N, C) against labels (N,)."""
    confidence = probs.max(axis=1)
    right = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(which, confidence, bins) / counts
        mean_right = np.bincount(which, right.astype(float), bins) / counts
    return Reliability(edges, counts, mean_conf, mean_right)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """argmin_T nll(logits / T, labels) + (log T)^2 / N over T in TEMPERATURE_RANGE, by
    golden-section search on log T. The small pull towards T = 1 matters only when the data do
    not pin T down: on a validation set predicted 100% right the NLL alone falls forever as
    T -> 0, and a model that sharp pays dearly for its first test mistake."""
    n = len(labels)
    if n == 0:
        return 1.0

    def objective(log_t: float) -> float:
        return nll(logits, labels, np.exp(log_t)) + log_t**2 / n

    low, high = np.log(TEMPERATURE_RANGE[0]), np.log(TEMPERATURE_RANGE[1])
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = high - ratio * (high - low), low + ratio * (high - low)
    fa, fb = objective(a), objective(b)
    while high - low > 1e-4:
        if fa < fb:
            high, b, fb = b, a, fa
            a = high - ratio * (high - low)
            fa = objective(a)
        else:
            low, a, fa = a, b, fb
            b = low + ratio * (high - low)
            fb = objective(b)
    return float(np.exp((low + high) / 2.0))


def probabilities(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """softmax(z / T) along the last axis."""
    return softmax(np.asarray(logits) / temperature)
