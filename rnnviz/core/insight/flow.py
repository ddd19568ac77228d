"""The gradient flow: how ||dL/dh_t|| fades or grows going back from each sentence's end, for one
step (gradient_flow), averaged over steps (FlowAverage) and over training as an image
(FlowHistory): one column per recorded step, one row per word counted back from the sentence end.

Bounded like the curves (it is a DecimatingHistory of 2·DEPTH columns: the flow summed and how
many batches reached each depth), so neighbouring columns merge pairwise when it fills and depths
that a short batch does not reach are averaged over the batches that do.
"""

from dataclasses import dataclass

import numpy as np

from ..history import DecimatingHistory
from ..nn.model import StepResult

DEPTH = 64  # words back from the end kept per column
CAPACITY = 512  # columns


def gradient_flow(result: StepResult | None) -> dict[str, np.ndarray]:
    """ "h" (and "c" for an LSTM) -> (T,) mean ||dL/dh_t|| of a step's batch by distance from
    each sequence's end (index 0 = last token); {} before the first step."""
    if result is None:
        return {}
    lengths = result.lengths  # (B,)
    T = result.dh_norms.shape[1]
    position = lengths[:, None] - 1 - np.arange(T)[None, :]  # (B, T)
    valid = position >= 0
    rows = np.arange(len(lengths))[:, None]
    counts = np.maximum(valid.sum(axis=0), 1)
    return {
        name: np.where(valid, norms[rows, np.maximum(position, 0)], 0).sum(axis=0) / counts
        for name, norms in result.state_norms.items()
    }


@dataclass(frozen=True)
class FlowImage:
    steps: np.ndarray  # (n,) step at which each column starts
    image: np.ndarray  # (n, DEPTH) mean ||dL/dh|| per depth, NaN where no batch reached it
    width: int  # recorded steps per column

    @property
    def depth(self) -> int:
        """Rows that hold data in some column."""
        seen = np.flatnonzero(np.isfinite(self.image).any(axis=0))
        return int(seen[-1]) + 1 if len(seen) else 0


class FlowAverage:
    """The mean gradient flow ("h" (, "c") -> (depth,)) over the steps added since the last
    take(): each depth averaged over the steps whose batch reached it."""

    def __init__(self, depth: int = DEPTH):
        self.depth = depth
        self._sums: dict[str, np.ndarray] = {}
        self._counts: dict[str, np.ndarray] = {}

    def add(self, flow: dict[str, np.ndarray]) -> None:
        for name, values in flow.items():
            n = min(len(values), self.depth)
            self._sums.setdefault(name, np.zeros(self.depth))[:n] += values[:n]
            self._counts.setdefault(name, np.zeros(self.depth))[:n] += 1

    def take(self) -> dict[str, np.ndarray]:
        """The means (cut after the deepest depth reached), and start again."""
        means = {}
        for name, sums in self._sums.items():
            counts = self._counts[name]
            reached = int(np.count_nonzero(counts))  # depths reached are a prefix
            means[name] = sums[:reached] / counts[:reached]
        self._sums, self._counts = {}, {}
        return means


class FlowHistory:
    def __init__(self, capacity: int = CAPACITY):
        names = tuple(f"sum{d}" for d in range(DEPTH)) + tuple(f"n{d}" for d in range(DEPTH))
        self._history = DecimatingHistory(names, capacity)
        self._row = np.zeros(2 * DEPTH)

    def append(self, step: int, flow: np.ndarray) -> None:
        """flow (T,): mean ||dL/dh|| by distance from the end, index 0 = last word."""
        T = min(len(flow), DEPTH)
        row = self._row
        row[:] = 0.0
        row[:T] = flow[:T]
        row[DEPTH : DEPTH + T] = 1.0
        self._history.append(step, row)

    def view(self) -> FlowImage:
        view = self._history.view()
        if len(view) == 0:
            return FlowImage(view.x, np.zeros((0, DEPTH)), view.width)
        sums = np.column_stack([view.mean[f"sum{d}"] for d in range(DEPTH)])  # (n, DEPTH)
        counts = np.column_stack([view.mean[f"n{d}"] for d in range(DEPTH)])
        with np.errstate(invalid="ignore", divide="ignore"):
            image = np.where(counts > 0, sums / counts, np.nan)
        return FlowImage(view.x, image, view.width)

    def nbytes(self) -> int:
        return self._history.nbytes()
