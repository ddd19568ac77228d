"""Many-to-one classification head: logits = W_hy h_last + b_y, softmax, mean cross-entropy.

It reads each sequence's output at its last token only, so its gradient into the cell is zero
everywhere else (and on padding).
"""

from dataclasses import dataclass

import numpy as np

from .cell import CellTrace
from .losses import cross_entropy, softmax
from .sparse import Grad


@dataclass(frozen=True)
class HeadResult:
    loss: float  # mean over the batch
    correct: int  # argmax hits
    count: int  # predictions made (sequences here)
    grads: dict[str, Grad]
    d_outputs: np.ndarray  # (T, B, H) dL/d(output_t) for the cell's backward


class ManyToOne:
    name = "classify"
    param_names = ("W_hy", "b_y")
    per_step = False  # one prediction per sequence, after its last token

    def param_specs(self, hidden_size: int, num_outputs: int):
        H, C = hidden_size, num_outputs
        return {"W_hy": ((C, H), H, C), "b_y": ((C,), H, C)}

    def num_outputs(self, params) -> int:
        return params["W_hy"].shape[0]

    def logits(self, params, states: np.ndarray) -> np.ndarray:
        """(..., H) -> (..., C): W_hy h + b_y."""
        return states @ params["W_hy"].T + params["b_y"]

    def dropout_shape(self, trace_shape: tuple[int, int, int]) -> tuple[int, int]:
        """Dropout acts on what the head reads: h_last (B, H) of the cell's (T, B, H) outputs."""
        return trace_shape[1], trace_shape[2]

    def loss(self, params, trace: CellTrace, labels: np.ndarray, keep=None) -> float:
        """Mean cross-entropy of the classes `labels` (B,) given h_last * keep."""
        h_last = trace.last if keep is None else trace.last * keep
        return cross_entropy(self.logits(params, h_last), labels)[0]

    def loss_and_grad(self, params, trace: CellTrace, labels: np.ndarray, keep=None) -> HeadResult:
        """With dropout's scaled mask keep (B, H) (None: no dropout) and d = h_last * keep:
        dW_hy = dz^T d, db_y = sum_b dz, dL/dh_last = (dz W_hy) * keep (into d_outputs)."""
        h_last = trace.last if keep is None else trace.last * keep  # (B, H)
        logits = self.logits(params, h_last)
        correct = int(np.count_nonzero(logits.argmax(axis=1) == labels))
        loss, dlogits = cross_entropy(logits, labels)  # overwrites the logits
        T, B, _ = trace.outputs.shape
        d_outputs = np.zeros_like(trace.outputs)
        d_last = dlogits @ params["W_hy"]
        d_outputs[trace.lengths - 1, np.arange(B)] = d_last if keep is None else d_last * keep
        grads = {"W_hy": dlogits.T @ h_last, "b_y": dlogits.sum(axis=0)}
        return HeadResult(loss, correct, B, grads, d_outputs)

    def predictions(self, params, trace: CellTrace) -> tuple[np.ndarray, np.ndarray]:
        """(B, C) logits and (B,) predicted classes."""
        logits = self.logits(params, trace.last)
        return logits, logits.argmax(axis=1)

    def per_step_probs(self, params, outputs: np.ndarray, temperature: float = 1.0) -> np.ndarray:
        """(T, H) outputs of one sequence -> (T, C) softmax(logits / temperature): the answer if
        it stopped at each step."""
        return softmax(self.logits(params, outputs) / temperature)
