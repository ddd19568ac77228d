"""Many-to-many next-token head (a language model): at every step logits_t = W_hy h_t + b_y over
the vocabulary, softmax, cross-entropy against the token that follows, averaged over the real
(unpadded) steps of the batch.

Targets are (B, T) token ids, right-padded like the inputs: step t of a sequence of length n
reads token t and is scored on token t + 1 (the end-of-sentence token after the last word). The
output layer costs H·V per real step, so only the real steps are gathered and scored.
"""

import numpy as np

from .cell import CellTrace
from .classify import HeadResult
from .losses import cross_entropy, softmax
from .sparse import Grad


class NextToken:
    name = "lm"
    param_names = ("W_hy", "b_y")
    per_step = True  # a loss at every step (truncated BPTT runs in chunks, see model.py)

    def param_specs(self, hidden_size: int, num_outputs: int):
        H, V = hidden_size, num_outputs
        return {"W_hy": ((V, H), H, V), "b_y": ((V,), H, V)}

    def num_outputs(self, params) -> int:
        return params["W_hy"].shape[0]

    def logits(self, params, states: np.ndarray) -> np.ndarray:
        """(..., H) -> (..., V): W_hy h + b_y."""
        return states @ params["W_hy"].T + params["b_y"]

    def dropout_shape(self, trace_shape: tuple[int, int, int]) -> tuple[int, int, int]:
        """Dropout acts on every output the head reads: (T, B, H)."""
        return trace_shape

    @staticmethod
    def real_steps(trace: CellTrace) -> tuple[np.ndarray, np.ndarray]:
        """(N,) time and (N,) batch indices of the real steps, time-major."""
        T = trace.outputs.shape[0]
        return np.nonzero(np.arange(T)[:, None] < trace.lengths[None, :])

    def _scored(self, params, trace: CellTrace, targets: np.ndarray, keep):
        """The real steps' outputs (N, H) (times dropout's mask), logits (N, V), targets (N,)."""
        t, b = self.real_steps(trace)
        outputs = trace.outputs[t, b]
        if keep is not None:
            outputs = outputs * keep[t, b]
        return t, b, outputs, self.logits(params, outputs), targets[b, t]

    def loss(self, params, trace: CellTrace, targets: np.ndarray, keep=None) -> float:
        """Mean over real steps of -log softmax(W_hy h_t + b_y)[target_t]."""
        _, _, _, logits, wanted = self._scored(params, trace, targets, keep)
        return cross_entropy(logits, wanted)[0]

    def loss_and_grad(self, params, trace: CellTrace, targets: np.ndarray, keep=None) -> HeadResult:
        """With N real steps and z_t = W_hy d_t + b_y, d_t = h_t * keep_t:
        dz_t = (softmax(z_t) - onehot(y_t)) / N, dW_hy = dz^T d, db_y = sum_t dz_t,
        dL/dh_t = (dz_t W_hy) * keep_t (into d_outputs at the real steps, 0 on padding)."""
        t, b, outputs, logits, wanted = self._scored(params, trace, targets, keep)
        N = len(wanted)
        correct = int(np.count_nonzero(logits.argmax(axis=1) == wanted))
        loss, dlogits = cross_entropy(logits, wanted)  # (N, V), in the logits' memory
        d_outputs = np.zeros_like(trace.outputs)
        d_real = dlogits @ params["W_hy"]  # (N, H)
        d_outputs[t, b] = d_real if keep is None else d_real * keep[t, b]
        grads: dict[str, Grad] = {"W_hy": dlogits.T @ outputs, "b_y": dlogits.sum(axis=0)}
        return HeadResult(loss, correct, N, grads, d_outputs)

    def predictions(self, params, trace: CellTrace) -> tuple[np.ndarray, np.ndarray]:
        """(B, V) logits after each sequence's last token (what comes next), (B,) argmax."""
        logits = self.logits(params, trace.last)
        return logits, logits.argmax(axis=1)

    def per_step_probs(self, params, outputs: np.ndarray, temperature: float = 1.0) -> np.ndarray:
        """(T, H) outputs of one sequence -> (T, V) next-token distributions."""
        return softmax(self.logits(params, outputs) / temperature)
