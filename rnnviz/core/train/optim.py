"""Gradient clipping (per value, global norm, none) and optimizers (SGD, momentum, Adagrad, Adam).

Both work on dicts name -> array and never know which parameter is which, so any cell that
exposes its parameters by name can use them. Gradients may be dense or column-sparse (sparse.py).
"""

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from ..nn import sparse
from ..nn.sparse import Grad

CLIP_MODES = ("norm", "value", "none")


@dataclass(frozen=True)
class ClipReport:
    """What clipping saw and did; the numbers of the GUI's gradient-norm panel."""

    norms_before: dict[str, float]  # name -> ||g||
    norms_after: dict[str, float]
    global_before: float  # sqrt(sum over params of ||g||^2)
    global_after: float
    changed_fraction: float  # entries whose value clipping changed / all entries
    clipped: bool  # did clipping change anything this step


def _global(norms: dict[str, float]) -> float:
    return float(np.sqrt(sum(n * n for n in norms.values())))


def clip_gradients(grads: dict[str, Grad], mode: str, threshold: float) -> ClipReport:
    """Clip in place and report norms before and after.

    norm:  g <- g * min(1, c / ||g||_global)      (one factor for all parameters)
    value: g <- clip(g, -c, c) entry by entry     (the classic tutorial's np.clip)
    none:  g unchanged
    """
    if mode not in CLIP_MODES:
        raise ConfigError(f"unknown clip mode {mode!r}; choose one of {', '.join(CLIP_MODES)}")
    if mode != "none" and not threshold > 0:
        raise ConfigError(f"clip threshold must be > 0, got {threshold}")
    before = {n: float(np.sqrt(sparse.sq_norm(g))) for n, g in grads.items()}
    total_before = _global(before)
    total_entries = sum(g.size for g in grads.values())
    changed = 0
    after = before
    if mode == "norm" and total_before > threshold:
        factor = threshold / total_before
        for g in grads.values():
            changed += sparse.count_nonzero(g)
            sparse.scale_(g, factor)
        after = {n: v * factor for n, v in before.items()}
    elif mode == "value":
        counts = {n: sparse.clip_values_(g, threshold) for n, g in grads.items()}
        changed = sum(counts.values())
        if changed:
            after = {
                n: float(np.sqrt(sparse.sq_norm(g))) if counts[n] else before[n]
                for n, g in grads.items()
            }
    return ClipReport(
        before, after, total_before, _global(after), changed / total_entries, changed > 0
    )


class Optimizer:
    """Updates parameters in place from gradients; per-parameter state is created on first use."""

    name = "base"
    slots: tuple[str, ...] = ()  # the per-parameter state arrays it keeps

    def __init__(self) -> None:
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.steps = 0

    def step(
        self,
        params: dict[str, np.ndarray],
        grads: dict[str, Grad],
        lr: float,
        weight_decay: float = 0.0,
    ) -> None:
        """One update of every parameter with learning rate lr (may change between calls), after
        decoupled weight decay of the matrices, w <- w (1 - lr wd) (Loshchilov & Hutter 2019;
        biases are not decayed)."""
        self.steps += 1
        for name, p in params.items():
            if weight_decay and p.ndim > 1:
                p *= 1.0 - lr * weight_decay
            self.update(name, p, grads[name], lr)

    def update(self, name: str, p: np.ndarray, g: Grad, lr: float) -> None:
        raise NotImplementedError

    def _slot(self, name: str, key: str, like: np.ndarray) -> np.ndarray:
        slots = self.state.setdefault(name, {})
        if key not in slots:
            slots[key] = np.zeros_like(like)
        return slots[key]

    def state_arrays(self) -> dict[str, np.ndarray]:
        """Flat copy of the state for checkpoints: 'param/slot' -> array, plus 'steps'."""
        flat = {
            f"{n}/{k}": v.copy(order="K")
            for n, slots in self.state.items()
            for k, v in slots.items()
        }
        flat["steps"] = np.array(self.steps)
        return flat

    def load_state_arrays(self, flat: dict[str, np.ndarray]) -> None:
        """Inverse of state_arrays()."""
        self.state = {}
        self.steps = int(flat.get("steps", 0))
        for key, value in flat.items():
            if key != "steps":
                name, slot = key.split("/", 1)
                self.state.setdefault(name, {})[slot] = value.copy(order="K")


class SGD(Optimizer):
    """w <- w - lr * g"""

    name = "sgd"

    def update(self, name, p, g, lr):
        sparse.add_(p, g, -lr)


class Momentum(Optimizer):
    """v <- mu v + g;  w <- w - lr v"""

    name = "momentum"
    slots = ("velocity",)

    def __init__(self, mu: float = 0.9):
        super().__init__()
        self.mu = mu

    def update(self, name, p, g, lr):
        v = self._slot(name, "velocity", p)
        v *= self.mu
        sparse.add_(v, g)
        p -= lr * v


class Adagrad(Optimizer):
    """G <- G + g^2;  w <- w - lr g / (sqrt(G) + eps)   (as in min-char-rnn)"""

    name = "adagrad"
    slots = ("sum_sq",)

    def __init__(self, eps: float = 1e-8):
        super().__init__()
        self.eps = eps

    def update(self, name, p, g, lr):
        memory = self._slot(name, "sum_sq", p)
        sparse.add_square_(memory, g)
        if isinstance(g, sparse.SparseColumns):  # untouched columns have g = 0: no change
            p.T[g.cols] -= lr * g.values / (np.sqrt(memory.T[g.cols]) + self.eps)
        else:
            p -= lr * g / (np.sqrt(memory) + self.eps)


class Adam(Optimizer):
    """m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;
    w <- w - lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)   (Kingma & Ba 2015)"""

    name = "adam"
    slots = ("m", "v")

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__()
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def update(self, name, p, g, lr):
        m = self._slot(name, "m", p)
        v = self._slot(name, "v", p)
        m *= self.beta1
        sparse.add_(m, g, 1.0 - self.beta1)
        v *= self.beta2
        sparse.add_square_(v, g, 1.0 - self.beta2)
        t = self.steps
        step_size = lr * np.sqrt(1.0 - self.beta2**t) / (1.0 - self.beta1**t)
        p -= step_size * m / (np.sqrt(v) + self.eps)


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Adagrad, Adam)}


def make_optimizer(name: str) -> Optimizer:
    """Optimizer by name: sgd, momentum, adagrad, adam."""
    try:
        return OPTIMIZERS[name]()
    except KeyError:
        raise ConfigError(
            f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}"
        ) from None
