"""What every recurrent cell provides, so that the model, the trainer and the checks never look
inside one.

A cell is stateless: its parameters come in as a dict of named arrays. It runs a whole right-padded
batch (B, T) of token ids at once, owning its time loop (so that each cell can batch what its
equations allow), and its backward pass takes dL/d(output_t) from the task head for every step.

Padding needs no mask: a sequence's outputs are read by the head only up to its own length, so
what padded steps compute never reaches the loss, and their gradient is exactly zero.

Every cell names its parameters as PyTorch's recurrent layers do, its gate blocks stacked in
PyTorch's order: W_ih (stacked·H, V) read as token columns (weight_ih_l0 after an embedding),
W_hh (stacked·H, H), b_ih (stacked·H,) and, where its equations have a second bias, b_hh.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .sparse import Grad

ParamSpecs = dict[str, tuple[tuple[int, ...], int, int]]  # name -> (shape, fan_in, fan_out)
StateNorms = dict[str, np.ndarray]  # "h" (and "c"): (B, T) ||dL/dh_t|| (||dL/dc_t||)


@dataclass(frozen=True)
class Gate:
    """One of the activations gate_activations() returns."""

    key: str  # short and stable, what code uses: "r", "f", "c"
    label: str  # what the window shows (and --show takes): "reset r", "cell c"
    sigmoid: bool = True  # in (0, 1); False: a state (an LSTM's cell state c, unbounded)


@dataclass(frozen=True)
class ExportMapping:
    """The same cell in other engines, weights one to one (rnnviz/core/export reads this)."""

    torch_module: str  # torch.nn.<name>: same equations, same gate order
    onnx_op: str  # the ONNX operator
    onnx_order: tuple[int, ...]  # ONNX's gate block k is this cell's block onnx_order[k]
    onnx_attributes: dict[str, int] = field(default_factory=dict)  # beyond hidden_size


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
    """Interface of a recurrent cell, and the parameter layout all cells share; see vanilla.py
    for the reference implementation."""

    name = "cell"  # registry key, stored in checkpoints
    param_names: tuple[str, ...] = ("W_ih", "W_hh", "b_ih")  # in the order param_specs() lists
    stacked = 1  # gate blocks stacked in W_ih, W_hh and the biases
    equations = ""  # shown in tooltips
    candidate_block = 0  # which stacked (H, H) block of W_hh feeds the candidate state
    memory_block: int | None = None  # the stacked block of the gate that keeps the state
    gates: tuple[Gate, ...] = ()  # what gate_activations() returns, in the order shown
    export: ExportMapping | None  # its PyTorch / ONNX counterpart (None: it has none)

    def param_specs(self, vocab_size: int, hidden_size: int) -> ParamSpecs:
        """Parameter name -> (shape, fan_in, fan_out), in the order they are initialised."""
        V, H, G = vocab_size, hidden_size, self.stacked * hidden_size
        specs = {
            "W_ih": ((G, V), V, H),
            "W_hh": ((G, H), H, H),
            "b_ih": ((G,), H, H),
            "b_hh": ((G,), H, H),
        }
        return {name: specs[name] for name in self.param_names}

    def initialise(
        self, params: dict[str, np.ndarray], memory_bias: float = 0.0, radius: float = 0.0
    ) -> None:
        """Adjust freshly drawn parameters in place: memory_bias is added to the input-side bias
        of the gate that keeps the state (memory_block), so that a fresh cell remembers longer
        (a forget-gate bias b_f = 5 keeps f = σ(5) ≈ 0.993: 0.7 of the state after 50 steps);
        radius > 0 rescales the candidate block W of W_hh to W · radius / ρ(W), ρ = max |λ|."""
        H = params["W_hh"].shape[1]
        if self.memory_block is not None and memory_bias:
            k = self.memory_block
            params["b_ih"][k * H : (k + 1) * H] += memory_bias
        if radius:
            block = params["W_hh"][self.candidate_block * H : (self.candidate_block + 1) * H]
            block *= radius / np.abs(np.linalg.eigvals(block)).max()

    def gate_activations(self, trace: CellTrace) -> dict[str, np.ndarray]:
        """Gate key -> (T, B, H) activations, for each of `gates`; none for the vanilla cell."""
        return {}

    def prepare(self, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The parameters in the memory layout forward() is fastest with: W_ih column-major, so
        that its token columns are contiguous."""
        return {**params, "W_ih": np.asfortranarray(params["W_ih"])}

    def hidden_size(self, params: dict[str, np.ndarray]) -> int:
        return params["W_hh"].shape[1]

    def recurrent_weights(self, params: dict[str, np.ndarray]) -> np.ndarray:
        """(stacked·H, H) what multiplies h_(t-1): W_hh (the dynamics' σ_max and ρ are its)."""
        return params["W_hh"]

    def vocab_size(self, params: dict[str, np.ndarray]) -> int:
        return params["W_ih"].shape[1]

    def forward(
        self, params: dict, ids: np.ndarray, lengths: np.ndarray, state0: tuple | None = None
    ) -> CellTrace:
        raise NotImplementedError

    # The one-step map s' = F(s, x) on flat states, for the state space (insight/state_space.py):
    # a state s is (N, n) rows, n = state_size(), (h) or (h, c) concatenated; x_term is W_ih x,
    # (stacked·H,) or (N, stacked·H): a token's column, or zeros for no input.

    def state_size(self, params: dict[str, np.ndarray]) -> int:
        """n, the length of a flat state: H ((h, c) cells: 2H)."""
        return self.hidden_size(params)

    def visited_states(self, trace: CellTrace) -> np.ndarray:
        """(T, B, n) the flat state after each step of a trace."""
        return trace.outputs

    def step_map(self, params: dict, state: np.ndarray, x_term: np.ndarray) -> np.ndarray:
        """F(s, x): (N, n) the states one step after `state` (N, n) with input term x_term."""
        raise NotImplementedError

    def linearise(
        self, params: dict, state: np.ndarray, x_term: np.ndarray
    ) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
        """(F(s, x), v -> v ∂F/∂s): the states one step on and the vector-Jacobian product at
        each row of `state`, (N, n) for v (N, n), from one evaluation of the step."""
        raise NotImplementedError

    def final_state(self, trace: CellTrace) -> tuple:
        """The state after each sequence's last token, to continue from (h,) or (h, c)."""
        raise NotImplementedError

    def backward(
        self, params: dict, trace: CellTrace, d_outputs: np.ndarray, truncate: int | None
    ) -> tuple[dict[str, Grad], StateNorms]:
        """Backprop through time from d_outputs (T, B, H) = dL/d(output_t) from the head (it may be
        modified in place). truncate=k keeps the last k steps of each sequence (the state entering
        them is a constant). Returns (grads by name, {"h": ||dL/dh_t|| (B, T)}, plus "c":
        ||dL/dc_t|| for a cell with a cell state)."""
        raise NotImplementedError
