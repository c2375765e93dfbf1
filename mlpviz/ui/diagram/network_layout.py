"""Geometry of the network diagram: where every neuron, edge, bias marker, label and the
loss node sit for a given widget size, which neurons of a wide layer are elided, and what
lies under the mouse. No painting and no Qt here: plain floats in widget pixels, y down.

Columns: column 0 holds the inputs (layer index −1), column l + 1 holds weight layer l
(layer 0 = first hidden layer, as in the engine). After the last column come the target
chips (one per output neuron) and the loss node.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MAX_SHOWN = 16  # layers up to this width are drawn in full
HEAD, TAIL = 8, 7  # a wider layer shows its first HEAD and last TAIL neurons
R_MAX = 62.0  # largest neuron radius at scale 1
LABEL_GROW = 1.7  # input and output labels grow with the neurons up to this factor
TITLE_H = 46.0  # room for the two title lines under the neurons, at scale 1


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

    Columns are spread evenly over the width. The target chips and the loss node follow
    the output column: beside it, one column gap further right, when that gap is wide
    enough, else stacked under the chips (``loss_below``) when there is room below the
    outputs, else squeezed beside them. Column titles sit just under the lowest neuron,
    and the diagram with its titles is centred vertically.
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
        self.width, self.height = w, h = float(width), float(height)
        # text scale: by area (a 1280 × 720 view is 1), never far beyond either side
        area = math.sqrt(max(w, 1.0) * max(h, 1.0) / (1280.0 * 720.0))
        self.s = s = max(0.8, min(area, 1.6 * w / 1280.0, 1.6 * h / 720.0, 3.0)) * font_scale
        shown = [elide(n) for n in self.sizes]
        # an elided layer takes one extra slot for its "⋮ N more" label
        ks = [sh.size + int(sh.size < n) for sh, n in zip(shown, self.sizes, strict=True)]
        slots = max(ks)

        # vertical: caption and legend on top, titles under the neurons
        head, foot, title_h = 62.0 * s, 8.0 * s, TITLE_H * s
        room_v = h - head - foot - title_h  # for the neurons and a stacked loss node
        self.dy = dy = max(min(room_v / slots, 250.0 * s), 8.0)

        # horizontal: input labels, the columns, then chips, output labels and loss
        self.n_cols, self.ks, self.room_v = len(self.sizes), ks, room_v
        self._labels = (label_left * s, label_right * s)
        # the largest radius that is at most a fixed share of the spacing it leaves
        share = 0.17 if thumbnails else 0.22
        lo, hi = 4.0, max(4.0, min(0.36 * dy, R_MAX * s))
        if share * self._spacing(hi)[0] >= hi:
            lo = hi
        else:
            for _ in range(24):
                mid_r = 0.5 * (lo + hi)
                lo, hi = (mid_r, hi) if share * self._spacing(mid_r)[0] >= mid_r else (lo, mid_r)
        r = lo
        dx, tail = self._spacing(r)
        self.r, self.dx = r, dx
        xs = self.left + r + np.arange(self.n_cols) * dx
        self.thumb = min(2.3 * r, 0.9 * dy, 0.3 * dx) if thumbnails else 0.0
        self.bias = max(6.0, 0.42 * r)

        # vertical placement: the block of neurons (and a stacked loss node) plus titles
        half = 0.5 * (slots - 1) * dy + r
        out_half = 0.5 * (ks[-1] - 1) * dy
        loss_drop = out_half + max(0.5 * self.chip_h, r) + 14.0 * s
        below = max(half, loss_drop + self.loss_h) if self.loss_below else half
        block = half + below + title_h
        mid = head + max(0.0, 0.5 * (h - head - foot - block)) + half
        self.top, self.bottom = mid - 0.5 * slots * dy, mid + 0.5 * slots * dy
        self.title_y = mid + below + 18.0 * s  # centre of the first title line

        self.columns: list[Column] = []
        for c, (n, sh) in enumerate(zip(self.sizes, shown, strict=True)):
            elided = sh.size < n
            k = ks[c]
            slot_y = mid + (np.arange(k) - 0.5 * (k - 1)) * dy
            if elided:
                ys, more_y = np.delete(slot_y, HEAD), float(slot_y[HEAD])
            else:
                ys, more_y = slot_y, 0.0
            self.columns.append(Column(c - 1, n, sh, float(xs[c]), ys, n - sh.size, more_y))

        out = self.columns[-1]
        loss_right, loss_w = out.x + tail, self.loss_w
        if self.loss_below:
            self.chip_x = out.x + r + 14.0 * s
            self.label_x = self.chip_x + self.chip_w + 6.0 * s
            self.brace_x = out.x + tail - 4.0 * s
            self.loss_rect = (self.brace_x - 12.0 * s - loss_w, mid + loss_drop,
                              loss_w, self.loss_h)
        else:
            self.brace_x = loss_right - loss_w - 14.0 * s
            # the chips and labels sit in the middle of the gap before the brace
            start = out.x + r + 14.0 * s
            free = self.brace_x - 8.0 * s - start - (self.chip_w + 6.0 * s + self.lab)
            self.chip_x = start + 0.5 * max(free, 0.0)
            self.label_x = self.chip_x + self.chip_w + 6.0 * s
            oy = float(out.ys.mean())
            self.loss_rect = (loss_right - loss_w, oy - 0.5 * self.loss_h, loss_w, self.loss_h)

    def _spacing(self, r: float) -> tuple[float, float]:
        """Column spacing dx and the tail (output centre .. loss right edge) for neuron
        radius r; sets the label scale, chip and loss node sizes and :attr:`loss_below`."""
        s, dy, n_cols = self.s, self.dy, self.n_cols
        # input and output labels grow with big neurons (up to LABEL_GROW times)
        self.label_scale = min(max(0.4 * r / (12.5 * s), 1.0), LABEL_GROW)
        self.lab = self._labels[1] * self.label_scale
        self.left = 10.0 * s + self._labels[0] * self.label_scale + 8.0 * s
        self.chip_h = min(max(0.8 * r, 22.0 * s), 40.0 * s, 0.8 * dy)
        self.chip_w = 2.4 * self.chip_h
        self.loss_w = loss_w = max(84.0 * s, 3.0 * r)
        self.loss_h = max(0.56 * loss_w, 56.0 * s)
        span = self.width - 10.0 * s - self.left - r  # first column centre .. right edge
        chips = 14.0 * s + self.chip_w + 6.0 * s + self.lab + 8.0 * s  # output edge .. brace
        beside = r + chips + 14.0 * s + loss_w  # output centre .. loss right edge
        stacked = r + max(chips, 4.0 * s + loss_w + 12.0 * s) + 4.0 * s
        gaps = max(n_cols - 1, 1)
        dx_even = (span - 0.5 * loss_w) / n_cols  # loss centre one gap past the output
        self.loss_below = False
        if dx_even >= beside - 0.5 * loss_w:
            return max(dx_even, 1.0), dx_even + 0.5 * loss_w
        dx_stacked = (span - stacked) / gaps
        slots, ks = max(self.ks), self.ks
        drop = 0.5 * (ks[-1] - 1) * dy + max(0.5 * self.chip_h, r) + 14.0 * s
        fits = drop + self.loss_h <= self.room_v - (0.5 * (slots - 1) * dy + r)
        self.loss_below = fits and dx_stacked > dx_even
        if self.loss_below:
            return max(dx_stacked, 1.0), stacked
        return max((span - beside) / gaps, 1.0), beside

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
