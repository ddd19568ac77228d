"""Weight initialisation schemes for the RNN, all drawn from a seeded numpy Generator."""

import numpy as np

from ..errors import ConfigError

INIT_SCHEMES = ("uniform", "xavier", "tutorial")


def draw(
    scheme: str, shape: tuple[int, ...], fan_in: int, fan_out: int, rng: np.random.Generator
) -> np.ndarray:
    """One weight matrix or bias (float64; the caller casts).

    uniform:  U(-1/sqrt(H), 1/sqrt(H)) for every parameter, biases too (PyTorch's nn.RNN default;
              the caller passes fan_in = H).
    xavier:   U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010); biases zero.
    tutorial: N(0, 1) / 1000, biases zero (the classic from-scratch tutorial).
    """
    is_bias = len(shape) == 1
    if scheme == "uniform":
        bound = 1.0 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, size=shape)
    if is_bias:
        return np.zeros(shape)
    if scheme == "xavier":
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-bound, bound, size=shape)
    if scheme == "tutorial":
        return rng.standard_normal(shape) / 1000.0
    raise ConfigError(f"unknown init {scheme!r}; choose one of {', '.join(INIT_SCHEMES)}")
