"""Where the panels sit: the control column on the left, two rows of panels (each panel's slot and
stretch), the tabbed panels in the bottom row's last place; splitters the user drags, remembered
between sessions."""

from collections.abc import Callable

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget

from .panel import Panel


class PanelLayout:
    def __init__(self, controls: QWidget, button_bar: QWidget, panels: dict[str, Panel]):
        self.panels = panels  # the window's dict (rebuilt panels are seen here)
        scroll = QScrollArea()
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        column = QWidget()  # the settings scroll; Train, Step, Reset ... always stay in view
        column.setMinimumWidth(270)
        column.setMaximumWidth(340)
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 0, 0)
        column_layout.addWidget(scroll, 1)
        column_layout.addWidget(button_bar)
        top, bottom = QSplitter(Qt.Orientation.Horizontal), QSplitter(Qt.Orientation.Horizontal)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        rows = {"top": top, "bottom": bottom}
        for panel in panels.values():
            panel.setMinimumSize(300, 220)
            if panel.slot == "tabs":
                self.tabs.addTab(panel, panel.title)
            else:
                rows[panel.slot].addWidget(panel)
        bottom.addWidget(self.tabs)
        stretches = [p.stretch for p in panels.values() if p.slot == "bottom"]
        stretches.append(max(p.stretch for p in panels.values() if p.slot == "tabs"))
        for index, stretch in enumerate(stretches):
            bottom.setStretchFactor(index, stretch)
        center = QSplitter(Qt.Orientation.Vertical)
        center.addWidget(top)
        center.addWidget(bottom)
        center.setStretchFactor(0, 1)
        center.setStretchFactor(1, 1)
        self.root = QSplitter(Qt.Orientation.Horizontal)
        self.root.addWidget(column)
        self.root.addWidget(center)
        self.root.setStretchFactor(1, 1)
        self.splitters = {
            "split/main": self.root,
            "split/center": center,
            "split/top": top,
            "split/bottom": bottom,
        }

    def on_tab_changed(self, slot: Callable[[Panel | None], None]) -> None:
        """slot(panel) when a tab comes to the front."""
        self.tabs.currentChanged.connect(lambda _: slot(self.tabs.currentWidget()))

    def shown(self, key: str) -> bool:
        """Is the panel on screen (its tab, if it is one, visible and chosen)?"""
        panel = self.panels[key]
        return not panel.isHidden() and (panel.slot != "tabs" or self.tabs.currentWidget() is panel)

    def is_offered(self, key: str) -> bool:
        """Not hidden by the user (a tab may be behind another)."""
        panel = self.panels[key]
        tab = self.tabs.indexOf(panel)
        return self.tabs.isTabVisible(tab) if tab >= 0 else not panel.isHidden()

    def show(self, key: str, shown: bool) -> None:
        """Show or hide a panel (or its tab); the tab row goes when no tab is left."""
        panel = self.panels[key]
        if panel.slot == "tabs":
            self.tabs.setTabVisible(self.tabs.indexOf(panel), shown)
            self.tabs.setVisible(any(self.tabs.isTabVisible(i) for i in range(self.tabs.count())))
        else:
            panel.setVisible(shown)

    def bring_to_front(self, key: str) -> None:
        self.tabs.setCurrentWidget(self.panels[key])

    def replace(self, key: str, new: Panel) -> None:
        """Put `new` where the panel `key` is (same place, size and visibility)."""
        old = self.panels[key]
        new.setMinimumSize(old.minimumSize())
        if new.slot == "tabs":
            current = self.tabs.currentIndex()
            index = self.tabs.indexOf(old)
            shown = self.tabs.isTabVisible(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, new, new.title)
            self.tabs.setTabVisible(index, shown)
            self.tabs.setCurrentIndex(current)
        else:
            new.setHidden(old.isHidden())
            splitter = old.parentWidget()
            splitter.replaceWidget(splitter.indexOf(old), new)
        self.panels[key] = new
        old.deleteLater()

    def states(self) -> dict[str, QByteArray]:
        return {key: splitter.saveState() for key, splitter in self.splitters.items()}

    def restore(self, states: dict[str, QByteArray | None]) -> None:
        for key, splitter in self.splitters.items():
            state = states.get(key)
            if state is not None:
                splitter.restoreState(state)
