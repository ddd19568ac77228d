"""A sequence model = token-column input and a recurrent cell (the cell's own W_ih) + a task head.

The model owns the parameters (one dict, cell's then head's, by name) and answers the three
questions the rest of rnnviz asks: the loss and gradients of a batch (training), predictions
(evaluation), and the state and opinion after every word of one sentence (the views).
"""

from dataclasses import dataclass

import numpy as np

from . import init as initialisation
from .cell import Cell, CellTrace, StateNorms
from .registry import ALL_CELLS, TASKS
from .sparse import Grad, scale_, summed


@dataclass(frozen=True)
class StepResult:
    """One forward + backward on a batch."""

    loss: float  # mean over the predictions
    correct: int  # right predictions
    count: int  # predictions made
    grads: dict[str, Grad]  # parameter name -> gradient (input matrix column-sparse)
    state_norms: StateNorms  # (B, T) each, zero on padding and before a truncation window
    lengths: np.ndarray  # (B,)

    @property
    def dh_norms(self) -> np.ndarray:
        return self.state_norms["h"]


class SequenceModel:
    def __init__(self, cell: Cell | str, task, params: dict[str, np.ndarray]):
        """cell and task: registry names (or instances, e.g. a deliberately broken cell in a
        test)."""
        self.cell = ALL_CELLS[cell] if isinstance(cell, str) else cell
        self.head = TASKS[task] if isinstance(task, str) else task
        names = self._names_in(params)
        dtypes = {params[n].dtype for n in names}
        if len(dtypes) != 1 or next(iter(dtypes)) not in (np.float32, np.float64):
            raise ValueError(f"parameters must share one float32/float64 dtype, got {dtypes}")
        params = {n: np.ascontiguousarray(params[n]) for n in names}
        self.params = self.cell.prepare(params)
        self.temperature = 1.0  # probabilities are softmax(logits / temperature); see calibration
        expected = self.specs(self.vocab_size, self.hidden_size, self.num_outputs)
        for name, (shape, _, _) in expected.items():
            if self.params[name].shape != shape:
                raise ValueError(f"{name} has shape {self.params[name].shape}, expected {shape}")

    def _names_in(self, params: dict) -> list[str]:
        """The names of the cell's and the head's parameters, all present in `params`."""
        names = [*self.cell.param_names, *self.head.param_names]
        missing = [n for n in names if n not in params]
        if missing:
            raise ValueError(f"missing parameters: {missing}")
        return names

    def specs(self, vocab_size: int, hidden_size: int, num_outputs: int) -> dict:
        return {
            **self.cell.param_specs(vocab_size, hidden_size),
            **self.head.param_specs(hidden_size, num_outputs),
        }

    @classmethod
    def create(
        cls,
        vocab_size: int,
        hidden_size: int,
        num_outputs: int,
        *,
        cell: str = "vanilla",
        task: str = "classify",
        init: str = "uniform",
        seed: int = 0,
        dtype: str | np.dtype = "float64",
        memory_bias: float = 0.0,
        recurrent_radius: float = 0.0,
    ) -> "SequenceModel":
        """A fresh model; the same arguments give the same weights bit for bit. `uniform` draws
        every parameter from U(±1/sqrt(H)), as PyTorch's recurrent layers do; memory_bias is added
        to the bias of a gated cell's keep gate and recurrent_radius > 0 sets the spectral radius of
        the candidate block of W_hh (Cell.initialise)."""
        rng = np.random.default_rng(seed)
        specs = {
            **ALL_CELLS[cell].param_specs(vocab_size, hidden_size),
            **TASKS[task].param_specs(hidden_size, num_outputs),
        }
        params = {}
        for name, (shape, fan_in, fan_out) in specs.items():
            if init == "uniform":
                fan_in = hidden_size
            params[name] = initialisation.draw(init, shape, fan_in, fan_out, rng).astype(dtype)
        ALL_CELLS[cell].initialise(params, memory_bias, recurrent_radius)
        return cls(cell, task, params)

    # ------------------------------------------------------------------- sizes
    @property
    def hidden_size(self) -> int:
        return self.cell.hidden_size(self.params)

    @property
    def vocab_size(self) -> int:
        return self.cell.vocab_size(self.params)

    @property
    def num_outputs(self) -> int:
        return self.head.num_outputs(self.params)

    @property
    def task(self) -> str:
        """The head's registry name, as TrainConfig.task: "classify" or "lm"."""
        return self.head.name

    @property
    def is_language_model(self) -> bool:
        """Predicts the next token (its outputs are the vocabulary), rather than a class."""
        return self.head.language_model

    @property
    def dtype(self) -> np.dtype:
        return next(iter(self.params.values())).dtype

    def copy(self) -> "SequenceModel":
        """An independent model with the same weights (same memory layout)."""
        params = {n: p.copy(order="K") for n, p in self.params.items()}
        twin = type(self)(self.cell, self.head, params)
        twin.temperature = self.temperature
        return twin

    # ---------------------------------------------------------------- compute
    def forward(self, ids: np.ndarray, lengths: np.ndarray, state0=None) -> CellTrace:
        return self.cell.forward(self.params, ids, lengths, state0)

    def loss(self, ids, lengths, targets, state0=None, keep=None) -> float:
        """The head's loss alone (gradient checks)."""
        return self.head.loss(self.params, self.forward(ids, lengths, state0), targets, keep)

    def dropout_keep(
        self, ids: np.ndarray, rate: float, rng: np.random.Generator
    ) -> np.ndarray | None:
        """Inverted dropout's mask for what the head reads of a (B, T) batch: each entry is 0 with
        probability `rate`, else 1 / (1 - rate), so the expected value is unchanged."""
        if rate <= 0:
            return None
        B, T = ids.shape
        shape = self.head.dropout_shape((T, B, self.hidden_size))
        return (rng.random(shape) >= rate).astype(self.dtype) / (1.0 - rate)

    def loss_and_grads(
        self, ids, lengths, targets, truncate: int | None = None, keep=None
    ) -> StepResult:
        """Forward, the head's loss (with dropout's mask `keep`, if any) and BPTT on one batch.
        A loss at every step (a language model) with truncate=k runs in chunks (chunked())."""
        if truncate and self.head.per_step:
            return self.chunked(ids, lengths, targets, truncate, keep)
        trace = self.forward(ids, lengths)
        head = self.head.loss_and_grad(self.params, trace, targets, keep)
        cell_grads, norms = self.cell.backward(self.params, trace, head.d_outputs, truncate)
        grads = {**cell_grads, **head.grads}
        return StepResult(head.loss, head.correct, head.count, grads, norms, lengths)

    def chunked(self, ids, lengths, targets, k: int, keep=None) -> StepResult:
        """Truncated BPTT of a per-step loss: the batch in chunks of k steps, each starting from
        the state the previous chunk ended in (a constant), each chunk's losses backpropagated
        within it. The loss is the mean over all real steps, so each chunk's loss and gradients
        are weighted by its share n_c / N of them."""
        B, T = ids.shape
        total = int(lengths.sum())
        state: tuple | None = None  # (B, H) arrays, the state entering the chunk
        loss, correct = 0.0, 0
        parts: dict[str, list[Grad]] = {}
        norms: dict[str, np.ndarray] = {}
        for a in range(0, T, k):
            chunk_lengths = np.clip(lengths - a, 0, k)  # (B,)
            rows = np.flatnonzero(chunk_lengths)  # sequences still running
            span = slice(a, a + int(chunk_lengths.max()))
            state0 = None if state is None else tuple(s[rows] for s in state)
            trace = self.forward(ids[rows, span], chunk_lengths[rows], state0)
            mask = None if keep is None else keep[span][:, rows]
            head = self.head.loss_and_grad(self.params, trace, targets[rows, span], mask)
            share = head.count / total
            d_outputs = head.d_outputs
            d_outputs *= share
            cell_grads, chunk_norms = self.cell.backward(self.params, trace, d_outputs, None)
            for name, g in {**cell_grads, **head.grads}.items():
                if name in head.grads:
                    scale_(g, share)
                parts.setdefault(name, []).append(g)
            for name, values in chunk_norms.items():
                full = norms.setdefault(name, np.zeros((B, T), dtype=values.dtype))
                full[rows, span] = values
            loss += share * head.loss
            correct += head.correct
            ending = self.cell.final_state(trace)  # (rows, H) each
            if state is None:
                state = tuple(np.zeros((B, self.hidden_size), self.dtype) for _ in ending)
            for whole, part in zip(state, ending, strict=True):
                whole[rows] = part
        grads = {name: summed(parts[name]) for name in self._names_in(parts)}
        return StepResult(loss, correct, total, grads, norms, lengths)

    def logits(self, ids, lengths) -> np.ndarray:
        """The head's raw scores of a batch (B, C), without gradients or temperature."""
        return self.head.predictions(self.params, self.forward(ids, lengths))[0]

    def trace(
        self, ids: np.ndarray, temperature: float | None = None
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """One sentence (T,) -> hidden states (T, H), the head's answer after each word (T, C)
        under `temperature` (None: the model's) and the cell's gates (and LSTM cell state) by
        name, each (T, H)."""
        trace = self.forward(ids[None, :], np.array([len(ids)]))
        outputs = trace.outputs[:, 0]  # (T, H)
        gates = {name: a[:, 0] for name, a in self.cell.gate_activations(trace).items()}
        temperature = self.temperature if temperature is None else temperature
        probs = self.head.per_step_probs(self.params, outputs, temperature)
        return outputs, probs, gates
