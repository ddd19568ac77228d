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

    logits: (B, C); labels: (B,) class ids.
    Returns (L, dL/dz (B, C) = (softmax(z) - onehot(y)) / B).
    """
    B = logits.shape[0]
    rows = np.arange(B)
    with np.errstate(over="ignore"):  # z - max z = -inf is fine: exp gives 0
        shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)  # (B, 1)
    loss = float(np.log(total).sum() - shifted[rows, labels].sum()) / B
    dlogits = exp / total  # softmax(z)
    dlogits[rows, labels] -= 1.0
    dlogits /= B
    return loss, dlogits
