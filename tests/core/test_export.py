"""The hand-over: ONNX Runtime and PyTorch reproduce rnnviz's probabilities from the exported
files, for every cell, on padded batches of unequal lengths."""

import json

import numpy as np
import pytest

from rnnviz.core.data.text import Vocabulary
from rnnviz.core.errors import RnnvizError
from rnnviz.core.export.write import export
from rnnviz.core.nn.losses import softmax
from rnnviz.core.nn.model import SequenceModel
from rnnviz.core.nn.registry import CELLS
from rnnviz.core.train.checkpoint import Checkpoint
from rnnviz.core.train.config import TrainConfig

V, H, C = 40, 8, 3


def checkpoint_of(cell: str) -> Checkpoint:
    model = SequenceModel.create(V, H, C, cell=cell, init="xavier", seed=4)
    rng = np.random.default_rng(4)
    for p in model.params.values():  # away from init so that every gate matters
        p += rng.normal(0.0, 0.5, size=p.shape)
    model.temperature = 1.7  # as fitted on validation: every engine must apply it
    vocab = Vocabulary(["<pad>", "<unk>", *(f"w{i}" for i in range(V - 2))])
    return Checkpoint(model, vocab, ("a", "b", "c"), TrainConfig(cell=cell), {}, {})


def padded_batch():
    rng = np.random.default_rng(7)
    lengths = np.array([6, 1, 4, 6, 2])
    ids = np.zeros((len(lengths), 6), dtype=np.int64)
    for b, n in enumerate(lengths):
        ids[b, :n] = rng.integers(1, V, size=n)
    return ids, lengths


def rnnviz_probs(ckpt, ids, lengths):
    """What `rnnviz predict` reports: softmax(logits / T), T the model's fitted temperature."""
    model = ckpt.model
    last = model.forward(ids, lengths).last
    return model.head.per_step_probs(model.params, last, model.temperature)


def exported_to_torch(torch, ckpt: Checkpoint, path) -> tuple:
    """Export to safetensors and build the modules the README's loading lines build from the
    sidecar, weights loaded: (modules, sidecar)."""
    from safetensors.torch import load_file

    weights, side = export(ckpt, "torch", path)
    meta = json.loads(side.read_text())
    outputs = len(meta["vocab"]) if meta.get("task") == "lm" else len(meta["classes"])
    layer = getattr(torch.nn, meta["torch_module"].split(".")[1])
    net = torch.nn.ModuleDict(
        {
            "embedding": torch.nn.Embedding(len(meta["vocab"]), meta["input_size"]),
            "rnn": layer(meta["input_size"], meta["hidden_size"], batch_first=True),
            "fc": torch.nn.Linear(meta["hidden_size"], outputs),
        }
    )
    net.load_state_dict(load_file(str(weights)))
    return net, meta


@pytest.mark.parametrize("cell", list(CELLS))
def test_onnx_runtime_reproduces_the_probabilities(cell, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    ckpt = checkpoint_of(cell)
    path, side = export(ckpt, "onnx", tmp_path / "m.onnx")
    ids, lengths = padded_batch()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (probs,) = session.run(None, {"ids": ids, "lengths": lengths})
    np.testing.assert_allclose(probs, rnnviz_probs(ckpt, ids, lengths), atol=1e-5, rtol=0)
    meta = json.loads(side.read_text())
    assert meta["classes"] == ["a", "b", "c"] and len(meta["vocab"]) == V


@pytest.mark.parametrize("cell", list(CELLS))
def test_pytorch_reproduces_the_probabilities(cell, tmp_path):
    torch = pytest.importorskip("torch")
    ckpt = checkpoint_of(cell)
    net, meta = exported_to_torch(torch, ckpt, tmp_path / "m.safetensors")
    assert meta["temperature"] == 1.7
    ids, lengths = padded_batch()
    with torch.no_grad():
        x = net["embedding"](torch.from_numpy(ids))
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            x, torch.from_numpy(lengths), batch_first=True, enforce_sorted=False
        )
        _, state = net["rnn"](packed)
        h_last = (state[0] if isinstance(state, tuple) else state)[-1]
        probs = torch.softmax(net["fc"](h_last) / meta["temperature"], dim=-1).numpy()
    np.testing.assert_allclose(probs, rnnviz_probs(ckpt, ids, lengths), atol=1e-5, rtol=0)


def language_model_of(cell: str) -> Checkpoint:
    model = SequenceModel.create(V, H, V, cell=cell, task="lm", init="xavier", seed=5)
    rng = np.random.default_rng(5)
    for p in model.params.values():
        p += rng.normal(0.0, 0.5, size=p.shape)
    vocab = Vocabulary(["<pad>", "<unk>", "<s>", "</s>", *(f"w{i}" for i in range(V - 4))])
    return Checkpoint(model, vocab, ("a", "b"), TrainConfig(task="lm", cell=cell), {}, {})


def rnnviz_next_token_probs(ckpt, ids, lengths):
    """(B, T, V) next-token distributions at every real step (0 on padding)."""
    model = ckpt.model
    states = model.forward(ids, lengths).hidden  # (B, T, H)
    probs = softmax(model.head.logits(model.params, states))
    probs[np.arange(ids.shape[1])[None, :] >= lengths[:, None]] = 0.0
    return probs


@pytest.mark.parametrize("cell", list(CELLS))
def test_onnx_runtime_reproduces_a_language_models_every_step(cell, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    ckpt = language_model_of(cell)
    path, side = export(ckpt, "onnx", tmp_path / "lm.onnx")
    ids, lengths = padded_batch()
    ids[:, 0] = 2  # <s> first
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (probs,) = session.run(None, {"ids": ids, "lengths": lengths})
    assert probs.shape == (5, 6, V)
    real = np.arange(6)[None, :] < lengths[:, None]
    expected = rnnviz_next_token_probs(ckpt, ids, lengths)
    np.testing.assert_allclose(probs[real], expected[real], atol=1e-5, rtol=0)
    meta = json.loads(side.read_text())
    assert meta["task"] == "lm" and meta["bos_id"] == 2 and meta["eos_id"] == 3
    assert meta["level"] == "word"


@pytest.mark.parametrize("cell", list(CELLS))
def test_pytorch_reproduces_a_language_models_every_step(cell, tmp_path):
    torch = pytest.importorskip("torch")
    ckpt = language_model_of(cell)
    net, meta = exported_to_torch(torch, ckpt, tmp_path / "lm.safetensors")
    ids, lengths = padded_batch()
    ids[:, 0] = meta["bos_id"]
    with torch.no_grad():
        outputs, _ = net["rnn"](net["embedding"](torch.from_numpy(ids)))  # (B, T, H)
        probs = torch.softmax(net["fc"](outputs), dim=-1).numpy()
    real = np.arange(6)[None, :] < lengths[:, None]  # padding only follows the real steps
    expected = rnnviz_next_token_probs(ckpt, ids, lengths)
    np.testing.assert_allclose(probs[real], expected[real], atol=1e-5, rtol=0)


@pytest.mark.parametrize("target", ["torch", "onnx"])
def test_exported_files_follow_the_umask(target, tmp_path):
    import os

    old = os.umask(0o022)
    try:
        written, side = export(checkpoint_of("gru"), target, tmp_path / f"m.{target}")
    finally:
        os.umask(old)
    assert [oct(p.stat().st_mode & 0o777) for p in (written, side)] == ["0o644", "0o644"]


@pytest.mark.parametrize("cell", ["bag", "vanilla-bug"])
@pytest.mark.parametrize("target", ["torch", "onnx"])
def test_a_lessons_cell_is_refused_and_nothing_written(tmp_path, target, cell):
    out = tmp_path / "lesson.model"
    with pytest.raises(RnnvizError, match=f"the {cell} cell is a lesson's.* only vanilla, gru"):
        export(checkpoint_of(cell), target, out)
    assert not list(tmp_path.iterdir())
