"""The past step the timeline looks at, marked on the plots over training steps: a solid line
in the theme's `viewed` colour (its own style: neither the best line nor a settings change),
hidden while the window shows the live weights."""

import pyqtgraph as pg

from .theme import Theme


class ViewedStep:
    def __init__(self, plots, theme: Theme, labelled: bool = True):
        """One line per plot; the first is labelled "viewing" unless told not to."""
        pen = pg.mkPen(theme.viewed, width=2)
        self.lines = []
        for i, plot in enumerate(plots):
            label = "viewing" if labelled and i == 0 else None
            line = pg.InfiniteLine(
                angle=90,
                pen=pen,
                movable=False,
                label=label,
                labelOpts={"position": 0.08, "color": theme.viewed, "anchors": [(0, 0), (0, 0)]},
            )
            line.setZValue(40)
            line.setToolTip("The step the timeline shows (Back to live returns)")
            line.hide()
            plot.addItem(line, ignoreBounds=True)
            self.lines.append(line)

    def set(self, step: int | None) -> None:
        for line in self.lines:
            if step is None:
                line.hide()
            else:
                line.setValue(step)
                line.show()
