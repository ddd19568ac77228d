"""Turning decimated histories into curve data: envelopes, smoothing, positive-only values."""

import numpy as np

from ..core.train.history import SeriesView


def envelope(view: SeriesView, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """x, y of a zig-zag through each bucket's min and max: the raw curve while every bucket is
    one step, the full range of values once buckets cover many."""
    if view.width == 1:
        return view.x, view.mean[metric]
    x = np.repeat(view.x, 2)
    y = np.empty(2 * len(view))
    y[0::2], y[1::2] = view.low[metric], view.high[metric]
    return x, y


def smooth(y: np.ndarray, points: int = 60) -> np.ndarray:
    """Trailing moving average over ~len(y)/points samples (at least 1, at most 200)."""
    window = int(np.clip(len(y) // points, 1, 200))
    if window == 1 or len(y) == 0:
        return y
    csum = np.cumsum(np.insert(y, 0, 0.0))
    out = np.empty_like(y)
    out[window - 1 :] = (csum[window:] - csum[:-window]) / window
    head = np.arange(1, window)
    out[: window - 1] = csum[1:window] / head
    return out


def positive(y: np.ndarray) -> np.ndarray:
    """Values for a log axis: zeros and negatives become NaN (a gap, not -inf)."""
    return np.where(y > 0, y, np.nan)
