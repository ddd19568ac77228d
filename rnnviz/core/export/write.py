"""Write a checkpoint for PyTorch (safetensors) or ONNX Runtime (.onnx), each with a JSON sidecar
holding what turns text into ids: the vocabulary, the classes and how rnnviz tokenizes."""

import json
from pathlib import Path

from ..data.corpus import BOS, EOS
from ..errors import RnnvizError
from ..files import write_bytes, write_text
from ..train.checkpoint import Checkpoint
from .layout import mapping, torch_tensors

TARGETS = ("torch", "onnx")


def sidecar(ckpt: Checkpoint) -> dict:
    model = ckpt.model
    extra = {}
    if model.is_language_model:  # inputs start with <s>; fc's outputs are the vocabulary
        extra = {
            "level": ckpt.config.level,
            "bos_id": ckpt.vocab.index[BOS],
            "eos_id": ckpt.vocab.index[EOS],
        }
    return {
        "format": "rnnviz-export",
        "cell": model.cell.name,
        "torch_module": f"nn.{mapping(model).torch_module}",
        "hidden_size": model.hidden_size,
        "input_size": model.cell.stacked * model.hidden_size,
        "vocab": list(ckpt.vocab.tokens),
        "classes": list(ckpt.classes),
        "tokenizer": "lower-case words and single punctuation marks, NFC; rnnviz.core.data.text",
        "pad_id": 0,
        "unk_id": 1,
        "task": model.task,
        "temperature": model.temperature,  # probabilities = softmax(fc(h) / temperature)
        **extra,
    }


def sidecar_path(out: Path) -> Path:
    return out.with_suffix(".json")


def export(ckpt: Checkpoint, target: str, out: str | Path) -> tuple[Path, Path]:
    """Write the model for `target` to `out` and its sidecar (`out` with .json) beside it, each
    through files.writing; returns both paths. The writers' libraries are imported here, so that
    no other command pays for them at start-up (onnx alone took 2 s of every command's 2.4 s)."""
    out = Path(out)
    side = sidecar_path(out)
    if target not in TARGETS:
        raise RnnvizError(f"unknown export target {target!r}; choose one of {', '.join(TARGETS)}")
    mapping(ckpt.model)  # refused before any file is written
    if target == "torch":
        from safetensors.numpy import save

        model = save(torch_tensors(ckpt.model), metadata={"producer": "rnnviz"})
    else:
        from .onnx_graph import build_graph

        model = build_graph(ckpt.model, list(ckpt.classes)).SerializeToString()
    write_bytes(out, model)
    write_text(side, json.dumps(sidecar(ckpt), indent=1, allow_nan=False))
    return out, side
