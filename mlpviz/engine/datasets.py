"""Toy 2-D datasets for teaching: XOR, circles, spirals, …, plus truth tables and a split.

Every generator is deterministic for a given seed (an ``int`` or a ``numpy.random.Generator``;
no global random state). Inputs are raw coordinates ``X`` (n, 2) in data units; the noise-free
shapes lie within [-1.2, 1.2] (XOR within [0, 1]) so that jitter of up to ~0.1 keeps points
inside [-1.5, 1.5]. ``noise`` is the standard deviation of Gaussian jitter added to each input
coordinate; labels and regression targets stay those of the noise-free point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

KINDS: tuple[str, ...] = ("binary", "multiclass", "regression")
NAMES: tuple[str, ...] = (
    "xor", "circle", "gaussian", "spiral", "moons", "linear",
    "spiral3", "blobs3", "plane", "multigauss",
)
CLASSIFICATION: tuple[str, ...] = NAMES[:8]
REGRESSION: tuple[str, ...] = NAMES[8:]
TITLES: dict[str, str] = {
    "xor": "XOR (four corners)",
    "circle": "Circle inside a ring",
    "gaussian": "Two Gaussian blobs",
    "spiral": "Two spirals",
    "moons": "Two moons",
    "linear": "Linearly separable",
    "spiral3": "Three spiral arms",
    "blobs3": "Three blobs",
    "plane": "Plane (regression)",
    "multigauss": "Gaussian bumps (regression)",
}
TRUTH_TABLES: tuple[str, ...] = ("and", "or", "xor", "nand")

MIN_SAMPLES = 4
MAX_SAMPLES = 100_000
_EXTENT = 1.2  # half-width of the noise-free input square


class DatasetError(ValueError):
    """A dataset request or a Dataset's arrays are invalid."""


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """Inputs and labels of one dataset; the arrays are read-only copies.

    ``X`` (n, 2) float64 raw inputs. ``y`` (n,): int64 class labels 0..n_classes-1 for
    ``kind`` "binary"/"multiclass", float64 targets for "regression" (``n_classes`` 1).
    ``class_names``: empty, or one display name per class (e.g. the text labels of a CSV
    file), class ``c`` named ``class_names[c]``.
    """

    X: np.ndarray
    y: np.ndarray
    kind: str
    n_classes: int
    name: str = "custom"
    class_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise DatasetError(f"kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        try:
            X = np.array(self.X, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise DatasetError(f"X must be a numeric array of shape (n, 2): {exc}") from None
        if X.ndim != 2 or X.shape[1] != 2:
            raise DatasetError(f"X must have shape (n, 2); got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise DatasetError("X holds NaN or infinite values")
        y_raw = np.asarray(self.y)
        if y_raw.shape != (X.shape[0],):
            raise DatasetError(f"y must have shape ({X.shape[0]},) to match X; got {y_raw.shape}")
        if y_raw.dtype == np.bool_ or not np.issubdtype(y_raw.dtype, np.number):
            raise DatasetError(f"y must be numeric; got dtype {y_raw.dtype}")
        y_float = y_raw.astype(np.float64)
        if not np.all(np.isfinite(y_float)):
            raise DatasetError("y holds NaN or infinite values")
        if self.kind == "regression":
            if self.n_classes != 1:
                raise DatasetError(f"regression needs n_classes 1; got {self.n_classes}")
            y = y_float
        else:
            self._check_classes(y_float)
            y = y_float.astype(np.int64)
        X.setflags(write=False)
        y.setflags(write=False)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "n_classes", int(self.n_classes))
        object.__setattr__(self, "class_names", self._checked_names())

    def _checked_names(self) -> tuple[str, ...]:
        names = self.class_names
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise DatasetError("class_names must be a sequence of strings")
        names = tuple(names)
        if names and (self.kind == "regression" or len(names) != self.n_classes):
            raise DatasetError(f"class_names must name each of the {self.n_classes} classes "
                               f"of a classification set; got {len(names)} names")
        if len(set(names)) != len(names):
            raise DatasetError("class_names must be different from each other")
        return names

    def _check_classes(self, y: np.ndarray) -> None:
        k = self.n_classes
        if isinstance(k, bool) or not isinstance(k, Integral):
            raise DatasetError(f"n_classes must be an integer; got {k!r}")
        if self.kind == "binary" and k != 2:
            raise DatasetError(f"binary needs n_classes 2; got {k}")
        if self.kind == "multiclass" and k < 3:
            raise DatasetError(f"multiclass needs n_classes >= 3; got {k}")
        if np.any(y != np.round(y)) or np.any(y < 0) or np.any(y >= k):
            raise DatasetError(f"class labels must be integers 0..{k - 1}")

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, kind={self.kind!r}, n={len(self)}, "
            f"n_classes={self.n_classes})"
        )

    def __len__(self) -> int:
        return int(self.X.shape[0])

    @property
    def is_classification(self) -> bool:
        return self.kind != "regression"

    @property
    def n_out(self) -> int:
        """Output neurons a network needs: k for multiclass, else 1."""
        return self.n_classes if self.kind == "multiclass" else 1

    @property
    def Y(self) -> np.ndarray:
        """Training targets (n, n_out) float64: 0/1 column, one-hot rows, or y[:, None]."""
        if self.kind == "multiclass":
            Y = np.zeros((len(self), self.n_classes))
            Y[np.arange(len(self)), self.y] = 1.0
            return Y
        return self.y.astype(np.float64)[:, None]

    def subset(self, idx: np.ndarray | list[int]) -> Dataset:
        """The rows ``idx`` (integer indices or a boolean mask of length n), in that order."""
        index = np.asarray(idx)
        if index.dtype == np.bool_:
            if index.shape != (len(self),):
                raise DatasetError(f"a boolean mask needs shape ({len(self)},); got {index.shape}")
        elif index.size == 0:
            index = index.astype(np.int64)
        elif not np.issubdtype(index.dtype, np.integer):
            raise DatasetError(f"subset indices must be integers; got dtype {index.dtype}")
        elif index.ndim != 1 or index.min() < -len(self) or index.max() >= len(self):
            raise DatasetError(f"subset indices must be a 1-D array within 0..{len(self) - 1}")
        return Dataset(self.X[index], self.y[index], self.kind, self.n_classes, self.name,
                       self.class_names)


def _rng(seed: int | np.random.Generator) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise DatasetError(f"seed must be a non-negative integer or a Generator; got {seed!r}")
    return np.random.default_rng(int(seed))


def _counts(n: int, k: int) -> list[int]:
    """Balanced class sizes: n split into k counts that differ by at most one."""
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _truncated_normal(rng: np.random.Generator, shape: tuple[int, ...], std: float) -> np.ndarray:
    """Normal samples with the given std, redrawn until all lie within 3 std."""
    out = rng.normal(0.0, std, shape)
    bad = np.abs(out) > 3 * std
    while bad.any():
        out[bad] = rng.normal(0.0, std, int(bad.sum()))
        bad = np.abs(out) > 3 * std
    return out


def _polar(r: np.ndarray, theta: np.ndarray) -> np.ndarray:
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)])


def _xor(rng: np.random.Generator, counts: list[int]) -> np.ndarray:
    corners = (((0.0, 0.0), (1.0, 1.0)), ((0.0, 1.0), (1.0, 0.0)))
    parts = []
    for c, m in enumerate(counts):
        first = (m + 1) // 2
        parts.append(np.array([corners[c][0]] * first + [corners[c][1]] * (m - first)))
    return np.concatenate(parts).reshape(-1, 2)


def _circle(rng: np.random.Generator, counts: list[int]) -> np.ndarray:
    ring = (0.8 ** 2, _EXTENT ** 2)  # class 0: the ring 0.8 <= r <= 1.2
    disk = (0.0, 0.5 ** 2)  # class 1: the disk r <= 0.5
    parts = []
    for (lo, hi), m in zip((ring, disk), counts, strict=True):
        r = np.sqrt(rng.uniform(lo, hi, m))  # uniform over the area
        parts.append(_polar(r, rng.uniform(0.0, 2 * np.pi, m)))
    return np.concatenate(parts)


def _blobs(rng: np.random.Generator, counts: list[int], centres: np.ndarray,
           std: float) -> np.ndarray:
    parts = [c + _truncated_normal(rng, (m, 2), std) for c, m in zip(centres, counts, strict=True)]
    return np.concatenate(parts)


def _gaussian(rng: np.random.Generator, counts: list[int]) -> np.ndarray:
    return _blobs(rng, counts, np.array([[-0.6, -0.6], [0.6, 0.6]]), 0.2)


def _blobs3(rng: np.random.Generator, counts: list[int]) -> np.ndarray:
    angles = np.radians([90.0, 210.0, 330.0])
    return _blobs(rng, counts, _polar(np.full(3, 0.7), angles), 0.16)


def _arms(rng: np.random.Generator, counts: list[int], turns: float) -> np.ndarray:
    """Interleaved spiral arms r = 1.2 t, θ = 2π (turns·t + c/k), t spread evenly along arc."""
    k = len(counts)
    parts = []
    for c, m in enumerate(counts):
        t = np.sqrt(rng.uniform(0.02, 1.0, m))
        parts.append(_polar(_EXTENT * t, 2 * np.pi * (turns * t + c / k)))
    return np.concatenate(parts)


def _spiral(rng: np.random.Generator, counts: list[int]) -> np.ndarray:
    return _arms(rng, counts, 1.5)


def _spiral3(rng: np.random.Generator, counts: list[int]) -> np.ndarray:
    return _arms(rng, counts, 1.25)


def _moons(rng: np.random.Generator, counts: list[int]) -> np.ndarray:
    upper = rng.uniform(0.0, np.pi, counts[0])
    lower = rng.uniform(0.0, np.pi, counts[1])
    top = np.column_stack([np.cos(upper) - 0.5, np.sin(upper) - 0.25])
    bottom = np.column_stack([0.5 - np.cos(lower), 0.25 - np.sin(lower)])
    return 0.8 * np.concatenate([top, bottom])


def _linear(rng: np.random.Generator, counts: list[int]) -> np.ndarray:
    """Class 1 above, class 0 below the line through 0 at 30°, keeping a 0.3 wide gap."""
    normal = np.array([-np.sin(np.radians(30.0)), np.cos(np.radians(30.0))])
    margin = 0.15
    parts = []
    for sign, m in zip((-1.0, 1.0), counts, strict=True):
        kept = np.empty((0, 2))
        while len(kept) < m:
            cand = rng.uniform(-_EXTENT, _EXTENT, (3 * m + 8, 2))
            kept = np.concatenate([kept, cand[sign * (cand @ normal) > margin]])
        parts.append(kept[:m])
    return np.concatenate(parts)


def _plane(X: np.ndarray) -> np.ndarray:
    return 0.5 * X[:, 0] + 0.3 * X[:, 1]


_BUMPS = np.array([[-0.6, 0.6, 1.0], [0.6, -0.6, 1.0], [0.6, 0.6, -1.0], [-0.6, -0.6, -1.0]])


def _multigauss(X: np.ndarray) -> np.ndarray:
    """Σ s_i exp(−|x − c_i|² / (2·0.35²)) over four bumps of sign s_i = ±1."""
    d2 = ((X[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=2)
    return (_BUMPS[:, 2] * np.exp(-d2 / (2 * 0.35 ** 2))).sum(axis=1)


_CLASSIFIERS: dict[str, tuple[int, Callable[[np.random.Generator, list[int]], np.ndarray]]] = {
    "xor": (2, _xor), "circle": (2, _circle), "gaussian": (2, _gaussian),
    "spiral": (2, _spiral), "moons": (2, _moons), "linear": (2, _linear),
    "spiral3": (3, _spiral3), "blobs3": (3, _blobs3),
}
_REGRESSORS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "plane": _plane, "multigauss": _multigauss,
}


def make(name: str, n: int = 200, noise: float = 0.0,
         seed: int | np.random.Generator = 0) -> Dataset:
    """Generate ``n`` samples of dataset ``name`` (one of NAMES), rows in shuffled order.

    Classification sets have balanced classes (counts differ by at most one). ``noise`` is
    the std of Gaussian jitter on the inputs, in data units (0..0.5 is a sensible range).
    For one seed, every noise level jitters the same clean points in the same directions,
    so a noise slider moves points smoothly instead of reshuffling them.
    """
    if name not in NAMES:
        raise DatasetError(f"unknown dataset {name!r}; choose one of: {', '.join(NAMES)}")
    if isinstance(n, bool) or not isinstance(n, Integral):
        raise DatasetError(f"n must be an integer; got {n!r}")
    if not MIN_SAMPLES <= n <= MAX_SAMPLES:
        raise DatasetError(f"n must be within {MIN_SAMPLES}..{MAX_SAMPLES}; got {n}")
    if isinstance(noise, bool) or not isinstance(noise, Real) or not np.isfinite(noise) \
            or noise < 0:
        raise DatasetError(f"noise must be a finite number >= 0; got {noise!r}")
    rng = _rng(seed)
    n = int(n)
    if name in _CLASSIFIERS:
        k, generate = _CLASSIFIERS[name]
        counts = _counts(n, k)
        X = generate(rng, counts)
        y = np.repeat(np.arange(k), counts)
        kind = "binary" if k == 2 else "multiclass"
    else:
        X = rng.uniform(-_EXTENT, _EXTENT, (n, 2))
        y = _REGRESSORS[name](X)
        k, kind = 1, "regression"
    order = rng.permutation(n)
    jitter = rng.standard_normal((n, 2))  # drawn for any noise: same seed, same clean points
    return Dataset(X[order] + float(noise) * jitter, y[order], kind, k, name)


def train_test_split(ds: Dataset, train_fraction: float = 0.5,
                     seed: int | np.random.Generator = 0) -> tuple[Dataset, Dataset]:
    """Split ``ds`` into (train, test), each keeping the original row order.

    The train part holds about ``round(train_fraction · n)`` rows. For classification the
    split is stratified: each class is divided in that proportion, and while
    ``train_fraction`` < 1 every class with at least two samples appears in both parts.
    ``train_fraction`` == 1 gives an empty test set.
    """
    if isinstance(train_fraction, bool) or not isinstance(train_fraction, Real) \
            or not 0.0 < train_fraction <= 1.0:
        raise DatasetError(f"train_fraction must be in (0, 1]; got {train_fraction!r}")
    rng = _rng(seed)
    f = float(train_fraction)
    n = len(ds)
    groups = [np.flatnonzero(ds.y == c) for c in range(ds.n_classes)] \
        if ds.is_classification else [np.arange(n)]
    sizes = np.array([len(g) for g in groups])
    n_train = _train_sizes(sizes, f, round(f * n))
    train = [rng.permutation(g)[:m] for g, m in zip(groups, n_train, strict=True)]
    mask = np.zeros(n, dtype=bool)
    mask[np.concatenate(train).astype(np.int64)] = True
    return ds.subset(mask), ds.subset(~mask)


def _train_sizes(sizes: np.ndarray, f: float, total: int) -> list[int]:
    """Train rows per group: ``total`` shared out by largest remainder; while f < 1 each
    group with two or more rows keeps at least one in each part."""
    if f == 1.0:
        return [int(s) for s in sizes]
    exact = sizes * f
    take = np.floor(exact).astype(np.int64)
    spare = total - int(take.sum())
    by_remainder = np.argsort(-(exact - take), kind="stable")
    take[by_remainder[:max(spare, 0)]] += 1
    low = np.minimum(sizes, 1)  # a lone sample goes to train
    high = np.maximum(sizes - 1, low)
    return [int(t) for t in np.clip(take, low, high)]


def truth_table(name: str) -> Dataset:
    """The four rows of gate ``name`` ("and", "or", "xor", "nand") on {0,1}², in the order
    (0,0), (0,1), (1,0), (1,1)."""
    outputs = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "xor": [0, 1, 1, 0], "nand": [1, 1, 1, 0]}
    if name not in outputs:
        raise DatasetError(
            f"unknown truth table {name!r}; choose one of: {', '.join(TRUTH_TABLES)}"
        )
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return Dataset(X, np.array(outputs[name]), "binary", 2, name)
