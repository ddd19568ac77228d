"""A lesson's words as its panel shows them, in rich text (every word of the file escaped): the
equation with its sub- and superscripts, a line per part; the steps, numbered; each check with
its state and the value measured."""

import html
import re

from ..core.lessons.lesson import Check
from ..core.lessons.live import LessonProgress
from ..core.lessons.run import CheckResult
from .theme import Theme

PARTS = re.compile(r" {2,}")  # the file's line breaks in an equation: two spaces or more
SUPERSCRIPT = re.compile(r"\^\(([^()]*(?:\([^()]*\)[^()]*)*)\)")  # ^(T−k)
SUBSCRIPT = re.compile(r"_\{([^}]*)\}|_([A-Za-z0-9]+)")  # _{t=k+1..T}, _hh
CODE = re.compile(r"`([^`]*)`")
BREAKS = re.compile(r"&nbsp;([=·])&nbsp;")  # a part that is too wide wraps after these only


def equation_html(equation: str) -> str:
    """One line per part of the equation, its sub- and superscripts raised."""
    lines = []
    for part in PARTS.split(equation.strip()):
        text = html.escape(part).replace(" ", "&nbsp;")
        text = SUPERSCRIPT.sub(lambda m: f"<sup>{m[1]}</sup>", text)
        text = SUBSCRIPT.sub(lambda m: f"<sub>{m[1] or m[2]}</sub>", text)
        lines.append(BREAKS.sub(r"&nbsp;\1 ", text))
    return "<br>".join(lines)


def steps_html(steps: tuple[str, ...]) -> str:
    """The steps numbered; `command` in a fixed-width font."""
    items = "".join(f"<li>{_code(html.escape(step))}</li>" for step in steps)
    return f'<ol style="margin-left: 0px; -qt-list-indent: 1;">{items}</ol>'


def _code(text: str) -> str:
    return CODE.sub(r"<code>\1</code>", text)


def progress_text(progress: LessonProgress | None, epochs: int) -> str:
    """Where the lesson's run is: its epochs measured and what comes next."""
    if progress is None or not progress.epoch:
        end = f" (it trains {epochs})" if epochs else ""
        return f"Measured at the end of every epoch{end}: press Train."
    of = f" of {progress.epochs}" if progress.epochs else ""
    where = f"Epoch {progress.epoch}{of}, step {progress.step:,}"
    if progress.done:
        return f"{where}: the lesson's run is done (Train goes on; the values stay)."
    return f"{where}."


def check_html(check: Check, result: CheckResult | None, theme: Theme) -> str:
    """The claim, then pending, or seen / not seen with the value measured and the bound."""
    claim = html.escape(f"{check.run}: {check.claim}")
    if result is None:
        state = "○ pending"
    else:
        colour, mark = (theme.best, "✓ seen") if result.seen else (theme.warning, "✗ not seen")
        value = f"now {result.value:.3g} (wants {check.bound})"
        state = f'<span style="color: {colour};"><b>{mark}</b></span> · {html.escape(value)}'
    return f"{claim}<br>{state}"
