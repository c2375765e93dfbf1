"""A small plot of a neuron's activation f and its slope f′, with the neuron's z marked.

The curve f (solid), the derivative f′ (dashed, accent colour) over a z range that always
contains the current z, a dot at (z, f(z)), and the tangent line through it with slope
f′(z) — the number the backward pass multiplies by. A flat tangent shows saturation; for a
step (f′ = 0 everywhere) the note explains why no gradient flows.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from mlpviz.engine.activations import Activation
from mlpviz.model.notation.mathtext import fmt_text
from mlpviz.ui.colors import LIGHT, Theme

SAMPLES = 241
#: f′(z) below this is called saturated (the sigmoid's maximum slope is 0.25)
SATURATED = 0.02


class ActivationInset(QWidget):
    """f and f′ of one activation with z, f(z) and the tangent of slope f′(z)."""

    def __init__(self, theme: Theme = LIGHT, parent: QWidget | None = None):
        super().__init__(parent)
        self._theme = theme
        self._act: Activation | None = None
        self._name = "f"
        self._z: float | None = None
        self._a = 0.0
        self._slope = 0.0
        self._curve_cache: tuple[tuple, tuple] | None = None  # (key, _curves())
        self._path_cache: tuple[tuple, tuple[QPainterPath, QPainterPath]] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(self._height())

    def _height(self) -> int:
        return round(136 * self._theme.font_scale)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.setMinimumHeight(self._height())
        self.update()

    def set_activation(self, act: Activation | None, name: str = "f", z: float | None = None,
                       a: float = 0.0, slope: float = 0.0) -> None:
        """Plot ``act`` (named ``name``, e.g. "σ"); ``z`` None means not computed yet,
        else ``a`` = f(z) and ``slope`` = f′(z) are the engine's numbers."""
        self._act, self._name = act, name
        ok = z is not None and math.isfinite(z) and math.isfinite(a) and math.isfinite(slope)
        self._z = float(z) if ok else None
        self._a, self._slope = float(a), float(slope)
        self.update()

    # ---- geometry ---------------------------------------------------------------------
    def z_range(self) -> tuple[float, float]:
        """The plotted z interval: ±4, widened to hold the current z with a margin."""
        r = 4.0 if self._z is None else min(max(4.0, abs(self._z) * 1.25 + 0.5), 1e6)
        return -r, r

    def _curves(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[float, float]]:
        """z, f(z), f′(z) at SAMPLES points over :meth:`z_range`, each (SAMPLES,), and the
        y range that holds them; computed once per (activation, z range)."""
        assert self._act is not None
        lo, hi = self.z_range()
        key = (self._act.name, tuple(sorted(self._act.params().items())), lo, hi)
        if self._curve_cache is None or self._curve_cache[0] != key:
            z = np.linspace(lo, hi, SAMPLES).reshape(1, -1)
            with np.errstate(all="ignore"):
                f = self._act.f(z)
                df = self._act.df(z, f)
            values = np.concatenate([f[0], df[0], [0.0]])
            values = values[np.isfinite(values)]
            y_lo, y_hi = float(values.min()), float(values.max())
            pad = 0.12 * (y_hi - y_lo or 1.0)
            self._curve_cache = (key, (z[0], f[0], df[0], (y_lo - pad, y_hi + pad)))
        return self._curve_cache[1]

    def y_range(self) -> tuple[float, float]:
        """The plotted y interval: f and f′ over :meth:`z_range` and 0, with a margin."""
        return (-1.0, 1.0) if self._act is None else self._curves()[3]

    def plot_rect(self) -> QRectF:
        """The plotting area inside the widget, leaving room for the labels."""
        s = self._theme.font_scale
        return QRectF(10 * s, 24 * s, self.width() - 20 * s, self.height() - 50 * s)

    def to_pixel(self, z: float, y: float) -> QPointF:
        """Widget coordinates of the point (z, y)."""
        x, y = self._to_pixels(z, y)
        return QPointF(x, y)

    def _to_pixels(self, z: float | np.ndarray, y: float | np.ndarray) -> tuple:
        """Widget x and y (px) of the points (z, y): floats, or arrays that broadcast."""
        r = self.plot_rect()
        (z0, z1), (y0, y1) = self.z_range(), self.y_range()
        return (r.left() + (z - z0) / (z1 - z0) * r.width(),
                r.bottom() - (y - y0) / (y1 - y0) * r.height())

    def marker_pos(self) -> QPointF | None:
        """Where the dot (z, f(z)) is drawn, or None before z is computed."""
        return None if self._z is None or self._act is None else self.to_pixel(self._z, self._a)

    def note(self) -> str:
        """The line under the plot: the numbers at z, or why no gradient flows."""
        if self._act is None:
            return ""
        if self._act.name == "step":
            return "step′(z) = 0 everywhere: no gradient flows back through a step."
        if self._z is None:
            return "z is not computed yet."
        f = self._name
        text = (f"z = {fmt_text(self._z)}   {f}(z) = {fmt_text(self._a)}   "
                f"{f}′(z) = {fmt_text(self._slope)}")
        if abs(self._slope) < SATURATED and self._act.name not in ("linear",):
            text += "  — flat: hardly any gradient flows back"
        return text

    # ---- painting ---------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        t, s = self._theme, self._theme.font_scale
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(t.qcolor("grid"), 1))
        p.setBrush(t.qcolor("panel"))
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        if self._act is None:
            p.end()
            return
        r = self.plot_rect()
        p.setClipRect(r.adjusted(-2, -2, 2, 2))
        p.setPen(QPen(t.qcolor("grid"), 1))
        origin = self.to_pixel(0.0, 0.0)
        p.drawLine(QPointF(r.left(), origin.y()), QPointF(r.right(), origin.y()))
        p.drawLine(QPointF(origin.x(), r.top()), QPointF(origin.x(), r.bottom()))
        f_path, df_path = self._paths()
        p.setPen(QPen(t.qcolor("accent"), 1.6 * s, Qt.PenStyle.DashLine))
        p.drawPath(df_path)
        p.setPen(QPen(t.qcolor("foreground"), 2.2 * s))
        p.drawPath(f_path)
        marker = self.marker_pos()
        if marker is not None:
            self._draw_marker(p, marker, r)
        p.setClipping(False)
        self._draw_labels(p, r)
        p.end()

    def _paths(self) -> tuple[QPainterPath, QPainterPath]:
        """The curves f and f′ in widget coordinates, broken where a value is not finite;
        built once per (activation, z range, plot rectangle)."""
        z, f, df, _ = self._curves()
        r = self.plot_rect()
        key = (self._curve_cache[0], r.left(), r.top(), r.width(), r.height())
        if self._path_cache is None or self._path_cache[0] != key:
            x, y = self._to_pixels(z, np.stack([f, df]))
            paths = (pg.arrayToQPath(x, y[0], connect="finite"),
                     pg.arrayToQPath(x, y[1], connect="finite"))
            self._path_cache = (key, paths)
        return self._path_cache[1]

    def _draw_marker(self, p: QPainter, marker: QPointF, r: QRectF) -> None:
        t, s = self._theme, self._theme.font_scale
        assert self._z is not None
        p.setPen(QPen(t.qcolor("muted"), 1, Qt.PenStyle.DotLine))
        p.drawLine(QPointF(marker.x(), r.top()), QPointF(marker.x(), r.bottom()))
        half = 0.18 * (self.z_range()[1] - self.z_range()[0])
        ends = [self.to_pixel(self._z + d, self._a + d * self._slope) for d in (-half, half)]
        p.setPen(QPen(t.qcolor("accent"), 2.4 * s))
        p.drawLine(ends[0], ends[1])
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(t.qcolor("accent"))
        p.drawEllipse(self.to_pixel(self._z, self._slope), 3.2 * s, 3.2 * s)
        p.setPen(QPen(t.qcolor("panel"), 1.8 * s))
        p.setBrush(t.qcolor("foreground"))
        p.drawEllipse(marker, 5.5 * s, 5.5 * s)

    def _draw_labels(self, p: QPainter, r: QRectF) -> None:
        t, s = self._theme, self._theme.font_scale
        font = QFont(self.font())
        font.setPixelSize(max(9, round(11.5 * s)))
        p.setFont(font)
        fm = p.fontMetrics()
        x, y = r.left(), r.top() - 7 * s
        name = self._name
        for text, colour, dashed in ((f"{name}(z)", "foreground", False),
                                     (f"{name}′(z)", "accent", True)):
            p.setPen(QPen(t.qcolor(colour), 2 * s,
                          Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine))
            p.drawLine(QPointF(x, y - fm.ascent() / 3), QPointF(x + 16 * s, y - fm.ascent() / 3))
            p.setPen(t.qcolor(colour))
            p.drawText(QPointF(x + 20 * s, y), text)
            x += 20 * s + fm.horizontalAdvance(text) + 14 * s
        if self._z is not None:
            p.setPen(t.qcolor("accent"))
            p.drawText(QPointF(x, y), f"tangent: slope {name}′(z)")
        note = self.note()
        warn = self._act is not None and (self._act.name == "step" or "flat" in note)
        p.setPen(t.qcolor("error" if warn else "muted"))
        p.drawText(QRectF(r.left(), r.bottom() + 4 * s, r.width(), 20 * s),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   fm.elidedText(note, Qt.TextElideMode.ElideRight, int(r.width())))

    def marker_colour(self) -> QColor:
        """The fill of the z marker (for tests probing the painted pixels)."""
        return self._theme.qcolor("foreground")
