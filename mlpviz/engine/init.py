"""Weight initialisation schemes. Biases start at zero except for ``uniform``.

All draw from an explicit ``numpy.random.Generator``; W has shape (n_out, n_in).
"""

from __future__ import annotations

import numpy as np

NAMES: tuple[str, ...] = ("xavier", "he", "uniform", "zeros")
ALIASES = {"glorot": "xavier"}


class InitError(ValueError):
    """Unknown scheme or bad scale."""


def init_layer(
    scheme: str,
    n_in: int,
    n_out: int,
    rng: np.random.Generator,
    dtype: np.dtype = np.float64,
    scale: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """(W (n_out, n_in), b (n_out,)) for one layer.

    ``xavier``: N(0, 2/(n_in + n_out)); ``he``: N(0, 2/n_in); ``uniform``: U(−scale, scale)
    for weights and biases (Playground's choice); ``zeros``: all zero, to show the symmetry
    problem (every neuron of a layer stays identical).
    """
    scheme = ALIASES.get(scheme, scheme)
    if scheme == "xavier":
        w = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))
        b = np.zeros(n_out)
    elif scheme == "he":
        w = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
        b = np.zeros(n_out)
    elif scheme == "uniform":
        if not (np.isfinite(scale) and 0 < scale <= 100):
            raise InitError(f"uniform init scale must be in (0, 100], got {scale}")
        w = rng.uniform(-scale, scale, size=(n_out, n_in))
        b = rng.uniform(-scale, scale, size=n_out)
    elif scheme == "zeros":
        w = np.zeros((n_out, n_in))
        b = np.zeros(n_out)
    else:
        raise InitError(f"unknown init {scheme!r}; choose one of: {', '.join(NAMES)}")
    return w.astype(dtype, copy=False), b.astype(dtype, copy=False)
