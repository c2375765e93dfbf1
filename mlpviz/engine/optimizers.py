"""Optimizers that update a flat parameter vector in place: SGD, SGD + momentum, Adam.

The MLP keeps all its weights and biases in one flat array (see ``MLP.params``), so one
optimizer step is a handful of NumPy calls whatever the depth of the network.
Regularization adds λ·sign(w) (L1) or λ·w (L2) to the gradient of weights (never biases).
"""

from __future__ import annotations

import numpy as np

NAMES: tuple[str, ...] = ("sgd", "momentum", "adam")
REGULARIZATIONS: tuple[str, ...] = ("none", "l1", "l2")


class OptimizerError(ValueError):
    """Unknown optimizer or an out-of-range hyperparameter."""


def _check(name: str, value: float, lo: float, hi: float) -> float:
    is_number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )
    if not (is_number and np.isfinite(value) and lo <= value <= hi):
        raise OptimizerError(f"{name} must be a number in [{lo:g}, {hi:g}], got {value!r}")
    return float(value)


MAX_LEARNING_RATE = 1e9


def check_learning_rate(lr: float) -> float:
    """``lr`` as a float, or OptimizerError unless it is a finite number in [0, 1e9]."""
    return _check("learning rate", lr, 0.0, MAX_LEARNING_RATE)


def _restore(state: dict[str, np.ndarray], key: str, size: int) -> np.ndarray | None:
    """A saved state vector as a float array of ``size`` (None if absent)."""
    value = state.get(key)
    if value is None:
        return None
    arr = np.array(value)
    if arr.dtype.kind != "f" or arr.size != size:
        raise OptimizerError(
            f"optimizer state {key!r} holds {arr.size} values of {arr.dtype}; "
            f"expected {size} floats"
        )
    return arr.reshape(size)


class Optimizer:
    name = ""

    def __init__(self, lr: float = 0.1, regularization: str = "none", reg_rate: float = 0.0):
        self.lr = lr
        self.regularization = regularization
        self.reg_rate = reg_rate

    # hyperparameters are validated on every assignment
    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_learning_rate(value)

    @property
    def regularization(self) -> str:
        return self._reg

    @regularization.setter
    def regularization(self, value: str) -> None:
        if value not in REGULARIZATIONS:
            raise OptimizerError(
                f"unknown regularization {value!r}; choose one of: {', '.join(REGULARIZATIONS)}"
            )
        self._reg = value

    @property
    def reg_rate(self) -> float:
        return self._reg_rate

    @reg_rate.setter
    def reg_rate(self, value: float) -> None:
        self._reg_rate = _check("regularization rate", value, 0.0, 1e6)

    def regularize(self, params: np.ndarray, grads: np.ndarray, weight_mask: np.ndarray) -> None:
        """Add the regularization gradient to ``grads`` in place (weights only)."""
        if self._reg == "none" or self._reg_rate == 0.0:
            return
        term = np.sign(params) if self._reg == "l1" else params.copy()
        term *= weight_mask
        term *= self._reg_rate
        grads += term

    def penalty(self, params: np.ndarray, weight_mask: np.ndarray) -> float:
        """The regularization term added to the loss: λ Σ|w| or (λ/2) Σ w²."""
        if self._reg == "none" or self._reg_rate == 0.0:
            return 0.0
        w = params * weight_mask
        if self._reg == "l1":
            return float(self._reg_rate * np.abs(w).sum())
        return float(0.5 * self._reg_rate * (w * w).sum())

    def step(self, params: np.ndarray, grads: np.ndarray, weight_mask: np.ndarray) -> None:
        """Update ``params`` in place from ``grads`` (both flat, same shape)."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget accumulated state (momentum, moments)."""

    def config(self) -> dict[str, object]:
        return {
            "name": self.name,
            "lr": self.lr,
            "regularization": self.regularization,
            "reg_rate": self.reg_rate,
        }

    def state_dict(self) -> dict[str, np.ndarray]:
        return {}

    def load_state_dict(self, state: dict[str, np.ndarray], size: int) -> None:
        """Restore state saved by :meth:`state_dict` for a parameter vector of ``size``."""


class SGD(Optimizer):
    """w ← w − η g, or with momentum μ: v ← μ v + g; w ← w − η v."""

    name = "sgd"

    def __init__(self, lr: float = 0.1, momentum: float = 0.0, **kw: object):
        super().__init__(lr, **kw)  # type: ignore[arg-type]
        self.momentum = _check("momentum", momentum, 0.0, 0.9999)
        if self.momentum > 0:
            self.name = "momentum"
        self._v: np.ndarray | None = None
        self._tmp: np.ndarray | None = None

    def step(self, params, grads, weight_mask):
        self.regularize(params, grads, weight_mask)
        if self._tmp is None or self._tmp.shape != grads.shape or self._tmp.dtype != grads.dtype:
            self._tmp = np.empty_like(grads)
        if self.momentum > 0:
            if self._v is None or self._v.shape != grads.shape:
                self._v = np.zeros_like(grads)
            elif self._v.dtype != grads.dtype:
                self._v = self._v.astype(grads.dtype)
            self._v *= self.momentum
            self._v += grads
            np.multiply(self._v, self.lr, out=self._tmp)
        else:
            np.multiply(grads, self.lr, out=self._tmp)
        params -= self._tmp

    def reset(self):
        self._v = None

    def config(self):
        return {**super().config(), "momentum": self.momentum}

    def state_dict(self):
        return {} if self._v is None else {"v": self._v.copy()}

    def load_state_dict(self, state, size):
        self._v = _restore(state, "v", size)


class Adam(Optimizer):
    """Adam (Kingma & Ba, Algorithm 1): m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
    m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), w ← w − η m̂ / (√v̂ + ε)."""

    name = "adam"

    def __init__(
        self,
        lr: float = 0.01,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        **kw: object,
    ):
        super().__init__(lr, **kw)  # type: ignore[arg-type]
        self.beta1 = _check("beta1", beta1, 0.0, 0.9999)
        self.beta2 = _check("beta2", beta2, 0.0, 0.999999)
        self.eps = _check("eps", eps, 1e-12, 1.0)
        self.reset()

    def reset(self):
        self.t = 0
        self._m: np.ndarray | None = None
        self._v: np.ndarray | None = None

    def step(self, params, grads, weight_mask):
        self.regularize(params, grads, weight_mask)
        if self._m is None or self._v is None or self._m.shape != grads.shape:
            self._m = np.zeros_like(grads)
            self._v = np.zeros_like(grads)
        elif self._m.dtype != grads.dtype:
            self._m = self._m.astype(grads.dtype)
            self._v = self._v.astype(grads.dtype)
        self.t += 1
        self._m *= self.beta1
        self._m += (1.0 - self.beta1) * grads
        self._v *= self.beta2
        self._v += (1.0 - self.beta2) * (grads * grads)
        denom = self._v / (1.0 - self.beta2**self.t)
        np.sqrt(denom, out=denom)
        denom += self.eps
        m_hat = self._m / (1.0 - self.beta1**self.t)
        m_hat /= denom
        m_hat *= self.lr
        params -= m_hat

    def config(self):
        return {**super().config(), "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}

    def state_dict(self):
        if self._m is None:
            return {"t": np.array(self.t)}
        return {"t": np.array(self.t), "m": self._m.copy(), "v": self._v.copy()}  # type: ignore[union-attr]

    def load_state_dict(self, state, size):
        t = np.asarray(state.get("t", 0))
        if t.shape != () or t.dtype.kind not in "iu" or t < 0:
            raise OptimizerError(f"optimizer state 't' must be a step count >= 0, got {t!r}")
        m, v = _restore(state, "m", size), _restore(state, "v", size)
        if (m is None) != (v is None):
            raise OptimizerError("optimizer state holds only one of the moments 'm' and 'v'")
        self.t = int(t)
        self._m, self._v = m, v


def make(name: str = "sgd", lr: float = 0.1, **kw: object) -> Optimizer:
    """An optimizer by contract name: ``sgd``, ``momentum`` (μ = 0.9 unless given), ``adam``.

    Keywords are the hyperparameters of the class (``momentum``; ``beta1``, ``beta2``,
    ``eps``) and ``regularization`` / ``reg_rate``; anything else raises OptimizerError.
    """
    if name not in NAMES:
        raise OptimizerError(f"unknown optimizer {name!r}; choose one of: {', '.join(NAMES)}")
    if name == "momentum":
        kw.setdefault("momentum", 0.9)
    cls = Adam if name == "adam" else SGD
    try:
        return cls(lr, **kw)  # type: ignore[arg-type]
    except TypeError as exc:
        raise OptimizerError(f"bad settings for optimizer {name!r}: {exc}") from None


def from_config(config: dict[str, object]) -> Optimizer:
    """Inverse of :meth:`Optimizer.config`."""
    cfg = dict(config)
    name = cfg.pop("name", "sgd")
    if name == "sgd" and float(cfg.get("momentum", 0.0) or 0.0) > 0:  # type: ignore[arg-type]
        name = "momentum"
    if name not in ("sgd", "momentum"):
        cfg.pop("momentum", None)
    return make(str(name), **cfg)  # type: ignore[arg-type]
