"""The single step perceptron of docs/derivation.md and Rosenblatt's learning rule.

ŷ = step(w·x + b) with step(s) = 1 if s ≥ 0 else 0 — the same step as the activation
``step`` (docs/derivation.md), so a point exactly on the line is class 1 everywhere.
Learning goes one sample at a time: w ← w + η (y − ŷ) x, b ← b + η (y − ŷ), so nothing
changes when the sample is already right. It converges on linearly separable data (AND,
OR) and cycles for ever on XOR.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


class PerceptronError(ValueError):
    """Bad sizes, learning rate, inputs or labels."""


@dataclass
class PerceptronResult:
    """What :meth:`Perceptron.fit` did.

    ``epochs``: passes run; ``errors_per_epoch[k]``: samples misclassified (and so
    updated) during pass k; ``history[k]``: (w (n_in,), b) before pass k, plus the final
    weights at the end, so ``len(history) == epochs + 1``.
    """

    converged: bool
    epochs: int
    errors_per_epoch: list[int] = field(default_factory=list)
    history: list[tuple[np.ndarray, float]] = field(default_factory=list)


class Perceptron:
    """One neuron with a step activation, trained by the perceptron rule.

    ``w`` (n_in,) is drawn uniformly from [−0.5, 0.5] with ``seed`` unless given; ``b``
    starts at the given value.
    """

    def __init__(
        self,
        n_in: int,
        lr: float = 1.0,
        seed: int | np.random.Generator = 0,
        w: np.ndarray | None = None,
        b: float = 0.0,
    ):
        if isinstance(n_in, bool) or not isinstance(n_in, (int, np.integer)) or n_in < 1:
            raise PerceptronError(f"n_in must be a whole number >= 1, got {n_in!r}")
        self.n_in = int(n_in)
        if not (isinstance(lr, (int, float)) and np.isfinite(lr) and lr > 0):
            raise PerceptronError(f"learning rate must be a finite number > 0, got {lr!r}")
        self.lr = float(lr)
        if w is None:
            rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
            self.w = rng.uniform(-0.5, 0.5, self.n_in)
        else:
            self.w = self._vector(w, "w")
        if not (isinstance(b, (int, float, np.number)) and np.isfinite(b)):
            raise PerceptronError(f"b must be a finite number, got {b!r}")
        self.b = float(b)

    def _vector(self, x: object, what: str) -> np.ndarray:
        arr = np.array(x, dtype=np.float64) if _is_numeric(x) else None
        if arr is None or arr.shape != (self.n_in,) or not np.isfinite(arr).all():
            raise PerceptronError(f"{what} must be {self.n_in} finite numbers, got {x!r}")
        return arr

    def _matrix(self, x: object) -> np.ndarray:
        arr = np.array(x, dtype=np.float64) if _is_numeric(x) else None
        if arr is not None and arr.ndim == 1:
            arr = arr[None, :]
        if arr is None or arr.ndim != 2 or arr.shape[1] != self.n_in:
            raise PerceptronError(f"inputs must have shape (n, {self.n_in})")
        if not np.isfinite(arr).all():
            raise PerceptronError("inputs hold NaN or infinity")
        return arr

    @staticmethod
    def _labels(y: object, n: int) -> np.ndarray:
        arr = np.asarray(y).reshape(-1) if _is_numeric(y) else None
        if arr is None or arr.shape != (n,) or not np.isin(arr, (0, 1)).all():
            raise PerceptronError(f"labels must be {n} values, each 0 or 1")
        return arr.astype(np.int64)

    def net_input(self, x: np.ndarray) -> np.ndarray:
        """s = w·x + b for x (n, n_in) → (n,)."""
        return self._matrix(x) @ self.w + self.b

    def predict(self, x: np.ndarray) -> np.ndarray:
        """ŷ = step(w·x + b) ∈ {0, 1} for x (n, n_in) (or one sample (n_in,)) → (n,) ints."""
        return (self.net_input(x) >= 0).astype(np.int64)

    def update(self, x: np.ndarray, y: int) -> bool:
        """Apply the rule for one sample x (n_in,) with label y ∈ {0, 1}.

        Returns True if the sample was misclassified, i.e. w and b changed.
        """
        return self._learn(self._vector(x, "x"), int(self._labels(y, 1)[0]))

    def _learn(self, x: np.ndarray, y: int) -> bool:
        error = y - int(float(x @ self.w) + self.b >= 0)
        if error == 0:
            return False
        self.w = self.w + self.lr * error * x
        self.b = self.b + self.lr * error
        return True

    def epoch(self, x: np.ndarray, y: np.ndarray) -> int:
        """One pass over x (n, n_in) and labels y (n,) in order; returns the errors made."""
        xs = self._matrix(x)
        ys = self._labels(y, xs.shape[0])
        return sum(self._learn(xi, int(yi)) for xi, yi in zip(xs, ys, strict=True))

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        """Fraction of samples of x (n, n_in) classified as y (n,)."""
        xs = self._matrix(x)
        return float(np.mean(self.predict(xs) == self._labels(y, xs.shape[0])))

    def fit(self, x: np.ndarray, y: np.ndarray, max_epochs: int = 100) -> PerceptronResult:
        """Run epochs until one makes no error (converged) or ``max_epochs`` have run."""
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, (int, np.integer)):
            raise PerceptronError(f"max_epochs must be a whole number, got {max_epochs!r}")
        if max_epochs < 1:
            raise PerceptronError(f"max_epochs must be >= 1, got {max_epochs}")
        xs = self._matrix(x)
        ys = self._labels(y, xs.shape[0])
        result = PerceptronResult(converged=False, epochs=0)
        result.history.append((self.w.copy(), self.b))
        while result.epochs < max_epochs and not result.converged:
            errors = self.epoch(xs, ys)
            result.epochs += 1
            result.errors_per_epoch.append(errors)
            result.history.append((self.w.copy(), self.b))
            result.converged = errors == 0
        return result


def _is_numeric(value: object) -> bool:
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except (TypeError, ValueError):
        return False
