"""File → Export report as HTML (issue 30): the window's run as the page `rnnviz report` writes,
with the curves as the window holds them, the gradient flow of the weights shown and the typed
sentence. The training thread copies the model between two steps, a thread of its own renders
and writes the page (0.2-0.5 s: the window goes on meanwhile), and the window says where it
went."""

import threading
from pathlib import Path

from ..core.words import bytes_text
from ..report import page
from ..report.source import LessonChecks, ReportSource, SideRun
from . import messages
from .file_choice import file_to_write

HTML_FILTER = "HTML page (*.html);;All files (*)"


def export_html(window, path: str | None = None) -> None:
    """Write the report of the run to `path` (asked for if None)."""
    path = file_to_write(window, "Export report as HTML", "run.html", HTML_FILTER, path)
    if path is None:
        return
    curves, texts, view = window.telemetry.curves(), [window.state.text], window.view
    test = view.latest.get("test") if view is not None else None
    space = view.insight.state_space if view is not None else None
    lesson = _lesson_checks(window.lessons)
    runs = tuple(
        SideRun(run.label, run.colour, run.view.steps, dict(run.view.evaluations))
        for run in window.side_runs.views()
    )
    shown = window.state.snapshot
    flow = shown.gradient_flow if shown is not None else {}  # of the step shown, which the
    flow_step = shown.step if shown is not None else None  # model copied later may be past

    def copied(ckpt, error: BaseException | None) -> None:
        if error is not None:
            messages.show_error(window, "Cannot export the report", str(error))
            return
        origin = f"{ckpt.summary['dataset']} (the window)"
        reliability = test.reliability if test is not None else None
        source = ReportSource(
            ckpt, origin, curves, flow, flow_step, reliability, space, runs, lesson
        )
        writer = threading.Thread(
            target=_write, args=(source, texts, path, window.replies.to(written)), daemon=True
        )
        writers.append(writer)
        writer.start()

    def written(result, error: BaseException | None) -> None:
        writers.pop(0).join()  # it has said all it will
        if error is not None:
            messages.show_error(window, "Cannot export the report", str(error))
            return
        where, plots = result
        size = bytes_text(Path(where).stat().st_size)
        window.statusBar().showMessage(f"report: {where} ({plots} plots, {size})", 8000)

    writers: list[threading.Thread] = []
    window.runner.copy_checkpoint(window.replies.to(copied))


def _write(source: ReportSource, texts: list[str], path: str, reply) -> None:
    """Render and write the page (a thread of its own: 0.2-0.5 s the window goes on meanwhile);
    reply((path, plots), None) or reply(None, error)."""
    try:
        made = page.render(source, texts)
        reply((page.write(path, made), len(made.plots)), None)
    except Exception as failure:  # said in a message box, never lost with the thread
        reply(None, failure)


def _lesson_checks(lessons) -> LessonChecks | None:
    """The open lesson's checks as last measured (None: no lesson open)."""
    lesson, progress = lessons.lesson, lessons.progress
    if lesson is None:
        return None
    results = progress.results if progress is not None else (None,) * len(lesson.checks)
    rows = tuple(
        (
            check.claim,
            check.run,
            None if result is None else result.value,
            check.bound,
            result is not None and result.seen,
        )
        for check, result in zip(lesson.checks, results, strict=True)
    )
    epochs = f" of {progress.epochs}" if progress is not None and progress.epochs else ""
    measured = (
        f"after epoch {progress.epoch}{epochs}" if progress is not None else "not measured yet"
    )
    return LessonChecks(lesson.title, measured, rows)
