"""Looking back: the timeline (timeline.py) tied to the view state and the run's history. A past
step is set in the view state at once; its model is replayed on the runner's history thread
and, when it comes, becomes the weights every panel reads (PanelContext.snapshot), while the
telemetry (curves, status) stays live and the plots over training mark the step. An answer for a
step no longer asked for (the slider moved on, or live again) is dropped. The model shown can be
pinned as A: the views that compare show it beside the one shown after (B) until unpinned or
another model comes."""

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QToolBar

from ..core.insight.state_space import StateSpace
from ..core.train.telemetry import Snapshot, TelemetryView
from .panel import PROBE, SNAPSHOT
from .timeline import Timeline


class Scrubbing:
    def __init__(self, window: QMainWindow):
        self.window = window
        self.timeline = Timeline()
        bar = QToolBar("Timeline", window)
        bar.setObjectName("timeline")  # saveState() keeps where it is
        bar.setMovable(False)
        bar.setStyleSheet("QToolBar { padding: 0px; border: 0px; }")  # a row no taller than a
        # button: 1366 x 768 has no pixel to spare for the panels (tests/gui's geometry checks)
        bar.addWidget(self.timeline)
        window.addToolBar(Qt.ToolBarArea.BottomToolBarArea, bar)
        self.timeline.step_chosen.connect(self.look_back)
        self.timeline.live_chosen.connect(self.go_live)
        self.timeline.pin_chosen.connect(self.pin)

    def follow(self, view: TelemetryView) -> None:
        """Newer telemetry: the timeline spans the history's steps to the newest."""
        history = self.window.runner.history
        live = view.status.step
        self.timeline.follow(live if history is None else min(history.first_step, live), live)

    def look_back(self, step: int) -> None:
        w = self.window
        w.state.set_view_step(step)
        self.timeline.show_waiting(step)
        w.runner.past_snapshot(
            step,
            w.replies.to(self._arrived),
            w.replies.to(self._progressed),
            w.replies.to(self._analysed),
        )

    def go_live(self) -> None:
        w = self.window
        w.state.set_view_step(None)
        self.timeline.show_live()
        if w.state.past is not None:
            w.state.set_snapshot(w.view.snapshot if w.view is not None else None)
            self._show(None)

    def pin(self, on: bool) -> None:
        """Pin the model shown as A (on), or compare no more."""
        w = self.window
        pinned = w.state.snapshot if on else None
        w.state.pin(pinned)
        self.timeline.show_pinned(None if pinned is None else pinned.step)

    def _analysed(self, space: StateSpace | None, error: BaseException | None) -> None:
        """The past step's state space, for the one panel that draws it (the others keep their
        drawing: the weights are the same)."""
        w = self.window
        past = w.state.past
        if error is not None:
            if past is not None:
                self.timeline.show_error(f"the state space at step {past.step:,}: {error}")
            return
        if past is not None and space is not None and space.step == past.step:
            w.state.analysed(replace(past, state_space=space))
            w.scheduler.mark_panel("state_space")

    def _progressed(self, step: int, share: float) -> None:
        """A long replay's progress, said while its step is the one looked for."""
        state = self.window.state
        if step == state.view_step and (state.past is None or state.past.step != step):
            self.timeline.show_waiting(step, share)

    def _arrived(self, snapshot: Snapshot | None, error: BaseException | None) -> None:
        w = self.window
        if error is not None:
            if w.state.view_step is not None:
                self.timeline.show_error(str(error))
            return
        if snapshot is None or snapshot.step != w.state.view_step:
            return  # asked for before the slider moved on, or before Back to live
        w.state.set_snapshot(snapshot)
        self.timeline.show_past(snapshot)
        self._show(snapshot.step)

    def _show(self, step: int | None) -> None:
        """The weights of `step` (None: the live ones) came: the plots over training mark it at
        once (a full redraw of the loss panel took 13-29 ms while a replay ran), and the views of
        the weights are drawn at their next turns, the sentence's first (what the user looks
        at)."""
        w = self.window
        for panel in w.panels.values():
            panel.show_viewed_step(step)
        w.scheduler.hurry(PROBE, SNAPSHOT)
