"""Activation functions (docs/derivation.md), each one small object: f and f′ side by side.

Every activation maps a pre-activation array ``z`` (batch, n) to ``a = f(z)`` of the same
shape. ``backward(z, a, da)`` turns ∂L/∂a into ∂L/∂z; for the element-wise functions that is
``da * f′(z)``, for softmax it is the Jacobian-vector product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e⁻ᶻ), split by sign so that no exponential overflows and no
    1 − (almost 1) cancels: e = e^(−|z|), then 1 / (1 + e) for z ≥ 0 and e / (1 + e) for
    z < 0. Within 1e-13 relative of the exact value over z ∈ [−700, 700]."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


class Activation:
    """Base class. Subclasses set ``name``, ``title``, ``formula`` and ``derivative``."""

    name: str = ""
    title: str = ""
    formula: str = ""
    derivative: str = ""
    elementwise: bool = True

    def f(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def df(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """f′(z), given z and a = f(z) (whichever is cheaper to use)."""
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray, da: np.ndarray) -> np.ndarray:
        """∂L/∂z from ∂L/∂a, all (batch, n)."""
        return da * self.df(z, a)

    def params(self) -> dict[str, float]:
        """Parameters that define this activation besides its name (e.g. alpha)."""
        return {}

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}(name={self.name!r}{extra})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Activation)
            and self.name == other.name
            and self.params() == other.params()
        )

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params().items()))))


class Step(Activation):
    name, title = "step", "Step"
    formula = "step(z) = 1 if z ≥ 0 else 0"
    derivative = "step′(z) = 0 (no gradient flows back through a step)"

    def f(self, z):
        return (z >= 0).astype(z.dtype)

    def df(self, z, a):
        return np.zeros_like(z)


class Sigmoid(Activation):
    name, title = "sigmoid", "Sigmoid"
    formula = "σ(z) = 1 / (1 + e^(−z))"
    derivative = "σ′(z) = σ(z)(1 − σ(z))"

    def f(self, z):
        return sigmoid(z)

    def df(self, z, a):
        # σ(z)(1 − σ(z)) with 1 − σ(z) = σ(−z): accurate where σ(z) rounds to 1
        return a * sigmoid(-z)


class Tanh(Activation):
    name, title = "tanh", "Tanh"
    formula = "tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z))"
    derivative = "tanh′(z) = 1 − tanh²(z)"

    def f(self, z):
        return np.tanh(z)

    def df(self, z, a):
        return 1.0 - a * a


class ReLU(Activation):
    name, title = "relu", "ReLU"
    formula = "ReLU(z) = max(0, z)"
    derivative = "ReLU′(z) = 1 if z > 0 else 0"

    def f(self, z):
        return np.maximum(z, 0.0)

    def df(self, z, a):
        return (z > 0).astype(z.dtype)


@dataclass(eq=False, repr=False)
class LeakyReLU(Activation):
    alpha: float = 0.01
    name, title = "leaky_relu", "Leaky ReLU"
    formula = "LeakyReLU(z) = z if z > 0 else α·z"
    derivative = "LeakyReLU′(z) = 1 if z > 0 else α"

    def f(self, z):
        return np.where(z > 0, z, self.alpha * z)

    def df(self, z, a):
        return np.where(z > 0, 1.0, self.alpha).astype(z.dtype, copy=False)

    def params(self):
        return {"alpha": float(self.alpha)}


@dataclass(eq=False, repr=False)
class ELU(Activation):
    alpha: float = 1.0
    name, title = "elu", "ELU"
    formula = "ELU(z) = z if z > 0 else α(e^z − 1)"
    derivative = "ELU′(z) = 1 if z > 0 else α·e^z"

    def f(self, z):
        return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0.0)))

    def df(self, z, a):
        return np.where(z > 0, 1.0, self.alpha * np.exp(np.minimum(z, 0.0))).astype(
            z.dtype, copy=False
        )

    def params(self):
        return {"alpha": float(self.alpha)}


class Linear(Activation):
    name, title = "linear", "Linear (identity)"
    formula = "f(z) = z"
    derivative = "f′(z) = 1"

    def f(self, z):
        return z.copy()

    def df(self, z, a):
        return np.ones_like(z)

    def backward(self, z, a, da):
        return da.copy()


class Softmax(Activation):
    """Output layer only: p_k = e^(z_k) / Σ_j e^(z_j) over each row."""

    name, title = "softmax", "Softmax"
    formula = "softmax(z)ₖ = e^(zₖ) / Σⱼ e^(zⱼ)"
    derivative = "∂pₖ/∂zⱼ = pₖ(δₖⱼ − pⱼ)"
    elementwise = False

    def f(self, z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def df(self, z, a):
        """Diagonal of the Jacobian, p(1 − p) (the full Jacobian is used in backward)."""
        return a * (1.0 - a)

    def backward(self, z, a, da):
        return a * (da - np.sum(da * a, axis=-1, keepdims=True))


_CLASSES: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Step, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, Linear, Softmax)
}
NAMES: tuple[str, ...] = tuple(_CLASSES)
HIDDEN_NAMES: tuple[str, ...] = tuple(n for n in NAMES if n != "softmax")


class ActivationError(ValueError):
    """An unknown activation name or a bad parameter."""


def get(spec: str | Activation, **params: float) -> Activation:
    """An activation from its contract name (``"elu"``, ``alpha=0.5``) or an instance."""
    if isinstance(spec, Activation):
        if params:
            raise ActivationError("parameters are given twice (object and keywords)")
        return spec
    if not isinstance(spec, str) or spec not in _CLASSES:
        raise ActivationError(
            f"unknown activation {spec!r}; choose one of: {', '.join(NAMES)}"
        )
    cls = _CLASSES[spec]
    if params:
        if cls not in (LeakyReLU, ELU) or set(params) != {"alpha"}:
            raise ActivationError(f"activation {spec!r} takes no parameters {sorted(params)}")
        alpha = float(params["alpha"])
        if not np.isfinite(alpha) or abs(alpha) > 100:
            raise ActivationError(f"alpha must be a finite number in [-100, 100], got {alpha}")
        return cls(alpha=alpha)
    return cls()


def to_spec(act: Activation) -> dict[str, object]:
    """A JSON-able description, the inverse of :func:`from_spec`."""
    return {"name": act.name, **act.params()}


def from_spec(spec: object) -> Activation:
    """An activation from a name or a ``{"name": …, "alpha": …}`` mapping."""
    if isinstance(spec, dict):
        spec = dict(spec)
        name = spec.pop("name", None)
        return get(name, **spec)  # type: ignore[arg-type]
    return get(spec)  # type: ignore[arg-type]
