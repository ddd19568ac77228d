"""Every command of the window, once: its menu text, shortcut and help. The menus, the window's
shortcuts (which work with the menu bar hidden), the buttons' tooltips and Help → Keyboard
shortcuts are all made from this table."""

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class Command:
    name: str
    text: str  # in the menu
    tip: str  # tooltip and help
    shortcut: str = ""


COMMANDS = (
    Command("train", "Train / pause", "Start or pause training", "Space"),
    Command("step", "One step", "Run one mini-batch, then pause", "S"),
    Command("reset", "Reset", "A new model from the settings; history cleared", "Ctrl+R"),
    Command("open", "Open dataset…", "Open a file or folder of labelled sentences", "Ctrl+D"),
    Command(
        "save",
        "Save model…",
        "Save the model: weights, vocabulary, settings and temperature to .npz",
        "Ctrl+S",
    ),
    Command("load", "Load model…", "Load a model: continue from a saved .npz checkpoint", "Ctrl+O"),
    Command(
        "save_history",
        "Save history…",
        "Save the model with every step since the run began, to look back at or go on from "
        "(rnnviz predict --step reads it too)",
    ),
    Command(
        "open_history",
        "Open history…",
        "Open a saved history (rnnviz train --history): scrub every step of it, or train on",
    ),
    Command(
        "best",
        "Restore best weights",
        "Put back the weights of the best validation epoch so far and fit the temperature on "
        "validation (early stopping does this by itself)",
    ),
    Command("history", "Export curves (CSV)…", "The training curves: one row per plotted point"),
    Command(
        "report",
        "Export report…",
        "Every panel as PNG, each plot's data as CSV, the history and the settings",
        "Ctrl+E",
    ),
    Command(
        "report_html",
        "Export report as HTML…",
        "One page that opens offline in any browser: the curves, gradient norms and flow, the "
        "typed sentence's hidden state, gates and saliency, the settings, each plot's data as CSV",
        "Ctrl+Shift+E",
    ),
    Command("type", "Type a sentence", "Put the cursor in the sentence box", "Ctrl+L"),
    Command("quit", "Quit", "Close the window (asks about an unsaved model)", "Ctrl+Q"),
)
BY_NAME = {c.name: c for c in COMMANDS}


def tooltip(name: str) -> str:
    """A command's help with its shortcut, for a button."""
    command = BY_NAME[name]
    key = f" ({QKeySequence(command.shortcut).toString()})" if command.shortcut else ""
    return f"{command.tip}{key}."


def make_actions(window: QWidget, slots: dict[str, Callable[[], None]]) -> dict[str, object]:
    """A QAction per command, triggering its slot; added to `window` so that its shortcut works
    whatever has focus in the window (but a text box, which keeps its own keys)."""
    actions = {}
    for command in COMMANDS:
        action = QAction(command.text, window)
        action.setToolTip(command.tip)
        if command.shortcut:
            action.setShortcut(QKeySequence(command.shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _=False, slot=slots[command.name]: slot())
        window.addAction(action)
        actions[command.name] = action
    return actions


def shortcuts_html() -> str:
    """Help → Keyboard shortcuts: a table, one row per command that has a key."""
    rows = "".join(
        f"<tr><td><b>{QKeySequence(c.shortcut).toString()}</b></td><td>{c.text}</td></tr>"
        for c in COMMANDS
        if c.shortcut
    )
    return f'<table cellspacing="0" cellpadding="3">{rows}</table>'
