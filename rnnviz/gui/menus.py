"""The menu bar: File (data, models, exports, quit), View (log scale, panels), Runs (side by
side), Help (shortcuts, the current cell's equations, about). Keys are shown after a tab; the
window's own shortcuts handle them, so that they work with the menu bar hidden too."""

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QInputDialog

from .. import __version__
from ..core.nn.registry import CELLS
from ..core.train.lockstep import MAX_RUNS, RUN_SETTINGS
from . import COLOUR_SCHEMES
from .controls_panel import OPEN_DATASET
from .messages import Icon, message_box

SMOOTHING_PRESETS = (0.0, 0.6, 0.9, 0.99)
SCHEME_TITLES = {"system": "As the system", "light": "Light", "dark": "Dark"}
SHORTCUTS = (
    ("Space", "train / pause"),
    ("S", "one step"),
    ("Ctrl+R", "reset"),
    ("Ctrl+D", "open a dataset"),
    ("Ctrl+S / Ctrl+O", "save / load a model"),
    ("Ctrl+E", "export a report"),
    ("Ctrl+L", "type a sentence"),
    ("Ctrl+Q", "quit"),
)


def build_menus(window) -> dict[str, QAction]:
    """Add the menus to `window` (a MainWindow); returns the actions by name (for tests)."""
    bar = window.menuBar()
    actions: dict[str, QAction] = {}
    window.actions = actions  # the Runs menu adds to them as runs come and go

    def add(menu, name: str, text: str, slot, checkable: bool = False) -> QAction:
        action = QAction(text, window)
        action.setCheckable(checkable)
        if slot is not None:
            (action.toggled if checkable else action.triggered).connect(slot)
        menu.addAction(action)
        actions[name] = action
        return action

    file = bar.addMenu("&File")
    add(file, "open", "Open dataset…\tCtrl+D", lambda: window.choose_dataset(OPEN_DATASET))
    add(file, "save", "Save model…\tCtrl+S", lambda: window.save_model())
    add(file, "load", "Load model…\tCtrl+O", lambda: window.load_model())
    file.addSeparator()
    add(file, "history", "Export training history (CSV)…", lambda: window.export_history())
    add(file, "report", "Export report…\tCtrl+E", lambda: window.export_report())
    file.addSeparator()
    add(file, "quit", "Quit\tCtrl+Q", window.close)

    view = bar.addMenu("&View")
    log_box = window.panels["loss"].log_box
    log = add(view, "log", "Loss on a log scale", log_box.setChecked, checkable=True)
    log.setChecked(log_box.isChecked())
    log_box.toggled.connect(log.setChecked)
    _smoothing_menu(
        view.addMenu("Smoothing of the training curves"), window.panels["loss"], actions
    )
    scheme_menu = view.addMenu("Colours")
    schemes = QActionGroup(scheme_menu)
    for scheme in COLOUR_SCHEMES:
        action = add(scheme_menu, f"colours:{scheme}", SCHEME_TITLES[scheme], None, checkable=True)
        schemes.addAction(action)
        action.setChecked(scheme == window.colour_scheme)
        action.triggered.connect(lambda _=False, s=scheme: window.set_colour_scheme(s))
    view.addSeparator()
    for key, panel in window.panels.items():
        title = (panel.title or key.capitalize()) + " panel"
        show = lambda shown, k=key: window.show_panel(k, shown)  # noqa: E731
        action = add(view, f"panel:{key}", title, show, checkable=True)
        tab = window.tabs.indexOf(panel)
        action.setChecked(window.tabs.isTabVisible(tab) if tab >= 0 else not panel.isHidden())

    window.runs_menu = bar.addMenu("&Runs")
    fill_runs_menu(window)

    help_menu = bar.addMenu("&Help")
    add(help_menu, "shortcuts", "Keyboard shortcuts", lambda: _shortcuts(window))
    add(help_menu, "equations", "Equations of the current cell", lambda: _equations(window))
    add(help_menu, "about", "About rnnviz", lambda: _about(window))
    return actions


def fill_runs_menu(window) -> None:
    """Runs: add a run beside the window's own; pause or remove each one there is."""
    menu = window.runs_menu
    menu.clear()
    for name in [n for n in window.actions if n.startswith("run:")]:
        del window.actions[name]
    add = QAction("Add a run beside this one…", menu)
    add.triggered.connect(lambda: _ask_for_run(window))
    add.setEnabled(len(window.side_runs.runs) + 1 < MAX_RUNS)
    menu.addAction(add)
    window.actions["run:add"] = add
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


def _ask_for_run(window) -> None:
    keys = ", ".join(k.replace("_", "-") for k in RUN_SETTINGS)
    text, ok = QInputDialog.getText(
        window,
        "Add a run",
        "What this run changes, as KEY=VALUE pairs separated by commas\n"
        "(for example cell=lstm, or clip-mode=none,lr=0.01).\n"
        "It trains on the same batches as the window's run from the next step on.\n"
        f"Keys: {keys}",
    )
    if ok and text.strip():
        window.add_run(text)


def _smoothing_menu(menu, loss_panel, actions: dict[str, QAction]) -> None:
    """Presets for the loss panel's smoothing slider, checked when the slider is on one."""
    group = QActionGroup(menu)
    for weight in SMOOTHING_PRESETS:
        action = QAction("none" if weight == 0 else f"{weight:g}", menu, checkable=True)
        action.triggered.connect(lambda _=False, w=weight: loss_panel.set_smoothing(w))
        group.addAction(action)
        menu.addAction(action)
        actions[f"smoothing:{weight:g}"] = action

    def follow(weight: float) -> None:
        for preset, action in zip(SMOOTHING_PRESETS, group.actions(), strict=True):
            action.setChecked(abs(preset - weight) < 5e-4)

    loss_panel.smoothing_changed.connect(follow)
    follow(loss_panel.smoothing)


def _shortcuts(window) -> None:
    text = "\n".join(f"{keys:<18}{what}" for keys, what in SHORTCUTS)
    message_box(window, Icon.Information, "Keyboard shortcuts", text).open()


def _equations(window) -> None:
    cell = window.config.cell
    text = f"{cell}: {CELLS[cell].equations}\n\nThen y = W_hy h_T + b_y, p = softmax(y / T)."
    message_box(window, Icon.Information, f"The {cell} cell", text).open()


def _about(window) -> None:
    text = (
        f"rnnviz {__version__}\n\nWatch a recurrent neural network learn: a from-scratch NumPy "
        "RNN, GRU or LSTM, trained live, with its gradients, hidden states, gates and "
        "calibration on screen."
    )
    message_box(window, Icon.Information, "About rnnviz", text).open()
