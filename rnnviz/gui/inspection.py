"""The window's side of the unit inspector: open it on a unit, compute its contexts on the
training thread, keep it following the newest weights."""

from ..core.insight import units
from ..core.probe import Probe
from ..core.train.experiment import Experiment
from ..core.train.runner import TrainingRunner
from ..core.train.telemetry import UnitWords
from .replies import Replies
from .theme import Theme
from .unit_inspector import TOP, UnitInspector


def unit_contexts(experiment: Experiment, unit: int):
    """(step, top positive contexts, top negative contexts) of `unit` on the training data (on
    the training thread; no contexts for a unit the model does not have)."""
    step = experiment.trainer.step_count
    if unit >= experiment.model.hidden_size:
        return step, [], []
    texts = experiment.splits.train.texts
    acts = units.activations(experiment.model, experiment.train_set, texts)
    tokens_of, glue = units.token_reader(
        experiment.model.is_language_model, experiment.config.level
    )
    return step, *(units.contexts(acts, unit, TOP, s, tokens_of, glue) for s in (1, -1))


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

        self.runner.call(lambda experiment: unit_contexts(experiment, unit), self.replies.to(done))
