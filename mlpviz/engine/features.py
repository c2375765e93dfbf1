"""Input features computed from the raw coordinates (x1, x2), as in TensorFlow Playground.

A network's input layer sees the chosen features, one column each, in the order chosen.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

FEATURES: tuple[str, ...] = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
LABELS: dict[str, str] = {
    "x1": "x₁",
    "x2": "x₂",
    "x1^2": "x₁²",
    "x2^2": "x₂²",
    "x1*x2": "x₁·x₂",
    "sin(x1)": "sin x₁",
    "sin(x2)": "sin x₂",
}


class FeatureError(ValueError):
    """An invalid feature list or input array."""


def check_features(names: Sequence[str]) -> tuple[str, ...]:
    """``names`` as a tuple after checking it is a non-empty list of distinct FEATURES."""
    if isinstance(names, str):
        raise FeatureError(f"features must be a list of names, not the string {names!r}")
    chosen = tuple(names)
    if not chosen:
        raise FeatureError(f"choose at least one feature from: {', '.join(FEATURES)}")
    for name in chosen:
        if name not in FEATURES:
            raise FeatureError(f"unknown feature {name!r}; choose from: {', '.join(FEATURES)}")
    if len(set(chosen)) != len(chosen):
        twice = sorted({name for name in chosen if chosen.count(name) > 1})
        raise FeatureError(f"feature listed more than once: {', '.join(twice)}")
    return chosen


def apply_features(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Feature matrix (n, len(names)) from raw inputs ``X`` (n, 2).

    Keeps X's floating dtype (float32 stays float32); other dtypes give float64. Column j is
    feature ``names[j]``; one vectorized operation per column.
    """
    chosen = check_features(names)
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise FeatureError(f"X must have shape (n, 2); got {X.shape}")
    dtype = X.dtype if np.issubdtype(X.dtype, np.floating) else np.dtype(np.float64)
    x1 = X[:, 0].astype(dtype, copy=False)
    x2 = X[:, 1].astype(dtype, copy=False)
    out = np.empty((X.shape[0], len(chosen)), dtype=dtype)
    for j, name in enumerate(chosen):
        col = out[:, j]
        if name == "x1":
            col[:] = x1
        elif name == "x2":
            col[:] = x2
        elif name == "x1^2":
            np.multiply(x1, x1, out=col)
        elif name == "x2^2":
            np.multiply(x2, x2, out=col)
        elif name == "x1*x2":
            np.multiply(x1, x2, out=col)
        elif name == "sin(x1)":
            np.sin(x1, out=col)
        else:
            np.sin(x2, out=col)
    return out
