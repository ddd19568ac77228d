"""An ONNX graph of a classifier: ids (B, T) int64 and lengths (B,) int64 in, class
probabilities (B, C) out, using ONNX's RNN / GRU / LSTM operator.

    X   = Gather(E, Transpose(ids))        (T, B, gates*H)   E = W.T, rows in rnnviz gate order
    Y_h = <Op>(X, W = P, R, B, lengths)    the state after each sequence's last token
    p   = Softmax(Y_h W_hy^T + b_y)

A language model's graph reads every step's state Y (T, 1, B, H) instead and returns (B, T, V):
the next-token distribution after each input token (rows past a sequence's length are padding).

P is the permutation that takes the gathered input (rnnviz / PyTorch gate order) to ONNX's order
(GRU z, r, h with linear_before_reset = 1, PyTorch's reset placement; LSTM i, o, f, c).
"""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ..nn.model import SequenceModel
from .layout import layout_of, onnx_gate_order

OPSET = 17


def build_graph(model: SequenceModel, classes: list[str]) -> onnx.ModelProto:
    layout, p = layout_of(model), model.params
    H, V, C = model.hidden_size, model.vocab_size, model.num_outputs
    width = layout.gates * H
    f32 = np.float32
    permutation = onnx_gate_order(np.eye(width), layout, H)  # (width, width)
    b_ih = onnx_gate_order(p[layout.bias_names[0]], layout, H)
    b_hh = (
        onnx_gate_order(p[layout.bias_names[1]], layout, H)
        if layout.bias_names[1]
        else np.zeros(width)
    )
    initializers = {
        "E": p[layout.input_name].T,  # (V, width)
        "W": permutation[None],  # (1, width, width)
        "R": onnx_gate_order(p[layout.recurrent_name], layout, H)[None],  # (1, width, H)
        "B": np.concatenate([b_ih, b_hh])[None],  # (1, 2 * width)
        "W_hy_T": p["W_hy"].T,  # (H, C)
        "b_y": p["b_y"],
    }
    tensors = [
        numpy_helper.from_array(np.ascontiguousarray(a, dtype=f32), name)
        for name, a in initializers.items()
    ]
    attributes = {"hidden_size": H}
    if layout.onnx_op == "GRU":
        attributes["linear_before_reset"] = 1
    every_step = model.head.per_step
    outputs = ["Y" if every_step else "", "" if every_step else "Y_h"]
    if layout.onnx_op == "LSTM":
        outputs.append("")
    nodes = [
        helper.make_node("Transpose", ["ids"], ["ids_tb"], perm=[1, 0]),
        helper.make_node("Gather", ["E", "ids_tb"], ["X"], axis=0),
        helper.make_node("Cast", ["lengths"], ["lengths32"], to=TensorProto.INT32),
        helper.make_node(layout.onnx_op, ["X", "W", "R", "B", "lengths32"], outputs, **attributes),
    ]
    if every_step:  # (T, 1, B, H) -> (T, B, V) -> (B, T, V)
        tensors.append(numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"))
        nodes += [
            helper.make_node("Squeeze", ["Y", "axis1"], ["states"]),
            *output_layer("states", "p_tb"),
            helper.make_node("Transpose", ["p_tb"], ["probabilities"], perm=[1, 0, 2]),
        ]
        shape = ["batch", "time", C]
    else:
        tensors.append(numpy_helper.from_array(np.array([0], dtype=np.int64), "axis0"))
        nodes += [
            helper.make_node("Squeeze", ["Y_h", "axis0"], ["h_last"]),
            *output_layer("h_last", "probabilities"),
        ]
        shape = ["batch", C]
    kind = "language-model" if every_step else "classifier"
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
    """Nodes for p = softmax(states W_hy^T + b_y) over the last axis."""
    return [
        helper.make_node("MatMul", [states, "W_hy_T"], ["z"]),
        helper.make_node("Add", ["z", "b_y"], ["logits"]),
        helper.make_node("Softmax", ["logits"], [probabilities], axis=-1),
    ]
