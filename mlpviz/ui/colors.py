"""The one diverging colour scale of mlpviz, and the themes that carry it.

Every signed quantity (weights, activations, gradients, data values, map images) is drawn
on the same scale: orange for negative, a neutral grey for zero, blue for positive. A value
``v`` with scale ``s`` maps to the fraction ``clip(v / s, -1, 1)`` of the way from the
neutral to the signed end colour, interpolated linearly in sRGB; magnitudes beyond ``s``
are clamped, and the legend shows ``s``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from PySide6.QtGui import QColor


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


@dataclass(frozen=True)
class Theme:
    """Colours (``#rrggbb`` strings) and type scale of one look of the app.

    ``neg``/``neutral``/``pos`` are the three anchors of the diverging scale.
    ``dashed_negative`` asks views to draw negative edges dashed, a cue that does not
    depend on colour. ``font_scale`` multiplies every font size (presenter mode).
    """

    name: str
    background: str
    foreground: str
    muted: str
    grid: str
    neutral: str
    neg: str
    pos: str
    accent: str
    error: str
    panel: str
    dashed_negative: bool = False
    font_scale: float = 1.0

    def qcolor(self, field: str, alpha: int = 255) -> QColor:
        """The named colour field (e.g. ``"muted"``) as a QColor with the given alpha."""
        c = QColor(getattr(self, field))
        c.setAlpha(alpha)
        return c

    @cached_property
    def anchors(self) -> np.ndarray:
        """(3, 3) float64 RGB of neg, neutral, pos in 0..255."""
        return np.array([_rgb(self.neg), _rgb(self.neutral), _rgb(self.pos)], dtype=np.float64)

    @cached_property
    def anchor_tuples(self) -> tuple[tuple[int, int, int], ...]:
        """((r, g, b) of neg, neutral, pos) as plain ints, for per-value colours."""
        return _rgb(self.neg), _rgb(self.neutral), _rgb(self.pos)

    @cached_property
    def dark(self) -> bool:
        r, g, b = _rgb(self.background)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128


LIGHT = Theme(
    name="light",
    background="#ffffff",
    foreground="#23282d",
    muted="#6b7580",
    grid="#dde1e4",
    neutral="#e8eaeb",
    neg="#f59322",
    pos="#0877bd",
    accent="#7b2fbe",
    error="#c62828",
    panel="#f5f6f7",
)

DARK = Theme(
    name="dark",
    background="#1d2125",
    foreground="#e9ecef",
    muted="#98a2ad",
    grid="#30363c",
    neutral="#3a3f44",
    neg="#f59322",
    pos="#2b93d9",
    accent="#d5a6ff",
    error="#ff6b6b",
    panel="#262b30",
)

COLORBLIND = Theme(
    name="colorblind",
    background="#ffffff",
    foreground="#1f2328",
    muted="#66707a",
    grid="#dde1e4",
    neutral="#e6e6e6",
    neg="#e66100",
    pos="#1a5fa8",
    accent="#000000",
    error="#b00020",
    panel="#f5f6f7",
    dashed_negative=True,
)

THEMES: dict[str, Theme] = {t.name: t for t in (LIGHT, DARK, COLORBLIND)}


def fraction(values: np.ndarray | float, scale: float) -> np.ndarray:
    """Signed position on the scale, ``clip(v / scale, -1, 1)``; NaN maps to 0."""
    s = float(scale) if scale > 0 else 1.0
    if isinstance(values, (float, int, np.floating, np.integer)):  # one number: no arrays
        f = float(values) / s
        return np.float64(0.0 if f != f else (-1.0 if f < -1.0 else (1.0 if f > 1.0 else f)))
    f = np.clip(np.asarray(values, dtype=np.float64) / s, -1.0, 1.0)
    return np.nan_to_num(f, nan=0.0)


def diverging_rgba(values: np.ndarray | float, scale: float, theme: Theme = LIGHT) -> np.ndarray:
    """Colours of ``values`` (any shape ...) on the diverging scale: (..., 4) uint8 RGBA."""
    f = fraction(values, scale)[..., None]
    neg, mid, pos = theme.anchors
    rgb = mid + np.where(f < 0, -f * (neg - mid), f * (pos - mid))
    out = np.empty(f.shape[:-1] + (4,), dtype=np.uint8)
    out[..., :3] = np.rint(rgb)
    out[..., 3] = 255
    return out


def diverging(value: float, scale: float, theme: Theme = LIGHT) -> QColor:
    """The colour of one value on the diverging scale (same result as diverging_rgba)."""
    f = float(value) / (float(scale) if scale > 0 else 1.0)
    f = 0.0 if f != f else max(-1.0, min(1.0, f))
    neg, mid, pos = theme.anchor_tuples
    end, a = (neg, -f) if f < 0 else (pos, f)
    return QColor(round(mid[0] + a * (end[0] - mid[0])), round(mid[1] + a * (end[1] - mid[1])),
                  round(mid[2] + a * (end[2] - mid[2])))


def lut(theme: Theme = LIGHT, n: int = 256) -> np.ndarray:
    """(n, 4) uint8 lookup table from −scale (row 0) through 0 to +scale (row n − 1).

    Meant for pyqtgraph's ``ImageItem.setLookupTable`` with ``levels=(-scale, scale)``.
    """
    if n < 2:
        raise ValueError(f"a lookup table needs at least 2 entries, got {n}")
    return diverging_rgba(np.linspace(-1.0, 1.0, n), 1.0, theme)


def auto_scale(values: np.ndarray | float) -> float:
    """A robust max |v| of the finite values: the max for up to 100 values, else the
    99th percentile (so one outlier does not wash out the rest). Never 0: an empty or
    all-zero input gives 1.0."""
    v = np.abs(np.asarray(values, dtype=np.float64)).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return 1.0
    m = float(v.max()) if v.size <= 100 else float(np.percentile(v, 99.0))
    return m if m > 1e-12 else 1.0


def nice_ceil(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ᵏ that is ≥ x (> 0): a legend-friendly clamp."""
    if not math.isfinite(x) or x <= 0:
        return 1.0
    k = math.floor(math.log10(x))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        v = m * 10.0**k
        if v >= x * (1 - 1e-9):
            return v
    return 10.0 ** (k + 1)


def luminance(c: QColor) -> float:
    """Relative luminance 0..1 (sRGB weights), to pick readable text on a fill."""
    return (0.2126 * c.red() + 0.7152 * c.green() + 0.0722 * c.blue()) / 255.0


def text_on(fill: QColor) -> QColor:
    """Dark or light text, whichever reads better on ``fill``."""
    return QColor("#ffffff") if luminance(fill) < 0.55 else QColor("#1a1d21")


def buckets(values: np.ndarray, scale: float, n: int = 12) -> np.ndarray:
    """Quantize values (k,) to signed buckets in −n..n by ``fraction(v, scale)``.

    Views draw one pen per bucket (colour and width depend only on the bucket), so many
    edges cost a few batched draw calls. Bucket 0 holds exact zeros only; any non-zero
    value lands in ±1 or beyond, so its sign always shows.
    """
    f = fraction(values, scale)
    q = np.ceil(np.abs(f) * n).astype(np.int64)
    return np.sign(f).astype(np.int64) * q
