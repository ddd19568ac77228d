import io
import pickle
import zipfile

import numpy as np
import pytest

from rnnviz.core.data.datasets import load
from rnnviz.core.errors import CheckpointError
from rnnviz.core.files import WriteError
from rnnviz.core.train import checkpoint
from rnnviz.core.train.config import TrainConfig
from rnnviz.core.train.experiment import Experiment


@pytest.fixture(scope="module")
def trained():
    experiment = Experiment.build(TrainConfig(epochs=2), load(["tiny"]))
    experiment.trainer.run()
    return experiment


def test_round_trip_is_exact(tmp_path, trained):
    path = checkpoint.save(tmp_path / "m.npz", checkpoint.from_experiment(trained))
    back = checkpoint.load(path)
    for name, p in trained.model.params.items():
        np.testing.assert_array_equal(back.model.params[name], p)
        assert back.model.params[name].dtype == p.dtype
    assert back.vocab == trained.vocab and back.classes == trained.classes
    assert back.config == trained.config and back.summary["step"] == trained.trainer.step_count
    assert back.optimizer_state.keys() == trained.trainer.optimizer.state_arrays().keys()


def test_training_resumes_from_a_checkpoint(tmp_path, trained):
    path = checkpoint.save(tmp_path / "m.npz", checkpoint.from_experiment(trained))
    back = checkpoint.load(path)
    resumed = Experiment.build(
        back.config, load(["tiny"]), vocab=back.vocab, model=back.model
    ).trainer
    resumed.resume(back.summary["step"], back.summary["epoch"], back.optimizer_state)
    assert resumed.optimizer.steps == trained.trainer.optimizer.steps
    record = resumed.step()
    assert record.step == trained.trainer.step_count + 1 and np.isfinite(record.loss)


def test_the_time_trained_is_kept_and_goes_on_counting(tmp_path, trained):
    """A loaded model said "0:00 trained": the file carries the trainer's seconds; a file
    without them (older, or saved from such a model) counts from the step it was loaded at."""
    assert trained.trainer.trained_seconds > 0 and trained.trainer.clock_from == 0
    path = checkpoint.save(tmp_path / "m.npz", checkpoint.from_experiment(trained))
    back = checkpoint.load(path)
    assert back.summary["seconds"] == trained.trainer.trained_seconds
    resumed = Experiment.resume(back, load(["tiny"])).trainer
    assert resumed.trained_seconds == back.summary["seconds"] and resumed.clock_from == 0
    resumed.step()
    assert resumed.trained_seconds > back.summary["seconds"]
    del back.summary["seconds"]  # as in a file written before they were recorded
    unknown = Experiment.resume(back, load(["tiny"])).trainer
    assert unknown.clock_from == back.summary["step"] and unknown.trained_seconds == 0
    again = checkpoint.from_experiment(Experiment.resume(back, load(["tiny"])))
    assert "seconds" not in again.summary  # not the time since the load, passed off as all


def test_pickled_object_is_refused_not_executed(tmp_path):
    marker = tmp_path / "executed"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "evil.npz"
    np.savez(path, meta=np.array([Evil()], dtype=object))
    with pytest.raises(CheckpointError, match="pickled"):
        checkpoint.load(path)
    assert not marker.exists()


def test_truncated_file_is_refused(tmp_path, trained):
    path = checkpoint.save(tmp_path / "m.npz", checkpoint.from_experiment(trained))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        checkpoint.load(path)


def test_foreign_files_are_refused(tmp_path):
    plain = tmp_path / "plain.npz"
    np.savez(plain, weights=np.zeros(3))
    with pytest.raises(CheckpointError, match="not an rnnviz checkpoint"):
        checkpoint.load(plain)
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    with pytest.raises(CheckpointError):
        checkpoint.load(text)
    pickled = tmp_path / "model.pkl"
    pickled.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(CheckpointError):
        checkpoint.load(pickled)


def _rewrite_meta(path, change):
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    import json

    meta = json.loads(arrays["meta"].tobytes())
    change(meta)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **arrays)


def test_newer_format_and_inconsistent_files_are_refused(tmp_path, trained):
    path = checkpoint.save(tmp_path / "m.npz", checkpoint.from_experiment(trained))
    _rewrite_meta(path, lambda m: m.update(version=99))
    with pytest.raises(CheckpointError, match="version 99"):
        checkpoint.load(path)
    path = checkpoint.save(tmp_path / "m.npz", checkpoint.from_experiment(trained))
    _rewrite_meta(path, lambda m: m["vocab"].pop())
    with pytest.raises(CheckpointError, match="inconsistent"):
        checkpoint.load(path)


def test_save_is_atomic(tmp_path, trained, monkeypatch):
    path = checkpoint.save(tmp_path / "m.npz", checkpoint.from_experiment(trained))
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(WriteError, match="No space left"):
        checkpoint.save(path, checkpoint.from_experiment(trained))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]  # no temporary left behind
    assert zipfile.is_zipfile(io.BytesIO(before))


OLD_NAMES = {"W_ih": "W_xh", "b_ih": "b_h"}  # the vanilla cell's names up to format version 2


def test_a_checkpoint_of_rnnviz_0_1_still_loads(tmp_path):
    """Version 1 files name the cell "rnn", record no task, no cell and none of the settings
    added since in their config: those read as they were then (off), not as today's defaults."""
    import json

    trained = Experiment.build(TrainConfig(cell="vanilla", epochs=2), load(["tiny"]))
    trained.trainer.run()
    added_since = ("dropout", "word_dropout", "weight_decay", "validation_fraction", "patience")

    meta = {
        "format": "rnnviz-checkpoint",
        "version": 1,
        "cell": "rnn",
        "vocab": list(trained.vocab.tokens),
        "classes": list(trained.classes),
        "config": {
            k: v
            for k, v in trained.config.to_dict().items()
            if k not in ("cell", "lr_schedule", "epochs", *added_since)
        },
        "summary": {"step": 8, "epoch": 2},
    }
    arrays = {f"param/{OLD_NAMES.get(n, n)}": p for n, p in trained.model.params.items()}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    path = tmp_path / "old.npz"
    np.savez(path, **arrays)
    back = checkpoint.load(path)
    assert back.model.cell.name == "vanilla" and back.model.head.name == "classify"
    assert back.config.cell == "vanilla" and back.config.lr_schedule == "constant"
    assert back.config.epochs == 40 and not any(getattr(back.config, k) for k in added_since)
    for name, p in trained.model.params.items():
        np.testing.assert_array_equal(back.model.params[name], p)
    saved = checkpoint.load(checkpoint.save(tmp_path / "new.npz", back))
    assert saved.model.cell.name == "vanilla"


def old_member(member: str) -> str:
    """param/W_ih -> param/W_xh, optim/b_ih/m -> optim/b_h/m; other members as they are."""
    kind, _, rest = member.partition("/")
    name, slash, slot = rest.partition("/")
    return f"{kind}/{OLD_NAMES.get(name, name)}{slash}{slot}" if rest else member


def test_a_vanilla_checkpoint_with_the_old_weight_names_still_loads(tmp_path):
    """Format 2 named the vanilla cell's W_ih and b_ih W_xh and b_h, in the parameters and the
    optimizer state: read under today's names, they resume where they were."""
    import json

    trained = Experiment.build(TrainConfig(cell="vanilla", epochs=1), load(["tiny"]))
    trained.trainer.run()
    path = checkpoint.save(tmp_path / "m.npz", checkpoint.from_experiment(trained))
    with np.load(path) as npz:
        arrays = {old_member(k): npz[k] for k in npz.files}
    assert {"param/W_xh", "param/b_h", "optim/W_xh/m", "param/W_hh"} <= arrays.keys()
    meta = json.loads(arrays["meta"].tobytes())
    meta["version"] = 2
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(tmp_path / "old.npz", **arrays)
    back = checkpoint.load(tmp_path / "old.npz")
    assert list(back.model.params) == ["W_ih", "W_hh", "b_ih", "W_hy", "b_y"]
    for name, p in trained.model.params.items():
        np.testing.assert_array_equal(back.model.params[name], p)
    state = trained.trainer.optimizer.state_arrays()
    assert back.optimizer_state.keys() == state.keys()
    for key, value in state.items():
        np.testing.assert_array_equal(back.optimizer_state[key], value)
    arrays["param/W_ih"] = arrays["param/W_xh"]  # one weight under both names
    np.savez(tmp_path / "both.npz", **arrays)
    with pytest.raises(CheckpointError, match="both hold param/W_ih"):
        checkpoint.load(tmp_path / "both.npz")
    meta["version"] = 3  # today's files use today's names only
    del arrays["param/W_ih"]
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(tmp_path / "new.npz", **arrays)
    with pytest.raises(CheckpointError, match="unexpected member"):
        checkpoint.load(tmp_path / "new.npz")


def test_unknown_cell_or_task_is_refused(tmp_path, trained):
    import json

    for key, value in (("cell", "transformer"), ("task", "translate"), ("cell", ["a"])):
        path = checkpoint.save(tmp_path / "m.npz", checkpoint.from_experiment(trained))
        with np.load(path) as npz:
            arrays = {k: npz[k] for k in npz.files}
        meta = json.loads(arrays["meta"].tobytes())
        meta[key] = value
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        np.savez(path, **arrays)
        with pytest.raises(CheckpointError, match=f"unknown {'cell' if key == 'cell' else 'task'}"):
            checkpoint.load(path)


def test_temporaries_of_killed_saves_are_cleaned_on_the_next_save(tmp_path, trained):
    import os

    stale = tmp_path / ".m.npz.abc123.tmp"
    stale.write_bytes(b"x" * 1000)
    os.utime(stale, (1, 1))  # an old one: a save killed long ago
    fresh = tmp_path / ".m.npz.def456.tmp"
    fresh.write_bytes(b"y")  # may belong to a save running right now
    other = tmp_path / ".other.npz.abc123.tmp"
    other.write_bytes(b"z")
    os.utime(other, (1, 1))
    checkpoint.save(tmp_path / "m.npz", checkpoint.from_experiment(trained))
    assert not stale.exists() and fresh.exists() and other.exists()


def test_saving_through_a_link_writes_its_target(tmp_path, trained):
    target = tmp_path / "real.npz"
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    checkpoint.save(link, checkpoint.from_experiment(trained))
    assert link.is_symlink() and target.is_file()
    assert checkpoint.load(link).summary["step"] == trained.trainer.step_count
