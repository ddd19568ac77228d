"""How rnnviz's parameters map onto other engines' layouts.

rnnviz's input matrix W_ih (stacked*H, V) is used as a token table: the input of token id is the
column W_ih[:, id]. Other engines' recurrent layers take a vector input x and apply weight_ih @ x,
so the hand-over is: an embedding table E = W_ih.T (V, stacked*H) whose rows are exactly those
columns, and an identity input weight (stacked*H, stacked*H). Every cell names its parameters as
PyTorch does, so the recurrence, biases (b_hh zero for a cell without one) and output layer map
one to one; the cell's ExportMapping names the module and operator and ONNX's gate order.
"""

import numpy as np

from ..errors import RnnvizError
from ..nn.cell import ExportMapping
from ..nn.model import SequenceModel


def mapping(model: SequenceModel) -> ExportMapping:
    """The cell's counterpart in PyTorch and ONNX; a cell without one is refused with a reason."""
    found = model.cell.export
    if found is None:
        raise RnnvizError(
            f"the {model.cell.name} cell is a lesson's, with no counterpart among PyTorch's and "
            "ONNX's recurrent layers: only vanilla, gru and lstm models are exported"
        )
    return found


def biases(model: SequenceModel) -> tuple[np.ndarray, np.ndarray]:
    """b_ih and b_hh (stacked*H,) each; zeros for b_hh when the cell has a single bias."""
    b_ih = model.params["b_ih"]
    return b_ih, model.params.get("b_hh", np.zeros_like(b_ih))


def torch_tensors(model: SequenceModel) -> dict[str, np.ndarray]:
    """float32 arrays under the names of embedding = nn.Embedding(V, stacked*H),
    rnn = nn.<RNN|GRU|LSTM>(stacked*H, H, batch_first=True), fc = nn.Linear(H, C)."""
    p = model.params
    b_ih, b_hh = biases(model)
    tensors = {
        "embedding.weight": p["W_ih"].T,
        "rnn.weight_ih_l0": np.eye(model.cell.stacked * model.hidden_size),
        "rnn.weight_hh_l0": p["W_hh"],
        "rnn.bias_ih_l0": b_ih,
        "rnn.bias_hh_l0": b_hh,
        "fc.weight": p["W_hy"],
        "fc.bias": p["b_y"],
    }
    return {name: np.ascontiguousarray(a, dtype=np.float32) for name, a in tensors.items()}


def onnx_gate_order(array: np.ndarray, model: SequenceModel) -> np.ndarray:
    """Rows of a (stacked*H, ...) array (or a (stacked*H,) vector) in ONNX's gate order."""
    H = model.hidden_size
    blocks = [array[g * H : (g + 1) * H] for g in range(model.cell.stacked)]
    return np.concatenate([blocks[g] for g in mapping(model).onnx_order])
