"""The activation gallery: the activation functions of docs/derivation.md as small multiples, each
f (solid) and its derivative f′ (dashed) on the same axes, with both formulas.

The curves are computed by the engine's own activations, so what the gallery shows is what
the network computes. When a hidden neuron is selected, its function's panel is outlined
and its current z is marked on f, with the tangent of slope f′(z).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QDockWidget,
    QGridLayout,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from mlpviz.engine import activations
from mlpviz.model.notation.mathtext import fmt_text
from mlpviz.ui.colors import LIGHT, THEMES, Theme

Z_RANGE = (-3.0, 3.0)  # the z axis of every panel
Y_RANGE = (-1.25, 2.25)  # the shared value axis, so the panels compare at a glance
SAMPLES = 241  # points per curve
TEXT_SCALE_MAX = 1.35  # formulas and ticks grow less than titles (presenter mode)
JUMP = 0.3  # a change of more than this between neighbouring samples is a discontinuity
DOCK_HEIGHT = 260  # px, the gallery's height when it opens by itself below the network
GALLERY_LESSONS = frozenset({"activations"})  # lessons that open the gallery by themselves


@dataclass(frozen=True)
class Entry:
    """One panel: the engine's activation, its title and the formulas (Qt rich text)."""

    name: str
    label: str
    f_html: str
    df_html: str
    alpha: float | None = None

    @property
    def title(self) -> str:
        """The label, with α in the app's number format when the function has one."""
        if self.alpha is None:
            return self.label
        return f"{self.label} (α = {fmt_text(self.alpha)})"

    def activation(self) -> activations.Activation:
        if self.alpha is None:
            return activations.get(self.name)
        return activations.get(self.name, alpha=self.alpha)


def _cases(a: str, b: str) -> str:
    return f"{a}&nbsp; if z &gt; 0, &nbsp;{b}&nbsp; if z ≤ 0"


ENTRIES: tuple[Entry, ...] = (
    Entry("step", "Step", "f(z) = 1&nbsp; if z ≥ 0, &nbsp;0&nbsp; if z &lt; 0",
          "f′(z) = 0 &nbsp;(no gradient)"),
    Entry("sigmoid", "Sigmoid σ", "σ(z) = 1 / (1 + e<sup>−z</sup>)", "σ′(z) = σ(z)(1 − σ(z))"),
    Entry("tanh", "tanh", "tanh(z) = (e<sup>z</sup> − e<sup>−z</sup>) / (e<sup>z</sup> + "
          "e<sup>−z</sup>)", "tanh′(z) = 1 − tanh²(z)"),
    Entry("relu", "ReLU", "ReLU(z) = max(0, z)", "ReLU′(z) = " + _cases("1", "0")),
    Entry("leaky_relu", "LeakyReLU", "f(z) = " + _cases("z", "αz"),
          "f′(z) = " + _cases("1", "α"), alpha=activations.LeakyReLU().alpha),
    Entry("elu", "ELU", "f(z) = " + _cases("z", "α(e<sup>z</sup> − 1)"),
          "f′(z) = " + _cases("1", "αe<sup>z</sup>"), alpha=activations.ELU().alpha),
)


def curves(entry: Entry, n: int = SAMPLES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(z, f(z), f′(z)), each (n,), over Z_RANGE, from the engine's activation."""
    act = entry.activation()
    z = np.linspace(*Z_RANGE, n)
    a = act.f(z[None, :])
    return z, a[0], act.df(z[None, :], a)[0]


class CurvePlot(QWidget):
    """Axes with f (solid, the positive colour) and f′ (dashed, the negative colour)."""

    def __init__(self, entry: Entry, parent: QWidget | None = None):
        super().__init__(parent)
        self.entry = entry
        self.theme: Theme = LIGHT
        self.marker: float | None = None
        self.highlighted = False
        self.z, self.f, self.df = curves(entry)
        self.setMinimumSize(150, 96)

    def plot_rect(self) -> QRectF:
        return QRectF(self.rect()).adjusted(22, 8, -8, -16)

    def to_pixel(self, z: float, y: float) -> QPointF:
        """Widget coordinates of the data point (z, y)."""
        r = self.plot_rect()
        u = (z - Z_RANGE[0]) / (Z_RANGE[1] - Z_RANGE[0])
        v = (y - Y_RANGE[0]) / (Y_RANGE[1] - Y_RANGE[0])
        return QPointF(r.left() + u * r.width(), r.bottom() - v * r.height())

    def _path(self, ys: np.ndarray) -> QPainterPath:
        """The curve through (z, ys), broken where it jumps (step, ReLU′, …)."""
        path = QPainterPath()
        prev = None
        for z, y in zip(self.z, ys, strict=True):
            pt = self.to_pixel(float(z), float(np.clip(y, Y_RANGE[0] - 1, Y_RANGE[1] + 1)))
            if prev is None or abs(y - prev) > JUMP:
                path.moveTo(pt)
            else:
                path.lineTo(pt)
            prev = y
        return path

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        th = self.theme
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(th.background))
        r = self.plot_rect()
        p.setPen(QPen(QColor(th.grid), 1))
        for y in (-1.0, 1.0, 2.0):
            p.drawLine(self.to_pixel(Z_RANGE[0], y), self.to_pixel(Z_RANGE[1], y))
        p.setPen(QPen(QColor(th.muted), 1.2))
        p.drawLine(self.to_pixel(Z_RANGE[0], 0), self.to_pixel(Z_RANGE[1], 0))
        p.drawLine(self.to_pixel(0, Y_RANGE[0]), self.to_pixel(0, Y_RANGE[1]))
        small = QFont(self.font())
        small.setPointSizeF(7.5 * min(th.font_scale, TEXT_SCALE_MAX))
        p.setFont(small)
        for y in (-1, 1, 2):
            pt = self.to_pixel(0, y)
            p.drawText(QRectF(r.left() - 22, pt.y() - 7, 18, 14),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(y))
        for z in (-2, 2):
            pt = self.to_pixel(z, 0)
            p.drawText(QRectF(pt.x() - 10, r.bottom() + 2, 20, 14), Qt.AlignmentFlag.AlignCenter,
                       str(z))
        p.drawText(QRectF(r.right() - 20, r.bottom() + 2, 20, 14),
                   Qt.AlignmentFlag.AlignRight, "z")
        p.save()
        p.setClipRect(r)
        width = 2.6 * th.font_scale
        dashed = QPen(QColor(th.neg), width, Qt.PenStyle.DashLine)
        dashed.setCapStyle(Qt.PenCapStyle.FlatCap)
        p.setPen(dashed)
        p.drawPath(self._path(self.df))
        p.setPen(QPen(QColor(th.pos), width))
        p.drawPath(self._path(self.f))
        if self.marker is not None:
            self._paint_marker(p, self.marker)
        p.restore()
        if self.highlighted:
            p.setPen(QPen(QColor(th.accent), 2.5))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5), 6, 6)
        p.end()

    def _paint_marker(self, p: QPainter, z: float) -> None:
        act = self.entry.activation()
        zz = np.array([[float(np.clip(z, *Z_RANGE))]])
        a = act.f(zz)
        fz, slope = float(a[0, 0]), float(act.df(zz, a)[0, 0])
        zc = float(zz[0, 0])
        half = 0.9 / math.sqrt(1.0 + slope * slope)
        accent = QColor(self.theme.accent)
        p.setPen(QPen(accent, 2.0))
        p.drawLine(self.to_pixel(zc - half, fz - slope * half),
                   self.to_pixel(zc + half, fz + slope * half))
        p.setBrush(accent)
        p.drawEllipse(self.to_pixel(zc, fz), 5.0, 5.0)


class ActivationCell(QWidget):
    """Title, plot and formulas of one activation."""

    def __init__(self, entry: Entry, parent: QWidget | None = None):
        super().__init__(parent)
        self.entry = entry
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(2)
        self.title = QLabel(entry.title)
        self.plot = CurvePlot(entry)
        self.formulas = QLabel()
        self.formulas.setWordWrap(True)
        self.formulas.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.title)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.formulas)

    def set_entry(self, entry: Entry) -> None:
        """Show another parameter of the same function (title and curves)."""
        self.entry = self.plot.entry = entry
        self.plot.z, self.plot.f, self.plot.df = curves(entry)
        self.title.setText(entry.title)
        self.plot.update()

    def set_theme(self, theme: Theme) -> None:
        s = theme.font_scale
        small = min(s, TEXT_SCALE_MAX)
        self.title.setStyleSheet(
            f"color: {theme.foreground}; font-weight: 600; font-size: {11 * s:.1f}pt;")
        self.formulas.setStyleSheet(
            f"color: {theme.foreground}; font-size: {9.5 * small:.1f}pt;")
        self.formulas.setText(
            f"<span style='color:{theme.pos}'>━</span> {self.entry.f_html}<br>"
            f"<span style='color:{theme.neg}'>╍</span> {self.entry.df_html}")
        self.plot.theme = theme
        self.plot.update()


class ActivationGallery(QWidget):
    """The six panels, in one row when wide, else in two or three rows."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("activationGallery")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.cells = [ActivationCell(e) for e in ENTRIES]
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(8, 6, 8, 6)
        self._grid.setSpacing(8)
        self._columns = 0
        self.set_theme(LIGHT)
        self._reflow()

    def names(self) -> list[str]:
        """Engine names of the functions shown, in order."""
        return [c.entry.name for c in self.cells]

    def cell(self, name: str) -> ActivationCell:
        for c in self.cells:
            if c.entry.name == name:
                return c
        raise KeyError(f"the gallery has no activation {name!r}; it shows {self.names()}")

    def set_theme(self, theme: Theme | str) -> None:
        theme = THEMES[theme] if isinstance(theme, str) else theme
        self.setStyleSheet(f"#activationGallery {{ background: {theme.panel}; }}")
        for c in self.cells:
            c.set_theme(theme)

    def set_alphas(self, acts: list[activations.Activation]) -> None:
        """Show the α that the network's own leaky ReLU / ELU layers use (the engine's
        default for a function the network does not use), so the gallery, the network,
        the inspector and captions name the same α."""
        used = {a.name: a.params()["alpha"] for a in acts if "alpha" in a.params()}
        for c in self.cells:
            if c.entry.alpha is None:
                continue
            alpha = used.get(c.entry.name, activations.get(c.entry.name).params()["alpha"])
            if alpha != c.entry.alpha:
                c.set_entry(replace(c.entry, alpha=alpha))

    def set_marker(self, name: str | None, z: float | None = None) -> None:
        """Outline the panel of activation ``name`` (None: none) and mark z on it."""
        for c in self.cells:
            on = c.entry.name == name
            c.plot.highlighted = on
            c.plot.marker = z if on and z is not None and math.isfinite(z) else None
            c.plot.update()

    def _reflow(self) -> None:
        width = self.width()
        columns = 6 if width >= 1100 else 3 if width >= 540 else 2
        if columns == self._columns:
            return
        self._columns = columns
        for c in self.cells:
            self._grid.removeWidget(c)
        for k, c in enumerate(self.cells):
            self._grid.addWidget(c, k // columns, k % columns)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._reflow()


def selected_activation(controller: object) -> tuple[str | None, float | None]:
    """(activation name, z) of the selected neuron for the gallery's marker: z of the traced
    sample when it is known (walkthrough stage reached, or no walkthrough), else None."""
    sel = getattr(controller, "selection", None)
    if not isinstance(sel, tuple) or len(sel) != 3 or sel[0] != "neuron" or sel[1] < 0:
        return None, None
    session = controller.session  # type: ignore[attr-defined]
    net = session.net
    l, i = int(sel[1]), int(sel[2])
    if l >= net.n_layers or i >= net.sizes[l + 1]:
        return None, None
    name = net.activations[l].name
    wt = controller.walkthrough  # type: ignore[attr-defined]
    if wt is not None:
        if not wt.is_known("z", l, i):
            return name, None
        return name, float(wt.trace.layers[l].z[0, i])
    x, _ = session.sample(controller.sample)  # type: ignore[attr-defined]
    return name, float(net.forward(np.atleast_2d(x)).layers[l].z[0, i])


class GalleryDock(QDockWidget):
    """The gallery in a dock that opens by itself for the activations lesson (and closes
    again when another lesson starts, unless the user opened it)."""

    def __init__(self, controller: object, parent: QWidget | None = None):
        super().__init__("Activation gallery", parent)
        self.setObjectName("dock_gallery")
        self.gallery = ActivationGallery()
        self.setWidget(self.gallery)
        self._ctl = controller
        self._auto = False
        for signal in ("selectionChanged", "stageChanged", "modelChanged"):
            getattr(controller, signal).connect(self._follow)
        self.visibilityChanged.connect(self._follow)

    def on_lesson(self, lesson: object) -> None:
        """Open for the lessons in GALLERY_LESSONS; close again if it opened by itself."""
        if getattr(lesson, "name", None) in GALLERY_LESSONS:
            if self.isHidden():
                self._auto = True
                self.show()
                window = self.parent()
                if isinstance(window, QMainWindow) and not self.isFloating():
                    window.resizeDocks([self], [DOCK_HEIGHT], Qt.Orientation.Vertical)
            self.raise_()
        elif self._auto:
            self._auto = False
            self.hide()

    def _follow(self, *_args: object) -> None:
        if self.isVisible():
            self.gallery.set_alphas(list(self._ctl.session.net.activations))  # type: ignore[attr-defined]
            self.gallery.set_marker(*selected_activation(self._ctl))
