"""The NumPy engine: activations, losses, the MLP, optimizers, datasets. No Qt, no I/O
beyond CSV loading."""

from mlpviz.engine import activations, init, losses, optimizers
from mlpviz.engine.mlp import (
    MLP,
    DivergenceError,
    Grads,
    LayerGrads,
    LayerTrace,
    NetworkError,
    Trace,
)

__all__ = [
    "MLP",
    "DivergenceError",
    "Grads",
    "LayerGrads",
    "LayerTrace",
    "NetworkError",
    "Trace",
    "activations",
    "init",
    "losses",
    "optimizers",
]
