"""Every shipped lesson's claim happens with its shipped preset: its checks, run headless as
`rnnviz lesson NAME --check --seed S` runs them, are all seen on seeds 0, 1 and 2."""

import pytest
from threadpoolctl import threadpool_limits

from rnnviz.core.lessons.lesson import lesson_names, load
from rnnviz.core.lessons.run import run_lesson

SEEDS = (0, 1, 2)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", lesson_names())
def test_the_lesson_shows_what_it_claims(name, seed):
    with threadpool_limits(1):  # as `rnnviz lesson` runs: one BLAS thread
        results = run_lesson(load(name), seed)
    missing = [f"{r.check.claim}: measured {r.value:.3g}" for r in results if not r.seen]
    assert not missing, missing
