"""Many-to-many next-token head (a language model): at every step logits_t = W_hy h_t + b_y over
the vocabulary, softmax, cross-entropy against the token that follows, averaged over the real
(unpadded) steps of the batch.

Targets are (B, T) token ids, right-padded like the inputs: step t of a sequence of length n
reads token t and is scored on token t + 1 (the end-of-sentence token after the last word). The
output layer costs H·V per real step, so only the real steps are gathered and scored.
"""

import numpy as np

from .cell import CellTrace
from .head import Head


class NextToken(Head):
    name = "lm"
    per_step = True
    language_model = True

    def dropout_shape(self, trace_shape: tuple[int, int, int]) -> tuple[int, int, int]:
        """Dropout acts on every output the head reads: (T, B, H)."""
        return trace_shape

    @staticmethod
    def real_steps(trace: CellTrace) -> tuple[np.ndarray, np.ndarray]:
        """(N,) time and (N,) batch indices of the real steps, time-major."""
        T = trace.outputs.shape[0]
        t, b = np.nonzero(np.arange(T)[:, None] < trace.lengths[None, :])
        return t, b

    def read(self, trace: CellTrace, targets: np.ndarray, keep):
        """Every real step, scored on the next token targets (B, T); keep (T, B, H) there."""
        t, b = self.real_steps(trace)
        return t, b, targets[b, t], None if keep is None else keep[t, b]
