"""The leak check every test runs under (tests/conftest.py's no_leftovers) fails the test that
leaves a thread running, and names the line that started it."""

from pathlib import Path

CONFTEST = Path(__file__).with_name("conftest.py")

LEAKING = """
import threading

release = threading.Event()


def start_worker():
    threading.Thread(target=release.wait, name="leaky-worker", daemon=True).start()


def test_leaks_a_thread():
    start_worker()


def test_ends_its_thread():
    done = threading.Event()
    thread = threading.Thread(target=done.wait, name="tidy-worker")
    thread.start()
    done.set()
    thread.join()


def test_after_the_leak():  # the leaked thread is still running, but not this test's
    assert any(t.name == "leaky-worker" for t in threading.enumerate())
    release.set()
"""


def test_a_test_that_leaks_a_thread_fails_naming_where_it_was_started(pytester):
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_leaky=LEAKING)
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaks_a_thread*",
            "left behind:",
            "thread 'leaky-worker' started at:",
            '*test_leaky.py", line *, in test_leaks_a_thread',
            "    start_worker()",
            '*test_leaky.py", line *, in start_worker',
            '    threading.Thread(target=release.wait, name="leaky-worker", daemon=True).start()',
        ]
    )
    assert "tidy-worker" not in result.stdout.str()
    assert "test_after_the_leak" not in "".join(
        line for line in result.stdout.lines if line.startswith("ERROR")
    )


def test_the_check_reports_nothing_when_the_thread_ends(pytester):
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(
        test_tidy="import threading\n\n"
        "def test_tidy():\n"
        "    thread = threading.Thread(target=lambda: None)\n"
        "    thread.start()\n"
        "    thread.join()\n"
    )
    pytester.runpytest().assert_outcomes(passed=1)
