"""Python's cyclic garbage collector, run on the GUI thread only.

The collector runs on whichever thread happens to allocate when a threshold is crossed, often
the training thread. Unreachable cycles that hold Qt objects (a removed plot item and its label,
a rebuilt panel) are then deleted there, and Qt objects deleted off their thread crash the
process. While the window is open, automatic collection is off and this timer collects, with the
same generation thresholds, on the GUI thread (pyqtgraph's util.garbage_collector does the same;
this one is owned by the window and switches collection back on when it closes).
"""

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500
_running: set[int] = set()  # ids of the collectors running (one per open window)


class GuiThreadCollector:
    def __init__(self, parent: QObject):
        self.threshold = gc.get_threshold()
        self.timer = QTimer(parent)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        gc.disable()
        _running.add(id(self))
        self.timer.start()

    def check(self) -> None:
        """Collect the oldest generation whose count is past its threshold (as gc would)."""
        counts = gc.get_count()
        generation = -1
        for g in range(3):
            if counts[g] <= self.threshold[g]:
                break
            generation = g
        if generation >= 0:
            gc.collect(generation)

    def stop(self, thread_ended: bool = True) -> None:
        """Stop collecting; hand collection back to Python once no window needs this and no
        training thread is left running."""
        self.timer.stop()
        _running.discard(id(self))
        if thread_ended and not _running:
            gc.enable()
