"""Fixtures shared by every test folder, and the leak check every test runs under."""

import errno
import os
import subprocess
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# ---------------------------------------------------------------- leak check
# Every test runs with the start() of threads (and, in tests/gui, of QTimers and QThreads)
# recorded: each started object is mapped to the stack that started it, so that a test that
# leaves one running fails naming the line that started it (as napari's _dangling_qthreads and
# _dangling_qtimers fixtures do).
_started_at: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_NOT_RECORDED = "    (not started while a test ran: no stack recorded)\n"


def _caller_stack() -> str:
    """The stack of whoever called the patched start(), without pytest's and pluggy's frames."""
    here = f'File "{__file__}"'  # the patched start()s, however many are nested
    frames = traceback.format_stack()[:-1]
    return "".join(f for f in frames if not (here in f or "/_pytest/" in f or "/pluggy/" in f))


@contextmanager
def recording_starts(*methods: tuple[type, str]) -> Iterator[None]:
    """While inside, calling any of `methods` ((class, "start") pairs) records its stack."""
    originals = [(cls, name, cls.__dict__[name]) for cls, name in methods]

    def recording(original):
        def start(self, *args, **kwargs):
            _started_at[self] = _caller_stack()
            return original(self, *args, **kwargs)

        return start

    for cls, name, original in originals:
        setattr(cls, name, recording(original))
    try:
        yield
    finally:
        for cls, name, original in originals:
            setattr(cls, name, original)


def started_at(thing: object) -> str:
    """Where `thing` was started (a recorded stack), for a report."""
    return _started_at.get(thing, _NOT_RECORDED)


def recorded(kind: type) -> list:
    """The objects of `kind` whose start() was called while a test ran and that are still
    referenced: the only ones that can have been left running by a test. (Scanning the heap
    with gc.get_objects() instead took 0.2-0.4 s a test once torch and onnx were imported.)"""
    return [thing for thing in list(_started_at.keys()) if isinstance(thing, kind)]


def describe(kind: str, thing: object, name: str) -> str:
    return f"{kind} {name} started at:\n{started_at(thing)}"


def _process_wide(thread: threading.Thread) -> bool:
    """A library's one thread for the whole process, not a test's: tqdm's monitor, which the
    first bar starts (a disabled one too: the CLI's when stderr is not a terminal) and which
    stays for every later bar."""
    return type(thread).__module__ == "tqdm._monitor"


def leaked_threads(before: set[threading.Thread]) -> list[str]:
    """Each thread alive now that was not in `before`, with where it was started."""
    return [
        describe("thread", t, repr(t.name))
        for t in threading.enumerate()
        if t not in before and t.is_alive() and not _process_wide(t)
    ]


def leftovers(
    find: Callable[[], list[str]], wait: float = 2.0, settle: Callable[[], None] = lambda: None
) -> str | None:
    """find() (the descriptions of what was left) once it comes back empty, or after `wait`
    seconds of settle() (letting what is ending end) between tries: None when nothing is left,
    else the descriptions."""
    deadline = time.monotonic() + wait
    while True:
        left = find()
        if not left:
            return None
        if time.monotonic() > deadline:
            return "\n".join(left)
        settle()
        time.sleep(0.02)  # a poll of the condition above, not a wait for an amount of time


@pytest.fixture(autouse=True, scope="session")
def one_blas_thread() -> Iterator[None]:
    """The math on one BLAS thread, as `rnnviz` and the window's training thread run it: with
    pytest-xdist's two workers on two cores, two threads each fought over them (early stopping
    on negation took 18 s in the suite, 2 s alone)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


@pytest.fixture(autouse=True)
def no_leftovers():
    """Fail a test that leaves a thread running, naming where the thread was started.
    (tests/gui's own no_leftovers adds QTimers, QThreads and windows.)"""
    before = set(threading.enumerate())
    with recording_starts((threading.Thread, "start")):
        yield
        left = leftovers(lambda: leaked_threads(before))
    if left:
        pytest.fail(f"left behind:\n{left}", pytrace=False)


@pytest.fixture
def installed_rnnviz():
    """Run the installed `rnnviz` command (the script pip put beside this Python) in a folder,
    with nothing of the checkout on the import path: what a user who typed it would get."""
    script = Path(sys.executable).parent / ("rnnviz.exe" if os.name == "nt" else "rnnviz")
    if not script.is_file():
        pytest.fail(f"no installed rnnviz command beside {sys.executable}: pip install . first")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def run(*argv: str, cwd: Path, extra_env: dict | None = None):
        return subprocess.run(
            [str(script), *argv],
            cwd=cwd,
            env={**env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run


@pytest.fixture
def full_disk(monkeypatch):
    """full_disk(folder): from then on a file written into `folder` fails as on a full disk, with
    ENOSPC when its contents are flushed to the disk (fsync), as a full file system (or a quota,
    or a network share) reports it; no root, no small file system needed."""
    full: list[Path] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        found = os.fstat(fd)
        for folder in full:
            if any(entry.inode() == found.st_ino for entry in os.scandir(folder)):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return lambda folder: full.append(Path(folder))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first: pytest-xdist hands tests out in this order, and a slow test handed
    out last leaves the other worker idle while it runs."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
