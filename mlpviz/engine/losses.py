"""Loss functions over a batch of B samples, ŷ and y of shape (B, n_out).

Every loss is a batch mean of a per-sample sum over outputs, so ``mse`` of one sample with
one output is the lecture's L = (ŷ − y)² (docs/derivation.md). ``backward`` returns ∂L/∂ŷ
and ∂L/∂z of *this batch* L, so both already include the 1/B.
"""

from __future__ import annotations

import numpy as np

from mlpviz.engine.activations import Activation


class Loss:
    name: str = ""
    title: str = ""
    formula: str = ""
    #: the output activation this loss requires, if any
    requires: str | None = None

    def value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    def per_sample(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The loss of each sample, (B,)."""
        raise NotImplementedError

    def grad_output(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """∂L/∂ŷ for the batch, (B, n_out)."""
        raise NotImplementedError

    def backward(
        self, z: np.ndarray, a: np.ndarray, y: np.ndarray, act: Activation
    ) -> tuple[np.ndarray, np.ndarray]:
        """(∂L/∂ŷ, ∂L/∂z) at the output layer."""
        da = self.grad_output(a, y)
        return da, act.backward(z, a, da)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MSE(Loss):
    name, title = "mse", "Mean squared error"
    formula = "L = (1/B) Σ_b Σ_k (ŷ − y)²"

    def per_sample(self, z, a, y):
        d = a - y
        return np.sum(d * d, axis=1)

    def value(self, z, a, y):
        return float(np.mean(self.per_sample(z, a, y)))

    def grad_output(self, a, y):
        return (2.0 / a.shape[0]) * (a - y)


class HalfMSE(MSE):
    name, title = "mse_half", "Half mean squared error"
    formula = "L = (1/B) Σ_b Σ_k ½(ŷ − y)²"

    def per_sample(self, z, a, y):
        return 0.5 * super().per_sample(z, a, y)

    def grad_output(self, a, y):
        return (1.0 / a.shape[0]) * (a - y)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


class BCE(Loss):
    """Binary cross-entropy on a sigmoid output, computed from z for stability."""

    name, title = "bce", "Binary cross-entropy"
    formula = "L = −(1/B) Σ_b Σ_k [y log ŷ + (1 − y) log(1 − ŷ)]"
    requires = "sigmoid"

    def per_sample(self, z, a, y):
        # −log σ(z) = softplus(−z), −log(1 − σ(z)) = softplus(z)
        return np.sum(y * _softplus(-z) + (1.0 - y) * _softplus(z), axis=1)

    def value(self, z, a, y):
        return float(np.mean(self.per_sample(z, a, y)))

    def grad_output(self, a, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (a - y) / (a * (1.0 - a) * a.shape[0])

    @staticmethod
    def grad_from_z(z: np.ndarray, y: np.ndarray) -> np.ndarray:
        """∂L/∂ŷ from the logits: (ŷ − y) / (ŷ(1 − ŷ)) = (1 − y)/(1 − ŷ) − y/ŷ with
        1/ŷ = 1 + e⁻ᶻ and 1/(1 − ŷ) = 1 + eᶻ, so it stays finite where ŷ rounds to 0 or 1
        (z = 50, y = 1 gives −1, not NaN); infinite only where the true value overflows."""
        with np.errstate(over="ignore", invalid="ignore"):
            up, down = 1.0 + np.exp(z), 1.0 + np.exp(-z)
            first = np.where(y == 1.0, 0.0, (1.0 - y) * up)
            second = np.where(y == 0.0, 0.0, y * down)
        return (first - second) / z.shape[0]

    def backward(self, z, a, y, act):
        return self.grad_from_z(z, y), (a - y) / a.shape[0]


class CrossEntropy(Loss):
    """Categorical cross-entropy on a softmax output; y one-hot (or a distribution)."""

    name, title = "cross_entropy", "Cross-entropy"
    formula = "L = −(1/B) Σ_b Σ_k y_k log p_k"
    requires = "softmax"

    def per_sample(self, z, a, y):
        m = z.max(axis=1, keepdims=True)
        log_p = z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
        return -np.sum(y * log_p, axis=1)

    def value(self, z, a, y):
        return float(np.mean(self.per_sample(z, a, y)))

    def grad_output(self, a, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(y != 0, -y / (a * a.shape[0]), 0.0)

    @staticmethod
    def grad_from_z(z: np.ndarray, y: np.ndarray) -> np.ndarray:
        """∂L/∂pₖ = −yₖ/pₖ from the logits, 1/pₖ = exp(−log pₖ): finite wherever the true
        value is, even where pₖ underflows to 0."""
        m = z.max(axis=1, keepdims=True)
        log_p = z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
        with np.errstate(over="ignore", invalid="ignore"):
            inv_p = np.exp(-log_p)
            return np.where(y != 0, -y * inv_p, 0.0) / z.shape[0]

    def backward(self, z, a, y, act):
        return self.grad_from_z(z, y), (a - y) / a.shape[0]


_CLASSES: dict[str, type[Loss]] = {c.name: c for c in (MSE, HalfMSE, BCE, CrossEntropy)}
NAMES: tuple[str, ...] = tuple(_CLASSES)


class LossError(ValueError):
    """An unknown loss or a loss paired with an output activation it cannot take."""


def get(spec: str | Loss) -> Loss:
    if isinstance(spec, Loss):
        return spec
    if not isinstance(spec, str) or spec not in _CLASSES:
        raise LossError(f"unknown loss {spec!r}; choose one of: {', '.join(NAMES)}")
    return _CLASSES[spec]()


def check_pair(loss: Loss, output: Activation) -> None:
    """Raise LossError if ``loss`` cannot sit on an output layer with ``output``."""
    if loss.requires is not None and output.name != loss.requires:
        raise LossError(
            f"loss {loss.name!r} needs a {loss.requires} output layer, not {output.name!r}"
        )
    if output.name == "softmax" and loss.name not in ("cross_entropy", "mse", "mse_half"):
        raise LossError(f"a softmax output cannot be trained with {loss.name!r}")
