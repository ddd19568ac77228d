"""The helpers that turn decimated histories into curves."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnviz.gui.curves import ema, positive, robust_top


def ema_loop(y, w):
    """The definition, one point at a time (TensorBoard's smoothing, debiased)."""
    s, out = 0.0, []
    for t, v in enumerate(y):
        s = w * s + (1 - w) * v
        out.append(s / (1 - w ** (t + 1)))
    return np.array(out)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=300),
    st.sampled_from([0.0, 0.3, 0.6, 0.9, 0.99, 0.999]),
)
def test_ema_is_the_debiased_moving_average_of_its_definition(values, weight):
    y = np.array(values)
    np.testing.assert_allclose(ema(y, weight), ema_loop(y, weight), rtol=1e-9, atol=1e-9)


def test_ema_starts_at_the_first_value_and_follows_a_constant():
    out = ema(np.full(500, 2.5), 0.99)
    np.testing.assert_allclose(out, 2.5)  # debiased: no ramp up from zero


def test_ema_skips_non_finite_values():
    y = np.array([1.0, np.nan, np.inf, 3.0])
    out = ema(y, 0.5)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, ema_loop([1.0, 1.0, 1.0, 3.0], 0.5))
    assert np.isfinite(ema(np.array([np.nan, 2.0]), 0.5)).all()


def test_ema_of_nothing_is_nothing():
    assert len(ema(np.zeros(0), 0.9)) == 0


def test_robust_top_ignores_a_few_early_spikes():
    y = np.concatenate([[50.0, 40.0, 30.0], np.full(997, 0.2)])
    assert robust_top(y) == 0.2
    assert y.max() == 50.0  # what a plain maximum would have squeezed the curve under
    assert np.isnan(robust_top(np.array([np.nan])))


def test_positive_turns_non_positive_values_into_gaps():
    out = positive(np.array([1.0, 0.0, -2.0, 3.0]))
    assert out[0] == 1.0 and np.isnan(out[1]) and np.isnan(out[2]) and out[3] == 3.0
