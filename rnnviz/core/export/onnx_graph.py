"""An ONNX graph of a classifier: ids (B, T) int64 and lengths (B,) int64 in, class
probabilities (B, C) out, using the ONNX operator the cell names (RNN, GRU, LSTM).

    X   = Gather(E, Transpose(ids))        (T, B, stacked*H)   E = W_ih.T, rnnviz's gate order
    Y_h = <Op>(X, W = P, R, B, lengths)    the state after each sequence's last token
    p   = Softmax((Y_h W_hy^T + b_y) / T)   T: the temperature fitted on validation (1 if none)

A language model's graph reads every step's state Y (T, 1, B, H) instead and returns (B, T, V):
the next-token distribution after each input token (rows past a sequence's length are padding).

P is the permutation that takes the gathered input (rnnviz / PyTorch gate order) to ONNX's, as
the cell's ExportMapping gives it with the operator's attributes (GRU z, r, h with
linear_before_reset = 1, PyTorch's reset placement; LSTM i, o, f, c).
"""

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ..nn.model import SequenceModel
from .layout import biases, onnx_gate_order

OPSET = 17


def build_graph(model: SequenceModel, classes: list[str]) -> onnx.ModelProto:
    p, mapping = model.params, model.cell.export
    H, V, C = model.hidden_size, model.vocab_size, model.num_outputs
    f32 = np.float32
    permutation = onnx_gate_order(np.eye(model.cell.stacked * H), model)  # (width, width)
    initializers = {
        "E": p["W_ih"].T,  # (V, width)
        "W": permutation[None],  # (1, width, width)
        "R": onnx_gate_order(p["W_hh"], model)[None],  # (1, width, H)
        "B": np.concatenate([onnx_gate_order(b, model) for b in biases(model)])[None],  # (1, 2w)
        "W_hy_T": p["W_hy"].T,  # (H, C)
        "b_y": p["b_y"],
        "temperature": np.array(model.temperature),  # () the divisor of the logits
    }
    tensors = [
        numpy_helper.from_array(np.ascontiguousarray(a, dtype=f32), name)
        for name, a in initializers.items()
    ]
    # the operator's attributes, passed as make_node's **kwargs (Any: not its named parameters)
    attributes: dict[str, Any] = {"hidden_size": H, **mapping.onnx_attributes}
    every_step = model.head.per_step  # the state after every step, else after the last
    outputs = ["Y" if every_step else "", "" if every_step else "Y_h"]
    nodes = [
        helper.make_node("Transpose", ["ids"], ["ids_tb"], perm=[1, 0]),
        helper.make_node("Gather", ["E", "ids_tb"], ["X"], axis=0),
        helper.make_node("Cast", ["lengths"], ["lengths32"], to=TensorProto.INT32),
        helper.make_node(mapping.onnx_op, ["X", "W", "R", "B", "lengths32"], outputs, **attributes),
    ]
    if every_step:  # (T, 1, B, H) -> (T, B, V) -> (B, T, V)
        tensors.append(numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"))
        nodes += [
            helper.make_node("Squeeze", ["Y", "axis1"], ["states"]),
            *output_layer("states", "p_tb"),
            helper.make_node("Transpose", ["p_tb"], ["probabilities"], perm=[1, 0, 2]),
        ]
        shape: list[str | int] = ["batch", "time", C]
    else:
        tensors.append(numpy_helper.from_array(np.array([0], dtype=np.int64), "axis0"))
        nodes += [
            helper.make_node("Squeeze", ["Y_h", "axis0"], ["h_last"]),
            *output_layer("h_last", "probabilities"),
        ]
        shape = ["batch", C]
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


def output_layer(states: str, probabilities: str) -> list:
    """Nodes for p = softmax((states W_hy^T + b_y) / T) over the last axis."""
    return [
        helper.make_node("MatMul", [states, "W_hy_T"], ["z"]),
        helper.make_node("Add", ["z", "b_y"], ["logits"]),
        helper.make_node("Div", ["logits", "temperature"], ["scaled"]),
        helper.make_node("Softmax", ["scaled"], [probabilities], axis=-1),
    ]
