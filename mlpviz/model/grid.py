"""What the network does to the input plane: neuron maps and the hidden-layer space.

*Maps*: every neuron's activation over a regular grid of the 2-D input plane, all layers
from one vectorized forward pass (the features are computed on the grid first).

*Hidden space* (the "space transformation" of docs/derivation.md): the training points and a grid of
lines of the input plane, pushed through the network up to layer l and drawn in that layer's
space — directly for a 2-neuron layer, as (a, 0) for one neuron, and projected on the two
principal components of the data otherwise. The projection is kept stable while training:
each component's sign (and the order of the two) follows the previous projection, so the
picture moves smoothly instead of flipping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlpviz.engine.features import apply_features
from mlpviz.engine.mlp import MLP
from mlpviz.model.config import SettingsError

MAX_MAP_RESOLUTION = 512
MAX_MAP_VALUES = 64_000_000  # resolution² × neurons kept in memory at once
MAX_SPACE_RESOLUTION = 101

Extent = tuple[float, float, float, float]


@dataclass(frozen=True)
class GridMaps:
    """Activations over the input plane.

    ``xs`` (res,) and ``ys`` (res,) are the grid coordinates (data units). ``inputs``
    (res, res, n_in) are the network inputs (features) and ``layers[l]`` (res, res, n_l)
    the activations a⁽ˡ⁾ of weight layer l (the last is the output). Entry [j, i, k] is
    neuron k at the point (xs[i], ys[j]): rows run along y, like an image with y up.
    All arrays are read-only (a session hands the same maps to every caller).
    """

    xs: np.ndarray
    ys: np.ndarray
    inputs: np.ndarray
    layers: list[np.ndarray]
    extent: Extent


@dataclass(frozen=True)
class HiddenSpace:
    """The data and the warped input grid in the space of weight layer ``layer``.

    ``points`` (n, 2) training samples; ``labels`` (n,) their classes (int) or targets
    (float); ``grid_lines`` polylines (m, 2) of the input grid (first the lines of constant
    y, then those of constant x; empty when the inputs are not 2-D points);
    ``axes_labels`` the two axis titles; ``projection`` "direct", "line" (one neuron: x =
    its activation, y = 0) or "pca" with ``explained`` the share of the data's variance
    each principal component carries (1.0, 0.0 for the others).
    """

    layer: int
    points: np.ndarray
    labels: np.ndarray
    grid_lines: list[np.ndarray]
    axes_labels: tuple[str, str]
    projection: str
    explained: tuple[float, float]


def check_resolution(resolution: int, low: int, high: int) -> int:
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) \
            or not low <= int(resolution) <= high:
        raise SettingsError(f"resolution must be an integer in {low}..{high}, got {resolution!r}")
    return int(resolution)


def grid_maps(
    net: MLP,
    feature_names: Sequence[str],
    extent: Extent,
    resolution: int = 100,
    dtype: type | np.dtype = np.float32,
) -> GridMaps:
    """Every neuron's activation on a resolution × resolution grid over ``extent``
    (xmin, xmax, ymin, ymax), in one forward pass computed in ``dtype``."""
    res = check_resolution(resolution, 2, MAX_MAP_RESOLUTION)
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise SettingsError(f"maps are computed in float32 or float64, not {dt}")
    if res * res * sum(net.sizes) > MAX_MAP_VALUES:
        raise SettingsError(
            f"maps of {sum(net.sizes)} neurons at {res}×{res} need too much memory; "
            "lower the resolution"
        )
    xs = np.linspace(extent[0], extent[1], res)
    ys = np.linspace(extent[2], extent[3], res)
    plane = np.empty((res, res, 2), dtype=dt)
    with np.errstate(over="ignore", invalid="ignore"):  # absurd data ranges overflow float32
        plane[:, :, 0] = xs[None, :]
        plane[:, :, 1] = ys[:, None]
        inputs = apply_features(plane.reshape(-1, 2), feature_names)
    acts = net.activations_of(inputs, dt)
    for a in (xs, ys, inputs, *acts):
        a.setflags(write=False)  # shared from the session's cache
    layers = [a.reshape(res, res, -1) for a in acts]
    return GridMaps(xs, ys, inputs.reshape(res, res, -1), layers, extent)


def grid_polylines(extent: Extent, resolution: int) -> list[np.ndarray]:
    """``resolution`` lines of constant y, then ``resolution`` of constant x, across
    ``extent``; each (m, 2) with m = 4·(resolution − 1) + 1 points so warped lines bend
    smoothly."""
    x0, x1, y0, y1 = extent
    m = 4 * (resolution - 1) + 1
    tx, ty = np.linspace(x0, x1, m), np.linspace(y0, y1, m)
    lines = [np.column_stack([tx, np.full(m, y)]) for y in np.linspace(y0, y1, resolution)]
    lines += [np.column_stack([np.full(m, x), ty]) for x in np.linspace(x0, x1, resolution)]
    return lines


def pca_basis(a: np.ndarray, previous: np.ndarray | None) -> tuple[np.ndarray, np.ndarray,
                                                                 tuple[float, float]]:
    """(mean (n_l,), basis (2, n_l), explained) of the two main directions of a (n, n_l).

    Signs and order follow ``previous`` (2, n_l) when given; otherwise each component's
    largest entry is made positive. Deterministic for the same input.
    """
    mean = a.mean(axis=0)
    centred = a - mean
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    basis = vt[:2].copy()
    if basis.shape[0] < 2:
        basis = np.vstack([basis, np.zeros((2 - basis.shape[0], a.shape[1]))])
    var = s**2
    total = float(var.sum())
    explained = tuple(float(v / total) if total > 0 else 0.0 for v in
                      np.concatenate([var, [0.0, 0.0]])[:2])
    if previous is not None and previous.shape == basis.shape:
        keep = abs(basis[0] @ previous[0]) + abs(basis[1] @ previous[1])
        swap = abs(basis[0] @ previous[1]) + abs(basis[1] @ previous[0])
        if swap > keep:
            basis = basis[::-1].copy()
            explained = (explained[1], explained[0])
        signs = np.where(np.sum(basis * previous, axis=1) < 0, -1.0, 1.0)
    else:
        biggest = basis[np.arange(2), np.argmax(np.abs(basis), axis=1)]
        signs = np.where(biggest < 0, -1.0, 1.0)
    return mean, basis * signs[:, None], (explained[0], explained[1])


def hidden_space(
    net: MLP,
    layer: int,
    inputs: np.ndarray,
    labels: np.ndarray,
    feature_names: Sequence[str] | None,
    extent: Extent | None,
    resolution: int = 21,
    previous: np.ndarray | None = None,
) -> tuple[HiddenSpace, np.ndarray | None]:
    """The space of weight layer ``layer`` (0 = first hidden layer).

    ``inputs`` (n, n_in) are the network inputs of the training data. With
    ``feature_names`` and ``extent`` the input plane's grid lines are mapped too. Returns
    the HiddenSpace and the PCA basis used (None unless projected), to pass back as
    ``previous`` next time.
    """
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) \
            or not 0 <= layer < net.n_layers:
        raise SettingsError(f"layer must be an integer in 0..{net.n_layers - 1}, got {layer!r}")
    res = check_resolution(resolution, 2, MAX_SPACE_RESOLUTION)
    lines: list[np.ndarray] = []
    if feature_names is not None and extent is not None:
        lines = grid_polylines(extent, res)
        grid_in = apply_features(np.concatenate(lines), feature_names)
        batch = np.concatenate([inputs, grid_in])
    else:
        batch = inputs
    a = net.activations_of(batch, np.float64)[layer]
    n = inputs.shape[0]
    width = a.shape[1]
    basis = None
    if width == 1:
        coords = np.column_stack([a[:, 0], np.zeros(len(a))])
        axes, projection, explained = ("a₁", ""), "line", (1.0, 0.0)
    elif width == 2:
        coords = a
        axes, projection, explained = ("a₁", "a₂"), "direct", (1.0, 1.0)
    else:
        mean, basis, explained = pca_basis(a[:n] if n >= 2 else a, previous)
        coords = (a - mean) @ basis.T
        axes = (f"PC 1 ({explained[0]:.0%})", f"PC 2 ({explained[1]:.0%})")
        projection = "pca"
    m = lines[0].shape[0] if lines else 0
    warped = [coords[n + i * m : n + (i + 1) * m] for i in range(len(lines))]
    space = HiddenSpace(
        layer=int(layer),
        points=coords[:n].copy(),
        labels=np.asarray(labels),
        grid_lines=warped,
        axes_labels=axes,
        projection=projection,
        explained=explained,
    )
    return space, basis
