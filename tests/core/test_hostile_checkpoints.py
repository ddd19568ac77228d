"""Crafted checkpoints: each is refused with one line naming the file and the field, before
anything is allocated from what the file declares or shown to the user."""

import io
import json
import resource
import zipfile

import numpy as np
import pytest

from rnnviz.core.data.datasets import load
from rnnviz.core.errors import CheckpointError
from rnnviz.core.train import checkpoint
from rnnviz.core.train.config import TrainConfig
from rnnviz.core.train.experiment import Experiment


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    experiment = Experiment.build(TrainConfig.classic(epochs=1), load(["tiny"]))
    experiment.trainer.run()
    path = tmp_path_factory.mktemp("good") / "m.npz"
    return checkpoint.save(path, checkpoint.from_experiment(experiment))


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def npy(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array(out, array, allow_pickle=False)
    return out.getvalue()


def header_only(shape, dtype="<f8") -> bytes:
    """An .npy header declaring `shape` with no data behind it."""
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        out, {"descr": dtype, "fortran_order": False, "shape": shape}
    )
    return out.getvalue()


def meta_of(files) -> dict:
    return json.loads(np.lib.format.read_array(io.BytesIO(files["meta.npy"])).tobytes())


def with_meta(files, change) -> dict:
    meta = meta_of(files)
    change(meta)
    return {**files, "meta.npy": npy(np.frombuffer(json.dumps(meta).encode(), np.uint8))}


def write(path, files) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)


def nan_in(name):
    def change(files):
        array = np.lib.format.read_array(io.BytesIO(files[name])).copy()
        array.flat[0] = np.nan
        return {**files, name: npy(array)}

    return change


CASES = {  # case -> (how to spoil a good file, what the refusal says)
    "meta is not an .npy": (lambda f: {**f, "meta.npy": b"just bytes"}, "meta: not an .npy"),
    "huge declared shape": (
        lambda f: {**f, "param/W_hh.npy": header_only((10**5, 10**5))},
        "param/W_hh: shape (100000, 100000) is inconsistent",
    ),
    "config is a list": (
        lambda f: with_meta(f, lambda m: m.update(config=[1, 2])),
        "config: expected a record",
    ),
    "summary is a list": (
        lambda f: with_meta(f, lambda m: m.update(summary=[1])),
        "summary: expected a record",
    ),
    "summary step is text": (
        lambda f: with_meta(f, lambda m: m["summary"].update(step="abc")),
        "summary.step: expected a whole number",
    ),
    "hidden size 0": (
        lambda f: with_meta(f, lambda m: m["config"].update(hidden_size=0)),
        "config: hidden size must be >= 1",
    ),
    "optimizer key unknown": (
        lambda f: {**f, "optim/W_hh/bogus.npy": npy(np.zeros((64, 64)))},
        "unexpected member 'optim/W_hh/bogus'",
    ),
    "optimizer slot of the wrong shape": (
        lambda f: {**f, "optim/W_hh/m.npy": npy(np.zeros((3, 3)))},
        "optim/W_hh/m: shape (3, 3) is inconsistent",
    ),
    "optimizer steps is a vector": (
        lambda f: {**f, "optim/steps.npy": npy(np.array([1, 2]))},
        "optim/steps: expected a single integer",
    ),
    "optimizer state is NaN": (nan_in("optim/W_hh/v.npy"), "optim/W_hh/v: holds non-finite"),
    "weights are NaN": (nan_in("param/W_hy.npy"), "W_hy: holds non-finite"),
    "size declared beyond the data": (
        lambda f: {**f, "param/b_y.npy": header_only((2,)) + bytes(10**6)},
        "param/b_y: declares",
    ),
    "a member is missing": (
        lambda f: {k: v for k, v in f.items() if k != "param/b_ih.npy"},
        "param/b_ih: missing",
    ),
    "temperature is text": (
        lambda f: with_meta(f, lambda m: m["summary"].update(temperature="hot")),
        "summary.temperature: expected a number",
    ),
    "temperature is zero": (
        lambda f: with_meta(f, lambda m: m["summary"].update(temperature=0)),
        "summary.temperature: 0 is outside",
    ),
    "classes are not a list": (
        lambda f: with_meta(f, lambda m: m.update(classes="pos")),
        "classes: expected a list",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_crafted_checkpoint_is_refused_with_file_and_field(case, good, tmp_path):
    spoil, message = CASES[case]
    path = tmp_path / "crafted.npz"
    write(path, spoil(members(good)))
    with pytest.raises(CheckpointError) as refused:
        checkpoint.load(path)
    text = str(refused.value)
    assert text.startswith("crafted.npz") and message in text and "\n" not in text, text


@pytest.mark.slow
def test_a_zip_bomb_member_is_refused_unread(good, tmp_path, monkeypatch):
    """A 1 GiB member that compresses to about a megabyte: refused without being inflated."""
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members(good).items():
            z.writestr(name, data)
        with z.open("extra.npy", "w", force_zip64=True) as member:
            block = bytes(1 << 24)
            for _ in range(64):  # 1 GiB of zeros
                member.write(block)
    assert path.stat().st_size < 10 * 2**20
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    opened = []
    open_member = zipfile.ZipFile.open

    def recording_open(archive, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return open_member(archive, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    with pytest.raises(CheckpointError, match="unexpected member 'extra'"):
        checkpoint.load(path)
    assert "extra.npy" not in opened  # never inflated
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 100 * 1024  # KiB


def test_a_device_is_not_a_checkpoint():
    with pytest.raises(CheckpointError, match="not a regular file"):
        checkpoint.load("/dev/zero")
