"""The allocator keeps a step's freed arrays for the next step instead of page-faulting them in."""

import subprocess
import sys
import textwrap

import pytest

from rnnviz.core.heap import keep_freed_memory

STEPS = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    from rnnviz.core.heap import keep_freed_memory

    if sys.argv[1] == "keep":
        assert keep_freed_memory()

    def step():  # a training step's shape of use: several MB-sized arrays, freed together
        arrays = [np.ones(400_000) for _ in range(8)]  # 8 x 3.2 MB
        del arrays

    step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        step()
    print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20)
    """
)


def faults_per_step(mode: str) -> float:
    """Minor page faults per step in a fresh process (a fresh allocator)."""
    done = subprocess.run(
        [sys.executable, "-c", STEPS, mode], capture_output=True, text=True, timeout=60, check=True
    )
    return float(done.stdout.split()[-1])


def test_freed_arrays_are_reused_without_page_faults():
    if not keep_freed_memory():
        pytest.skip("the C library has no mallopt (not glibc)")
    default, kept = faults_per_step("default"), faults_per_step("keep")
    assert default > 1000  # 25 MB returned to the system and faulted back in, every step
    assert kept < 50
