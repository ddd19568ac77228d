"""An ONNX graph of a classifier: ids (B, T) int64 and lengths (B,) int64 in, class
probabilities (B, C) out, using the ONNX operator the cell names (RNN, GRU, LSTM).

    ids'  = ids where 0 <= ids < V, else <unk>  an id outside the vocabulary reads as <unk>
    steps = min(max(lengths, 0), T)            the ids read of each row
    X     = Gather(E, Transpose(ids'))         (T, B, stacked*H)   E = W_ih.T, rnnviz's gate order
    Y_h   = <Op>(X, W = P, R, B, steps)        the state after each sequence's last token
    p     = Softmax((Y_h W_hy^T + b_y) / T)    T: the temperature fitted on validation (1 if none)
    p     = NaN where steps = 0                nothing to predict, as `rnnviz predict` says

A language model's graph reads every step's state Y (T, 1, B, H) instead and returns (B, T, V):
the next-token distribution after each input token, NaN on the steps past a sequence's length.

The operator runs inside an If that gives an empty input (B = 0 or T = 0) a zero state instead:
ONNX Runtime 1.32's GRU and LSTM kernels crash on B = 0, onnx's reference kernels fail on T = 0.
So ids and lengths of the declared types and ranks, lengths with B entries, always get an answer
of shape (B, C) or (B, T, V); anything else is an error of the engine or of the guards' Reshape.

P is the permutation that takes the gathered input (rnnviz / PyTorch gate order) to ONNX's, as
the cell's ExportMapping gives it with the operator's attributes (GRU z, r, h with
linear_before_reset = 1, PyTorch's reset placement; LSTM i, o, f, c).
"""

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ..data.text import UNK_ID
from ..nn.model import SequenceModel
from .layout import biases, mapping, onnx_gate_order

OPSET = 17
LENGTHS_CHECK = "lengths must have one entry per row of ids"  # the node's name, in its errors


def build_graph(model: SequenceModel, classes: list[str]) -> onnx.ModelProto:
    p, cell = model.params, mapping(model)
    H, V, C = model.hidden_size, model.vocab_size, model.num_outputs
    permutation = onnx_gate_order(np.eye(model.cell.stacked * H), model)  # (width, width)
    floats = {
        "E": p["W_ih"].T,  # (V, width)
        "W": permutation[None],  # (1, width, width)
        "R": onnx_gate_order(p["W_hh"], model)[None],  # (1, width, H)
        "B": np.concatenate([onnx_gate_order(b, model) for b in biases(model)])[None],  # (1, 2w)
        "W_hy_T": p["W_hy"].T,  # (H, C)
        "b_y": p["b_y"],
        "temperature": np.array(model.temperature),  # () the divisor of the logits
        "nan": np.array(np.nan),  # () the answer where there is nothing to predict
    }
    every_step = model.head.per_step  # the state after every step, else after the last
    ints = {"zero": 0, "unk": UNK_ID, "vocab_size": V, "directions": [1], "hidden": [H]}
    ints |= {"one": 1, "axis1": [1], "axis2": [2]} if every_step else {"axis0": [0], "axis1": [1]}
    tensors = [
        *(numpy_helper.from_array(np.asarray(a, dtype=np.float32), n) for n, a in floats.items()),
        *(numpy_helper.from_array(np.asarray(a, dtype=np.int64), n) for n, a in ints.items()),
    ]
    # the operator's attributes, passed as make_node's **kwargs (Any: not its named parameters)
    attributes: dict[str, Any] = {"hidden_size": H, **cell.onnx_attributes}
    nodes = [
        *guarded_inputs(),
        helper.make_node("Transpose", ["known_ids"], ["ids_tb"], perm=[1, 0]),
        helper.make_node("Gather", ["E", "ids_tb"], ["X"], axis=0),
    ]
    if every_step:  # (T, 1, B, H) -> (T, B, V) -> (B, T, V)
        nodes += [
            *recurrence(cell.onnx_op, attributes, "Y"),
            helper.make_node("Squeeze", ["Y", "axis1"], ["states"]),
            *output_layer("states", "p_tb"),
            helper.make_node("Transpose", ["p_tb"], ["p"], perm=[1, 0, 2]),
        ]
        shape: list[str | int] = ["batch", "time", C]
    else:
        nodes += [
            *recurrence(cell.onnx_op, attributes, "Y_h"),
            helper.make_node("Squeeze", ["Y_h", "axis0"], ["h_last"]),
            *output_layer("h_last", "p"),
        ]
        shape = ["batch", C]
    nodes += nothing_to_predict(every_step)
    kind = "language-model" if model.is_language_model else "classifier"
    graph = helper.make_graph(
        nodes,
        f"rnnviz-{model.cell.name}-{kind}",
        [
            helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "time"]),
            helper.make_tensor_value_info("lengths", TensorProto.INT64, ["batch"]),
        ],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, shape)],
        tensors,
    )
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    onnx_model.producer_name = "rnnviz"
    helper.set_model_props(
        onnx_model, {"classes": ",".join(classes), "vocab_size": str(V), "cell": model.cell.name}
    )
    onnx.checker.check_model(onnx_model)
    return onnx_model


def guarded_inputs() -> list:
    """Nodes for known_ids (B, T): ids outside [0, V) replaced by <unk>, as rnnviz's tokenizer
    reads a word outside the vocabulary (Gather would read row V + id of a negative id); steps
    (B,) and steps32: lengths clipped to [0, T] (a cast alone wraps 2**32 to 0), after a Reshape
    to (B,) that fails unless lengths has B entries; batch (1,) = B and time (1,) = T."""
    return [
        helper.make_node("GreaterOrEqual", ["ids", "zero"], ["from_zero"]),
        helper.make_node("Less", ["ids", "vocab_size"], ["below_vocab"]),
        helper.make_node("And", ["from_zero", "below_vocab"], ["in_vocab"]),
        helper.make_node("Where", ["in_vocab", "ids", "unk"], ["known_ids"]),
        helper.make_node("Shape", ["ids"], ["batch"], start=0, end=1),
        helper.make_node("Shape", ["ids"], ["time"], start=1, end=2),
        helper.make_node(
            "Reshape", ["lengths", "batch"], ["lengths_b"], LENGTHS_CHECK, allowzero=1
        ),
        helper.make_node("Max", ["lengths_b", "zero"], ["lengths_from_zero"]),
        helper.make_node("Min", ["lengths_from_zero", "time"], ["steps"]),
        helper.make_node("Cast", ["steps"], ["steps32"], to=TensorProto.INT32),  # sequence_lens
    ]


def recurrence(op: str, attributes: dict[str, Any], state: str) -> list:
    """Nodes for the operator's output `state`, Y (T, 1, B, H) or Y_h (1, B, H), of X and steps32,
    in an If whose other branch gives an empty input (B * T = 0) zeros of that shape instead."""
    outputs = ["run", ""] if state == "Y" else ["", "run"]
    run = helper.make_node(op, ["X", "W", "R", "B", "steps32"], outputs, **attributes)
    zeros = helper.make_node("ConstantOfShape", ["state_shape"], ["zeros"])
    branches = [
        helper.make_graph(
            [node], name, [], [helper.make_tensor_value_info(name, TensorProto.FLOAT, None)]
        )
        for name, node in (("zeros", zeros), ("run", run))
    ]
    dims = ["directions", "batch", "hidden"]
    return [
        helper.make_node(
            "Concat", ["time", *dims] if state == "Y" else dims, ["state_shape"], axis=0
        ),
        helper.make_node("Size", ["ids"], ["ids_size"]),
        helper.make_node("Equal", ["ids_size", "zero"], ["empty_input"]),
        helper.make_node(
            "If", ["empty_input"], [state], then_branch=branches[0], else_branch=branches[1]
        ),
    ]


def output_layer(states: str, probabilities: str) -> list:
    """Nodes for p = softmax((states W_hy^T + b_y) / T) over the last axis."""
    return [
        helper.make_node("MatMul", [states, "W_hy_T"], ["z"]),
        helper.make_node("Add", ["z", "b_y"], ["logits"]),
        helper.make_node("Div", ["logits", "temperature"], ["scaled"]),
        helper.make_node("Softmax", ["scaled"], [probabilities], axis=-1),
    ]


def nothing_to_predict(every_step: bool) -> list:
    """Nodes for probabilities = p where a token was read, NaN where nothing was: a classifier's
    rows of 0 steps (read (B, 1)), a language model's steps t >= steps (read (B, T, 1))."""
    if every_step:
        read = [
            helper.make_node("Squeeze", ["time"], ["T"]),
            helper.make_node("Range", ["zero", "T", "one"], ["t"]),  # (T,)
            helper.make_node("Unsqueeze", ["steps", "axis1"], ["steps_b1"]),
            helper.make_node("Less", ["t", "steps_b1"], ["read_bt"]),
            helper.make_node("Unsqueeze", ["read_bt", "axis2"], ["read"]),
        ]
    else:
        read = [
            helper.make_node("Greater", ["steps", "zero"], ["read_b"]),
            helper.make_node("Unsqueeze", ["read_b", "axis1"], ["read"]),
        ]
    return [*read, helper.make_node("Where", ["read", "p", "nan"], ["probabilities"])]
