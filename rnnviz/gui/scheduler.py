"""Which panels need a redraw, and whose turn it is: one panel per timer tick, so that every paint
stays short however fast training runs; a hidden panel is drawn when it is shown."""

from collections.abc import Callable

from .panel import Panel, PanelContext


class PanelScheduler:
    def __init__(
        self,
        panels: dict[str, Panel],
        shown: Callable[[str], bool],
        context: Callable[[], PanelContext],
    ):
        self.panels = panels  # key -> panel (the window's dict: rebuilt panels are seen here)
        self.shown = shown
        self.context = context
        self.stale: set[str] = set()
        self._rotation = list(panels)

    def mark(self, *changes: str) -> None:
        """The panels that read any of `changes` need a redraw."""
        self.stale.update(k for k, p in self.panels.items() if p.reads.intersection(changes))

    def draw_next(self) -> None:
        """Draw the next stale panel on screen, in turn."""
        for _ in range(len(self._rotation)):
            key = self._rotation[0]
            self._rotation.append(self._rotation.pop(0))
            if key in self.stale and self.shown(key):
                self.draw(key)
                return

    def draw_now(self, change: str) -> None:
        """Every panel that reads `change`, at once (a keystroke is answered at once)."""
        for key, panel in self.panels.items():
            if change in panel.reads:
                self.draw(key)

    def draw_if_stale(self, key: str) -> None:
        if key in self.stale:
            self.draw(key)

    def draw(self, key: str) -> None:
        self.stale.discard(key)
        self.panels[key].draw(self.context())

    def draw_all(self) -> None:
        context = self.context()
        for panel in self.panels.values():
            panel.draw(context)
        self.stale.clear()
