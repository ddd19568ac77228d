"""The menu bar: File (data, models, exports, quit), Training, View (each panel's own entries, the
colours, the panels), Runs (side by side), Lessons, Help (shortcuts, the current cell's equations,
the lessons again, about).
The commands come from actions.py, with their shortcuts."""

import re

from PySide6.QtGui import QAction, QActionGroup

from .. import __version__
from ..core.lessons.lesson import LessonError, lesson_names, load
from ..core.nn.registry import ALL_CELLS
from . import COLOUR_SCHEMES
from .actions import shortcuts_html
from .messages import Icon, message_box

SCHEME_TITLES = {"system": "As the system", "light": "Light", "dark": "Dark"}
MENUS = {
    "&File": (
        "open",
        "save",
        "load",
        None,
        "save_history",
        "open_history",
        None,
        "history",
        "report",
        "report_html",
        None,
        "quit",
    ),
    "&Training": ("train", "step", "reset", "best"),
}


def build_menus(window) -> None:
    """Add the menus to `window` (a MainWindow), with its actions (window.actions, by name: the
    Runs menu and the panels add theirs as they come and go)."""
    bar = window.menuBar()
    actions = window.actions

    def add(menu, name: str, text: str, slot, checkable: bool = False) -> QAction:
        action = QAction(text, window)
        action.setCheckable(checkable)
        if slot is not None:
            (action.toggled if checkable else action.triggered).connect(slot)
        menu.addAction(action)
        actions[name] = action
        return action

    for title, names in MENUS.items():
        menu = bar.addMenu(title)
        for name in names:
            if name is None:
                menu.addSeparator()
            else:
                menu.addAction(actions[name])

    view = bar.addMenu("&View")
    for panel in window.panels.values():
        for name, entry in panel.view_entries(view).items():
            actions[name] = entry
    scheme_menu = view.addMenu("Colours")
    schemes = QActionGroup(scheme_menu)
    for scheme in COLOUR_SCHEMES:
        action = add(scheme_menu, f"colours:{scheme}", SCHEME_TITLES[scheme], None, checkable=True)
        schemes.addAction(action)
        action.setChecked(scheme == window.colour_scheme)
        action.triggered.connect(lambda _=False, s=scheme: window.set_colour_scheme(s))
    view.addSeparator()
    layout = window.panel_layout
    for key, dock in layout.docks.items():  # each dock's own open / closed toggle
        view.addAction(dock.toggleViewAction())
        actions[f"panel:{key}"] = dock.toggleViewAction()
    maximise = view.addMenu("Maximise")
    for key, panel in window.panels.items():
        add(maximise, f"maximise:{key}", panel.title, lambda _=False, k=key: layout.maximise(k))
    maximise.addSeparator()
    add(maximise, "maximise:off", "Show all panels again", lambda: layout.restore_maximised())
    add(view, "layout:reset", "Reset layout", window.reset_layout)

    window.runs_menu = bar.addMenu("&Runs")
    fill_runs_menu(window)

    lessons = bar.addMenu("&Lessons")
    for name in lesson_names():
        action = add(
            lessons, f"lesson:{name}", name, lambda _=False, n=name: window.lessons.open(n)
        )
        try:
            action.setText(load(name).title.replace("&", "&&"))  # not a shortcut's mark
        except LessonError as error:  # a file edited by hand: said, not fatal
            action.setEnabled(False)
            action.setToolTip(str(error))
    lessons.setToolTipsVisible(True)

    help_menu = bar.addMenu("&Help")
    add(help_menu, "shortcuts", "Keyboard shortcuts", lambda: _shortcuts(window))
    add(help_menu, "equations", "Equations of the current cell", lambda: _equations(window))
    help_lessons = help_menu.addMenu("Lessons")
    help_lessons.addActions(lessons.actions())
    add(help_menu, "about", "About rnnviz", lambda: _about(window))


def fill_runs_menu(window) -> None:
    """Runs: add a run beside the window's own; pause or remove each one there is."""
    menu = window.runs_menu
    menu.clear()
    for name in [n for n in window.actions if n.startswith("run:")]:
        del window.actions[name]
    add = QAction("Add a run beside this one…", menu)
    add.triggered.connect(window.ask_for_run)
    add.setEnabled(window.can_add_run)
    menu.addAction(add)
    window.actions["run:add"] = add
    horizon = QAction("Memory horizon of the cells on screen…", menu)
    horizon.setToolTip(
        "Train each cell on screen on the memory task at distances 5 to 100, with the settings "
        "shown, and plot its test accuracy and gradient ratio by distance"
    )
    horizon.triggered.connect(lambda: window.show_horizon())  # not with `checked`
    menu.addAction(horizon)
    window.actions["run:horizon"] = horizon
    if window.side_runs.runs:
        menu.addSeparator()
    for label, run in window.side_runs.runs.items():
        sub = menu.addMenu(label)
        pause = QAction("Paused", sub)
        pause.setCheckable(True)
        pause.setChecked(run.paused)
        pause.toggled.connect(lambda on, lab=label: window.pause_run(lab, on))
        remove = QAction("Remove", sub)
        remove.triggered.connect(lambda _=False, lab=label: window.remove_run(lab))
        sub.addAction(pause)
        sub.addAction(remove)
        window.actions[f"run:{label}:pause"] = pause
        window.actions[f"run:{label}:remove"] = remove


def _shortcuts(window) -> None:
    message_box(window, Icon.Information, "Keyboard shortcuts", shortcuts_html(), rich=True).open()


def _equations(window) -> None:
    cell = window.config.cell
    lines = re.sub(r"(?<=[)gh]), (?=[a-z]'? = )", "\n", ALL_CELLS[cell].equations)  # one a line
    text = f"{lines}\n\nThen y = W_hy h_T + b_y, p = softmax(y / T)."
    message_box(window, Icon.Information, f"The {cell} cell", text).open()


def _about(window) -> None:
    text = (
        f"rnnviz {__version__}\n\nWatch a recurrent neural network learn: a from-scratch NumPy "
        "RNN, GRU or LSTM, trained live, with its gradients, hidden states, gates and "
        "calibration on screen."
    )
    message_box(window, Icon.Information, "About rnnviz", text).open()
