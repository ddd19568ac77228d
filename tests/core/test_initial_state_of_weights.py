"""What the initial-weight settings do to a fresh model: memory_bias opens a gated cell's keep gate
and recurrent_radius sets the spectral radius of the block of W_hh that feeds the candidate."""

import numpy as np
import pytest

from rnnviz.core.insight.dynamics import recurrent_block
from rnnviz.core.nn.model import SequenceModel
from rnnviz.core.nn.registry import CELLS


def fresh(cell: str, **settings) -> SequenceModel:
    return SequenceModel.create(11, 6, 2, cell=cell, seed=3, **settings)


def radius(model: SequenceModel) -> float:
    return float(np.abs(np.linalg.eigvals(recurrent_block(model))).max())


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("rho", [0.5, 1.0, 2.5])
def test_the_recurrent_radius_is_what_was_asked(cell, rho):
    drawn, scaled = fresh(cell), fresh(cell, recurrent_radius=rho)
    assert radius(scaled) == pytest.approx(rho, rel=1e-12)
    H = drawn.hidden_size
    k = drawn.cell.candidate_block
    block = slice(k * H, (k + 1) * H)
    np.testing.assert_allclose(
        recurrent_block(scaled), recurrent_block(drawn) * rho / radius(drawn), rtol=1e-12
    )
    rows = np.arange(drawn.params["W_hh"].shape[0])
    others = np.delete(rows, rows[block])
    np.testing.assert_array_equal(scaled.params["W_hh"][others], drawn.params["W_hh"][others])
    for name in set(drawn.params) - {"W_hh"}:
        np.testing.assert_array_equal(scaled.params[name], drawn.params[name])


@pytest.mark.parametrize("cell", CELLS)
def test_no_radius_leaves_the_draw(cell):
    np.testing.assert_array_equal(
        fresh(cell, recurrent_radius=0.0).params["W_hh"], fresh(cell).params["W_hh"]
    )


@pytest.mark.parametrize("cell", CELLS)
def test_the_memory_bias_is_added_to_the_keep_gate_only(cell):
    drawn, opened = fresh(cell), fresh(cell, memory_bias=4.0)
    change = opened.params["b_ih"] - drawn.params["b_ih"]
    H, k = drawn.hidden_size, drawn.cell.memory_block
    expected = np.zeros_like(change)
    if k is not None:
        expected[k * H : (k + 1) * H] = 4.0
    np.testing.assert_allclose(change, expected, atol=1e-15)
