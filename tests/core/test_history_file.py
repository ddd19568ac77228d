"""A run's history on disk (issue 29): written and read back, every step replays to the run's
bits; a history file is a checkpoint of the last step; a tampered file is refused with the
member or field named; a history opened and trained on goes on."""

import json
import re

import numpy as np
import pytest

from rnnviz.core.data.datasets import load
from rnnviz.core.errors import CheckpointError
from rnnviz.core.nn.registry import ALL_CELLS
from rnnviz.core.train import checkpoint, history_file
from rnnviz.core.train.config import TrainConfig
from rnnviz.core.train.experiment import Experiment
from rnnviz.core.train.history import History
from rnnviz.core.train.telemetry import Telemetry

from .test_history import STEPS, run_with_history, same_bits


@pytest.mark.parametrize("task", ["classify", "lm"])
@pytest.mark.parametrize("cell", sorted(ALL_CELLS))
def test_a_saved_history_replays_every_step_to_the_runs_bits(tmp_path, cell, task):
    main, history, seen = run_with_history(cell, task, budget_bytes=6 * 2**10)
    path = history_file.save(tmp_path / "run.npz", checkpoint.from_experiment(main), history)
    ckpt, loaded, curves = history_file.load(path)
    assert curves is None  # none given
    assert (loaded.first_step, loaded.last_step) == (0, STEPS)
    assert loaded.trainer is None and len(loaded.states) < 12  # long replays: the small budget
    for step in range(STEPS + 1):
        assert same_bits(loaded.weights_at(step), seen[step]), f"step {step}"
    for step, state in loaded.states.items():  # each copy's gradient flow comes back
        kept = history.states.get(step)
        assert kept is None or same_bits(state.flow, kept.flow), f"step {step}"
    assert same_bits(checkpoint.load(path).model.params, main.model.params)  # a checkpoint too
    past = history_file.model_at(ckpt, loaded, 60)
    assert same_bits(past.model.params, seen[60])
    assert past.summary["step"] == 60 and past.model.temperature == 1.0


def _saved(tmp_path):
    main, history, _ = run_with_history("gru", "classify", budget_bytes=2**20)
    path = history_file.save(tmp_path / "run.npz", checkpoint.from_experiment(main), history)
    return main, path


def _rewritten(path, change) -> None:
    """Rewrite the file after change(meta, arrays) (our own file: np.load may read it)."""
    with np.load(path) as npz:
        arrays = dict(npz)
    meta = json.loads(arrays["meta"].tobytes())
    change(meta, arrays)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **arrays)


def _set(key, value):
    def change(meta, arrays):
        meta["history"]["states"][1][key] = value

    return change


TAMPERED = {
    "a copy of another shape": (
        lambda meta, arrays: arrays.update({"history/25/param/W_hy": np.zeros((3, 3))}),
        "history/25/param/W_hy: expected",
    ),
    "a member missing": (
        lambda meta, arrays: arrays.pop("history/25/plan"),
        "history/25/plan: missing",
    ),
    "a batch of sentences it does not have": (
        lambda meta, arrays: arrays["history/25/plan"].__setitem__(0, 10**6),
        "25/plan: indices outside its training set",
    ),
    "a word outside the vocabulary": (
        lambda meta, arrays: arrays["history/train/0/ids"].__setitem__(0, 10**6),
        "train/0/ids: outside the vocabulary",
    ),
    "a broken random state": (_set("rng", {"bit_generator": "PCG64"}), "rng: not a PCG64 state"),
    "a position past the plan": (_set("position", 10**6), "position: 1000000 is past"),
    "another cell": (
        lambda meta, arrays: meta["history"]["states"][1]["config"].update(cell="lstm"),
        "config: another cell or size",
    ),
    "an unknown setting changed": (
        lambda meta, arrays: meta["history"]["events"].append(
            {"after": 30, "kind": "apply", "value": {"warp": 9}}
        ),
        "the change after step 30: unknown setting(s): warp",
    ),
    "a newer history": (
        lambda meta, arrays: meta["history"].update(version=99),
        "format version 99",
    ),
    "another cell's gradient flow": (
        lambda meta, arrays: arrays.update({"history/25/flow/c": np.ones(4)}),
        "history/25/flow/c: not a gradient flow of a gru cell",
    ),
    "a negative gradient norm": (
        lambda meta, arrays: arrays["history/25/flow/h"].__setitem__(0, -1.0),
        "history/25/flow/h: expected norms of at least 0",
    ),
    "a non-finite weight": (
        lambda meta, arrays: arrays["history/25/optim/W_hy/m"].__setitem__((0, 0), np.nan),
        "history/25/optim/W_hy/m: holds non-finite values",
    ),
}


@pytest.mark.parametrize("what", sorted(TAMPERED))
def test_a_tampered_history_is_refused_with_the_part_named(tmp_path, what):
    _, path = _saved(tmp_path)
    change, message = TAMPERED[what]
    _rewritten(path, change)
    with pytest.raises(CheckpointError, match=f"run.npz: .*{re.escape(message)}"):
        history_file.load(path)


def test_a_plain_checkpoint_is_no_history(tmp_path):
    main, _, _ = run_with_history("vanilla", "classify", budget_bytes=2**20)
    path = checkpoint.save(tmp_path / "model.npz", checkpoint.from_experiment(main))
    assert not history_file.is_history(path)
    with pytest.raises(CheckpointError, match="without a history .*--history"):
        history_file.load(path)


def test_a_checkpoint_refuses_history_members_it_does_not_declare(tmp_path):
    main, path = _saved(tmp_path)
    _rewritten(path, lambda meta, arrays: meta.pop("history"))
    with pytest.raises(CheckpointError, match="unexpected member"):
        checkpoint.load(path)


def test_an_opened_history_trained_on_goes_on(tmp_path):
    main, path = _saved(tmp_path)
    ckpt, history, _ = history_file.load(path)
    resumed = Experiment.resume(ckpt, load(["tiny"]))
    history.attach(resumed.trainer, go_on=True)
    seen = {}
    for _ in range(40):
        resumed.trainer.step()
        seen[resumed.trainer.step_count] = {n: p.copy() for n, p in resumed.model.params.items()}
    past = history_file.load(path).history
    for step in (10, 77, STEPS):
        assert same_bits(history.weights_at(step), past.weights_at(step)), step
    for step in (STEPS + 1, STEPS + 26, STEPS + 39):
        assert same_bits(history.weights_at(step), seen[step]), step


def test_a_history_ending_elsewhere_cannot_go_on(tmp_path):
    main, path = _saved(tmp_path)
    history = history_file.load(path).history
    fresh = Experiment.build(main.config, load(["tiny"]))
    with pytest.raises(Exception, match=f"ends at step {STEPS}, the model is at step 0"):
        History.attach(history, fresh.trainer, go_on=True)


def test_the_curves_over_training_come_back_and_a_tampered_one_is_refused(tmp_path):
    config = TrainConfig(cell="gru", hidden_size=8, epochs=8, batch_size=4)
    main = Experiment.build(config, load(["tiny"]))
    telemetry, history = Telemetry(capacity=16), History()
    telemetry.follow(main.trainer)
    history.attach(main.trainer)
    main.train()
    path = tmp_path / "run.npz"
    history_file.save(path, checkpoint.from_experiment(main), history, telemetry.curves())
    curves = history_file.load(path).curves
    before, after = telemetry.read(), Telemetry(capacity=16)
    after.restore(curves)
    view = after.read()
    assert view.steps.width == before.steps.width > 1  # decimated as the window's are
    for name, values in before.steps.mean.items():
        np.testing.assert_array_equal(view.steps.mean[name], values)
        np.testing.assert_array_equal(view.steps.high[name], before.steps.high[name])
    assert view.epoch_marks == before.epoch_marks and len(view.epoch_marks) == main.trainer.epoch
    assert view.evaluations.keys() == before.evaluations.keys() and view.evaluations
    _rewritten(
        path, lambda meta, arrays: arrays.update({"history/curves/steps/count": np.ones(3, int)})
    )
    with pytest.raises(CheckpointError, match="history: curves: steps: buckets of inconsistent"):
        history_file.load(path)
