"""Where the panels sit: each panel and the settings column is a dock widget the user can move,
tab, float, close and maximise (as in napari, Spyder or Orange). Until the user moves one, the
arrangement follows the window's width: two rows of panels side by side on a large screen, more of
them as tabs on a laptop's. The arrangement is remembered between sessions; View → Reset layout
goes back to the automatic one. A dock of the window's own (a lesson) may stand beside the
settings: the panels are then arranged in the rest of the width."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QByteArray, QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QMainWindow,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .panel import Panel

# Arrangements by the window's width (px): the widest whose minimum the width reaches.
ARRANGEMENTS = (("wide", 1500), ("compact", 1180), ("narrow", 0))
SETTINGS_WIDTH = {"wide": 340, "compact": 300, "narrow": 300}  # px, at most, of the settings
ROW_HEIGHTS = {  # shares of the height: on a laptop the first row's two plots need a little more
    "wide": (95, 105),  # the bottom row: the next-token chart keeps its ten rows over the timeline
    "compact": (110, 90),
    "narrow": (110, 90),
}
CUSTOM = "custom"  # the user moved, tabbed or floated a dock
LAYOUT_VERSION = 1  # of saveState(): a state of another version is ignored
SETTINGS = "settings"  # the settings column's dock
SETTINGS_MIN = 300  # px: the settings column's words whole
PANELS_ROOM = 1024 - SETTINGS_MIN  # px the panels need, as a 1024 px window leaves them: a dock
# beside the settings that would leave less is a tab of theirs

Rows = list[list[list[str]]]  # rows, top first -> places, left first -> tabbed keys, front first


def default_size(screen: QSize) -> QSize:
    """The window's first size: most of the screen, up to 1920 x 1200."""
    return QSize(min(1920, int(screen.width() * 0.92)), min(1200, int(screen.height() * 0.92)))


def arrangement_for(width: int) -> str:
    return next(name for name, minimum in ARRANGEMENTS if width >= minimum)


def rows_of(panels: dict[str, Panel], arrangement: str) -> Rows:
    """Where each panel goes. Wide: the "top" panels in the first row, the "bottom" ones then
    the "tabs" (tabbed in one place) in the second. Compact: each of the "tabs" is tabbed behind
    the panel it declares it goes with (tab_with: the flow over training with the gradients).
    Narrow: besides, the first row's panels are tabbed in one place."""
    top = [[k] for k, p in panels.items() if p.slot == "top"]
    bottom = [[k] for k, p in panels.items() if p.slot == "bottom"]
    tabs = [k for k, p in panels.items() if p.slot == "tabs"]
    if arrangement == "wide":
        bottom.append(tabs)
    else:
        for key in tabs:
            place = next(
                (place for place in top + bottom if panels[key].tab_with in place), bottom[-1]
            )
            place.append(key)
    if arrangement == "narrow":
        top = [[k for place in top for k in place]]
    return [top, [place for place in bottom if place]]


class PanelLayout(QObject):
    def __init__(
        self, window: QMainWindow, controls: QWidget, button_bar: QWidget, panels: dict[str, Panel]
    ):
        super().__init__(window)
        self.window = window
        self.panels = panels  # the window's dict (rebuilt panels are seen here)
        self.docks: dict[str, QDockWidget] = {SETTINGS: self._dock(SETTINGS, "Settings")}
        self.docks[SETTINGS].setWidget(_settings_column(controls, button_bar))
        for key, panel in panels.items():
            panel.setMinimumSize(230, 200)  # wide (1500 px and up) still fits 1024 px
            self.docks[key] = self._dock(key, panel.title)
            self.docks[key].setWidget(panel)
        self._on_screen = dict.fromkeys(panels, False)  # not closed, nor behind another tab
        self._when_shown: Callable[[str], None] = lambda key: None
        self._maximised: QByteArray | None = None  # the layout to come back to
        self._arranging = False
        self.arrangement = ""
        self.custom = False
        self.beside: tuple[QDockWidget, int] | None = None  # a dock (a lesson) and its width
        self._beside_tabbed = False  # it is a tab of the settings' (the window is too narrow)
        self._sizes_restored = False  # restore() brought the saved sizes back
        window.setDockNestingEnabled(True)
        window.setTabPosition(Qt.DockWidgetArea.AllDockWidgetAreas, QTabWidget.TabPosition.North)
        nothing = QWidget()  # the docks fill the window; Qt wants a central widget
        nothing.hide()
        window.setCentralWidget(nothing)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.docks[SETTINGS])

    def _dock(self, key: str, title: str) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(f"dock:{key}")  # saveState() names the docks by it
        dock.toggleViewAction().setText(f"{title} panel" if key != SETTINGS else title)
        dock.dockLocationChanged.connect(self._moved)
        dock.topLevelChanged.connect(self._moved)
        if key != SETTINGS:
            dock.visibilityChanged.connect(lambda on, k=key: self._visibility(k, on))
        return dock

    # ---------------------------------------------------------------- arranging
    def _for(self, width: int) -> str:
        """The automatic arrangement for a window `width` px wide, less the dock beside."""
        beside = self.beside[1] if self.beside and not self._beside_tabbed else 0
        return arrangement_for(width - beside)

    def fit(self, width: int) -> None:
        """The automatic arrangement for `width`, unless the user arranged the docks."""
        if self.beside is not None and self._beside_tabbed != self._too_narrow(width):
            self._place_beside(width)
        if not self.custom and self._for(width) != self.arrangement:
            self.arrange(self._for(width))

    def put_beside(self, dock: QDockWidget | None, px: int, width: int) -> None:
        """`dock` (`px` wide) right of the settings, left of the panels, which are arranged in
        the rest of `width` (a tab of the settings' when the rest would be too narrow); None: the
        dock beside is hidden, the panels take its place."""
        if self.beside is not None and dock is None:
            self.beside[0].hide()
        self.beside = None if dock is None else (dock, px)
        self._place_beside(width)
        self.fit(width)

    def _too_narrow(self, width: int) -> bool:
        return self.beside is not None and width - SETTINGS_MIN - self.beside[1] < PANELS_ROOM

    def _place_beside(self, width: int) -> None:
        if self.beside is None:
            return
        dock, px = self.beside
        self._beside_tabbed = self._too_narrow(width)
        arranging, self._arranging = self._arranging, True
        self.window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        if self._beside_tabbed:
            dock.widget().setMinimumWidth(0)
            dock.widget().setMaximumWidth(SETTINGS_WIDTH["narrow"])
            self.window.tabifyDockWidget(self.docks[SETTINGS], dock)
        else:
            dock.widget().setFixedWidth(px)  # resizeDocks cannot widen the settings' dock area
            self.window.splitDockWidget(self.docks[SETTINGS], dock, Qt.Orientation.Horizontal)
        dock.show()
        dock.raise_()
        self._arranging = arranging

    def arrange(self, arrangement: str) -> None:
        """Put the panel docks in `arrangement` (closed ones stay closed), sized by stretch."""
        self._arranging = True
        closed = {k for k, d in self.docks.items() if d.isHidden() and k != SETTINGS}
        rows = rows_of(self.panels, arrangement)
        docks, window = self.docks, self.window
        across, down = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
        for key in self.panels:
            window.removeDockWidget(docks[key])
            docks[key].setFloating(False)
        first = [docks[row[0][0]] for row in rows]  # each row's first place, top to bottom
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, first[0])
        for above, below in zip(first, first[1:], strict=False):
            window.splitDockWidget(above, below, down)
        for row in rows:
            for left, right in zip(row, row[1:], strict=False):
                window.splitDockWidget(docks[left[0]], docks[right[0]], across)
            for place in row:
                for key in place[1:]:
                    window.tabifyDockWidget(docks[place[0]], docks[key])
        for key in self.panels:
            docks[key].setVisible(key not in closed)
        for row in rows:
            for place in row:
                docks[place[0]].raise_()  # the place's first panel in front
        self.arrangement = arrangement
        self._sizes_restored = False
        docks[SETTINGS].widget().setMaximumWidth(SETTINGS_WIDTH[arrangement])
        self._size(rows, arrangement)
        # Within a resize, the window's layout shares out the new width after this: again after.
        QTimer.singleShot(0, self, lambda: self._size(rows, arrangement))
        self.custom = False
        self._arranging = False

    def _size(self, rows: Rows, arrangement: str) -> None:
        """Widths by the panels' stretch, heights by ROW_HEIGHTS."""
        if arrangement != self.arrangement or self.custom or self._sizes_restored:
            return  # another arrangement came since, or the saved sizes
        docks, across = self.docks, Qt.Orientation.Horizontal
        for row in rows:
            stretches = [max(self.panels[k].stretch for k in place) * 100 for place in row]
            self.window.resizeDocks([docks[place[0]] for place in row], stretches, across)
        first = [docks[row[0][0]] for row in rows]
        heights = list(ROW_HEIGHTS[arrangement][: len(first)])
        self.window.resizeDocks(first, heights, Qt.Orientation.Vertical)

    def reset(self, width: int) -> None:
        """View → Reset layout: every panel back, docked, in the automatic arrangement."""
        self._maximised = None
        for dock in self.docks.values():
            dock.setFloating(False)
            dock.show()
        self.window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.docks[SETTINGS])
        self._place_beside(width)
        self.arrange(self._for(width))

    def _moved(self, *_) -> None:
        if not self._arranging:
            self.custom = True

    # ---------------------------------------------------------------- maximising
    def maximise(self, key: str) -> None:
        """Show only the panel `key` (and the settings) until restore_maximised()."""
        if self._maximised is None:
            self._maximised = self.window.saveState(LAYOUT_VERSION)
        for other, dock in self.docks.items():
            if other not in (key, SETTINGS):
                dock.hide()
        self.bring_to_front(key)

    def restore_maximised(self) -> None:
        if self._maximised is not None:
            self.window.restoreState(self._maximised, LAYOUT_VERSION)
            self._maximised = None

    @property
    def maximised(self) -> bool:
        return self._maximised is not None

    # ---------------------------------------------------------------- what is on screen
    def when_shown(self, slot: Callable[[str], None]) -> None:
        """slot(key) when a panel comes on screen (opened, or its tab brought to the front)."""
        self._when_shown = slot

    def _visibility(self, key: str, on_screen: bool) -> None:
        self._on_screen[key] = on_screen
        if on_screen:
            self._when_shown(key)

    def shown(self, key: str) -> bool:
        """Is the panel on screen (open, and in front if it is one of several tabs)?"""
        return self._on_screen[key] and not self.docks[key].isHidden()

    def show(self, key: str, shown: bool) -> None:
        if shown:
            self.bring_to_front(key)
        else:
            self.docks[key].hide()

    def bring_to_front(self, key: str) -> None:
        """Open the panel's dock (if closed) with its tab in front."""
        self.docks[key].show()
        self.docks[key].raise_()

    @contextmanager
    def each_in_front(self) -> Iterator[Callable[[str], None]]:
        """front(key) brings the panel `key` on screen, laid out at its dock's size (opened if
        closed, its tab in front); the layout is as it was afterwards (a report of every panel)."""
        before = self.window.saveState(LAYOUT_VERSION)
        arranging, self._arranging = self._arranging, True

        def front(key: str) -> None:
            self.bring_to_front(key)
            QApplication.processEvents()  # the dock's layout, before the panel is grabbed

        try:
            yield front
        finally:
            self.window.restoreState(before, LAYOUT_VERSION)
            self._arranging = arranging

    def replace(self, key: str, new: Panel) -> None:
        """Put `new` in the dock of the panel `key`."""
        old = self.panels[key]
        new.setMinimumSize(old.minimumSize())
        self.docks[key].setWidget(new)
        self.panels[key] = new
        old.deleteLater()

    # ---------------------------------------------------------------- between sessions
    def state(self) -> dict:
        """What save_settings keeps: the docks' places and sizes, and whose arrangement."""
        state = self._maximised or self.window.saveState(LAYOUT_VERSION)
        return {"layout": state, "arrangement": CUSTOM if self.custom else self.arrangement}

    def restore(self, state: QByteArray | None, arrangement: str | None, width: int) -> None:
        """The automatic arrangement for `width`; the saved one on top when the user had made
        their own, or when it is the same arrangement (its sizes come back)."""
        self.arrange(self._for(width))
        if state is None or arrangement not in (CUSTOM, self.arrangement):
            return
        self._arranging = True
        restored = self.window.restoreState(state, LAYOUT_VERSION)
        self._arranging = False
        self._sizes_restored = restored
        self.custom = restored and arrangement == CUSTOM


def _settings_column(controls: QWidget, button_bar: QWidget) -> QWidget:
    """The settings scroll; Train, Step, Reset ... stay in view below them."""
    scroll = QScrollArea()
    scroll.setWidget(controls)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    column = QWidget()
    column.setMinimumWidth(SETTINGS_MIN)
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(scroll, 1)
    layout.addWidget(button_bar)
    return column
