"""Every file rnnviz writes goes through writing(): a failure never destroys what was there.

A regular file is written to a temporary beside it, flushed to the disk and renamed over it, so
that a full disk, a crash or kill -9 leaves the old file whole. A link is written through (its
target is replaced, the link stays); a device or a pipe (/dev/null, /dev/stdout) is written in
place, since renaming over it would turn it into a regular file. A new file gets the mode open()
would give it (0o666 minus the umask), an existing one keeps its own.

A temporary is named .NAME.rnnviz-tmp-XXXXXXXX and locked (flock) while its save runs; the next
save of NAME removes those no save holds any more: the lock dies with the process that took it,
kill -9 included.
"""

import errno
import fcntl
import glob
import os
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import RnnvizError

TEMPORARY_MARK = ".rnnviz-tmp-"
LEGACY_SUFFIX = ".tmp"  # earlier versions named them .NAME.XXXXXXXX.tmp and locked nothing
UNLOCKED_STALE_S = 60.0  # without locks (old temporaries, file systems without flock): by age
NAME_ROOM = 200  # of a file name's 255 bytes, what a temporary's name keeps of the target's


class WriteError(RnnvizError):
    """A file cannot be written (disk full, folder missing, no permission); names the file."""


@contextmanager
def writing(path: str | Path, text: bool = False) -> Iterator[IO[Any]]:
    """A stream (bytes, or UTF-8 text with newlines as written) whose contents become the file
    at `path` once the block ends without an error; any OSError is a WriteError naming `path`."""
    path = Path(path)
    try:
        found = os.stat(path)  # through links
    except FileNotFoundError:
        found = None
    except OSError as error:
        raise _failed(path, error) from None
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise WriteError(f"cannot write {path}: it is a folder")
    if found is not None and not os.access(path, os.W_OK):  # renaming over it would not ask
        raise WriteError(f"cannot write {path}: permission denied")
    if found is not None and not stat.S_ISREG(found.st_mode):
        try:
            with _open(path, text) as stream:
                yield stream
        except OSError as error:
            raise _failed(path, error) from None
        return
    target = Path(os.path.realpath(path))  # a dangling link: the file it names is created
    if not target.parent.is_dir():
        raise WriteError(f"cannot write {path}: folder {target.parent} does not exist")
    remove_dead_temporaries(target)
    temporary = None
    try:
        handle, temporary = _locked_temporary(target)
        with _open(handle, text) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
            os.fchmod(stream.fileno(), file_mode(target))
            os.replace(temporary, target)  # still locked: no cleaner takes it before this
        temporary = None
        _sync_folder(target.parent)
    except OSError as error:
        raise _failed(path, error) from None
    finally:
        if temporary is not None:  # any failure, KeyboardInterrupt included
            Path(temporary).unlink(missing_ok=True)


def write_bytes(path: str | Path, data: bytes) -> Path:
    with writing(path) as out:
        out.write(data)
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    with writing(path, text=True) as out:
        out.write(text)
    return Path(path)


def file_mode(path: Path) -> int:
    """The permissions a file written with open() would get: the existing file's, else
    0o666 minus the umask (mkstemp's temporary file is 0o600 whatever the umask)."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read where the system reports it (Linux); else set and put back, a
    moment in which a file another thread creates would get 0o666."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _open(file: int | Path, text: bool) -> IO[Any]:
    return open(file, "w", encoding="utf-8", newline="") if text else open(file, "wb")


def _failed(path: Path, error: OSError) -> WriteError:
    return WriteError(f"cannot write {path}: {error.strerror or error}")


def _temporary_prefix(target: Path) -> str:
    return f".{target.name[:NAME_ROOM]}{TEMPORARY_MARK}"


def _locked_temporary(target: Path) -> tuple[int, str]:
    """A new temporary beside `target`, open and locked. A cleaner that found it between its
    creation and the lock may have removed it: then another one is made."""
    while True:
        handle, temporary = tempfile.mkstemp(prefix=_temporary_prefix(target), dir=target.parent)
        try:
            if not _lock(handle, wait=True) or os.fstat(handle).st_nlink > 0:
                return handle, temporary
        except BaseException:  # a signal while waiting for the lock, say
            os.close(handle)
            Path(temporary).unlink(missing_ok=True)
            raise
        os.close(handle)


def _lock(handle: int, wait: bool) -> bool:
    """Take the file's lock: False where the file system has none; BlockingIOError when another
    open file holds it and not `wait`."""
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError as error:
        if error.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
            return False
        raise
    return True


def remove_dead_temporaries(target: Path) -> None:
    """Temporaries of earlier saves of `target` that no running save holds: removed. One a save
    is writing is locked and kept; where nothing can be locked, those over a minute old go."""
    ours = _temporary_prefix(target)
    legacy = f".{glob.escape(target.name)}.*{LEGACY_SUFFIX}"
    for candidate in [*target.parent.glob(glob.escape(ours) + "*"), *target.parent.glob(legacy)]:
        try:  # not followed if a link, not waited on if a pipe
            probe = os.open(candidate, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue  # gone already, or not ours to read
        try:
            found = os.fstat(probe)
            if not stat.S_ISREG(found.st_mode) or os.stat(candidate).st_ino != found.st_ino:
                continue
            dead = candidate.name.startswith(ours) and _lock(probe, wait=False)
            if dead or time.time() - found.st_mtime > UNLOCKED_STALE_S:
                candidate.unlink()  # while the probe holds the lock: no save can take it now
        except OSError:
            continue  # held by a running save, or not ours to remove
        finally:
            os.close(probe)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself survive a power cut (where a folder can be opened and synced)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def refuse_overlaps(
    outputs: Iterable[tuple[str, str | Path | None]], inputs: Iterable[tuple[str, str | Path]]
) -> None:
    """Refuse (RnnvizError) an output that is an input, lies inside an input folder, or is
    another output, each pair given as (what the user calls it, its path): compared as the files
    they are, so that a link, a hard link or ./x is caught as well as the same name."""
    named = [(what, Path(path)) for what, path in outputs if path is not None]
    sources = [(what, Path(path)) for what, path in inputs]
    for i, (what, path) in enumerate(named):
        for other, earlier in named[:i]:
            if _same_file(path, earlier):
                raise RnnvizError(f"{other} and {what} would both be {path}: refused")
        for source, given in sources:
            if _same_file(path, given):
                raise RnnvizError(
                    f"{what} {path} would overwrite the {source} file {given}: refused"
                )
            if given.is_dir() and Path(os.path.realpath(path)).is_relative_to(
                os.path.realpath(given)
            ):
                raise RnnvizError(
                    f"{what} {path} is inside the {source} folder {given} (rnnviz does not "
                    "write into its data): refused"
                )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist yet: the same name after links are followed
        return os.path.realpath(a) == os.path.realpath(b)


def open_log(path: Path) -> IO[str]:
    """A text file kept open for the process's lifetime and written as things happen (the crash
    report faulthandler writes into as the process dies): by nature not atomic, so not through
    writing(); created anew, with the umask's mode."""
    return open(path, "w", encoding="utf-8")  # noqa: SIM115 (held open on purpose)
