"""`rnnviz export`: hand a saved model to PyTorch (safetensors) or ONNX Runtime (.onnx)."""

import argparse

from ..core.export.write import TARGETS, export, sidecar_path
from ..core.files import refuse_overlaps
from ..core.train import checkpoint
from .output import Output, add_output_arguments, checked_output_path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL.npz", help="a saved checkpoint")
    parser.add_argument("--to", choices=TARGETS, required=True, help="the engine to hand over to")
    parser.add_argument("out", metavar="OUT", help="OUT.safetensors or OUT.onnx (+ OUT.json)")
    add_output_arguments(parser, "stdout is one JSON object: the files written")


def run(args: argparse.Namespace) -> int:
    out = Output.of(args)
    target = checked_output_path(args.out, "export")
    side = checked_output_path(str(sidecar_path(target)), "sidecar")
    refuse_overlaps([("the export", target), ("its sidecar", side)], [("checkpoint", args.model)])
    ckpt = checkpoint.load(args.model)
    written, side = export(ckpt, args.to, target)
    out.say(f"wrote {written} and {side} ({ckpt.model.cell.name} cell, {args.to})")
    out.record({"model": str(written), "sidecar": str(side), "cell": ckpt.model.cell.name})
    return 0
