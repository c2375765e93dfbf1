"""Vectorized marching squares: the level set of a sampled 2-D field as line segments.

Pure NumPy; the map plot draws the result as one path with ``connect="pairs"``.
"""

from __future__ import annotations

import numpy as np

# Cell corners: a = (i, j) bottom-left, b = (i, j+1) bottom-right, c = (i+1, j+1) top-right,
# d = (i+1, j) top-left; case bit k is set when that corner lies above the level (a=1, b=2,
# c=4, d=8). Edges: 0 bottom a–b, 1 right b–c, 2 top d–c, 3 left a–d. Each case lists up to
# two segments as edge pairs; -1 = no segment. Cases 5 and 10 are the saddles resolved with
# the cell's mean value: rows 16 and 17 are their alternatives used when the mean is above.
_SEGMENTS = np.full((18, 2, 2), -1, dtype=np.intp)
for _case, _segs in {
    1: [(3, 0)], 2: [(0, 1)], 3: [(3, 1)], 4: [(1, 2)],
    5: [(3, 0), (1, 2)], 6: [(0, 2)], 7: [(3, 2)], 8: [(2, 3)],
    9: [(0, 2)], 10: [(0, 1), (2, 3)], 11: [(1, 2)], 12: [(3, 1)],
    13: [(0, 1)], 14: [(3, 0)],
    16: [(0, 1), (2, 3)],  # case 5, a and c joined through the centre
    17: [(3, 0), (1, 2)],  # case 10, b and d joined through the centre
}.items():
    _SEGMENTS[_case, : len(_segs)] = _segs


def _crossing(v0: np.ndarray, v1: np.ndarray, level: float) -> np.ndarray:
    """Fraction 0..1 along an edge from v0 to v1 where the field equals ``level``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (level - v0) / (v1 - v0)
    return np.clip(np.nan_to_num(t, nan=0.5, posinf=0.5, neginf=0.5), 0.0, 1.0)


def contour_segments(
    values: np.ndarray, level: float, xs: np.ndarray, ys: np.ndarray
) -> np.ndarray:
    """Segments of the curve ``values == level``.

    ``values`` (ny, nx) samples the field at (xs[j], ys[i]); ``xs`` (nx,) and ``ys`` (ny,)
    are increasing coordinates. Returns (2m, 2) float64 points in data coordinates: rows
    2k and 2k+1 are the ends of segment k (draw with ``connect="pairs"``). Empty when the
    level is never crossed. Raises ValueError on mismatched shapes.
    """
    v = np.asarray(values, dtype=np.float64)
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    if v.ndim != 2 or v.shape != (ys.size, xs.size):
        raise ValueError(
            f"values must have shape (len(ys), len(xs)) = ({ys.size}, {xs.size}); got {v.shape}"
        )
    if v.shape[0] < 2 or v.shape[1] < 2:
        return np.empty((0, 2))
    above = v > level
    case = (above[:-1, :-1] * 1 + above[:-1, 1:] * 2 + above[1:, 1:] * 4
            + above[1:, :-1] * 8)
    i, j = np.nonzero((case != 0) & (case != 15))  # only cells the curve passes through
    case = case[i, j]
    a, b, c, d = v[i, j], v[i, j + 1], v[i + 1, j + 1], v[i + 1, j]
    centre_above = (a + b + c + d) * 0.25 > level
    case = np.where((case == 5) & centre_above, 16, case)
    case = np.where((case == 10) & centre_above, 17, case)
    x0, x1, y0, y1 = xs[j], xs[j + 1], ys[i], ys[i + 1]
    edge_x = np.stack([x0 + _crossing(a, b, level) * (x1 - x0), x1,
                       x0 + _crossing(d, c, level) * (x1 - x0), x0])
    edge_y = np.stack([y0, y0 + _crossing(b, c, level) * (y1 - y0),
                       y1, y0 + _crossing(a, d, level) * (y1 - y0)])
    cells = np.arange(case.size)
    pieces = []
    for k in range(2):
        edges = _SEGMENTS[case, k]
        hit = edges[:, 0] >= 0
        e0, e1, idx = edges[hit, 0], edges[hit, 1], cells[hit]
        seg = np.empty((idx.size, 2, 2))
        seg[:, 0, 0], seg[:, 0, 1] = edge_x[e0, idx], edge_y[e0, idx]
        seg[:, 1, 0], seg[:, 1, 1] = edge_x[e1, idx], edge_y[e1, idx]
        pieces.append(seg.reshape(-1, 2))
    return np.concatenate(pieces)
