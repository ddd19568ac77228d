"""The window's list of runs beside its own: their telemetry read at the window's pace, their
colours, and the typed sentence under each one's newest weights."""

from dataclasses import dataclass

from ..core.insight.probe import Probe, probe
from ..core.train.telemetry import Telemetry, TelemetryView
from .run_overlay import RunView
from .theme import Theme


@dataclass
class SideRun:
    telemetry: Telemetry
    colour: str
    view: TelemetryView | None = None
    probe: Probe | None = None
    paused: bool = False


class SideRuns:
    def __init__(self):
        self.runs: dict[str, SideRun] = {}

    def add(self, label: str, telemetry: Telemetry, theme: Theme) -> None:
        used = {run.colour for run in self.runs.values()}
        colour = next((c for c in theme.runs if c not in used), theme.runs[0])
        self.runs[label] = SideRun(telemetry, colour)

    def remove(self, label: str) -> None:
        self.runs.pop(label, None)

    def recolour(self, theme: Theme) -> None:
        for run, colour in zip(self.runs.values(), theme.runs, strict=False):
            run.colour = colour

    def read(self) -> tuple[bool, bool]:
        """Pull each run's newest telemetry: (anything changed, newer weights somewhere)."""
        changed = weights = False
        for run in self.runs.values():
            view = run.telemetry.read(run.view.version if run.view else -1)
            if view is None:
                continue
            changed = True
            weights |= run.view is None or view.snapshot is not run.view.snapshot
            run.view = view
        return changed, weights

    def probe(self, text: str, temperature: float | None) -> None:
        """The typed sentence under each run's newest weights (none before its first, as when it
        starts again beside a new experiment)."""
        for run in self.runs.values():
            snapshot = run.view.snapshot if run.view else None
            run.probe = (
                None
                if snapshot is None
                else probe(snapshot.model, snapshot.vocab, text, temperature, snapshot.level)
            )

    def views(self) -> tuple[RunView, ...]:
        return tuple(
            RunView(label, run.colour, run.view, run.probe)
            for label, run in self.runs.items()
            if run.view is not None
        )
