"""The diagram's labelling and extras, drawn for a network_paint.Painter: column titles
(abbreviated where columns are narrow), the colour-scale legend, the brace and loss node,
and the activation-map thumbnails as images."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QLinearGradient, QPainter, QPen

from mlpviz.ui.colors import Theme, lut
from mlpviz.ui.diagram.network_scene import fmt

if TYPE_CHECKING:
    from mlpviz.ui.diagram.network_paint import Painter

ALIGN_C = Qt.AlignmentFlag.AlignCenter
ALIGN_L = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ALIGN_R = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: how the loss is named in the loss node and under it
LOSS_SHORT = {"mse": "MSE", "mse_half": "½ MSE", "bce": "BCE", "cross_entropy": "CE"}
THUMB_LEVELS = 256  # colours in the thumbnails' table
MIN_TITLE_SHRINK = 0.72  # titles shrink down to this fraction of their size, then elide


def font(base: QFont, px: float, bold: bool = False) -> QFont:
    """A copy of ``base`` at ``px`` pixels (at least 1), bold or not."""
    f = QFont(base)
    f.setPixelSize(max(1, round(px)))
    f.setBold(bold)
    return f


def thumbnail_images(maps: list[np.ndarray], theme: Theme, side: int | None = None
                     ) -> list[list[QImage]]:
    """Per weight layer, one QImage per neuron of maps[l] (res, res, n_l): row 0 of a map
    is the lowest y of the input plane, so images are flipped to put +y on top. With
    ``side`` (px) the maps are thinned to the coarsest grid that still has ``side`` samples
    per axis (they are drawn that small). Colours come from a 256-entry table of the
    diverging scale, each layer scaled to its own max |value|."""
    table = lut(theme, THUMB_LEVELS)
    out = []
    for m in maps:
        m = np.asarray(m)
        if side is not None and m.ndim == 3:
            step = max(1, min(m.shape[0], m.shape[1]) // max(int(side), 1))
            m = m[::step, ::step]
        m = m.astype(np.float32, copy=False)
        finite = np.abs(m[np.isfinite(m)])
        s = float(finite.max()) if finite.size else 1.0
        f = np.nan_to_num(m[::-1] / np.float32(s if s > 0 else 1.0), nan=0.0)
        idx = np.rint((np.clip(f, -1.0, 1.0) + 1.0) * (0.5 * (THUMB_LEVELS - 1)))
        rgba = table[idx.astype(np.intp)]  # (h, w, n, 4)
        layer = []
        for i in range(m.shape[2]):
            img = np.ascontiguousarray(rgba[:, :, i])
            h, w = img.shape[:2]
            layer.append(QImage(img.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy())
        out.append(layer)
    return out


def title_plan(pr: Painter) -> list[tuple[float, float, str, str, float]]:
    """Per title spot (x centre, width, line 1, line 2, font factor): under each column
    "Hidden 1 (tanh)" over "8 neurons"; where that is too wide "Hidden 1" over
    "tanh · 8", then "H1" over "tanh · 8", then in smaller type (elided at the end).
    Widths never reach past the midpoint to the neighbouring spot."""
    L = pr.L
    s = L.s
    spots = [(col.x, *pr.titles[c]) for c, col in enumerate(L.columns)]
    if pr.S.target is not None and not L.loss_below:
        name = pr.loss_name
        spots.append((L.loss_rect[0] + L.loss_rect[2] / 2, "Loss", "L", "", name, name))
    xs = [spot[0] for spot in spots]
    fm1, fm2 = QFontMetricsF(pr.f_title), QFontMetricsF(pr.f_sub)

    def need(option: tuple[str, str]) -> float:
        return max(fm1.horizontalAdvance(option[0]), fm2.horizontalAdvance(option[1]))

    plan = []
    for k, (x, name, short, detail, count, n) in enumerate(spots):
        left = x - 4 * s if k == 0 else (x - xs[k - 1]) / 2
        right = L.width - 4 * s - x if k == len(xs) - 1 else (xs[k + 1] - x) / 2
        width = max(2 * min(left, right) - 6 * s, 10.0)
        tail = f"{detail} · {n}" if detail else n
        options = [(f"{name} ({detail})" if detail else name, count), (name, tail),
                   (short, tail)]
        line1, line2 = next((o for o in options if need(o) <= width), options[-1])
        shrink = min(1.0, max(MIN_TITLE_SHRINK, width / max(need((line1, line2)), 1.0)))
        plan.append((x, width, line1, line2, shrink))
    return plan


def draw_titles(p: QPainter, pr: Painter, plan: list[tuple[float, float, str, str, float]]
                ) -> None:
    """The titles of ``plan`` (from title_plan) under the columns."""
    L, th, s = pr.L, pr.th, pr.L.s
    elide = Qt.TextElideMode.ElideRight
    for x, width, line1, line2, shrink in plan:
        f1 = font(pr.base_font, pr.f_title.pixelSize() * shrink, bold=True)
        f2 = font(pr.base_font, pr.f_sub.pixelSize() * shrink)
        p.setFont(f1)
        p.setPen(QColor(th.foreground))
        p.drawText(QRectF(x - width / 2, L.title_y - 10 * s, width, 20 * s), ALIGN_C,
                   QFontMetricsF(f1).elidedText(line1, elide, width))
        p.setFont(f2)
        p.setPen(QColor(th.muted))
        p.drawText(QRectF(x - width / 2, L.title_y + 9 * s, width, 18 * s), ALIGN_C,
                   QFontMetricsF(f2).elidedText(line2, elide, width))


def draw_legend(p: QPainter, pr: Painter) -> None:
    """The two colour scales (neurons, edges) with their clamps, top right."""
    L, S, th = pr.L, pr.S, pr.th
    s = L.s
    x, y, w, h = L.legend_rect
    names = {"a": "a  (neurons)", "z": "z  (neurons)", "δ": "δ = ∂L/∂z"}
    rows = [(names[S.qty], S.scale), (S.eqty + "  (edges)", S.escale)]
    p.setFont(pr.f_sub)
    fm = QFontMetricsF(pr.f_sub)
    # the number columns fit their widest clamp ("+2.5e−6" is wider than "+0.5")
    widest = max(fm.horizontalAdvance("+" + fmt(scale)) for _, scale in rows)
    label_w, num_w = 118 * s, max(44 * s, widest + 6 * s)
    bar_w = max(w - label_w - 2 * num_w, 12 * s)
    for k, (name, scale) in enumerate(rows):
        ry = y + k * h / 2
        rh = h / 2
        p.setPen(QColor(th.foreground))
        p.drawText(QRectF(x, ry, label_w - 6 * s, rh), ALIGN_R, name)
        p.setPen(QColor(th.muted))
        p.drawText(QRectF(x + label_w, ry, num_w - 4 * s, rh), ALIGN_R, fmt(-scale))
        p.drawText(QRectF(x + label_w + num_w + bar_w + 4 * s, ry, num_w, rh), ALIGN_L,
                   "+" + fmt(scale))
        bar = QRectF(x + label_w + num_w, ry + rh * 0.3, bar_w, rh * 0.4)
        g = QLinearGradient(bar.left(), 0, bar.right(), 0)
        g.setColorAt(0.0, QColor(th.neg))
        g.setColorAt(0.5, QColor(th.neutral))
        g.setColorAt(1.0, QColor(th.pos))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(g)
        p.drawRoundedRect(bar, 2 * s, 2 * s)


def draw_loss_node(p: QPainter, pr: Painter, loss_t: float) -> None:
    """The brace gathering the outputs, the arrow, and the box holding L."""
    L, S, th = pr.L, pr.S, pr.th
    s, ys = L.s, L.columns[-1].ys
    muted = QColor(th.muted)
    bx = L.brace_x
    lx, ly, lw, lh = L.loss_rect
    my = ly + lh / 2
    p.setPen(QPen(muted, max(1.0, s)))
    p.drawLine(QLineF(bx, min(float(ys.min()), my), bx, max(float(ys.max()), my)))
    for y in ys:
        p.drawLine(QLineF(bx - 6 * s, float(y), bx, float(y)))
    tip = lx if lx >= bx else lx + lw  # the box is right of the brace, or under the chips
    back = -6 * s if tip > bx else 6 * s
    p.drawLine(QLineF(bx, my, tip, my))
    p.drawLine(QLineF(tip + back, my - 4 * s, tip, my))
    p.drawLine(QLineF(tip + back, my + 4 * s, tip, my))
    rect = QRectF(lx, ly, lw, lh)
    known = S.loss is not None
    border = QColor(th.accent) if loss_t < 1.0 else QColor(th.foreground)
    p.setPen(QPen(border if known else muted, (2.2 if loss_t < 1.0 else 1.3) * s,
                  Qt.PenStyle.SolidLine if known else Qt.PenStyle.DashLine))
    p.setBrush(QColor(th.panel))
    p.drawRoundedRect(rect, 0.12 * lh, 0.12 * lh)
    p.setFont(pr.f_loss_sub)
    p.setPen(muted)
    p.drawText(rect.adjusted(0, 0.06 * lh, 0, -lh * 0.55), ALIGN_C, f"L ({pr.loss_name})")
    p.setFont(pr.f_loss)
    value_rect = rect.adjusted(0, lh * 0.35, 0, -0.06 * lh)
    if known and loss_t > 0.6:
        c = QColor(th.foreground)
        c.setAlphaF(min(1.0, (loss_t - 0.6) / 0.4))
        p.setPen(c)
        p.drawText(value_rect, ALIGN_C, fmt(float(S.loss)))
    elif not known:
        p.drawText(value_rect, ALIGN_C, "?")
