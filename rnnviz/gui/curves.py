"""Turning decimated histories into curve data: smoothing, robust ranges, positive-only values."""

import numpy as np

BLOCK = 64  # points per block of the vectorised moving average


def ema(y: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's smoothing: the debiased exponential moving average
    s_t = w s_(t-1) + (1 - w) y_t, s_(-1) = 0, shown as s_t / (1 - w^(t+1)).
    Non-finite values (a halted step) are skipped: the average holds its last value.
    Computed blockwise: within a block of K points, s = (1 - w) L y + w^(j+1) s_before, with
    L[j, i] = w^(j-i) for i <= j."""
    n = len(y)
    if n == 0 or weight <= 0.0:
        return np.asarray(y, dtype=float)
    y = _hold_last_finite(np.asarray(y, dtype=float))
    blocks = -(-n // BLOCK)
    padded = np.zeros(blocks * BLOCK)
    padded[:n] = y
    j = np.arange(BLOCK)
    powers = weight ** (j + 1.0)  # (K,) w^(j+1): what a block's start carries to point j
    lags = j[:, None] - j[None, :]
    L = np.where(lags >= 0, weight ** np.maximum(lags, 0), 0.0)  # (K, K)
    within = (1.0 - weight) * padded.reshape(blocks, BLOCK) @ L.T  # (blocks, K) from s = 0
    out = np.empty_like(within)
    carry = 0.0
    for b in range(blocks):
        out[b] = within[b] + powers * carry
        carry = out[b, -1]
    debias = 1.0 - weight ** (np.arange(n) + 1.0)
    return out.reshape(-1)[:n] / debias


def _hold_last_finite(y: np.ndarray) -> np.ndarray:
    """Each non-finite value replaced by the last finite one before it (the first finite value
    before any)."""
    finite = np.isfinite(y)
    if finite.all() or not finite.any():
        return np.where(finite, y, 0.0)
    index = np.where(finite, np.arange(len(y)), 0)
    np.maximum.accumulate(index, out=index)
    held = y[index]
    held[: np.argmax(finite)] = y[np.argmax(finite)]
    return held


def robust_top(y: np.ndarray, share: float = 99.0) -> float:
    """The `share` percentile of the finite values: the top of a linear axis that is not
    squeezed flat by a few early, high values (nan when there are none)."""
    finite = y[np.isfinite(y)]
    return float(np.percentile(finite, share)) if len(finite) else float("nan")


def positive(y: np.ndarray) -> np.ndarray:
    """Values for a log axis: zeros and negatives become NaN (a gap, not -inf)."""
    return np.where(y > 0, y, np.nan)
