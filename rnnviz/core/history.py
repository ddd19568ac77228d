"""A bounded history of many metrics that keeps the shape of the curve.

Each bucket holds the count, sum, minimum and maximum of the records it covers. While there is
room, one record is one bucket; when the buffer is full, neighbouring buckets merge pairwise and
each bucket covers twice as many steps. Memory is fixed at construction; a million records cost
what four thousand do, and the min/max envelope still shows every spike.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SeriesView:
    """A copy of the filled buckets, for drawing."""

    x: np.ndarray  # (n,) step at which each bucket starts
    mean: dict[str, np.ndarray]  # metric -> (n,)
    low: dict[str, np.ndarray]
    high: dict[str, np.ndarray]
    width: int  # steps per bucket (1 until the buffer first fills)

    def __len__(self) -> int:
        return len(self.x)


class DecimatingHistory:
    """Append-only history of named float metrics in at most `capacity` buckets."""

    def __init__(self, names: tuple[str, ...], capacity: int = 4096):
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number >= 2")
        self.names = names
        self.column = {name: i for i, name in enumerate(names)}
        self.capacity = capacity
        M = len(names)
        self._x = np.zeros(capacity, dtype=np.int64)
        self._count = np.zeros(capacity, dtype=np.int64)
        self._sum = np.zeros((capacity, M))
        self._min = np.zeros((capacity, M))
        self._max = np.zeros((capacity, M))
        self.width = 1
        self.size = 0  # filled buckets
        self.total = 0  # records appended

    def append(self, x: int, values) -> None:
        """Add one record: `values` (M,) in the order of `names`."""
        i = self.size - 1
        if i >= 0 and self._count[i] < self.width:
            self._count[i] += 1
            self._sum[i] += values
            np.minimum(self._min[i], values, out=self._min[i])
            np.maximum(self._max[i], values, out=self._max[i])
        else:
            if self.size == self.capacity:
                self._merge_pairs()
            i = self.size
            self._x[i] = x
            self._count[i] = 1
            self._sum[i] = self._min[i] = self._max[i] = values
            self.size += 1
        self.total += 1

    def _merge_pairs(self) -> None:
        half = self.capacity // 2
        self._x[:half] = self._x[0::2]
        self._count[:half] = self._count[0::2] + self._count[1::2]
        self._sum[:half] = self._sum[0::2] + self._sum[1::2]
        self._min[:half] = np.minimum(self._min[0::2], self._min[1::2])
        self._max[:half] = np.maximum(self._max[0::2], self._max[1::2])
        self.size = half
        self.width *= 2

    def view(self) -> SeriesView:
        n = self.size
        mean = self._sum[:n] / self._count[:n, None]
        return SeriesView(
            self._x[:n].copy(),
            {name: mean[:, j] for name, j in self.column.items()},
            {name: self._min[:n, j].copy() for name, j in self.column.items()},
            {name: self._max[:n, j].copy() for name, j in self.column.items()},
            self.width,
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """The filled buckets (copies): x, count (n,) and sum, min, max (n, M)."""
        n = self.size
        return {
            "x": self._x[:n].copy(),
            "count": self._count[:n].copy(),
            "sum": self._sum[:n].copy(),
            "min": self._min[:n].copy(),
            "max": self._max[:n].copy(),
        }

    @classmethod
    def from_arrays(
        cls, names: tuple[str, ...], capacity: int, width: int, arrays: dict[str, np.ndarray]
    ) -> "DecimatingHistory":
        """The history whose filled buckets are `arrays` (as arrays() gives them), `width` steps
        each; ValueError naming what does not fit."""
        history = cls(names, capacity)
        x, count = arrays["x"], arrays["count"]
        n, M = len(x), len(names)
        if n > capacity:
            raise ValueError(f"{n} buckets, more than the {capacity} kept")
        if count.shape != (n,) or any(arrays[k].shape != (n, M) for k in ("sum", "min", "max")):
            raise ValueError(f"buckets of inconsistent shapes for {M} metrics")
        if n and (count.min() < 1 or count.max() > width or np.any(np.diff(x) < 0)):
            raise ValueError("bucket counts or steps out of order")
        history._x[:n], history._count[:n] = x, count
        history._sum[:n], history._min[:n], history._max[:n] = (
            arrays["sum"],
            arrays["min"],
            arrays["max"],
        )
        history.width, history.size, history.total = width, n, int(count.sum())
        return history

    def copy(self) -> "DecimatingHistory":
        return self.from_arrays(self.names, self.capacity, self.width, self.arrays())

    def nbytes(self) -> int:
        arrays = (self._x, self._count, self._sum, self._min, self._max)
        return sum(a.nbytes for a in arrays)
