"""Runs → Memory horizon: the cells on screen trained on the memory task at each distance, on a
thread of their own, each point drawn as it comes, the horizon said at the end; Stop ends it
after the point being measured."""

import numpy as np
import pytest

from rnnviz.core.train.config import TrainConfig

from .conftest import open_window

SMALL = TrainConfig(
    cell="vanilla", hidden_size=8, epochs=1, validation_fraction=0.0, patience=0, min_count=1
)


@pytest.fixture
def small_window(qtbot, tmp_path):
    yield from open_window(tmp_path, SMALL, (1366, 768))


def test_the_cells_on_screen_are_measured_at_each_distance_and_drawn(qtbot, small_window):
    window = small_window
    window.add_run({"cell": "gru"})
    qtbot.waitUntil(lambda: len(window.side_runs.runs) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: window.side_runs.runs["cell=gru"].telemetry.status.config is not None)
    window.actions["run:horizon"].trigger()
    dialog = window.horizon_dialog
    assert dialog.cells == ["vanilla", "gru"] and dialog.isVisible()
    assert window.show_horizon() is dialog  # one sweep at a time
    qtbot.waitUntil(lambda: not dialog.running, timeout=120_000)
    assert len(dialog.points) == dialog.total == 2 * 5
    for cell, (accuracy, ratio) in dialog.curves.items():
        x, y = accuracy.getData()
        np.testing.assert_allclose(10**x, [5, 10, 20, 50, 100])  # a log axis draws log10
        assert np.all((y >= 0) & (y <= 1)), cell
        assert len(ratio.getData()[0]) == 5
    assert "horizon (the longest N learned" in dialog.status.text()
    assert not dialog.stop_button.isEnabled()
    dialog.close()


def test_stop_ends_the_sweep_after_the_point_being_measured(qtbot, small_window):
    dialog = small_window.show_horizon(distances=(3, 4, 5, 6))
    dialog.stop()
    qtbot.waitUntil(lambda: not dialog.running, timeout=60_000)
    assert len(dialog.points) <= 1 and "of 4 points" in dialog.status.text()
    dialog.close()
