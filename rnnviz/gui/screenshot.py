"""A scripted session: open the real window offscreen, train, type, draw, save a PNG."""

import json
import os
import tempfile
import time
from pathlib import Path

from ..core.data.datasets import DEFAULT_DATASET


def take_screenshot(
    out: str,
    dataset: str = DEFAULT_DATASET,
    steps: int = 300,
    text: str | None = None,
    size: tuple[int, int] = (1440, 900),
    cell: str | None = None,
    show: str | None = None,
    colours: str = "light",
) -> Path:
    """Train a `cell` model (None: the default cell) `steps` mini-batches at full speed, type
    `text`, show `show` (h, or a gate) in the hidden-state panel, in the `colours` scheme, draw,
    grab the window to `out`."""
    if not os.environ.get("DISPLAY") and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings

    from ..core.errors import RnnvizError
    from ..core.train.config import TrainConfig
    from .app import application, dispose
    from .main_window import MainWindow

    app = application()
    with tempfile.TemporaryDirectory() as folder:  # never touch the user's saved settings
        settings = QSettings(str(Path(folder) / "shot.ini"), QSettings.Format.IniFormat)
        config = TrainConfig() if cell is None else TrainConfig(cell=cell)
        settings.setValue("config", json.dumps(config.to_dict()))
        settings.setValue("colour_scheme", colours)
        window = MainWindow(settings=settings, dataset=dataset)
        window.resize(*size)
        window.show()
        try:
            window.runner.call(lambda run: [run.trainer.step() for _ in range(steps)]).result(600)
            window.runner.pause()
            if text is not None:
                window.panels["prediction"].entry.setText(text)
            if show is not None:
                window.redraw_all()  # the panel offers the cell's gates once it has drawn
                layers = window.panels["hidden"].layer_box
                if layers.findText(show) < 0:
                    raise RnnvizError(f"nothing called {show!r} to show for the {config.cell} cell")
                layers.setCurrentText(show)
            deadline = time.monotonic() + 1.0  # let the debounce, the snapshot and the timer run
            while time.monotonic() < deadline:
                app.processEvents()
                time.sleep(0.01)
            window.redraw_all()
            app.processEvents()
            path = Path(out)
            path.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(path)):
                raise OSError(f"could not write {path}")
        finally:
            dispose(window)
    return path
