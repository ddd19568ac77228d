"""Fixtures shared by every test folder."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


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
