"""Locate the files rnnviz reads at run time (bundled datasets, icons), in a clone or an install."""

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Folder `name` ("data", "assets"): inside the installed package, else beside it in a clone."""
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"rnnviz resource folder {name!r} is missing from {_PACKAGE_DIR}")
