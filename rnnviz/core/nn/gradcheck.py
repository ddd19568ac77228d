"""Check backward() against centred finite differences, parameter entry by parameter entry.

The reference function is the loss computed one sequence at a time, without padding, so the check
also proves that padding and truncation are handled right. For truncated BPTT (keep the last k
steps) the reference treats the state entering the window as a constant: it is computed once with
the unperturbed weights, exactly the function whose true gradient truncated BPTT returns.

Derivative estimate (fourth-order centred stencil, step e):
    dL/dw ~ [L(w - 2e) - 8 L(w - e) + 8 L(w + e) - L(w + 2e)] / (12 e)
Error measure per entry: |analytic - numeric| / max(|analytic|, |numeric|, floor).
"""

from dataclasses import dataclass, field

import numpy as np

from .model import SequenceModel
from .sparse import to_dense

TOLERANCE = {np.dtype("float64"): 1e-7, np.dtype("float32"): 2e-2}
FLOOR = 1e-5  # gradients smaller than this are compared in absolute terms (FD round-off ~1e-13)


@dataclass
class GradcheckResult:
    per_param: dict[str, float] = field(default_factory=dict)  # name -> max relative error
    checked: dict[str, int] = field(default_factory=dict)  # name -> entries checked
    tolerance: float = 1e-7

    @property
    def max_rel_error(self) -> float:
        return max(self.per_param.values())

    @property
    def passed(self) -> bool:
        return bool(self.max_rel_error < self.tolerance)


def windows(length: int, truncate: int | None, per_step: bool) -> list[tuple[int, int]]:
    """The (start, stop) pieces of a sequence whose losses backprop within them: the whole
    sequence; its last `truncate` tokens (one loss at the end); chunks of `truncate` tokens
    (a loss at every step)."""
    if not truncate:
        return [(0, length)]
    if not per_step:
        return [(max(length - truncate, 0), length)]
    return [(a, min(a + truncate, length)) for a in range(0, length, truncate)]


def reference_loss(
    model: SequenceModel,
    entry_states: dict[tuple[int, int], tuple | None],
    ids: np.ndarray,
    lengths: np.ndarray,
    targets: np.ndarray,
    truncate: int | None,
    keep: np.ndarray | None = None,
) -> float:
    """The batch loss computed sequence by sequence and window by window (windows()), each
    window starting from the constant state entry_states[(b, start)] (None: zeros), with
    dropout's mask `keep`: the mean over predictions (one per sequence, or one per step)."""
    per_step = model.head.per_step
    total, count = 0.0, 0
    for b, length in enumerate(lengths):
        for start, stop in windows(int(length), truncate, per_step):
            seq = ids[b : b + 1, start:stop]
            state = entry_states[(b, start)]
            state0 = None if state is None else tuple(s[None] for s in state)
            n = stop - start if per_step else 1
            target = targets[b : b + 1, start:stop] if per_step else targets[b : b + 1]
            if keep is None:
                mask = None
            else:
                mask = keep[start:stop, b : b + 1] if per_step else keep[b : b + 1]
            total += n * model.loss(seq, np.array([stop - start]), target, state0, mask)
            count += n
    return total / count


def window_entry_states(
    model: SequenceModel, ids: np.ndarray, lengths: np.ndarray, truncate: int | None
) -> dict[tuple[int, int], tuple | None]:
    """(sequence, window start) -> the state entering that window (None when it starts at 0)."""
    states: dict[tuple[int, int], tuple | None] = {}
    for b, length in enumerate(lengths):
        for start, _ in windows(int(length), truncate, model.head.per_step):
            if start == 0:
                states[(b, start)] = None
            else:
                prefix = model.forward(ids[b : b + 1, :start], np.array([start]))
                states[(b, start)] = tuple(s[0].copy() for s in model.cell.final_state(prefix))
    return states


def check_gradients(
    model: SequenceModel,
    ids: np.ndarray,
    lengths: np.ndarray,
    labels: np.ndarray,
    truncate: int | None = None,
    *,
    max_entries: int = 300,
    step: float = 1e-3,
    seed: int = 0,
    keep: np.ndarray | None = None,
) -> GradcheckResult:
    """Compare model.loss_and_grads() with finite differences of reference_loss(), for every
    entry of every parameter (or a seeded random sample of max_entries for a larger tensor);
    keep: a fixed dropout mask for both."""
    analytic = {
        n: to_dense(g)
        for n, g in model.loss_and_grads(ids, lengths, labels, truncate, keep).grads.items()
    }
    entry_states = window_entry_states(model, ids, lengths, truncate)
    rng = np.random.default_rng(seed)
    result = GradcheckResult(tolerance=TOLERANCE[model.dtype])

    def loss() -> float:
        return reference_loss(model, entry_states, ids, lengths, labels, truncate, keep)

    for name, param in model.params.items():
        flat_ids = np.arange(param.size)
        if param.size > max_entries:
            flat_ids = np.sort(rng.choice(param.size, size=max_entries, replace=False))
        worst = 0.0
        for flat in flat_ids:
            index = np.unravel_index(flat, param.shape)
            original = param[index]
            values = []
            for offset in (-2, -1, 1, 2):
                param[index] = original + offset * step
                values.append(loss())
            param[index] = original
            numeric = (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * step)
            exact = float(analytic[name][index])
            error = abs(exact - numeric) / max(abs(exact), abs(numeric), FLOOR)
            worst = max(worst, error)
        result.per_param[name] = worst
        result.checked[name] = len(flat_ids)
    return result


def demo_problem(seed: int = 0, dtype: str = "float64", cell: str = "vanilla", task="classify"):
    """A small random model and a padded batch of unequal lengths: (model, ids, lengths,
    targets): (B,) classes, or for a language model (task "lm") (B, T) next tokens.

    H=7, V=11, C=3 classes (or V outputs); lengths 6, 4, 1, 5 padded to T=6 (pad id 0).
    """
    rng = np.random.default_rng(seed)
    outputs = 11 if task == "lm" else 3
    model = SequenceModel.create(
        11, 7, outputs, cell=cell, task=task, init="xavier", seed=seed, dtype=dtype
    )
    for p in model.params.values():  # scale up so that no gradient is vanishingly small
        p += rng.normal(0.0, 0.3, size=p.shape).astype(dtype)
    lengths = np.array([6, 4, 1, 5])
    ids = np.zeros((4, 6), dtype=np.int64)
    for b, length in enumerate(lengths):
        ids[b, :length] = rng.integers(1, 11, size=length)
    if task == "lm":
        targets = np.zeros((4, 6), dtype=np.int64)
        for b, length in enumerate(lengths):
            targets[b, :length] = rng.integers(1, 11, size=length)
        return model, ids, lengths, targets
    return model, ids, lengths, rng.integers(0, 3, size=4)
