"""The crash reporter: a window process that faults leaves every thread's stack in crash.txt of the
state folder; the next start says where it is, once, and keeps it as crash-previous.txt."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WINDOW = """
import faulthandler, os, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
from rnnviz.gui import app
a = app.application()
def act():
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow))
    print("STATUS:", window.statusBar().currentMessage(), flush=True)
    ACTION
QTimer.singleShot(2000, act)
sys.exit(app.run("tiny"))
"""
START = """
from rnnviz.gui import app, crash_report
app.application()
print("NOTE:", crash_report.start(), flush=True)
ACTION
"""


def run(code: str, home: Path, action: str = "pass", **env) -> subprocess.CompletedProcess:
    """`code` with ACTION replaced, in a process of its own whose home, settings and state are
    under `home` (no faulthandler of Python's own unless `env` says so)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "XDG_", "RNNVIZ"))}
    env = {
        **base,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "RNNVIZ_STATE_DIR": str(home / "state"),
        "QT_QPA_PLATFORM": "offscreen",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code.replace("ACTION", action)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )


def said(done: subprocess.CompletedProcess, prefix: str) -> str:
    return next(line for line in done.stdout.splitlines() if line.startswith(prefix))


def test_a_crashed_window_leaves_a_report_and_the_next_start_says_where(tmp_path):
    state = tmp_path / "state"
    crashed = run(WINDOW, tmp_path, "faulthandler._sigsegv()")
    assert crashed.returncode == -signal.SIGSEGV, crashed.stderr
    report = (state / "crash.txt").read_text()
    assert report.startswith("Fatal Python error: Segmentation fault")
    assert 'File "<string>", line 10 in act' in report  # where it was
    assert "runner.py" in report  # and every other thread: the training thread's loop
    assert "STATUS: " in crashed.stdout and "crashed" not in said(crashed, "STATUS:")

    after = run(WINDOW, tmp_path, "a.quit()")
    assert after.returncode == 0, after.stderr
    previous = state / "crash-previous.txt"
    assert said(after, "STATUS:").startswith(  # first of what the window says as it opens
        f"STATUS: rnnviz crashed last time: what it was doing is in {previous}"
    )
    assert previous.read_text() == report and (state / "crash.txt").read_text() == ""

    again = run(WINDOW, tmp_path, "a.quit()")
    assert again.returncode == 0 and "crashed" not in said(again, "STATUS:")  # told once
    assert previous.read_text() == report


@pytest.mark.parametrize(
    "action, first_line",
    [
        ("import faulthandler; faulthandler._sigsegv()", "Fatal Python error: Segmentation fault"),
        ("import os; os.abort()", "Fatal Python error: Aborted"),
        ("import faulthandler; faulthandler._sigabrt()", "Fatal Python error: Aborted"),
        (
            "import faulthandler; faulthandler._read_null()",
            "Fatal Python error: Segmentation fault",
        ),
    ],
)
def test_each_fault_is_reported(tmp_path, action, first_line):
    done = run(START, tmp_path, action)
    assert done.returncode < 0 and said(done, "NOTE:") == "NOTE: None"
    assert (tmp_path / "state" / "crash.txt").read_text().startswith(first_line)
    assert said(run(START, tmp_path), "NOTE:").endswith("crash-previous.txt")


def test_a_clean_exit_leaves_nothing_to_say(tmp_path):
    for _ in range(2):
        done = run(START, tmp_path, "raise SystemExit(3)")  # an error exit is no crash
        assert done.returncode == 3 and said(done, "NOTE:") == "NOTE: None"
    assert (tmp_path / "state" / "crash.txt").read_text() == ""
    assert not (tmp_path / "state" / "crash-previous.txt").exists()


def test_an_older_previous_report_is_replaced_by_the_newer(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "crash-previous.txt").write_text("the oldest\n")
    (state / "crash.txt").write_text("the newer\n")
    done = run(START, tmp_path)
    assert said(done, "NOTE:").endswith(str(state / "crash-previous.txt"))
    assert (state / "crash-previous.txt").read_text() == "the newer\n"


def test_a_state_folder_that_cannot_be_written_is_said_and_nothing_else(tmp_path):
    (tmp_path / "state").write_text("a file where the folder should be\n")
    done = run(START, tmp_path, "print('still running')")
    assert done.returncode == 0, done.stderr
    assert said(done, "NOTE:").startswith(
        f"NOTE: no crash report this time: cannot write in {tmp_path / 'state'} ("
    )
    assert "still running" in done.stdout


def test_the_users_own_faulthandler_is_left_alone(tmp_path):
    done = run(
        START, tmp_path, "import faulthandler; faulthandler._sigsegv()", PYTHONFAULTHANDLER="1"
    )
    assert said(done, "NOTE:") == "NOTE: None"
    assert "Fatal Python error: Segmentation fault" in done.stderr  # where the user asked
    assert not (tmp_path / "state").exists()


def test_the_state_folder_is_the_users_local_data_folder(tmp_path):
    done = run(START, tmp_path, "print(crash_report.state_dir())", RNNVIZ_STATE_DIR="")
    assert done.stdout.splitlines()[-1] == str(tmp_path / "data" / "rnnviz" / "rnnviz")
