"""Scripted sessions: open the real window offscreen, train, act, save PNGs (the README's and the
issue notes' pictures are made here, never by hand).

Scenes: "window" (the whole window), "hover" (the crosshair readouts on the loss and gradient
plots), "discard" (the question before a trained model is replaced), "history" (the loss panel
after a long run, linear and log scale), "report" (File > Export report into a folder),
"inspector" (a phrase of the typed sentence selected, and the unit inspector on the unit it
switches on most), "lesson" (a lesson opened and trained until its checks are measured),
"horizon" (Runs → Memory horizon), "state-space" (the state-space tab in front, and the
panel maximised).
"""

import dataclasses
import json
import os
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from ..core.data.datasets import DEFAULT_DATASET

SCENES = (
    "window",
    "hover",
    "discard",
    "history",
    "report",
    "inspector",
    "lesson",
    "horizon",
    "state-space",
    "timeline",
)
LESSON_SCENES = ("lesson", "horizon")  # the scenes --lesson may set up (lesson: it must)


@contextmanager
def scripted_window(
    dataset: str,
    steps: int,
    size: tuple[int, int],
    cell,
    colours: str,
    classic: bool = False,
    runs: tuple[str, ...] = (),
    task: dict | None = None,
):
    """A MainWindow with throw-away settings, shown at `size`, its `cell` model (None: the
    default; classic: the classic tutorial's settings; task: {"task": "lm", "level": ...}) and
    the `runs` beside it ("cell=lstm") trained `steps` mini-batches at full speed and paused."""
    if not os.environ.get("DISPLAY") and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings

    from ..core.train.config import TrainConfig
    from .app import application, dispose
    from .first_run import OFFERED
    from .main_window import MainWindow

    application()
    with tempfile.TemporaryDirectory() as folder:  # never touch the user's saved settings
        settings = QSettings(str(Path(folder) / "shot.ini"), QSettings.Format.IniFormat)
        config = TrainConfig.classic() if classic else TrainConfig()
        if cell is not None:
            config = dataclasses.replace(config, cell=cell)
        config = dataclasses.replace(config, **(task or {}))
        settings.setValue("config", json.dumps(config.to_dict()))
        settings.setValue("colour_scheme", colours)
        settings.setValue(OFFERED, True)  # no first-run hint in the pictures
        window = MainWindow(settings=settings, dataset=dataset)
        window.resize(*size)
        window.show()
        try:
            for run in runs:
                add_run(window, run)
            train(window, steps)
            window.runner.pause()
            yield window
        finally:
            dispose(window)


INSIGHT_RECORDS = 200  # records of the gradient flow over a scripted run


def train(window, steps: int) -> None:
    """`steps` mini-batches at full speed (fewer if training stops, as Train would), in chunks
    with a record of the gradient flow and the recurrence's figures after each (as the window
    records them while training), and of the state space after the last."""
    chunk = max(1, -(-steps // INSIGHT_RECORDS))
    done = 0
    while done < steps:
        ran = window.runner.train_steps(min(chunk, steps - done)).result(3600)
        done += ran
        window.runner.record_insight(state_space=not ran or done >= steps).result(60)
        if not ran:
            break


def wait_for(condition: Callable[[], bool], seconds: float, failure: str) -> None:
    """Process events until condition() holds; RnnvizError(failure) after `seconds`."""
    from ..core.errors import RnnvizError
    from .app import application

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RnnvizError(failure)
        application().processEvents()
        time.sleep(0.01)


def add_run(window, text: str) -> None:
    """Runs > Add a run, with the changes `text` says ("cell=lstm"); waits until it is there."""
    from ..core.train.lockstep import parse_run

    before = len(window.side_runs.runs)
    window.add_run(parse_run(text))
    wait_for(lambda: len(window.side_runs.runs) > before, 60, f"the run {text!r} was not added")


def open_lesson(window, name: str) -> None:
    """Lessons > `name` (the scripted model is replaced without a question), trained at full
    speed until its epochs are done and its checks measured."""
    from ..core.errors import RnnvizError
    from ..core.lessons.lesson import load

    lesson = load(name)
    if not lesson.settings.epochs:
        raise RnnvizError(f"the lesson {name} sets no epochs: it would train for ever")
    window.lessons.start(lesson)
    wait_for(lambda: window.lessons.lesson is lesson, 60, f"the lesson {name} did not open")
    window.runner.set_speed(None)
    window.runner.train()

    def done() -> bool:
        progress = window.lessons.progress
        return progress is not None and progress.done

    wait_for(done, 3600, f"the lesson {name} did not come to its end")


def settle(window, seconds: float = 1.0) -> None:
    """Let the debounce, the newest snapshot and the timer run, then draw every panel."""
    from .app import application

    app = application()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    window.redraw_all()
    app.processEvents()


def save(widget, path: Path) -> Path:
    from .images import write_image

    path.parent.mkdir(parents=True, exist_ok=True)
    return write_image(widget.grab(), path)


def take_screenshot(
    out: str,
    dataset: str = DEFAULT_DATASET,
    steps: int = 300,
    text: str | None = None,
    size: tuple[int, int] = (1440, 900),
    cell: str | None = None,
    show: str | None = None,
    colours: str = "light",
    scene: str = "window",
    classic: bool = False,
    tab: str | None = None,
    runs: tuple[str, ...] = (),
    task: dict | None = None,
    lesson: str | None = None,
) -> list[Path]:
    """Train a `cell` model (None: the default cell) `steps` mini-batches at full speed, type
    `text`, show `show` (h, or a gate) in the hidden-state panel, in the `colours` scheme, play
    `scene` and save its pictures (`out`, or files named after it; a folder for "report").
    classic: the classic tutorial's settings (TrainConfig.classic) instead of the defaults; tab:
    the key of the tab panel to bring to the front; runs: runs beside the window's own
    ("cell=lstm"); task: the task and level settings ({"task": "lm", "level": "char"}); lesson:
    a lesson to open and train to its end instead (its own data, settings and runs)."""
    from ..core.errors import RnnvizError

    path = Path(out)
    steps = 0 if lesson else steps  # the lesson replaces the model
    with scripted_window(dataset, steps, size, cell, colours, classic, runs, task) as window:
        if lesson is not None:
            open_lesson(window, lesson)
        if text is not None:
            window.state.set_text(text)
        if show is not None:
            window.redraw_all()  # the panel offers the cell's gates once it has drawn
            hidden = window.panels["hidden"]
            hidden.restore({"layer": show})
            if hidden.state()["layer"] != show:
                raise RnnvizError(f"nothing called {show!r} to show for the {window.config.cell}")
        if tab is not None:
            window.show_tab(tab)
        settle(window)
        return SCENE_PLAYERS[scene](window, path)


def _window(window, path: Path) -> list[Path]:
    return [save(window, path)]


def _hover(window, path: Path) -> list[Path]:
    """The readouts at 60% of the run, on the loss and the gradient-norm plots."""
    step = 0.6 * window.telemetry.status.step
    for panel in window.panels.values():
        panel.show_readouts_at(step)
    return [save(window, path)]


def _discard(window, path: Path) -> list[Path]:
    """The window with the Save / Discard / Cancel question open over it (answered Cancel)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QPainter, QPalette
    from PySide6.QtWidgets import QApplication, QMessageBox

    from .images import write_image

    shots = []

    def grab_and_cancel() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, grab_and_cancel)
            return
        pixmap = window.grab()
        # the dialog drawn where it stands, framed: offscreen, no window manager draws a frame
        painter = QPainter(pixmap)
        corner = window.mapFromGlobal(box.pos())
        painter.drawPixmap(corner, box.grab())
        painter.setPen(window.palette().color(QPalette.ColorRole.Mid))
        painter.drawRect(corner.x(), corner.y(), box.width() - 1, box.height() - 1)
        painter.end()
        path.parent.mkdir(parents=True, exist_ok=True)
        shots.append(write_image(pixmap, path))
        box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(100, grab_and_cancel)
    window.confirm_reset()
    return shots


def _history(window, path: Path) -> list[Path]:
    """The loss panel on a linear, then a log axis."""
    loss = window.panels["loss"]
    shots = []
    for scale, on in (("linear", False), ("log", True)):
        loss.restore({"log_scale": on})
        settle(window, 0.2)
        shots.append(save(loss, path.with_name(f"{path.stem}-{scale}{path.suffix}")))
    return shots


def _report(window, path: Path) -> list[Path]:
    """File > Export report into the folder `path`."""
    window.export_report(str(path))
    return sorted(path.iterdir())


PHRASE_WORD = "not"  # the inspector scene selects this word of the typed sentence, if it has it


def _inspector(window, path: Path) -> list[Path]:
    """The word PHRASE_WORD (else the first word) selected in the typed sentence, and the
    inspector opened on the first unit listed for it: the window and the inspector."""
    from PySide6.QtWidgets import QApplication

    from ..core.insight.units import units_for_span

    text = window.state.text
    found = text.lower().find(PHRASE_WORD)
    start, length = (found, len(PHRASE_WORD)) if found >= 0 else (0, len(text.split()[0]))
    window.state.set_selection(start, length)
    first, stop = window.state.selected_tokens() or (0, 1)
    ranked = units_for_span(window.state.probe.states, first, stop, 1)
    window.state.select_unit(ranked[0]["unit"] if ranked else 0)
    inspector = window.inspection.inspector
    deadline = time.monotonic() + 60
    while not inspector.shown_key and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)
    settle(window, 0.3)
    return [
        save(window, path.with_name(f"{path.stem}-window{path.suffix}")),
        save(inspector, path),
    ]


def _lesson(window, path: Path) -> list[Path]:
    """The window with the lesson's watched panel marked (Show me)."""
    window.lessons.show_me()
    settle(window, 0.3)
    return [save(window, path)]


HORIZON_SECONDS = (
    900.0  # every point of a sweep at the window's settings (the gates lesson's: ~70 s)
)


def _horizon(window, path: Path) -> list[Path]:
    """Runs → Memory horizon of the cells on screen, once every point is measured."""
    dialog = window.show_horizon()
    wait_for(lambda: not dialog.running, HORIZON_SECONDS, "the horizon was not measured in time")
    settle(window, 0.3)
    shot = save(dialog, path)
    dialog.close()
    return [shot]


def _state_space(window, path: Path) -> list[Path]:
    """The window with the state-space tab in front, on the analysis of the last weights, and
    the panel maximised (View → Maximise) on its own ({stem}-panel)."""
    window.show_tab("state_space")
    settle(window, 0.3)
    shots = [save(window, path)]
    window.actions["maximise:state_space"].trigger()
    settle(window, 0.3)
    shots.append(save(window.panels["state_space"], path.with_name(f"{path.stem}-panel.png")))
    window.actions["maximise:off"].trigger()
    return shots


EARLY_SHARE = 0.1  # the timeline scene's early picture: a tenth of the way through the run


def _timeline(window, path: Path) -> list[Path]:
    """The same sentence at an early step (the timeline dragged back to a tenth of the run:
    {stem}-early), at the last one, live ({stem}-late), and the two compared: the early step
    pinned as A, live as B, the hidden state showing B − A ({stem}-compare)."""
    named = lambda suffix: path.with_name(f"{path.stem}-{suffix}{path.suffix}")  # noqa: E731
    step = max(1, round(EARLY_SHARE * window.telemetry.status.step))
    window.scrubbing.timeline.slider.setValue(step)
    shown = lambda: window.state.past is not None and window.state.past.step == step  # noqa: E731
    wait_for(shown, 120, f"step {step} was not replayed in time")
    settle(window, 0.3)
    shots = [save(window, named("early"))]
    window.scrubbing.timeline.pin_button.click()
    window.scrubbing.go_live()
    settle(window, 0.3)
    hidden = window.panels["hidden"]
    hidden.difference_box.setChecked(True)
    settle(window, 0.3)
    shots.append(save(window, named("compare")))
    hidden.difference_box.setChecked(False)
    window.scrubbing.timeline.pin_button.click()
    settle(window, 0.3)
    return [*shots, save(window, named("late"))]


SCENE_PLAYERS = {
    "window": _window,
    "hover": _hover,
    "discard": _discard,
    "history": _history,
    "report": _report,
    "inspector": _inspector,
    "lesson": _lesson,
    "horizon": _horizon,
    "state-space": _state_space,
    "timeline": _timeline,
}
