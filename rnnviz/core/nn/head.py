"""What every task head provides: an output layer logits = W_hy h + b_y at the steps it reads,
softmax, and the mean cross-entropy over those steps, so that the model never looks inside one.

A head is stateless, like a cell. A subclass says which steps it reads (read()) and what dropout
acts on; the loss, its gradient and the predictions are the same for all.
"""

from dataclasses import dataclass

import numpy as np

from .cell import CellTrace
from .losses import cross_entropy, softmax
from .sparse import Grad


@dataclass(frozen=True)
class HeadResult:
    loss: float  # mean over the predictions
    correct: int  # argmax hits
    count: int  # predictions made
    grads: dict[str, Grad]
    d_outputs: np.ndarray  # (T, B, H) dL/d(output_t) for the cell's backward


class Head:
    name = ""  # registry key = TrainConfig.task, stored in checkpoints
    param_names = ("W_hy", "b_y")
    per_step = False  # a loss at every step: truncated BPTT then runs in chunks (model.py)
    language_model = False  # predicts the next token: outputs are the vocabulary, not classes

    def param_specs(self, hidden_size: int, num_outputs: int):
        H, C = hidden_size, num_outputs  # C classes, or V tokens for a language model
        return {"W_hy": ((C, H), H, C), "b_y": ((C,), H, C)}

    def num_outputs(self, params) -> int:
        return params["W_hy"].shape[0]

    def logits(self, params, states: np.ndarray) -> np.ndarray:
        """(..., H) -> (..., C): W_hy h + b_y."""
        return states @ params["W_hy"].T + params["b_y"]

    def dropout_shape(self, trace_shape: tuple[int, int, int]) -> tuple[int, ...]:
        """The shape of dropout's mask, given the cell's (T, B, H) outputs."""
        raise NotImplementedError

    def read(self, trace: CellTrace, targets: np.ndarray, keep):
        """The N steps scored: (N,) time and (N,) batch indices, (N,) targets, and dropout's mask
        keep at those steps (N, H) (None: no dropout)."""
        raise NotImplementedError

    def _scored(self, params, trace: CellTrace, targets: np.ndarray, keep):
        """t, b, the mask at the read steps, d = h_t * keep (N, H), logits (N, C), targets (N,)."""
        t, b, wanted, mask = self.read(trace, targets, keep)
        outputs = trace.outputs[t, b]
        if mask is not None:
            outputs = outputs * mask
        return t, b, mask, outputs, self.logits(params, outputs), wanted

    def loss(self, params, trace: CellTrace, targets: np.ndarray, keep=None) -> float:
        """Mean over the N read steps of -log softmax(W_hy d_t + b_y)[target_t]."""
        logits, wanted = self._scored(params, trace, targets, keep)[4:]
        return cross_entropy(logits, wanted)[0]

    def loss_and_grad(self, params, trace: CellTrace, targets: np.ndarray, keep=None) -> HeadResult:
        """With z_t = W_hy d_t + b_y, d_t = h_t * keep_t at the N read steps:
        dz_t = (softmax(z_t) - onehot(y_t)) / N, dW_hy = dz^T d, db_y = sum_t dz_t,
        dL/dh_t = (dz_t W_hy) * keep_t (into d_outputs at the read steps, 0 elsewhere)."""
        t, b, mask, outputs, logits, wanted = self._scored(params, trace, targets, keep)
        correct = int(np.count_nonzero(logits.argmax(axis=1) == wanted))
        loss, dlogits = cross_entropy(logits, wanted)  # (N, C), in the logits' memory
        d_outputs = np.zeros_like(trace.outputs)
        d_read = dlogits @ params["W_hy"]  # (N, H)
        d_outputs[t, b] = d_read if mask is None else d_read * mask
        grads: dict[str, Grad] = {"W_hy": dlogits.T @ outputs, "b_y": dlogits.sum(axis=0)}
        return HeadResult(loss, correct, len(wanted), grads, d_outputs)

    def predictions(self, params, trace: CellTrace) -> tuple[np.ndarray, np.ndarray]:
        """(B, C) logits after each sequence's last token, (B,) argmax."""
        logits = self.logits(params, trace.last)
        return logits, logits.argmax(axis=1)

    def per_step_probs(self, params, outputs: np.ndarray, temperature: float = 1.0) -> np.ndarray:
        """(T, H) outputs of one sequence -> (T, C) softmax(logits / temperature): a classifier's
        answer if it stopped at each step, a language model's next-token distributions."""
        return softmax(self.logits(params, outputs) / temperature)
