"""Geometry of the network diagram: where every neuron, edge, bias marker, label and the
loss node sit for a given widget size, which neurons of a wide layer are elided, and what
lies under the mouse. No painting and no Qt here: plain floats in widget pixels, y down.

Columns: column 0 holds the inputs (layer index −1), column l + 1 holds weight layer l
(layer 0 = first hidden layer, as in the engine). After the last column come the target
chips (one per output neuron) and the loss node.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_SHOWN = 16  # layers up to this width are drawn in full
HEAD, TAIL = 8, 7  # a wider layer shows its first HEAD and last TAIL neurons


def elide(n: int, max_shown: int = MAX_SHOWN, head: int = HEAD, tail: int = TAIL) -> np.ndarray:
    """Indices (m,) of the neurons drawn for a layer of n neurons."""
    if n <= max_shown:
        return np.arange(n)
    return np.concatenate([np.arange(head), np.arange(n - tail, n)])


@dataclass
class Column:
    """One layer of neurons. ``shown`` (m,) neuron indices and ``ys`` (m,) their centres."""

    layer: int
    size: int
    shown: np.ndarray
    x: float
    ys: np.ndarray
    more: int = 0
    more_y: float = 0.0

    def __post_init__(self) -> None:
        self.slot = np.full(self.size, -1, dtype=np.int64)
        self.slot[self.shown] = np.arange(self.shown.size)


class NetworkLayout:
    """Positions for a network of layer ``sizes`` (inputs first) in a width × height view.

    ``label_left`` / ``label_right`` are the widths of the longest input and output labels
    at scale 1 (measured by the caller, which knows the fonts; multiplied by :attr:`s`);
    ``font_scale`` scales text and margins; ``thumbnails`` reserves room for activation
    maps beside the hidden neurons.
    """

    def __init__(
        self,
        sizes: list[int],
        width: float,
        height: float,
        label_left: float = 24.0,
        label_right: float = 40.0,
        font_scale: float = 1.0,
        thumbnails: bool = False,
    ):
        if len(sizes) < 2:
            raise ValueError(f"a network layout needs at least 2 layer sizes, got {sizes}")
        self.sizes = [int(n) for n in sizes]
        self.width, self.height = float(width), float(height)
        s = min(self.width / 1280.0, self.height / 720.0)
        self.s = s = max(0.8, min(s, 3.0)) * font_scale
        self.top = 64.0 * s
        self.bottom = self.height - 70.0 * s
        self.title_y = self.bottom + 26.0 * s

        shown = [elide(n) for n in self.sizes]
        # an elided layer takes one extra slot for its "⋮ N more" label
        slots = max(sh.size + int(sh.size < n) for sh, n in zip(shown, self.sizes, strict=True))
        avail = max(self.bottom - self.top, 40.0)
        self.dy = dy = min(avail / slots, 190.0 * s)

        self.chip_w, self.chip_h = 58.0 * s, min(26.0 * s, 0.8 * dy)
        loss_w = 124.0 * s
        label_left, label_right = label_left * s, label_right * s
        left = 28.0 * s + label_left + 12.0 * s
        right_block = 34.0 * s + self.chip_w + 10.0 * s + label_right + 34.0 * s + loss_w
        right_block += 28.0 * s
        n_cols = len(self.sizes)
        span = max(self.width - right_block - left, 40.0 * n_cols)
        dx = span / max(n_cols - 1, 1)
        self.r = r = max(4.0, min(0.34 * dy, 0.16 * dx, 36.0 * s))
        xs = left + r + np.arange(n_cols) * max((span - 2 * r) / max(n_cols - 1, 1), 1.0)
        self.dx = float(xs[1] - xs[0]) if n_cols > 1 else dx
        self.thumb = min(2.3 * r, 0.9 * dy, 0.22 * self.dx) if thumbnails else 0.0
        self.bias = max(6.0, 0.42 * r)

        mid = 0.5 * (self.top + self.bottom)
        self.columns: list[Column] = []
        for c, (n, sh) in enumerate(zip(self.sizes, shown, strict=True)):
            elided = sh.size < n
            k = sh.size + (1 if elided else 0)
            slot_y = mid + (np.arange(k) - 0.5 * (k - 1)) * dy
            if elided:
                ys, more_y = np.delete(slot_y, HEAD), float(slot_y[HEAD])
            else:
                ys, more_y = slot_y, 0.0
            self.columns.append(Column(c - 1, n, sh, float(xs[c]), ys, n - sh.size, more_y))

        out = self.columns[-1]
        self.chip_x = out.x + r + 34.0 * s
        self.label_x = self.chip_x + self.chip_w + 10.0 * s
        self.brace_x = self.label_x + label_right + 12.0 * s
        oy = float(out.ys.mean())
        self.loss_rect = (self.brace_x + 22.0 * s, oy - 34.0 * s, loss_w, 68.0 * s)
        self.legend_rect = (self.width - 24.0 * s - 300.0 * s, 12.0 * s, 300.0 * s, 44.0 * s)

    # ---- positions ---------------------------------------------------------------------
    def column(self, layer: int) -> Column:
        """The column of weight layer ``layer`` (−1 = inputs)."""
        return self.columns[layer + 1]

    def pos(self, layer: int, i: int) -> tuple[float, float] | None:
        """Centre of neuron i of ``layer`` (−1 = inputs), or None when it is elided."""
        col = self.column(layer)
        k = int(col.slot[i])
        return None if k < 0 else (col.x, float(col.ys[k]))

    def bias_rect(self, layer: int, i: int) -> tuple[float, float, float, float] | None:
        """(x, y, w, h) of the bias marker of neuron i of weight layer ``layer``."""
        p = self.pos(layer, i)
        if p is None or layer < 0:
            return None
        b = self.bias
        return (p[0] - 0.72 * self.r - 0.5 * b, p[1] + 0.72 * self.r - 0.5 * b, b, b)

    def thumb_rect(self, layer: int, i: int) -> tuple[float, float, float, float] | None:
        """(x, y, w, h) of the activation-map thumbnail beside a hidden neuron (None when
        thumbnails are off, for inputs and outputs, and for elided neurons)."""
        p = self.pos(layer, i)
        if p is None or self.thumb <= 0 or not 0 <= layer < len(self.sizes) - 2:
            return None
        return (p[0] + self.r + 5.0 * self.s, p[1] - 0.5 * self.thumb, self.thumb, self.thumb)

    def chip_rect(self, k: int) -> tuple[float, float, float, float] | None:
        """(x, y, w, h) of the target chip of output neuron k."""
        p = self.pos(len(self.sizes) - 2, k)
        if p is None:
            return None
        return (self.chip_x, p[1] - 0.5 * self.chip_h, self.chip_w, self.chip_h)

    def edges(self, layer: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every drawable edge of weight layer ``layer`` between shown neurons:
        ``i`` (k,) target neuron, ``j`` (k,) source neuron, ``segs`` (k, 4) x0 y0 x1 y1
        from the source (column on the left) to the target."""
        src, dst = self.column(layer - 1), self.column(layer)
        ii, jj = np.meshgrid(dst.shown, src.shown, indexing="ij")
        yi, yj = np.meshgrid(dst.ys, src.ys, indexing="ij")
        segs = np.stack(
            [np.full(yj.size, src.x), yj.ravel(), np.full(yi.size, dst.x), yi.ravel()], axis=1
        )
        return ii.ravel(), jj.ravel(), segs

    def edge_midpoint(self, layer: int, i: int, j: int) -> tuple[float, float] | None:
        """Midpoint of the edge from neuron j of layer − 1 to neuron i of ``layer``."""
        a, b = self.pos(layer - 1, j), self.pos(layer, i)
        if a is None or b is None:
            return None
        return (0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1]))

    # ---- hit testing -------------------------------------------------------------------
    def hit_test(
        self, x: float, y: float, visible: dict[int, tuple[np.ndarray, np.ndarray]] | None = None
    ) -> tuple | None:
        """What lies under (x, y): ("bias", l, i), ("neuron", l, i), ("edge", l, i, j) or
        None. Bias markers win over neurons, neurons over edges. ``visible`` maps a layer
        to the (i, j) arrays of the edges actually drawn (default: all between shown)."""
        for col in self.columns[1:]:
            for i in col.shown:
                bx, by, bw, bh = self.bias_rect(col.layer, int(i))
                if bx - 2 <= x <= bx + bw + 2 and by - 2 <= y <= by + bh + 2:
                    return ("bias", col.layer, int(i))
        for col in self.columns:
            if abs(x - col.x) <= self.r + 2 and col.ys.size:
                d = np.hypot(x - col.x, y - col.ys)
                k = int(np.argmin(d))
                if d[k] <= self.r + 2:
                    return ("neuron", col.layer, int(col.shown[k]))
        best, best_d = None, max(5.0, 4.0 * self.s)
        for c in range(1, len(self.columns)):
            left, right = self.columns[c - 1].x, self.columns[c].x
            if not left < x < right:
                continue
            layer = c - 1
            ii, jj, segs = self.edges(layer)
            if visible is not None and layer in visible:
                keep = _pairs_in(ii, jj, *visible[layer])
                ii, jj, segs = ii[keep], jj[keep], segs[keep]
            if ii.size == 0:
                continue
            d = _segment_distance(x, y, segs)
            k = int(np.argmin(d))
            if d[k] < best_d:
                best, best_d = ("edge", layer, int(ii[k]), int(jj[k])), float(d[k])
        return best

    def hit_loss(self, x: float, y: float) -> bool:
        """Whether (x, y) is on the loss node."""
        lx, ly, lw, lh = self.loss_rect
        return lx <= x <= lx + lw and ly <= y <= ly + lh


def _pairs_in(ii: np.ndarray, jj: np.ndarray, vi: np.ndarray, vj: np.ndarray) -> np.ndarray:
    """Mask (k,) of the pairs (ii, jj) that occur among the pairs (vi, vj)."""
    base = int(max(jj.max(initial=0), np.max(vj, initial=0))) + 1
    return np.isin(ii.astype(np.int64) * base + jj, np.asarray(vi, np.int64) * base + vj)


def _segment_distance(x: float, y: float, segs: np.ndarray) -> np.ndarray:
    """Distance (k,) from the point to each segment of segs (k, 4)."""
    p0, p1 = segs[:, :2], segs[:, 2:]
    d = p1 - p0
    L2 = np.maximum((d * d).sum(axis=1), 1e-12)
    t = np.clip(((x - p0[:, 0]) * d[:, 0] + (y - p0[:, 1]) * d[:, 1]) / L2, 0.0, 1.0)
    q = p0 + t[:, None] * d
    return np.hypot(x - q[:, 0], y - q[:, 1])
