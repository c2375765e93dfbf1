"""The NumPy engine: activations, losses, the MLP, optimizers, the step perceptron,
datasets and input features. No Qt, no I/O beyond CSV files."""

from mlpviz.engine import (
    activations,
    csvdata,
    datasets,
    features,
    init,
    losses,
    optimizers,
    perceptron,
)
from mlpviz.engine.mlp import (
    MLP,
    Cancelled,
    DivergenceError,
    Grads,
    LayerGrads,
    LayerTrace,
    NetworkError,
    Trace,
)
from mlpviz.engine.perceptron import Perceptron, PerceptronError, PerceptronResult

__all__ = [
    "MLP",
    "Cancelled",
    "DivergenceError",
    "Grads",
    "LayerGrads",
    "LayerTrace",
    "NetworkError",
    "Perceptron",
    "PerceptronError",
    "PerceptronResult",
    "Trace",
    "activations",
    "csvdata",
    "datasets",
    "features",
    "init",
    "losses",
    "optimizers",
    "perceptron",
]
