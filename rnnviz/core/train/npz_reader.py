"""Reading an .npz file that a stranger may have crafted: member by member, header before data.

np.load would read whatever members a zip holds, believe every size it declares and unpickle on
request. Here only the members the caller expects are read, each header is checked (shape and
dtype) before a byte of data is allocated, declared sizes must match, and object arrays (pickles)
are refused, as are members zipfile cannot read (encrypted, compressed otherwise than np.savez
does) or would read wrongly (a name given twice: the last one wins).
"""

import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import CheckpointError

HEADER_SLACK = 1 << 16  # bytes an .npy header may take beyond the data
HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}
COMPRESSIONS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}  # np.savez's
ENCRYPTED = 0x1 | 0x40  # zip flag bits: encrypted, strongly encrypted
PATCHED = 0x20  # compressed patched data, which zipfile cannot read
CORRUPT = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error)  # a member's bytes


class NpzReader:
    def __init__(self, path: Path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise self.refuse(f"not a readable .npz file (truncated or corrupt: {error})") from None
        self.members = {info.filename: info for info in infos}
        problem = _unreadable(infos)
        if problem:
            self.zip.close()
            raise self.refuse(f"{problem}: refused")

    def __enter__(self) -> "NpzReader":
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def refuse(self, why: str) -> CheckpointError:
        return CheckpointError(f"{self.path.name}: {why}")

    def names(self) -> list[str]:
        """Array names stored (member names without .npy)."""
        return [name.removesuffix(".npy") for name in self.members]

    def header(self, name: str) -> tuple[tuple[int, ...], np.dtype]:
        """(shape, dtype) of array `name`, from its header alone."""
        try:
            with self.zip.open(f"{name}.npy") as member:
                version = np.lib.format.read_magic(member)
                read_header = HEADER_READERS.get(version)
                if read_header is None:
                    raise ValueError(f".npy format version {version} is not supported")
                shape, _, dtype = read_header(member)
        except (*CORRUPT, KeyError) as error:
            raise self.refuse(f"{name}: not an .npy array ({error})") from None
        if dtype.hasobject:
            raise self.refuse(
                f"{name}: holds pickled Python objects; refused: loading them could run code"
            )
        return shape, dtype

    def read(
        self, name: str, check: Callable[[tuple[int, ...], np.dtype], str | None]
    ) -> np.ndarray:
        """Array `name`, once check(shape, dtype) has found nothing wrong with its header and the
        member's declared size matches it."""
        shape, dtype = self.header(name)
        problem = check(shape, dtype)
        if problem:
            raise self.refuse(f"{name}: {problem}")
        expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        declared = self.members[f"{name}.npy"].file_size
        if not expected <= declared <= expected + HEADER_SLACK:
            raise self.refuse(f"{name}: declares {declared} bytes for {expected} bytes of data")
        try:
            with self.zip.open(f"{name}.npy") as member:
                return np.lib.format.read_array(member, allow_pickle=False)
        except CORRUPT as error:
            raise self.refuse(f"{name}: truncated or corrupt ({error})") from None


def _unreadable(infos: list[zipfile.ZipInfo]) -> str | None:
    """What zipfile could not read, or would read wrongly: a name given twice (it reads the last
    silently), an encrypted member or a compression it lacks (it raises NotImplementedError or
    RuntimeError halfway). None when there is nothing."""
    twice = sorted(name for name, n in Counter(info.filename for info in infos).items() if n > 1)
    if twice:
        return f"member {twice[0]!r} appears more than once"
    for info in infos:
        if info.flag_bits & ENCRYPTED:
            return f"member {info.filename!r} is encrypted"
        if info.flag_bits & PATCHED:
            return f"member {info.filename!r} is stored as a compressed patch"
        if info.compress_type not in COMPRESSIONS:
            return (
                f"member {info.filename!r} is compressed with method {info.compress_type} "
                f"(rnnviz reads {' or '.join(COMPRESSIONS.values())} members)"
            )
    return None
