"""The diagram's labelling and extras, drawn for a network_paint.Painter: the column
titles (abbreviated where columns are narrow), the colour-scale legend, the brace and loss
node (with the loss before and after the update), and the activation-map thumbnails as
images. Each of the first three is a small class built from the painter."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QLinearGradient, QPainter, QPen

from mlpviz.model.notation.mathtext import fmt_text
from mlpviz.ui.colors import Theme, diverging, lut
from mlpviz.ui.diagram.network_scene import LegendRow

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


class ColumnTitles:
    """The titles under the columns (and over the loss node): "Hidden 1 (tanh)" over
    "8 neurons", abbreviated where the columns are narrow."""

    def __init__(self, pr: Painter):
        self.pr = pr

    def plan(self) -> list[tuple[float, float, str, str, float]]:
        """Per title spot (x centre, width, line 1, line 2, font factor): under each column
        "Hidden 1 (tanh)" over "8 neurons"; where that is too wide "Hidden 1" over
        "tanh · 8", then "H1" over "tanh · 8", then in smaller type (elided at the end).
        Widths never reach past the midpoint to the neighbouring spot."""
        pr = self.pr
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

    def draw(self, p: QPainter) -> None:
        pr = self.pr
        L, th, s = pr.L, pr.th, pr.L.s
        elide = Qt.TextElideMode.ElideRight
        for x, width, line1, line2, shrink in self.plan():
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


class Legend:
    """The colour scales of the scene (Scene.legend), top right: per row what it colours,
    −scale, the colour bar, +scale, and under the row its note in small type ("scale of
    this stage", "scale ±2 → ±5")."""

    ROW_H, NOTE_H = 20.0, 16.0  # at scale 1

    def __init__(self, pr: Painter):
        self.pr = pr
        s = pr.L.s
        self.rows: list[LegendRow] = list(pr.S.legend)
        fm = QFontMetricsF(pr.f_legend)
        self.label_w = max([fm.horizontalAdvance(r.name) for r in self.rows] + [60.0]) + 8 * s
        widest = max([fm.horizontalAdvance("+" + fmt_text(r.scale)) for r in self.rows] + [0.0])
        self.num_w = max(40 * s, widest + 6 * s)
        self.bar_w = 96 * s
        self.width = self.label_w + 2 * self.num_w + self.bar_w
        self.height = sum(self.ROW_H * s + (self.NOTE_H * s if r.note else 0.0)
                          for r in self.rows)

    def rect(self) -> QRectF:
        L = self.pr.L
        return QRectF(L.width - 12 * L.s - self.width, 10 * L.s, self.width, self.height)

    def draw(self, p: QPainter) -> None:
        pr = self.pr
        th, s = pr.th, pr.L.s
        box = self.rect()
        x, y = box.left(), box.top()
        rh = self.ROW_H * s
        for row in self.rows:
            p.setFont(pr.f_legend)
            p.setPen(QColor(th.foreground))
            p.drawText(QRectF(x, y, self.label_w - 6 * s, rh), ALIGN_R, row.name)
            p.setPen(QColor(th.muted))
            p.drawText(QRectF(x + self.label_w, y, self.num_w - 4 * s, rh), ALIGN_R,
                       fmt_text(-row.scale))
            bar_x = x + self.label_w + self.num_w
            p.drawText(QRectF(bar_x + self.bar_w + 4 * s, y, self.num_w, rh), ALIGN_L,
                       "+" + fmt_text(row.scale))
            bar = QRectF(bar_x, y + rh * 0.28, self.bar_w, rh * 0.44)
            g = QLinearGradient(bar.left(), 0, bar.right(), 0)
            # stops at the colours of values −scale … +scale along the bar (non-linear for
            # gradients: the bar shows what a value looks like, not a straight blend)
            for u in np.linspace(-1.0, 1.0, 17 if row.gamma != 1.0 else 3):
                g.setColorAt(0.5 * (u + 1.0), diverging(
                    np.sign(u) * abs(u) ** row.gamma, 1.0, th))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(g)
            p.drawRoundedRect(bar, 2 * s, 2 * s)
            y += rh
            if row.note:
                p.setFont(pr.f_sub)
                p.setPen(QColor(th.muted))
                p.drawText(QRectF(x, y - 2 * s, self.width - self.num_w + 4 * s,
                                  self.NOTE_H * s), ALIGN_R, row.note)
                y += self.NOTE_H * s


class LossNode:
    """The brace gathering the outputs, the arrow, and the box holding L; in the update
    stage the box reads the loss before and after the update ("0.473 → 0.195")."""

    def __init__(self, pr: Painter):
        self.pr = pr

    def draw(self, p: QPainter, loss_t: float, update_t: float = 1.0) -> None:
        """``loss_t`` < 1 draws the loss still filling in; ``update_t`` < 1 the loss after
        the update still fading in (0: not yet there)."""
        pr = self.pr
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
        border = QColor(th.accent) if loss_t < 1.0 or 0.0 < update_t < 1.0 \
            else QColor(th.foreground)
        p.setPen(QPen(border if known else muted, (2.2 if loss_t < 1.0 else 1.3) * s,
                      Qt.PenStyle.SolidLine if known else Qt.PenStyle.DashLine))
        p.setBrush(QColor(th.panel))
        p.drawRoundedRect(rect, 0.12 * lh, 0.12 * lh)
        after = S.loss_after if known and update_t > 0.0 else None
        p.setFont(pr.f_loss_sub)
        p.setPen(muted)
        sub = QFontMetricsF(pr.f_loss_sub).elidedText(
            f"L ({pr.loss_name})", Qt.TextElideMode.ElideRight, lw - 8 * s)
        p.drawText(rect.adjusted(0, 0.06 * lh, 0, -lh * 0.55), ALIGN_C, sub)
        value_rect = rect.adjusted(4 * s, lh * 0.35, -4 * s, -0.06 * lh)
        if known and loss_t > 0.6:
            c = QColor(th.foreground)
            c.setAlphaF(min(1.0, (loss_t - 0.6) / 0.4))
            if after is None:
                text = fmt_text(float(S.loss))
                p.setFont(self._fitted(text, value_rect.width()))
                p.setPen(c)
                p.drawText(value_rect, ALIGN_C, text)
            else:
                self._before_after(p, value_rect, float(S.loss), after, c, update_t)
        elif not known:
            p.setFont(pr.f_loss)
            p.drawText(value_rect, ALIGN_C, "?")

    def _fitted(self, text: str, width: float) -> QFont:
        """The loss font, smaller if ``text`` would not fit ``width`` ("6.302 × 10⁻⁵")."""
        pr = self.pr
        need = QFontMetricsF(pr.f_loss).horizontalAdvance(text)
        if need <= width:
            return pr.f_loss
        return font(pr.base_font, max(8, int(pr.f_loss.pixelSize() * width / need)), bold=True)

    def _before_after(self, p: QPainter, rect: QRectF, before: float, after: float,
                      colour: QColor, t: float) -> None:
        """"0.473 → 0.195" fitted into ``rect``; the arrow and the new value fade in."""
        pr = self.pr
        old, new = fmt_text(before), " → " + fmt_text(after)
        f = self._fitted(old + new, rect.width())
        fm = QFontMetricsF(f)
        need = fm.horizontalAdvance(old + new)
        x = rect.center().x() - need / 2
        p.setFont(f)
        muted = QColor(pr.th.muted)
        p.setPen(muted if t >= 1.0 else colour)
        w_old = fm.horizontalAdvance(old)
        p.drawText(QRectF(x, rect.top(), w_old, rect.height()), ALIGN_L, old)
        c = QColor(colour)
        c.setAlphaF(colour.alphaF() * min(1.0, max(t, 0.0)))
        p.setPen(c)
        p.drawText(QRectF(x + w_old, rect.top(), need - w_old + 2, rect.height()), ALIGN_L, new)
