"""The window's State space panel drawn without a window, to a PNG file (`rnnviz states --plot`):
the same panel, fed one analysis and the typed sentence's probe as the window feeds it. (Not SVG:
Qt's SVG generator drops the plots' clipping, so the boundary line ran across the picture.)"""

import os
from pathlib import Path

SIZE = (1200, 760)  # px: wide enough for the plane, the eigenvalues and the variance in a row


def save_picture(space, experiment, path: str, text: str | None = None) -> Path:
    """Draw `space` (state_space.analyse of `experiment`'s model) with `text`'s path (None: no
    path) in the light scheme and write it to `path` as PNG."""
    if not os.environ.get("DISPLAY") and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from ..core.insight.probe import probe
    from ..core.insight.records import Insight
    from ..core.train.telemetry import Status, TelemetryView
    from .app import application
    from .images import write_image
    from .panel import PanelContext
    from .state_space_panel import StateSpacePanel
    from .theme import configure_pyqtgraph, current_theme
    from .view_state import ViewState

    app = application()
    theme = current_theme()
    configure_pyqtgraph(theme)
    snapshot = experiment.snapshot()
    panel = StateSpacePanel(theme, ViewState())
    panel.resize(*SIZE)
    panel.show()
    view = TelemetryView(
        version=1,
        steps=None,
        evaluations={},
        latest={},
        epoch_marks=[],
        events=[],
        snapshot=snapshot,
        status=Status(step=space.step),
        insight=Insight(state_space=space),
    )
    path_probe = None
    if text is not None:
        path_probe = probe(snapshot.model, snapshot.vocab, text, level=snapshot.level)
    try:
        app.processEvents()  # laid out at its size before it draws: its arrangement follows it
        panel.draw(PanelContext(view=view, probe=path_probe, config=experiment.config))
        app.processEvents()
        return write_image(panel.grab(), Path(path))
    finally:
        panel.close()
        panel.deleteLater()
        app.processEvents()
