"""What every recurrent cell provides, so that the model, the trainer and the checks never look
inside one.

A cell is stateless: its parameters come in as a dict of named arrays. It runs a whole right-padded
batch (B, T) of token ids at once, owning its time loop (so that each cell can batch what its
equations allow), and its backward pass takes dL/d(output_t) from the task head for every step.

Padding needs no mask: a sequence's outputs are read by the head only up to its own length, so
what padded steps compute never reaches the loss, and their gradient is exactly zero.
"""

from dataclasses import dataclass

import numpy as np

from .sparse import Grad

ParamSpecs = dict[str, tuple[tuple[int, ...], int, int]]  # name -> (shape, fan_in, fan_out)


@dataclass(frozen=True)
class CellTrace:
    """One forward pass: what backward() and the views need."""

    ids: np.ndarray  # (B, T) int token ids, right-padded
    lengths: np.ndarray  # (B,) int, each >= 1
    state0: tuple | None  # initial state, None for zeros
    outputs: np.ndarray  # (T, B, H) the hidden state h_t, time-major
    cache: dict  # whatever the cell's backward needs (gates, cell states ...)

    @property
    def hidden(self) -> np.ndarray:
        """Hidden states batch-major, (B, T, H) (a view)."""
        return self.outputs.transpose(1, 0, 2)

    @property
    def last(self) -> np.ndarray:
        """(B, H) the output at each sequence's last token."""
        T, B, _ = self.outputs.shape
        if self.lengths.min() == T:
            return self.outputs[-1]
        return self.outputs[self.lengths - 1, np.arange(B)]


class Cell:
    """Interface of a recurrent cell; see vanilla.py for the reference implementation."""

    name = "cell"  # registry key, stored in checkpoints
    param_names: tuple[str, ...] = ()  # in the order param_specs() lists them
    equations = ""  # shown in tooltips
    candidate_block = 0  # which stacked (H, H) block of W_hh feeds the candidate state
    input_matrix = "W_x"  # the (gates·H, V) parameter whose column id_t is the input term

    def param_specs(self, vocab_size: int, hidden_size: int) -> ParamSpecs:
        """Parameter name -> (shape, fan_in, fan_out), in the order they are initialised."""
        raise NotImplementedError

    gate_names: tuple[str, ...] = ()  # the gates gate_activations() returns

    def initialise(self, params: dict[str, np.ndarray]) -> None:
        """Adjust freshly drawn parameters in place (an LSTM's forget-gate bias)."""

    def gate_activations(self, trace: CellTrace) -> dict[str, np.ndarray]:
        """Gate (or extra state) name -> (T, B, H) activations; none for the vanilla cell."""
        return {}

    def prepare(self, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The parameters in the memory layout forward() is fastest with."""
        return params

    def hidden_size(self, params: dict[str, np.ndarray]) -> int:
        raise NotImplementedError

    def vocab_size(self, params: dict[str, np.ndarray]) -> int:
        raise NotImplementedError

    def forward(
        self, params: dict, ids: np.ndarray, lengths: np.ndarray, state0: tuple | None = None
    ) -> CellTrace:
        raise NotImplementedError

    def final_state(self, trace: CellTrace) -> tuple:
        """The state after each sequence's last token, to continue from (h,) or (h, c)."""
        raise NotImplementedError

    def backward(
        self, params: dict, trace: CellTrace, d_outputs: np.ndarray, truncate: int | None
    ) -> tuple[dict[str, Grad], np.ndarray]:
        """Backprop through time from d_outputs (T, B, H) = dL/d(output_t) from the head (it may be
        modified in place). truncate=k keeps the last k steps of each sequence (the state entering
        them is a constant). Returns (grads by name, {"h": ||dL/dh_t|| (B, T)}, plus "c":
        ||dL/dc_t|| for a cell with a cell state)."""
        raise NotImplementedError
