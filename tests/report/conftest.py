"""A short run's history and its report, made once for the module that asks (by the installed
command, as a user makes them)."""

import json
import subprocess
import sys

import pytest


def rnnviz(*args: str, cwd) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "rnnviz", *args], cwd=cwd, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """(path of the page, its --json record, the history file) of a GRU after 2 epochs of tiny."""
    folder = tmp_path_factory.mktemp("report")
    rnnviz(
        "train",
        "--data",
        "tiny",
        "--cell",
        "gru",
        "--hidden",
        "16",
        "--epochs",
        "2",
        "--clip",
        "0.5",
        "--history",
        "run.npz",
        "-q",
        cwd=folder,
    )
    done = rnnviz(
        "report",
        "run.npz",
        "--out",
        "run.html",
        "--json",
        "--text",
        "this is not bad",
        "--text",
        "a dull film",
        cwd=folder,
    )
    return folder / "run.html", json.loads(done.stdout), folder / "run.npz"
