"""Write a checkpoint for PyTorch (safetensors) or ONNX Runtime (.onnx), each with a JSON sidecar
holding what turns text into ids: the vocabulary, the classes and how rnnviz tokenizes."""

import json
from pathlib import Path

from ..data.corpus import BOS, EOS
from ..errors import RnnvizError
from ..train.checkpoint import Checkpoint, file_mode
from .layout import torch_tensors

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
        "torch_module": f"nn.{model.cell.export.torch_module}",
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


def export(ckpt: Checkpoint, target: str, out: str | Path) -> tuple[Path, Path]:
    """Write the model for `target` to `out` and its sidecar beside it; returns both paths. The
    writers' libraries are imported here, so that no other command pays for them at start-up
    (onnx alone took 2 s of every command's 2.4 s)."""
    out = Path(out)
    if target not in TARGETS:
        raise RnnvizError(f"unknown export target {target!r}; choose one of {', '.join(TARGETS)}")
    try:
        if target == "torch":
            from safetensors.numpy import save_file

            mode = file_mode(out)  # safetensors writes 0600 whatever the umask
            save_file(torch_tensors(ckpt.model), str(out), metadata={"producer": "rnnviz"})
            out.chmod(mode)
        else:
            import onnx

            from .onnx_graph import build_graph

            onnx.save_model(build_graph(ckpt.model, list(ckpt.classes)), str(out))
        side = out.with_suffix(".json")
        side.write_text(json.dumps(sidecar(ckpt), indent=1), encoding="utf-8")
    except OSError as error:
        raise RnnvizError(f"cannot write {out}: {error.strerror or error}") from None
    return out, side
