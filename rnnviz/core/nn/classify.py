"""Many-to-one classification head: logits = W_hy h_last + b_y, softmax, mean cross-entropy.

It reads each sequence's output at its last token only, so its gradient into the cell is zero
everywhere else (and on padding).
"""

import numpy as np

from .cell import CellTrace
from .head import Head


class ManyToOne(Head):
    name = "classify"

    def dropout_shape(self, trace_shape: tuple[int, int, int]) -> tuple[int, int]:
        """Dropout acts on what the head reads: h_last (B, H) of the cell's (T, B, H) outputs."""
        return trace_shape[1], trace_shape[2]

    def read(self, trace: CellTrace, labels: np.ndarray, keep):
        """Each sequence's last step, scored on its class labels (B,); keep (B, H) as it is."""
        return trace.lengths - 1, np.arange(len(trace.lengths)), labels, keep
