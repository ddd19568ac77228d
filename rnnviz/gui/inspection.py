"""The window's side of the unit inspector: open it on a unit, ask the training thread for its
contexts (runner.unit_contexts), keep it following the newest weights."""

from ..core.insight.probe import Probe
from ..core.insight.records import UnitWords
from ..core.train.runner import TrainingRunner
from .replies import Replies
from .theme import Theme
from .unit_inspector import TOP, UnitInspector


class UnitInspection:
    def __init__(self, runner: TrainingRunner, replies: Replies):
        self.runner = runner
        self.replies = replies
        self.inspector: UnitInspector | None = None

    def inspect(self, unit: int, hidden_size: int, theme: Theme, parent) -> UnitInspector:
        """Open (or reuse) the inspector on `unit`."""
        if self.inspector is None:
            self.inspector = UnitInspector(theme, self._request, parent)
        self.inspector.inspect(unit, hidden_size)
        return self.inspector

    def follow(self, step: int, probe: Probe | None, history: tuple[UnitWords, ...]) -> None:
        if self.inspector is not None and self.inspector.isVisible():
            self.inspector.follow(step, probe, history)

    def set_hidden_size(self, hidden_size: int) -> None:
        """A new model: units beyond its size cannot be chosen."""
        if self.inspector is not None:
            self.inspector.unit_box.setMaximum(hidden_size - 1)

    def close(self) -> None:
        """Forget the inspector (colours changed: the next one is built in the new ones)."""
        if self.inspector is not None:
            self.inspector.close()
            self.inspector.deleteLater()
            self.inspector = None

    def _request(self, unit: int, show) -> None:
        inspector = self.inspector

        def done(result, error) -> None:
            if inspector is not self.inspector:
                return  # replaced or closed meanwhile
            if error is not None:
                inspector.show_failure(f"could not read the training data: {error}")
            else:
                show(*result)

        self.runner.unit_contexts(unit, self.replies.to(done), TOP)
