"""Ctrl-C, kill and a closed terminal (SIGINT, SIGTERM, SIGHUP) end a command as Interrupted, so
that what it writes is cleaned up on the way out and it exits with the shell's code for the
signal (128 + its number: 130, 143, 129). Training may ask instead to be told (Deferred): it then
stops after the step under way and saves what it has.
"""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Interrupted(KeyboardInterrupt):
    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


def _raise(signum: int, _frame) -> None:
    raise Interrupted(signum)


@contextmanager
def raising() -> Iterator[None]:
    """Within: each of SIGNALS raises Interrupted (where signals can be caught: the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _raise) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class Deferred:
    """Within `with Deferred() as stop:`, the first signal is only kept in stop.interruption (the
    work asks stop.requested() where it can stop cleanly); a second one raises Interrupted."""

    def __init__(self):
        self.interruption: Interrupted | None = None
        self.previous: dict = {}

    def requested(self) -> bool:
        return self.interruption is not None

    def _note(self, signum: int, frame) -> None:
        if self.interruption is not None:
            _raise(signum, frame)
        self.interruption = Interrupted(signum)

    def __enter__(self) -> "Deferred":
        if threading.current_thread() is threading.main_thread():
            self.previous = {signum: signal.signal(signum, self._note) for signum in SIGNALS}
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
