"""The data a session trains on: raw points, split, features, targets and labels.

A :class:`SessionData` is immutable (all its arrays are read-only), so snapshots share it.
It comes either from a raw 2-D Dataset (generated or custom) split by the DataConfig, or
from arrays of network inputs given directly (``Session.from_arrays``), which may have any
number of columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from mlpviz.engine import datasets, features
from mlpviz.engine.datasets import Dataset
from mlpviz.engine.mlp import MAX_LAYER_SIZE, MLP
from mlpviz.model.config import CUSTOM, MAX_SAMPLES, DataConfig, SettingsError

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
MAX_ABS_VALUE = 1e6  # data coordinates, network inputs and targets stay within ±this


def check_bounded(name: str, a: np.ndarray) -> None:
    """SettingsError naming the first row of ``a`` whose magnitude passes MAX_ABS_VALUE
    (the maps, the plots and the training all work in a range where ±1e308 breaks)."""
    if a.size == 0:
        return
    big = np.abs(a) > MAX_ABS_VALUE
    if big.any():
        row = int(np.argwhere(big)[0][0])
        raise SettingsError(f"{name} holds a value beyond ±{MAX_ABS_VALUE:,.0f} (first at row "
                            f"{row}); rescale the data")


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64 if a.dtype.kind == "f" else a.dtype)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class SessionData:
    """``raw_*`` (n, d) inputs before features (2-D points when ``extent`` is set);
    ``X_*`` (n, n_in) network inputs; ``Y_*`` (n, n_out) float64 targets; ``labels_*`` (n,)
    class indices (int64) or, for regression, the first target column; ``threshold`` the
    output value from which a binary prediction is class 1. ``dataset``/``train_set``/
    ``test_set`` are raw 2-D Datasets when the data has them (``dataset`` None for arrays).
    """

    dataset: Dataset | None
    train_set: Dataset | None
    test_set: Dataset | None
    raw_train: np.ndarray
    raw_test: np.ndarray
    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    labels_train: np.ndarray
    labels_test: np.ndarray
    kind: str
    threshold: float
    feature_names: tuple[str, ...]
    input_labels: tuple[str, ...]
    extent: tuple[float, float, float, float] | None

    @property
    def n_in(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def n_out(self) -> int:
        return int(self.Y_train.shape[1])

    @property
    def from_arrays(self) -> bool:
        return self.dataset is None

    def with_train_points(self, raw: np.ndarray, labels: np.ndarray) -> SessionData:
        """The same data with the training set's 2-D points and class labels replaced
        (points added or removed on the map); the test set is kept. SettingsError when
        the data has no 2-D points to edit or the labels are not its classes."""
        if self.train_set is None or self.test_set is None or self.kind == "regression":
            raise SettingsError("points can be added on the map only to 2-D classification "
                                "data")
        raw = np.asarray(raw, dtype=np.float64).reshape(-1, 2)
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        if len(raw) < 2:
            raise SettingsError("the training set needs at least two points")
        if len(raw) + len(self.test_set) > MAX_SAMPLES:
            raise SettingsError(f"at most {MAX_SAMPLES} points in all")
        k = self.train_set.n_classes
        try:
            train = Dataset(raw, labels, self.kind, k, self.train_set.name,
                            self.train_set.class_names)
            everything = Dataset(np.vstack([raw, self.test_set.X]),
                                 np.concatenate([labels, self.test_set.y]), self.kind, k,
                                 self.train_set.name, self.train_set.class_names)
        except datasets.DatasetError as exc:
            raise SettingsError(str(exc)) from None
        names = self.feature_names
        return replace(
            self, dataset=everything, train_set=train, raw_train=_frozen(train.X),
            X_train=_frozen(_inputs(train.X, names) if names else train.X),
            Y_train=_frozen(train.Y), labels_train=_frozen(train.y),
            extent=_extent(everything.X),
        )

    def evaluate(self, net: MLP, X: np.ndarray, Y: np.ndarray,
                 labels: np.ndarray) -> tuple[float, float | None]:
        """(loss, accuracy) of ``net`` on X (n, n_in) against Y (n, n_out); accuracy is
        None for regression. Binary: output ≥ threshold means class 1; multiclass: argmax."""
        out = net.forward(X).layers[-1]
        with np.errstate(all="ignore"):
            loss = net.loss.value(out.z, out.a, Y)
        if self.kind == "regression":
            return loss, None
        if self.kind == "binary":
            predicted = (out.a[:, 0] >= self.threshold).astype(np.int64)
        else:
            predicted = np.argmax(out.a, axis=1)
        return loss, float(np.mean(predicted == labels))

    def rebuilt(self, old: DataConfig, dc: DataConfig) -> SessionData:
        """This data under new settings ``dc`` (it had ``old``): a new dataset, seed, split
        or features."""
        if dc.dataset != CUSTOM:
            return generate(dc)
        if old.dataset != CUSTOM:
            raise SettingsError("custom data comes from a CSV file, arrays or a lesson; "
                                "choose a generated dataset by name instead")
        if self.dataset is not None:
            if dc.n != len(self.dataset) or dc.noise != 0.0:
                raise SettingsError("n and noise apply to generated datasets, not custom data")
            return from_dataset(self.dataset, dc)
        n_train = len(self.raw_train)
        if dc.n != n_train + len(self.raw_test) or dc.train_fraction != n_train / dc.n \
                or dc.noise != 0.0:
            raise SettingsError("data given as arrays keeps its own size, split and noise")
        if self.raw_train.shape[1] != 2 and dc.features:
            raise SettingsError("features need 2-D points; these inputs have "
                                f"{self.raw_train.shape[1]} columns")
        if self.raw_train.shape[1] == 2 and not dc.features:
            raise SettingsError(f"choose at least one feature from: "
                                f"{', '.join(features.FEATURES)}")
        return _arrays_data(self.raw_train, self.Y_train, self.raw_test, self.Y_test,
                            dc.features)


def _extent(points: np.ndarray) -> tuple[float, float, float, float]:
    """A square around ``points`` (n, 2) with a margin of 10 % of the larger span per side."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    centre = (lo + hi) / 2
    span = float(np.max(hi - lo))
    half = 0.6 * (span if span > 1e-9 else 1.0)
    return (float(centre[0] - half), float(centre[0] + half),
            float(centre[1] - half), float(centre[1] + half))


def _inputs(raw: np.ndarray, names: Sequence[str]) -> np.ndarray:
    return features.apply_features(raw, names) if names else raw


def generate(dc: DataConfig) -> SessionData:
    """Generated dataset ``dc.dataset`` with ``dc.n`` samples, ``dc.noise`` and ``dc.seed``."""
    try:
        ds = datasets.make(dc.dataset, dc.n, dc.noise, dc.seed)
    except datasets.DatasetError as exc:
        raise SettingsError(str(exc)) from None
    return from_dataset(ds, dc)


def from_dataset(ds: Dataset, dc: DataConfig) -> SessionData:
    """Split the raw 2-D ``ds`` by ``dc.train_fraction`` (seed ``dc.seed``) and compute the
    features ``dc.features``."""
    if not dc.features:
        raise SettingsError(f"choose at least one feature from: {', '.join(features.FEATURES)}")
    check_bounded("the data's points", ds.X)
    check_bounded("the data's targets", ds.y)
    try:
        train, test = datasets.train_test_split(ds, dc.train_fraction, seed=dc.seed)
    except datasets.DatasetError as exc:
        raise SettingsError(str(exc)) from None
    return SessionData(
        dataset=ds, train_set=train, test_set=test,
        raw_train=_frozen(train.X), raw_test=_frozen(test.X),
        X_train=_frozen(_inputs(train.X, dc.features)), Y_train=_frozen(train.Y),
        X_test=_frozen(_inputs(test.X, dc.features)), Y_test=_frozen(test.Y),
        labels_train=_frozen(train.y), labels_test=_frozen(test.y),
        kind=ds.kind, threshold=0.5, feature_names=tuple(dc.features),
        input_labels=tuple(features.LABELS[f] for f in dc.features), extent=_extent(ds.X),
    )


def _matrix(name: str, a: object, rows: int | None = None) -> np.ndarray:
    try:
        m = np.array(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{name} must be a numeric array: {exc}") from None
    if m.ndim == 1 and name.startswith("Y"):
        m = m[:, None]
    if m.ndim != 2 or m.shape[0] < 1 or not 1 <= m.shape[1] <= MAX_LAYER_SIZE:
        raise SettingsError(f"{name} must have shape (n, k) with n ≥ 1 and k in "
                            f"1..{MAX_LAYER_SIZE}, got {m.shape}")
    if rows is not None and m.shape[0] != rows:
        raise SettingsError(f"{name} has {m.shape[0]} rows but its inputs have {rows}")
    bad = ~np.isfinite(m)
    if bad.any():
        row = int(np.argwhere(bad)[0][0])
        raise SettingsError(f"{name} holds NaN or infinity (first at row {row})")
    check_bounded(name, m)
    return m


def _targets(Y: np.ndarray) -> tuple[str, np.ndarray, float]:
    """(kind, labels, threshold) inferred from targets Y (n, k)."""
    if Y.shape[1] == 1:
        values = set(np.unique(Y).tolist())
        if values <= {0.0, 1.0}:
            return "binary", Y[:, 0].astype(np.int64), 0.5
        if values <= {-1.0, 1.0}:
            return "binary", (Y[:, 0] > 0).astype(np.int64), 0.0
        return "regression", Y[:, 0].copy(), 0.5
    one_hot = np.isin(Y, (0.0, 1.0)).all() and (Y.sum(axis=1) == 1.0).all()
    if one_hot:
        return "multiclass", np.argmax(Y, axis=1).astype(np.int64), 0.5
    return "regression", Y[:, 0].copy(), 0.5


def _display_set(raw: np.ndarray, labels: np.ndarray, kind: str, k: int) -> Dataset | None:
    """A raw 2-D Dataset for drawing the points, when the data can be one."""
    if len(raw) == 0 or raw.shape[1] != 2:
        return None
    if kind == "regression":
        return Dataset(raw, labels, "regression", 1) if k == 1 else None
    n_classes = max(k, 2)
    return Dataset(raw, labels, "binary" if n_classes == 2 else "multiclass", n_classes)


def _arrays_data(X: np.ndarray, Y: np.ndarray, Xt: np.ndarray, Yt: np.ndarray,
                 names: Sequence[str]) -> SessionData:
    kind, labels, threshold = _targets(np.concatenate([Y, Yt]))
    n = len(X)
    d = X.shape[1]
    k = Y.shape[1]
    planar = d == 2
    if names:
        shown = tuple(features.LABELS[f] for f in names)
    else:
        shown = tuple(f"x{i + 1}".translate(_SUBSCRIPTS) for i in range(d))
    return SessionData(
        dataset=None,
        train_set=_display_set(X, labels[:n], kind, k),
        test_set=_display_set(Xt, labels[n:], kind, k),
        raw_train=_frozen(X), raw_test=_frozen(Xt),
        X_train=_frozen(_inputs(X, names)), Y_train=_frozen(Y),
        X_test=_frozen(_inputs(Xt, names)), Y_test=_frozen(Yt),
        labels_train=_frozen(labels[:n]), labels_test=_frozen(labels[n:]),
        kind=kind, threshold=threshold,
        feature_names=tuple(names) if names else tuple(f"x{i + 1}" for i in range(d)),
        input_labels=shown,
        extent=_extent(np.concatenate([X, Xt])) if planar else None,
    )


def from_arrays(X: object, Y: object, X_test: object = None,
                Y_test: object = None) -> tuple[SessionData, DataConfig]:
    """Data from network inputs X (n, d) and targets Y (n,) or (n, k), optionally a test
    set; SettingsError naming the array for NaN/infinity, bad shapes or too many rows."""
    Xm = _matrix("X", X)
    Ym = _matrix("Y", Y, rows=len(Xm))
    if (X_test is None) != (Y_test is None):
        raise SettingsError("give both X_test and Y_test, or neither")
    if X_test is None:
        Xt = np.empty((0, Xm.shape[1]))
        Yt = np.empty((0, Ym.shape[1]))
    else:
        Xt = _matrix("X_test", X_test)
        Yt = _matrix("Y_test", Y_test, rows=len(Xt))
        if Xt.shape[1] != Xm.shape[1] or Yt.shape[1] != Ym.shape[1]:
            raise SettingsError(
                f"the test arrays have {Xt.shape[1]} inputs and {Yt.shape[1]} targets per "
                f"row; the training arrays have {Xm.shape[1]} and {Ym.shape[1]}"
            )
    total = len(Xm) + len(Xt)
    if total > MAX_SAMPLES:
        raise SettingsError(f"at most {MAX_SAMPLES} samples in all, got {total}")
    names = ("x1", "x2") if Xm.shape[1] == 2 else ()
    dc = DataConfig(dataset=CUSTOM, n=total, noise=0.0, train_fraction=len(Xm) / total,
                    features=names, seed=0)
    return _arrays_data(Xm, Ym, Xt, Yt, names), dc
