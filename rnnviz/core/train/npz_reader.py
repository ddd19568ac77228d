"""Reading an .npz file that a stranger may have crafted: member by member, header before data.

np.load would read whatever members a zip holds, believe every size it declares and unpickle on
request. Here only the members the caller expects are read, each header is checked (shape and
dtype) before a byte of data is allocated, declared sizes must match, and object arrays (pickles)
are refused.
"""

import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import CheckpointError

HEADER_SLACK = 1 << 16  # bytes an .npy header may take beyond the data
HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


class NpzReader:
    def __init__(self, path: Path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
            self.members = {info.filename: info for info in self.zip.infolist()}
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise self.refuse(f"not a readable .npz file (truncated or corrupt: {error})") from None

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
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as error:
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
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
            raise self.refuse(f"{name}: truncated or corrupt ({error})") from None
