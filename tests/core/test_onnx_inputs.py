"""Hostile inputs to the exported ONNX graphs, for every cell and task: empty batches and
sentences, lengths outside [0, T], ids outside the vocabulary. Each gets the answer the graph
defines (ids outside [0, V) read as <unk>, lengths clipped to [0, T], NaN where nothing was read)
from ONNX Runtime, run in a child process so that a crash fails the test instead of the run, and
from onnx's reference evaluator; inputs of a wrong shape or type get an error, never a crash."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rnnviz.core.data.text import UNK_ID
from rnnviz.core.export.onnx_graph import LENGTHS_CHECK
from rnnviz.core.export.write import export
from rnnviz.core.nn.registry import CELLS

from .test_export import V, checkpoint_of, language_model_of

pytest.importorskip("onnxruntime")

T = 4
BIG, SMALL = np.iinfo(np.int64).max, np.iinfo(np.int64).min
READABLE = [[2, 5, 9, 3], [7, 4, 4, 8]]  # (2, T) ids in the vocabulary


def batch(ids, lengths, dtype=np.int64) -> tuple[np.ndarray, np.ndarray]:
    """ids (B, T) and lengths (B,); ids [] is a batch of no rows."""
    return np.array(ids, dtype=dtype).reshape(-1, T), np.array(lengths, dtype=np.int64)


DEFINED = {  # (ids (B, T), lengths (B,)) that the graph answers
    "batch-0": batch([], []),
    "batch-0-time-0": (np.zeros((0, 0), np.int64), np.zeros(0, np.int64)),
    "time-0": (np.zeros((2, 0), np.int64), np.zeros(2, np.int64)),
    "length-0": batch(READABLE, [T, 0]),
    "lengths-0": batch(READABLE, [0, 0]),
    "length-past-T": batch(READABLE, [T + 5, T]),
    "length-negative": batch(READABLE, [-1, T]),
    "length-2**32": batch(READABLE, [T, 2**32]),  # a cast to int32 alone reads 0 ids
    "length-2**32+1": batch(READABLE, [2**32 + 1, T]),  # ... and this 1
    "length-int64-max": batch(READABLE, [BIG, T]),
    "length-int64-min": batch(READABLE, [SMALL, T]),
    "id-minus-1": batch([[2, -1, 9, 3], READABLE[1]], [T, T]),  # Gather reads row V - 1
    "id-minus-V": batch([[2, 5, -V, 3], READABLE[1]], [T, T]),  # ... row 0, <pad>
    "id-V": batch([[2, 5, 9, V], READABLE[1]], [T, T]),
    "id-huge": batch([[BIG, 5, SMALL, 2**40], READABLE[1]], [T, T]),
    "ids-all-outside": batch([[-1, V, BIG, SMALL], READABLE[1]], [T, T]),
    "id-outside-on-padding": batch([[2, 5, -7, 2**40], READABLE[1]], [2, T]),
}

MALFORMED = {  # (ids, lengths, what the error says)
    "lengths-for-fewer-rows": (*batch(READABLE, [T]), LENGTHS_CHECK),
    "lengths-for-more-rows": (*batch(READABLE[:1], [T, T]), LENGTHS_CHECK),
    "lengths-for-an-empty-batch": (*batch([], [T]), LENGTHS_CHECK),
    "ids-int32": (*batch(READABLE, [T, T], np.int32), "Unexpected input data type"),
    "ids-float": (*batch(READABLE, [T, T], np.float32), "Unexpected input data type"),
    "ids-of-rank-1": (np.array(READABLE[0]), np.array([T]), "Invalid rank for input: ids"),
}

# onnx's reference kernels ignore sequence_lens, so they answer right only if every row reads
# all of its T ids or none
WHOLE_ROWS = [
    name
    for name, (ids, lengths) in DEFINED.items()
    if np.isin(np.clip(lengths, 0, ids.shape[1]), [0, ids.shape[1]]).all()
]

CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 4  # the error comes back in the exception
    session = ort.InferenceSession(sys.argv[1], options, providers=["CPUExecutionProvider"])
    try:
        (probabilities,) = session.run(None, dict(np.load(sys.argv[2])))
    except Exception as error:
        print(error)
    else:
        np.save(sys.argv[3], probabilities)
    """
)


@pytest.fixture(scope="module")
def graphs(tmp_path_factory) -> dict:
    """(cell, task) -> (checkpoint, its exported .onnx)."""
    folder = tmp_path_factory.mktemp("graphs")
    out = {}
    for cell in CELLS:
        for task, checkpoint in (("classify", checkpoint_of), ("lm", language_model_of)):
            ckpt = checkpoint(cell)
            out[cell, task] = ckpt, export(ckpt, "onnx", folder / f"{cell}-{task}.onnx")[0]
    return out


def onnx_runtime(path, ids, lengths, tmp_path) -> tuple[np.ndarray | None, str]:
    """ONNX Runtime's answer in a fresh process: (probabilities, "") or (None, its error); the
    test fails if the process dies (return code -11 for a segmentation fault)."""
    feeds, out = tmp_path / "feeds.npz", tmp_path / "probabilities.npy"
    np.savez(feeds, ids=ids, lengths=lengths)
    child = [sys.executable, "-c", CHILD, str(path), str(feeds), str(out)]
    done = subprocess.run(child, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"ONNX Runtime died (rc {done.returncode}): {done.stderr[-800:]}"
    return (np.load(out), "") if out.exists() else (None, done.stdout)


def defined_answer(ckpt, ids, lengths) -> np.ndarray:
    """What the graph defines: rnnviz's probabilities with ids outside [0, V) read as <unk> and
    each row's first min(max(length, 0), T) ids read; NaN where nothing was read (a classifier's
    row of none, a language model's steps past them). (B, C) or (B, T, V)."""
    model = ckpt.model
    B, time = ids.shape
    known = np.where((ids >= 0) & (ids < V), ids, UNK_ID)
    steps = np.clip(lengths, 0, time)
    every_step = model.head.per_step
    answer = np.full((B, time, V) if every_step else (B, model.num_outputs), np.nan)
    rows = np.flatnonzero(steps)
    if rows.size:
        trace = model.forward(known[rows], steps[rows])
        states = trace.hidden if every_step else trace.last  # (b, T, H) or (b, H)
        probs = model.head.per_step_probs(model.params, states, model.temperature)
        if every_step:
            probs[np.arange(time)[None, :] >= steps[rows, None]] = np.nan
        answer[rows] = probs
    return answer


def assert_defined(probabilities, ckpt, ids, lengths):
    expected = defined_answer(ckpt, ids, lengths)
    assert probabilities.dtype == np.float32 and probabilities.shape == expected.shape
    np.testing.assert_array_equal(np.isnan(probabilities), np.isnan(expected))
    np.testing.assert_allclose(probabilities, expected, atol=1e-5, rtol=0)


@pytest.mark.parametrize("case", list(DEFINED))
@pytest.mark.parametrize("task", ["classify", "lm"])
@pytest.mark.parametrize("cell", list(CELLS))
def test_onnx_runtime_gives_the_defined_answer(graphs, cell, task, case, tmp_path):
    ckpt, path = graphs[cell, task]
    ids, lengths = DEFINED[case]
    probabilities, error = onnx_runtime(path, ids, lengths, tmp_path)
    assert probabilities is not None, error
    assert_defined(probabilities, ckpt, ids, lengths)


@pytest.mark.parametrize("case", WHOLE_ROWS)
@pytest.mark.parametrize("task", ["classify", "lm"])
@pytest.mark.parametrize("cell", list(CELLS))
def test_the_reference_evaluator_gives_the_defined_answer(graphs, cell, task, case):
    from onnx.reference import ReferenceEvaluator

    ckpt, path = graphs[cell, task]
    ids, lengths = DEFINED[case]
    (probabilities,) = ReferenceEvaluator(str(path)).run(None, {"ids": ids, "lengths": lengths})
    assert_defined(probabilities, ckpt, ids, lengths)


@pytest.mark.parametrize("case", list(MALFORMED))
@pytest.mark.parametrize("task", ["classify", "lm"])
@pytest.mark.parametrize("cell", list(CELLS))
def test_malformed_inputs_are_an_error_not_a_crash(graphs, cell, task, case, tmp_path):
    ids, lengths, message = MALFORMED[case]
    probabilities, error = onnx_runtime(graphs[cell, task][1], ids, lengths, tmp_path)
    assert probabilities is None and message in error
