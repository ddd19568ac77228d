"""Crafted checkpoints: each is refused with one line naming the file and the field, before
anything is allocated from what the file declares or shown to the user."""

import io
import json
import resource
import struct
import warnings
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


def with_meta_text(files, edit) -> dict:
    """The metadata record's JSON text changed by edit(text) (what json.dumps cannot write)."""
    text = edit(json.dumps(meta_of(files)))
    return {**files, "meta.npy": npy(np.frombuffer(text.encode(), np.uint8))}


def before_the_end(extra: str):
    """An edit putting `extra` as the record's last key."""
    return lambda text: text[:-1] + f", {extra}}}"


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
    "summary seconds are negative": (
        lambda f: with_meta(f, lambda m: m["summary"].update(seconds=-5.0)),
        "summary.seconds: expected a number of seconds >= 0",
    ),
    "summary seconds are infinite": (  # the JSON reader refuses Infinity before the field
        lambda f: with_meta(f, lambda m: m["summary"].update(seconds=float("inf"))),
        "Infinity is not a JSON number",
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
    "a 5,000-digit integer in the metadata": (
        lambda f: with_meta_text(f, before_the_end('"x": ' + "9" * 5000)),
        "meta: unreadable metadata record: not readable JSON (a number of more than 4300",
    ),
    "a 5,000-digit step": (
        lambda f: with_meta_text(f, lambda t: t.replace('"step": ', '"step": ' + "1" * 5000, 1)),
        "a number of more than 4300 digits",
    ),
    "metadata nested 100,000 deep": (
        lambda f: with_meta_text(f, before_the_end('"x": ' + "[" * 100_000 + "]" * 100_000)),
        "meta: unreadable metadata record: not readable JSON (nested too deeply)",
    ),
    "NaN temperature": (
        lambda f: with_meta_text(f, before_the_end('"temperature": NaN')),
        "NaN is not a JSON number",
    ),
    "a key given twice": (
        lambda f: with_meta_text(f, before_the_end('"cell": "lstm"')),
        "the key 'cell' appears twice",
    ),
    "metadata not UTF-8": (
        lambda f: {**f, "meta.npy": npy(np.frombuffer(b'{"format": "\xff"}', np.uint8))},
        "meta: unreadable metadata record (not UTF-8)",
    ),
    "batch size 16.5": (
        lambda f: with_meta(f, lambda m: m["config"].update(batch_size=16.5)),
        "config: batch size must be a whole number, got 16.5",
    ),
    "hidden size as text": (
        lambda f: with_meta(f, lambda m: m["config"].update(hidden_size="64")),
        "config: hidden size must be a whole number, got '64'",
    ),
    "learning rate true": (
        lambda f: with_meta(f, lambda m: m["config"].update(lr=True)),
        "config: learning rate must be a number, got True",
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


def zip_with(members_: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in members_.items():
            z.writestr(name, data)
    return out.getvalue()


def flagged(raw: bytes, name: str, *, flags: int = 0, method: int | None = None) -> bytes:
    """`raw` with member `name`'s general-purpose flags or'ed with `flags` and its compression
    method set to `method`, in its local header and in the central directory alike."""
    data = bytearray(raw)
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name.encode():
                old = struct.unpack_from("<H", data, at + flag_at)[0]
                struct.pack_into("<H", data, at + flag_at, old | flags)
                if method is not None:
                    struct.pack_into("<H", data, at + method_at, method)
            at += 4
    return bytes(data)


def corrupt_deflate(raw: bytes, name: str) -> bytes:
    info = zipfile.ZipFile(io.BytesIO(raw)).getinfo(name)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 8
    data = bytearray(raw)
    for i in range(start, start + 64):
        data[i] ^= 0x5A
    return bytes(data)


def zip_twice(files, name: str) -> bytes:
    """Every member, then `name` again holding zeros of the same shape (zipfile warns)."""
    twin = np.zeros_like(np.lib.format.read_array(io.BytesIO(files[name])))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name"
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for member, data in files.items():
                z.writestr(member, data)
            z.writestr(name, npy(twin))
    return out.getvalue()


ZIP_CASES = {  # how the archive itself is spoilt -> what the refusal says
    "a member twice (the second all zeros)": (
        lambda f: zip_twice(f, "param/W_hy.npy"),
        "member 'param/W_hy.npy' appears more than once",
    ),
    "the metadata twice": (lambda f: zip_twice(f, "meta.npy"), "'meta.npy' appears more than once"),
    "a member encrypted": (
        lambda f: flagged(zip_with(f), "param/W_hh.npy", flags=0x1),
        "member 'param/W_hh.npy' is encrypted",
    ),
    "the metadata strongly encrypted": (
        lambda f: flagged(zip_with(f), "meta.npy", flags=0x41),
        "member 'meta.npy' is encrypted",
    ),
    "a member as a compressed patch": (
        lambda f: flagged(zip_with(f), "param/b_y.npy", flags=0x20),
        "member 'param/b_y.npy' is stored as a compressed patch",
    ),
    "an unknown compression method": (
        lambda f: flagged(zip_with(f), "param/W_hh.npy", method=97),
        "member 'param/W_hh.npy' is compressed with method 97",
    ),
    "bzip2, which numpy never writes": (
        lambda f: zip_with(f, zipfile.ZIP_BZIP2),
        "is compressed with method 12 (rnnviz reads stored or deflated members)",
    ),
    "lzma, which numpy never writes": (
        lambda f: zip_with(f, zipfile.ZIP_LZMA),
        "is compressed with method 14",
    ),
    "deflated data corrupted": (
        lambda f: corrupt_deflate(zip_with(f, zipfile.ZIP_DEFLATED), "param/W_hh.npy"),
        "param/W_hh: not an .npy array (Error -3 while decompressing data",
    ),
}


@pytest.mark.parametrize("case", list(ZIP_CASES))
def test_a_crafted_archive_is_refused_with_the_member_and_why(case, good, tmp_path):
    spoil, message = ZIP_CASES[case]
    path = tmp_path / "crafted.npz"
    path.write_bytes(spoil(members(good)))
    with pytest.raises(CheckpointError) as refused:
        checkpoint.load(path)
    text = str(refused.value)
    assert text.startswith("crafted.npz: ") and message in text and "\n" not in text, text


@pytest.fixture(scope="module")
def good_language_model(tmp_path_factory):
    config = TrainConfig(task="lm", epochs=1, hidden_size=8)
    experiment = Experiment.build(config, load(["stories"]))
    path = tmp_path_factory.mktemp("lm") / "lm.npz"
    return checkpoint.save(path, checkpoint.from_experiment(experiment))


@pytest.mark.parametrize("missing", [("<s>",), ("</s>",), ("<s>", "</s>")])
def test_a_language_model_without_its_start_and_end_tokens_is_refused(
    missing, good_language_model, tmp_path
):
    def rename(meta):
        meta["vocab"] = [f"{t}x" if t in missing else t for t in meta["vocab"]]

    path = tmp_path / "crafted.npz"
    write(path, with_meta(members(good_language_model), rename))
    with pytest.raises(CheckpointError, match=" and ".join(missing)) as refused:
        checkpoint.load(path)
    assert str(refused.value).startswith("crafted.npz: vocab: a language model's vocabulary")


def test_a_classifier_needs_no_start_and_end_tokens(good):
    assert "<s>" not in checkpoint.load(good).vocab.index
