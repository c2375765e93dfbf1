"""Painting of the network diagram with QPainter, from a layout and a scene.

:class:`Painter` draws in passes so that the view can cache what does not move:
``under`` (background, legend, titles, static edges), ``over`` (neurons, bias markers,
targets, loss node, thumbnails), and per frame ``moving_edges`` (edges that morph or fade
in, pulses) and ``moving_top`` (neurons filling, the loss comparison), then ``selection``.
What only fades in (``fading_edges``, ``fading_top``) can be drawn once and blended at the
frame's opacity, which the view does.
Edges are batched by colour bucket: one pen and one ``drawLines`` call per bucket.
Gradients and Δw are drawn on a square-root mapping (Scene.egamma), so small but real
values stay visible. Numbers on edges (gradients, Δw) and the δ badges of the backward
pass are placed here, never on top of each other. Titles, legend, loss node and thumbnail
images live in network_chrome.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from mlpviz.model.notation.mathtext import fmt_text
from mlpviz.ui.colors import Theme, buckets, diverging, fraction, text_on
from mlpviz.ui.diagram import network_chrome as chrome
from mlpviz.ui.diagram.network_chrome import ALIGN_C, ALIGN_L, ALIGN_R, LOSS_SHORT, font
from mlpviz.ui.diagram.network_layout import NetworkLayout
from mlpviz.ui.diagram.network_scene import Scene, place_labels, signed

N_BUCKETS = 12
MIN_NUMBER_PX = 12.0  # smallest type of the legend, edge numbers and δ badges
DELTA_MARKS = 100  # Δw dashes drawn at most, the largest |Δw| (dashes are costly)


def title_lines(text: str, fm: QFontMetricsF, width: float) -> list[str]:
    """``text`` on one line when it fits ``width``, else on two split between words (the
    second elided if still too long): "Backward: layer 1" beside a wide legend."""
    if fm.horizontalAdvance(text) <= width:
        return [text]
    words = text.split(" ")
    first = words[0]
    for k in range(1, len(words)):
        candidate = " ".join(words[: k + 1])
        if fm.horizontalAdvance(candidate) > width:
            break
        first = candidate
    rest = text[len(first):].strip()
    first = fm.elidedText(first, Qt.TextElideMode.ElideRight, width)
    if not rest:
        return [first]
    return [first, fm.elidedText(rest, Qt.TextElideMode.ElideRight, width)]


class Painter:
    """Draws one scene in one layout. ``titles`` per column (name, short name, activation
    or "", count in words, count), e.g. ("Hidden 1", "H1", "tanh", "8 neurons", "8");
    ``input_labels`` and ``output_labels`` are display strings; ``thumbs`` per weight layer
    QImages per neuron, or None."""

    def __init__(self, layout: NetworkLayout, scene: Scene, theme: Theme, base_font: QFont,
                 titles: list[tuple[str, str, str, str, str]], input_labels: list[str],
                 output_labels: list[str], loss_name: str, thumbs: list | None = None):
        self.L, self.S, self.th = layout, scene, theme
        s = layout.s
        self.base_font = base_font
        self.f_title = font(base_font, 13.5 * s, bold=True)
        self.f_sub = font(base_font, 11.5 * s)
        # the legend, edge numbers and δ badges never below MIN_NUMBER_PX
        self.f_legend = font(base_font, max(12.5 * s, MIN_NUMBER_PX))
        self.f_label = font(base_font, 12.5 * s * layout.label_scale)
        self.f_caption = font(base_font, 15 * s, bold=True)
        self.f_chip = font(base_font, max(0.46 * layout.chip_h, 10.5 * s))
        self.f_loss_sub = font(base_font, max(0.18 * layout.loss_h, 11.0 * s))
        self.f_loss = font(base_font, 0.3 * layout.loss_h, bold=True)
        # numbers inside neurons grow with the neurons (readable from afar on big views)
        self.value_px = min(30.0 * s, 0.5 * layout.r)
        # neuron numbers: the regular size, and a smaller one for long numbers
        # the smallest size fits 4 significant digits with a sign and leading zeros (−0.02888)
        self.f_values = [font(base_font, k * self.value_px) for k in (1.0, 0.82, 0.68, 0.56)]
        self.fm_values = [QFontMetricsF(f) for f in self.f_values]
        self.f_value = self.f_values[0]
        self.titles, self.in_labels, self.out_labels = titles, input_labels, output_labels
        self.loss_name, self.thumbs = LOSS_SHORT.get(loss_name, loss_name), thumbs
        self.f_edge = font(base_font, max(12.0 * s, MIN_NUMBER_PX,
                                          min(0.3 * layout.r, 17.0 * s)))
        self.f_badge = font(base_font, max(12.0 * s, MIN_NUMBER_PX,
                                           min(0.36 * layout.r, 20.0 * s)), bold=True)
        self._label_spots: list | None = None
        self.legend = chrome.Legend(self)
        self.loss_node = chrome.LossNode(self)
        self.column_titles = chrome.ColumnTitles(self)
        fan = max(c.shown.size for c in layout.columns)
        # edge width unit: thinner when neurons are small and fans are wide
        self.ew = max(0.5, min(s, layout.r / 16.0) * min(1.0, math.sqrt(6.0 / fan)))

    # ---- passes -----------------------------------------------------------------------
    def under(self, p: QPainter) -> None:
        L, S, th = self.L, self.S, self.th
        p.fillRect(QRectF(0, 0, L.width, L.height), QColor(th.background))
        self.legend.draw(p)
        text_w = max(self.legend.rect().left() - 36 * L.s, 40.0)
        p.setFont(self.f_caption)
        p.setPen(QColor(th.foreground))
        fm = QFontMetricsF(self.f_caption)
        lines = title_lines(S.caption, fm, text_w)
        y0 = 12 * L.s
        if len(lines) > 1 or lines[0] != S.caption:
            # too wide beside the legend: under it if the neurons leave room, else on two
            # lines beside it
            below = self.legend.rect().bottom() + 4 * L.s
            if (fm.horizontalAdvance(S.caption) <= L.width - 36 * L.s
                    and below + fm.height() + 4 * L.s <= self._first_neuron_top()):
                lines, y0, text_w = [S.caption], below, L.width - 36 * L.s
        for k, line in enumerate(lines):
            p.drawText(QRectF(18 * L.s, y0 + k * fm.height(), text_w, 24 * L.s),
                       ALIGN_L, line)
        if S.batch > 1:
            p.setFont(self.f_sub)
            p.setPen(QColor(th.muted))
            note = QFontMetricsF(self.f_sub).elidedText(
                f"Neuron values are means over a batch of {S.batch}",
                Qt.TextElideMode.ElideRight, text_w)
            y = y0 + 24 * L.s + (len(lines) - 1) * fm.height()
            p.drawText(QRectF(18 * L.s, y, text_w, 18 * L.s), ALIGN_L, note)
        self.column_titles.draw(p)
        # all layers at once: one pen and one drawLines call per colour bucket
        static = [e.known & ~e.new for e in S.edges]
        # gradients fading in start out "unknown"; morphing weights are drawn per frame
        pending = [~e.known if e.before is not None else ~e.known | e.new for e in S.edges]
        self._edges(p, np.concatenate([e.segs[m] for e, m in zip(S.edges, static, strict=True)]),
                    np.concatenate([e.val[m] for e, m in zip(S.edges, static, strict=True)]),
                    S.escale, S.egamma)
        self._unknown_edges(p, np.concatenate(
            [e.segs[m] for e, m in zip(S.edges, pending, strict=True)]))
        if S.ekind == "update" and S.anim is None:
            self._delta_marks(p)

    def _first_neuron_top(self) -> float:
        """The highest point of any neuron, or of a δ badge above one."""
        L = self.L
        tops = [float(col.ys[0]) - L.r for col in L.columns if col.shown.size]
        top = min(tops) if tops else L.height
        spots = self.badge_spots()
        if spots:
            top = min(top, min(rect[1] for _, rect in spots))
        return top

    def over(self, p: QPainter) -> None:
        L, S = self.L, self.S
        for c, col in enumerate(L.columns):
            items = S.cols[c]
            scale = S.ascale if c == 0 else S.scale
            for k in range(col.shown.size):
                known = bool(items.known[k]) and not bool(items.new[k])
                self._neuron(p, col.x, float(col.ys[k]), float(items.val[k]), known, scale,
                             square=c == 0)
            if col.more:
                self._more_label(p, col.x, col.more_y, col.more)
            if c > 0:
                self._biases(p, c - 1, moving=False)
        self._input_labels(p)
        self._outputs(p, loss_t=0.0 if S.loss_new else 1.0)
        if self.thumbs is not None:
            self._thumbnails(p)
        self._badges(p, moving=False)
        self._edge_labels(p, moving=False)

    def fading_edges(self, p: QPainter, alpha: float = 1.0) -> None:
        """The edges the animated stage fades in (the forward pass's weights, the
        backward pass's gradients) at opacity ``alpha``: a view caches them at full
        opacity and draws that layer at opacity t each frame."""
        S = self.S
        for e in S.edges:
            if e.before is None and e.new.any():
                self._edges(p, e.segs[e.new], e.val[e.new], S.escale, S.egamma, alpha=alpha)

    def moving_edges(self, p: QPainter, t: float, fading: bool = True) -> None:
        """What moves under the neurons at time ``t`` of the animated stage: edges
        morphing to their new weights, the Δw dashes, the pulses, and (unless ``fading``
        is False because the caller drew :meth:`fading_edges` itself) the fading edges."""
        S = self.S
        if fading:
            self.fading_edges(p, alpha=t)
        for e in S.edges:
            if e.before is not None and e.new.any():
                cur = e.before + (e.val - e.before) * t
                self._edges(p, e.segs[e.new], cur[e.new], S.escale, S.egamma)
        if S.ekind == "update" and S.anim is not None:
            self._delta_marks(p, alpha=t)
        if S.anim is not None and S.anim[0] in ("forward", "backward") and 0.0 < t < 1.0:
            self._pulses(p, t, backward=S.anim[0] == "backward")

    def fades(self) -> tuple[bool, bool]:
        """Whether :meth:`fading_edges` and :meth:`fading_top` have anything to draw."""
        S = self.S
        edges = any(e.before is None and e.new.any() for e in S.edges)
        top = any(bool(S.edges[lab.layer].new[lab.k]) for lab in S.labels)
        if S.badges is not None:
            top = top or any(bool((items.known & items.new).any()) for items in S.badges)
        return edges, top

    def fading_top(self, p: QPainter) -> None:
        """The δ badges and edge numbers the animated stage reveals, at full opacity (a
        view caches them and draws that layer at opacity t)."""
        self._badges(p, moving=True)
        self._edge_labels(p, moving=True)

    def moving_top(self, p: QPainter, t: float, fading: bool = True) -> None:
        """What moves over the neurons at time ``t``: neurons filling, bias markers, the
        loss comparison and (unless ``fading`` is False) :meth:`fading_top` at opacity t."""
        L, S = self.L, self.S
        for c, col in enumerate(L.columns):
            items = S.cols[c]
            for k in np.flatnonzero(items.new):
                self._neuron(p, col.x, float(col.ys[k]), float(items.val[k]), True, S.scale,
                             grow=t)
            if c > 0 and S.biases[c - 1].new.any():
                self._biases(p, c - 1, moving=True, t=t)
        if S.loss_new:
            self._outputs(p, loss_t=t)
        if S.anim is not None and S.anim[0] == "update":
            self.loss_node.draw(p, 1.0, update_t=t)
        if fading:
            p.setOpacity(t)
            self.fading_top(p)
            p.setOpacity(1.0)

    def selection(self, p: QPainter, sel: tuple | None) -> None:
        if sel is None:
            return
        L, th = self.L, self.th
        accent = QColor(th.accent)
        if sel[0] == "neuron":
            pos = L.pos(sel[1], sel[2])
            if pos is not None:
                p.setPen(QPen(accent, 2.5 * L.s))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawEllipse(QPointF(*pos), L.r + 4 * L.s, L.r + 4 * L.s)
        elif sel[0] == "bias":
            rect = L.bias_rect(sel[1], sel[2])
            if rect is not None:
                p.setPen(QPen(accent, 2.2 * L.s))
                p.setBrush(Qt.BrushStyle.NoBrush)
                m = 2.5 * L.s
                p.drawRect(QRectF(rect[0] - m, rect[1] - m, rect[2] + 2 * m, rect[3] + 2 * m))
        elif sel[0] == "edge":
            a, b = L.pos(sel[1] - 1, sel[3]), L.pos(sel[1], sel[2])
            if a is None or b is None:
                return
            d = math.hypot(b[0] - a[0], b[1] - a[1]) or 1.0
            ux, uy = (b[0] - a[0]) / d * L.r, (b[1] - a[1]) / d * L.r
            line = QLineF(a[0] + ux, a[1] + uy, b[0] - ux, b[1] - uy)
            halo = QColor(accent)
            halo.setAlpha(150)
            pen = QPen(halo, 7 * self.ew)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            p.drawLine(line)
            p.setPen(QPen(accent, 2 * self.ew))
            p.drawLine(line)
            self._selected_edge_label(p, sel)

    # ---- pieces -----------------------------------------------------------------------
    def _edges(self, p: QPainter, segs: np.ndarray, vals: np.ndarray, scale: float,
               gamma: float = 1.0, dash: bool = False, alpha: float = 1.0) -> None:
        """Edges ``segs`` coloured and sized by ``vals`` on ±``scale`` (colour fraction
        |v / scale| ** gamma) with opacity ``alpha``; ``dash`` draws short dashes (the Δw
        marks)."""
        if segs.shape[0] == 0:
            return
        f = fraction(vals, scale)
        q = buckets(np.sign(f) * np.abs(f) ** gamma, 1.0, N_BUCKETS)
        # the buckets in use (np.unique would import numpy.ma: 0.1 s at start-up)
        for b in np.flatnonzero(np.bincount(q + N_BUCKETS, minlength=2 * N_BUCKETS + 1)) \
                - N_BUCKETS:
            f = abs(int(b)) / N_BUCKETS
            colour = diverging(math.copysign(f, b) * scale, scale, self.th)
            colour.setAlphaF(alpha)
            # weights keep widths linear in |w| (dense networks stay light to draw);
            # gradients and Δw grow on the colour's square-root mapping
            fw = f ** (1.0 / gamma) if self.S.ekind != "grad" and not dash else f
            pen = QPen(colour, (0.5 + 5.5 * fw) * self.ew)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            if dash:
                pen.setWidthF(max(2.5 * self.L.s, (1.0 + 2.5 * f) * self.ew))
                pen.setDashPattern([2.0, 2.0])
            elif b < 0 and self.th.dashed_negative:
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLines([QLineF(*row) for row in segs[q == b].tolist()])

    def _delta_marks(self, p: QPainter, alpha: float = 1.0) -> None:
        """The update's change Δw on every edge that moved (the DELTA_MARKS largest on big
        networks): short dashes beside the edge, coloured and sized by Δw on its own
        scale."""
        S, r = self.S, self.L.r
        moves = [np.abs(e.val - e.before) for e in S.edges if e.before is not None]
        if not moves:
            return
        every = np.concatenate(moves)
        # on big networks only the largest changes are marked (dashes are costly to draw)
        least = np.partition(every, -DELTA_MARKS)[-DELTA_MARKS] if every.size > DELTA_MARKS \
            else 0.0
        for e in S.edges:
            if e.before is None:
                continue
            d = e.val - e.before
            moved = (d != 0) & (np.abs(d) >= least)
            if not moved.any():
                continue
            segs = e.segs[moved]
            length = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1])
            # the middle half of the edge, never inside a neuron
            cut = np.clip(1.15 * r / np.maximum(length, 1e-9), 0.25, 0.45)[:, None]
            a, b = segs[:, :2], segs[:, 2:]
            # beside the edge (its colour stays readable), offset across it
            normal = np.stack([-(b - a)[:, 1], (b - a)[:, 0]], axis=1)
            normal /= np.maximum(length, 1e-9)[:, None]
            off = normal * (3.5 * self.ew + 3.0 * self.L.s)
            inner = np.hstack([a + (b - a) * cut + off, b - (b - a) * cut + off])
            self._edges(p, inner, d[moved], S.dscale, S.egamma, dash=True, alpha=alpha)

    # ---- numbers on edges, δ badges -----------------------------------------------------
    def label_spots(self) -> list[tuple]:
        """(label, rect) of every edge number that found a free place along its edge:
        clear of neurons, bias markers, badges, chips, the loss node, the legend and of
        each other."""
        if self._label_spots is not None:
            return self._label_spots
        S, L = self.S, self.L
        self._label_spots = []
        if not S.labels:
            return self._label_spots
        fm = QFontMetricsF(self.f_edge)
        pad, h = 8 * L.s, fm.height() + 4 * L.s
        segs = np.array([S.edges[lab.layer].segs[lab.k] for lab in S.labels])
        sizes = np.array([(fm.horizontalAdvance(lab.text) + pad, h) for lab in S.labels])
        others = np.concatenate([e.segs for e in S.edges])
        rects = place_labels(segs, sizes, self.obstacles(), others=others)
        self._label_spots = [(lab, r) for lab, r in zip(S.labels, rects, strict=True)
                             if r is not None]
        return self._label_spots

    def obstacles(self) -> np.ndarray:
        """(m, 4) rectangles edge numbers must not cover."""
        L, m = self.L, 3 * self.L.s
        out = []
        for col in L.columns:
            for k, i in enumerate(col.shown):
                x, y = col.x, float(col.ys[k])
                out.append((x - L.r - m, y - L.r - m, 2 * (L.r + m), 2 * (L.r + m)))
                if col.layer >= 0:
                    out.append(L.bias_rect(col.layer, int(i)))
                    thumb = L.thumb_rect(col.layer, int(i)) if self.thumbs is not None else None
                    if thumb is not None:
                        out.append(thumb)
        out.extend(rect for _, rect in self.badge_spots())
        out.append(L.loss_rect)
        for k in L.columns[-1].shown:
            chip = L.chip_rect(int(k))
            if chip is not None:
                out.append(chip)
        r = self.legend.rect()
        out.append((r.x(), r.y(), r.width(), r.height()))
        return np.array(out, dtype=float).reshape(-1, 4)

    def _label_colour(self, value: float, scale: float) -> QColor:
        f = float(fraction(value, scale))
        return diverging(math.copysign(abs(f) ** self.S.egamma, f), 1.0, self.th)

    def _pill(self, p: QPainter, rect: QRectF, text: str, fill: QColor, f: QFont,
              border: QColor | None = None) -> None:
        p.setPen(QPen(border, max(1.0, 1.2 * self.L.s)) if border is not None
                 else Qt.PenStyle.NoPen)
        p.setBrush(fill)
        p.drawRoundedRect(rect, 0.45 * rect.height(), 0.45 * rect.height())
        p.setFont(f)
        p.setPen(text_on(fill))
        p.drawText(rect, ALIGN_C, text)

    def _edge_labels(self, p: QPainter, moving: bool) -> None:
        """The numbers on edges, on background pills with a border in the edge's colour;
        ``moving`` draws the ones the animated stage reveals, else the settled ones."""
        S = self.S
        scale = S.dscale if S.ekind == "update" else S.escale
        for lab, (x, y, w, h) in self.label_spots():
            new = bool(S.edges[lab.layer].new[lab.k])
            if new != moving:
                continue
            fill = QColor(self.th.background)
            self._pill(p, QRectF(x, y, w, h), lab.text, fill, self.f_edge,
                       self._label_colour(lab.value, scale))

    def badge_spots(self) -> list[tuple]:
        """((column, k, value, known, new), rect) of the δ badges: a pill over each neuron
        whose δ is known (or about to be), when the gap to the neuron above leaves room."""
        S, L = self.S, self.L
        if S.badges is None:
            return []
        fm = QFontMetricsF(self.f_badge)
        h = fm.height() + 4 * L.s
        out = []
        for c, col in enumerate(L.columns):
            items = S.badges[c]
            for k in range(items.val.size):
                if not items.known[k]:
                    continue
                x, y = col.x, float(col.ys[k])
                text = "δ " + fmt_text(float(items.val[k])) if S.show_values else "δ"
                w = fm.horizontalAdvance(text) + 12 * L.s
                room = L.dy - 2 * L.r if k > 0 else y - L.top + L.dy / 2 - L.r
                if h + 6 * L.s > room:
                    continue
                rect = (x - w / 2, y - L.r - 6 * L.s - h, w, h)
                out.append(((c, k, text, bool(items.new[k])), rect))
        return out

    def _badges(self, p: QPainter, moving: bool) -> None:
        """δ of the backward pass beside the neurons: a ring around the neuron and a pill
        with the number above it, both in δ's colour on the gradient scale."""
        S, L = self.S, self.L
        if S.badges is None:
            return
        spots = {(c, k): (text, rect) for (c, k, text, _), rect in self.badge_spots()}
        p.setBrush(Qt.BrushStyle.NoBrush)
        ring_w = max(3.0 * L.s, 0.14 * L.r)
        for c, col in enumerate(L.columns):
            items = S.badges[c]
            for k in range(items.val.size):
                if not items.known[k] or bool(items.new[k]) != moving:
                    continue
                colour = self._label_colour(float(items.val[k]), S.escale)
                x, y = col.x, float(col.ys[k])
                rr = L.r + 0.5 * ring_w + 1.5 * L.s
                p.setPen(QPen(colour, ring_w))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawEllipse(QPointF(x, y), rr, rr)
                if (c, k) in spots:
                    text, rect = spots[(c, k)]
                    self._pill(p, QRectF(*rect), text, colour, self.f_badge)

    def _selected_edge_label(self, p: QPainter, sel: tuple) -> None:
        """The value of the selected edge at its middle, when no number is written on it
        already (big networks, or the forward pass)."""
        S = self.S
        if sel[1] >= len(S.edges):
            return
        e = S.edges[sel[1]]
        hit = np.flatnonzero((e.i == sel[2]) & (e.j == sel[3]))
        if hit.size == 0 or any(lab.layer == sel[1] and lab.k == int(hit[0])
                                for lab, _ in self.label_spots()):
            return
        k = int(hit[0])
        if S.ekind == "grad":
            if not e.known[k]:
                return
            text = "∂L/∂w = " + fmt_text(float(e.val[k]))
        elif S.ekind == "update" and e.before is not None:
            text = "Δw = " + signed(float(e.val[k] - e.before[k]))
        else:
            text = "w = " + fmt_text(float(e.val[k]))
        x0, y0, x1, y1 = (float(c) for c in e.segs[k])
        fm = QFontMetricsF(self.f_edge)
        w, h = fm.horizontalAdvance(text) + 10 * self.L.s, fm.height() + 4 * self.L.s
        rect = QRectF(0.5 * (x0 + x1) - w / 2, 0.5 * (y0 + y1) - h / 2, w, h)
        self._pill(p, rect, text, QColor(self.th.background), self.f_edge,
                   QColor(self.th.accent))

    def _unknown_edges(self, p: QPainter, segs: np.ndarray) -> None:
        if segs.shape[0] == 0:
            return
        c = QColor(self.th.muted)
        c.setAlpha(90)
        pen = QPen(c, 0.8 * self.ew)
        pen.setStyle(Qt.PenStyle.DotLine)
        p.setPen(pen)
        p.drawLines([QLineF(*row) for row in segs.tolist()])

    def _pulses(self, p: QPainter, t: float, backward: bool) -> None:
        S, s = self.S, self.L.s
        for e in S.edges:
            m = e.pulse != 0
            if not m.any():
                continue
            seg, val = e.segs[m], e.pulse[m]
            f = t if not backward else 1.0 - t
            xs = seg[:, 0] + (seg[:, 2] - seg[:, 0]) * f
            ys = seg[:, 1] + (seg[:, 3] - seg[:, 1]) * f
            size = np.rint(np.clip(np.abs(val) / S.pscale, 0, 1) * 3).astype(int)
            for sign, colour in ((1, self.th.pos), (-1, self.th.neg)):
                for k in range(4):
                    sel = (np.sign(val) == sign) & (size == k)
                    if not sel.any():
                        continue
                    d = (4.0 + 2.5 * k) * s
                    for width, col in ((d + 3 * s, self.th.background), (d, colour)):
                        pen = QPen(QColor(col), width)
                        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                        p.setPen(pen)
                        p.drawPointsNp(xs[sel].astype(np.float64), ys[sel].astype(np.float64))

    def _neuron(self, p: QPainter, x: float, y: float, v: float, known: bool, scale: float,
                square: bool = False, grow: float = 1.0) -> None:
        L, th = self.L, self.th
        r = L.r
        rect = QRectF(x - r, y - r, 2 * r, 2 * r)
        if square:
            rect = rect.adjusted(0.08 * r, 0.08 * r, -0.08 * r, -0.08 * r)
        if not known:
            pen = QPen(QColor(th.muted), max(1.0, 1.2 * L.s))
            pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.setBrush(QColor(th.background))
            self._shape(p, rect, square)
            if self.value_px >= 7:
                p.setFont(self.f_value)
                p.setPen(QColor(th.muted))
                p.drawText(rect, ALIGN_C, "?")
            return
        fill = diverging(v, scale, th)
        edge = QColor(th.foreground if th.dark else th.muted)
        edge.setAlpha(150)
        if grow < 1.0:
            p.setPen(QPen(edge, max(1.0, L.s)))
            p.setBrush(QColor(th.background))
            self._shape(p, rect, square)
            g = max(grow, 0.0)
            inner = QRectF(x - r * g, y - r * g, 2 * r * g, 2 * r * g)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(fill)
            self._shape(p, inner, square)
        else:
            p.setPen(QPen(edge, max(1.0, L.s)))
            p.setBrush(fill)
            self._shape(p, rect, square)
        if self.S.show_values and self.value_px >= 7 and grow > 0.6:
            text = fmt_text(v)
            # the app's number format; a scientific one too wide for the neuron goes on
            # two lines ("1.922" over "× 10⁻⁶") rather than into another format
            mantissa, times, power = text.partition(" × ")
            for f, fm in zip(self.f_values, self.fm_values, strict=True):
                if fm.horizontalAdvance(text) <= 1.75 * r:
                    shown = text
                elif times and max(fm.horizontalAdvance(mantissa),
                                   fm.horizontalAdvance("× " + power)) <= 1.6 * r \
                        and 2 * fm.height() <= 1.7 * r:
                    shown = f"{mantissa}\n× {power}"
                else:
                    continue
                tc = text_on(fill)
                tc.setAlphaF(min(1.0, (grow - 0.6) / 0.4))
                p.setFont(f)
                p.setPen(tc)
                p.drawText(rect, ALIGN_C, shown)
                break

    @staticmethod
    def _shape(p: QPainter, rect: QRectF, square: bool) -> None:
        if square:
            p.drawRoundedRect(rect, rect.width() * 0.18, rect.width() * 0.18)
        else:
            p.drawEllipse(rect)

    def _biases(self, p: QPainter, l: int, moving: bool, t: float = 1.0) -> None:
        """Bias markers of weight layer l: the static pass draws the settled ones (and
        gradients about to fade in as unknown); the moving pass the ones that change."""
        L, th, items = self.L, self.th, self.S.biases[l]
        border = QColor(th.foreground if th.dark else th.muted)
        for k, i in enumerate(L.column(l).shown):
            new, morph = bool(items.new[k]), items.before is not None
            if (moving and not new) or (not moving and new and morph):
                continue
            p.setPen(QPen(border, max(0.8, 0.9 * L.s)))
            if not items.known[k] or (not moving and new):
                p.setBrush(QColor(th.background))
            else:
                v = float(items.val[k])
                if moving and morph:
                    v = float(items.before[k]) + (v - float(items.before[k])) * t
                fill = self._label_colour(v, self.S.escale)
                if moving and not morph:
                    fill.setAlphaF(t)
                p.setBrush(fill)
            p.drawRect(QRectF(*L.bias_rect(l, int(i))))

    def _more_label(self, p: QPainter, x: float, y: float, n: int) -> None:
        """"⋮ n more" (or "⋮ n" in a narrow column) on a background pill, so edges do not
        run through the text."""
        s, text = self.L.s, f"⋮ {n} more"
        p.setFont(self.f_sub)
        fm = QFontMetricsF(self.f_sub)
        if fm.horizontalAdvance(text) + 14 * s > 0.9 * self.L.dx:
            text = f"⋮ {n}"
        w = fm.horizontalAdvance(text) + 14 * s
        rect = QRectF(x - w / 2, y - 10 * s, w, 20 * s)
        fill = QColor(self.th.background)
        fill.setAlpha(230)
        p.setPen(QPen(QColor(self.th.grid), 1.0))
        p.setBrush(fill)
        p.drawRoundedRect(rect, 10 * s, 10 * s)
        p.setPen(QColor(self.th.muted))
        p.drawText(rect, ALIGN_C, text)

    def _input_labels(self, p: QPainter) -> None:
        L = self.L
        col = L.columns[0]
        p.setFont(self.f_label)
        p.setPen(QColor(self.th.foreground))
        for k, j in enumerate(col.shown):
            if j < len(self.in_labels):
                y = float(col.ys[k])
                p.drawText(QRectF(0, y - L.dy / 2, col.x - L.r - 8 * L.s, L.dy), ALIGN_R,
                           self.in_labels[j])

    def _outputs(self, p: QPainter, loss_t: float) -> None:
        """Targets, output labels, the brace and the loss node. ``loss_t`` < 1 draws the
        comparison of ŷ with y growing and the loss still filling in."""
        L, S, th = self.L, self.S, self.th
        col = L.columns[-1]
        s = L.s
        muted = QColor(th.muted)
        fm_chip = QFontMetricsF(self.f_chip)
        for k, i in enumerate(col.shown):
            y = float(col.ys[k])
            label = self.out_labels[i] if i < len(self.out_labels) else ""
            p.setFont(self.f_label)
            if S.target is None:
                p.setPen(muted)
                p.drawText(QRectF(L.chip_x, y - L.dy / 2, L.width - L.chip_x, L.dy), ALIGN_L,
                           label)
                continue
            x0, x1 = col.x + L.r + 3 * s, L.chip_x - 3 * s
            xm = x0 + (x1 - x0) * loss_t
            live = loss_t < 1.0
            pen = QPen(QColor(th.foreground) if live else muted, (2.0 if live else 1.0) * s)
            p.setPen(pen)
            p.drawLine(QLineF(x0, y, xm, y))
            p.setPen(muted)
            p.drawText(QRectF(L.label_x, y - L.dy / 2, L.brace_x - L.label_x, L.dy), ALIGN_L,
                       label)
            p.setFont(self.f_sub)
            if S.loss is not None and S.yhat_known[k] and loss_t > 0.5 and L.dy > L.chip_h + 36 * s:
                p.setPen(QColor(th.foreground))
                label = self.error_label(k)
                if label is not None:
                    text, f, rect = label
                    p.setFont(f)
                    p.drawText(rect, ALIGN_C, text)
            cx, cy, cw, ch = L.chip_rect(int(i))
            fill = diverging(float(S.target[k]), S.ascale, th)
            p.setPen(QPen(QColor(th.foreground if th.dark else th.muted), max(1.0, s)))
            p.setBrush(fill)
            p.drawRoundedRect(QRectF(cx, cy, cw, ch), 0.2 * ch, 0.2 * ch)
            text = "y = " + fmt_text(float(S.target[k]))
            if fm_chip.horizontalAdvance(text) > cw - 6 * s:
                text = fmt_text(float(S.target[k]))
            p.setFont(self.f_chip)
            p.setPen(text_on(fill))
            p.drawText(QRectF(cx, cy, cw, ch), ALIGN_C, text)
        if S.target is None:
            return
        updating = S.anim is not None and S.anim[0] == "update"
        self.loss_node.draw(p, loss_t, update_t=0.0 if updating else 1.0)

    def error_label(self, k: int) -> tuple[str, QFont, QRectF] | None:
        """"ŷ − y = …" of output row ``k``, its font and place: over the target chip, but
        clear of the output neuron and its δ ring and inside the view (in smaller type if
        it must; None when even the smallest does not fit)."""
        L, S, s = self.L, self.S, self.L.s
        col = L.columns[-1]
        y = float(col.ys[k])
        text = "ŷ − y = " + fmt_text(float(S.yhat[k] - S.target[k]))
        clear = col.x + 1.25 * L.r + 4 * s
        room = (L.width - 2 * s) - clear
        f = self.f_sub
        tw = QFontMetricsF(f).horizontalAdvance(text) + 2 * s
        if tw > room > 0:
            f = font(self.base_font, max(8, int(f.pixelSize() * room / tw)))
            tw = QFontMetricsF(f).horizontalAdvance(text) + 2 * s
        if tw > room:
            return None
        left = max(min(L.chip_x + 0.5 * L.chip_w - 0.5 * tw, L.width - tw - 2 * s), clear)
        return text, f, QRectF(left, y - 0.5 * L.chip_h - 20 * s, tw, 18 * s)

    def title_plan(self) -> list[tuple[float, float, str, str, float]]:
        """Column titles: see network_chrome.ColumnTitles.plan."""
        return self.column_titles.plan()

    def _thumbnails(self, p: QPainter) -> None:
        L = self.L
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        p.setPen(QPen(QColor(self.th.muted), 1.0))
        p.setBrush(Qt.BrushStyle.NoBrush)
        for l, images in enumerate(self.thumbs):
            for i in L.column(l).shown if l < len(L.columns) - 1 else ():
                rect = L.thumb_rect(l, int(i))
                if rect is not None and i < len(images):
                    p.drawImage(QRectF(*rect), images[i])
                    p.drawRect(QRectF(*rect))
