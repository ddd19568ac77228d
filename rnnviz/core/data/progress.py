"""Progress and cancellation for long loads: loops call tick(); it reports at most ten times a
second and raises LoadCancelledError as soon as the caller asks to stop."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import RnnvizError


class LoadCancelledError(RnnvizError):
    """The user cancelled a load; nothing was replaced."""


@dataclass
class Progress:
    report: Callable[[str, float], None] | None = None  # (what is being done, share done 0..1)
    cancelled: Callable[[], bool] | None = None
    every_s: float = 0.1
    _last: float = field(default=0.0, repr=False)

    def tick(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self._last < self.every_s:
            return
        self._last = now
        if self.cancelled is not None and self.cancelled():
            raise LoadCancelledError("loading cancelled: nothing was changed")
        if self.report is not None:
            self.report(stage, done / total if total else 0.0)


def counting(items, progress: Progress, stage: str, total: int):
    """Yield the items, ticking `progress` as they go."""
    for done, item in enumerate(items):
        progress.tick(stage, done, total)
        yield item
