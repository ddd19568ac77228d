"""Softmax and mean cross-entropy, forward and backward side by side."""

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """p_c = exp(z_c - max z) / sum_k exp(z_k - max z), along the last axis (stable for any z)."""
    with np.errstate(over="ignore"):  # z - max z = -inf is fine: exp gives 0
        shifted = logits - logits.max(axis=-1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=-1, keepdims=True)
    return shifted


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy L = mean_b [logsumexp(z_b) - z_b[y_b]] and its gradient.

    logits: (B, C), overwritten (a language model's are B·T x V: no copies of them are made);
    labels: (B,) class ids. Returns (L, dL/dz (B, C) = (softmax(z) - onehot(y)) / B), the
    gradient in the logits' memory.
    """
    B = logits.shape[0]
    rows = np.arange(B)
    with np.errstate(over="ignore", invalid="ignore"):  # z - max z = -inf: exp gives 0
        logits -= logits.max(axis=1, keepdims=True)
    picked = float(logits[rows, labels].sum())
    np.exp(logits, out=logits)
    total = logits.sum(axis=1, keepdims=True)  # (B, 1)
    loss = (float(np.log(total).sum()) - picked) / B
    logits /= total  # softmax(z)
    logits[rows, labels] -= 1.0
    logits /= B
    return loss, logits
