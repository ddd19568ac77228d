"""How rnnviz's parameters map onto other engines' layouts.

rnnviz's input matrix W (gates*H, V) is used as a token table: the input of token id is the
column W[:, id]. Other engines' recurrent layers take a vector input x and apply weight_ih @ x,
so the hand-over is: an embedding table E = W.T (V, gates*H) whose rows are exactly those
columns, and an identity input weight (gates*H, gates*H). The recurrence, biases and output
layer map one to one; only ONNX orders the gates differently from PyTorch (and rnnviz).
"""

from dataclasses import dataclass

import numpy as np

from ..nn.model import SequenceModel


@dataclass(frozen=True)
class Layout:
    torch_module: str  # nn.RNN, nn.GRU, nn.LSTM
    onnx_op: str  # RNN, GRU, LSTM
    gates: int
    onnx_order: tuple[int, ...]  # ONNX gate k is rnnviz (= PyTorch) gate onnx_order[k]
    input_name: str  # rnnviz names
    recurrent_name: str
    bias_names: tuple[str, str]


LAYOUTS = {
    "vanilla": Layout("RNN", "RNN", 1, (0,), "W_xh", "W_hh", ("b_h", "")),
    "gru": Layout("GRU", "GRU", 3, (1, 0, 2), "W_ih", "W_hh", ("b_ih", "b_hh")),  # z, r, h
    "lstm": Layout("LSTM", "LSTM", 4, (0, 3, 1, 2), "W_ih", "W_hh", ("b_ih", "b_hh")),  # i o f c
}


def layout_of(model: SequenceModel) -> Layout:
    return LAYOUTS[model.cell.name]


def torch_tensors(model: SequenceModel) -> dict[str, np.ndarray]:
    """float32 arrays under the names of embedding = nn.Embedding(V, gates*H),
    rnn = nn.<RNN|GRU|LSTM>(gates*H, H, batch_first=True), fc = nn.Linear(H, C)."""
    layout, p = layout_of(model), model.params
    H = model.hidden_size
    width = layout.gates * H
    b_ih = p[layout.bias_names[0]]
    b_hh = p[layout.bias_names[1]] if layout.bias_names[1] else np.zeros_like(b_ih)
    tensors = {
        "embedding.weight": p[layout.input_name].T,
        "rnn.weight_ih_l0": np.eye(width),
        "rnn.weight_hh_l0": p[layout.recurrent_name],
        "rnn.bias_ih_l0": b_ih,
        "rnn.bias_hh_l0": b_hh,
        "fc.weight": p["W_hy"],
        "fc.bias": p["b_y"],
    }
    return {name: np.ascontiguousarray(a, dtype=np.float32) for name, a in tensors.items()}


def onnx_gate_order(array: np.ndarray, layout: Layout, H: int) -> np.ndarray:
    """Rows of a (gates*H, ...) array (or a (gates*H,) vector) in ONNX's gate order."""
    blocks = [array[g * H : (g + 1) * H] for g in range(layout.gates)]
    return np.concatenate([blocks[g] for g in layout.onnx_order])
