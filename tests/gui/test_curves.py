"""The helpers that turn decimated histories into curves."""

import numpy as np

from rnnviz.core.train.history import DecimatingHistory
from rnnviz.gui.curves import envelope, positive, smooth


def test_smooth_is_a_trailing_mean_that_starts_with_shorter_windows():
    y = np.arange(600, dtype=float)  # window = 600 // 60 = 10
    out = smooth(y)
    assert out.shape == y.shape
    assert out[0] == 0.0 and out[4] == np.mean(y[:5])  # the first points average what exists
    np.testing.assert_allclose(out[9:], [np.mean(y[i - 9 : i + 1]) for i in range(9, 600)])


def test_smooth_leaves_short_and_empty_series_alone():
    y = np.array([3.0, 1.0, 2.0])
    assert smooth(y) is y and len(smooth(np.zeros(0))) == 0


def test_envelope_is_the_raw_curve_then_a_min_max_zigzag():
    history = DecimatingHistory(("loss",), capacity=4)
    for step, value in enumerate([5.0, 1.0, 4.0], start=1):
        history.append(step, [value])
    x, y = envelope(history.view(), "loss")
    np.testing.assert_array_equal(x, [1, 2, 3])
    np.testing.assert_array_equal(y, [5.0, 1.0, 4.0])
    for step, value in enumerate([2.0, 9.0, 0.5], start=4):  # 6 records in 4 buckets: merged
        history.append(step, [value])
    view = history.view()
    x, y = envelope(view, "loss")
    assert view.width == 2 and len(x) == 2 * len(view)
    np.testing.assert_array_equal(x, np.repeat(view.x, 2))
    # buckets {5, 1}, {4, 2} (merged pairs), then {9, 0.5}: each one's minimum and maximum
    np.testing.assert_array_equal(y[0::2], [1.0, 2.0, 0.5])
    np.testing.assert_array_equal(y[1::2], [5.0, 4.0, 9.0])  # the spike at 9 stays visible


def test_positive_turns_non_positive_values_into_gaps():
    out = positive(np.array([1.0, 0.0, -2.0, 3.0]))
    assert out[0] == 1.0 and np.isnan(out[1]) and np.isnan(out[2]) and out[3] == 3.0
