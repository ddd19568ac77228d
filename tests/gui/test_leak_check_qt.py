"""tests/gui's leak check (its no_leftovers) fails the test that leaves a QTimer active or a
QThread running, naming the line that started it, and passes the test that stops its own."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent

LEAKING = """
from PySide6.QtCore import QThread, QTimer

kept = []  # referenced after the test, as a window's attribute would be


def test_leaks_a_timer():
    timer = QTimer()
    timer.start(60_000)
    kept.append(timer)


def test_leaks_a_thread():
    thread = QThread()
    thread.start()
    kept.append(thread)


def test_stops_its_timer():
    timer = QTimer()
    timer.start(60_000)
    timer.stop()


def test_after_the_leaks():  # they still run, but not this test's
    assert kept[0].isActive() and kept[1].isRunning()
    kept[0].stop()
    kept[1].quit()
    kept[1].wait()
"""


def test_a_test_that_leaves_a_qtimer_or_qthread_running_fails_naming_it(pytester):
    root = pytester.mkpydir("tests")
    (root / "conftest.py").write_text((TESTS / "conftest.py").read_text(encoding="utf-8"))
    gui = root / "gui"
    gui.mkdir()
    (gui / "__init__.py").write_text("")
    (gui / "conftest.py").write_text((TESTS / "gui" / "conftest.py").read_text(encoding="utf-8"))
    (gui / "test_leaky_qt.py").write_text(LEAKING)
    result = pytester.runpytest_subprocess("--import-mode=importlib", "-p", "no:xdist")
    result.assert_outcomes(passed=4, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaks_a_timer*",
            "active QTimer (interval 60000 ms) started at:",
            '*test_leaky_qt.py", line *, in test_leaks_a_timer',
            "    timer.start(60_000)",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaks_a_thread*",
            "QThread '' started at:",
            '*test_leaky_qt.py", line *, in test_leaks_a_thread',
            "    thread.start()",
        ]
    )
    errors = [line for line in result.stdout.lines if line.startswith("ERROR")]
    assert not any("test_stops_its_timer" in e or "test_after_the_leaks" in e for e in errors)
