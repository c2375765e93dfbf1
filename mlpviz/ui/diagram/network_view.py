"""The network diagram widget: neurons, edges, biases and the loss node of an MLP, the
walkthrough's stages animated on top, hover tooltips, selection by mouse or keyboard,
inline editing and zoom.

The view never changes the network: edits are emitted as ``weightEdited`` /
``biasEdited`` and the controller applies them and calls :meth:`NetworkView.refresh`.
Selections are tuples: ``("neuron", l, i)`` (l = −1 for inputs), ``("edge", l, i, j)``
(W⁽ˡ⁾[i, j], from neuron j of layer l − 1 to neuron i of layer l), ``("bias", l, i)``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFontMetricsF, QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QToolTip, QWidget

from mlpviz.model.notation import symbols as S
from mlpviz.model.playback import VALUE_MODES
from mlpviz.ui.colors import THEMES, Theme
from mlpviz.ui.diagram import network_keys as keys
from mlpviz.ui.diagram.network_chrome import font, thumbnail_images
from mlpviz.ui.diagram.network_editor import MAX_EDIT, EditError, InlineEditor, parse_value
from mlpviz.ui.diagram.network_layout import NetworkLayout, elide
from mlpviz.ui.diagram.network_paint import Painter
from mlpviz.ui.diagram.network_scene import (
    Scene,
    Values,
    WeightScale,
    build_scene,
    choose_edges,
    describe,
    values_from_sample,
    values_from_walkthrough,
)

__all__ = ["MAX_EDIT", "VALUE_MODES", "ZOOM_RANGE", "EditError", "NetworkView", "parse_value"]

ZOOM_RANGE = (0.6, 2.5)  # smallest and largest zoom of the diagram
ZOOM_STEP = 1.2  # one Ctrl+= / Ctrl+- or one wheel notch


def _painter(device) -> QPainter:
    p = QPainter(device)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    return p




class NetworkView(QWidget):
    """Paints an MLP and, optionally, a Walkthrough's progress through one iteration."""

    selectionChanged = Signal(object)
    weightEdited = Signal(int, int, int, float)
    biasEdited = Signal(int, int, float)
    hovered = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(360, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._net = None
        self._in_labels: list[str] = []
        self._out_labels: list[str] = []
        self._wt = None
        self._idle = False  # the walkthrough stands for the idle traced sample
        self._static_uses = 0  # paints that used the cached static layers
        self._x: np.ndarray | None = None
        self._y: np.ndarray | None = None
        self._frame: tuple[object, float] = (None, 1.0)
        self._theme: Theme = THEMES["light"]
        self._mode = "a"
        self._maps: list[np.ndarray] | None = None
        self._maps_version = 0
        self._selection: tuple | None = None
        self._hover: tuple | None = None
        self._version = 0
        self._label_widths = (10.0, 10.0)
        self._caches: dict[str, tuple] = {}
        self._wscale = WeightScale()
        self._locked = False
        self._zoom = 1.0
        self._pan = (0.0, 0.0)  # widget px the magnified diagram is scrolled by
        self._drag: tuple[QPointF, tuple[float, float]] | None = None  # (press, pan then)
        self._dragged = False
        self._inline = InlineEditor(self, self._theme)
        self._inline.committed.connect(self._emit_edit)
        self.editor = self._inline.line
        self.edit_message = self._inline.message

    # ---- inputs from the controller ----------------------------------------------------
    def set_network(self, net, input_labels: list[str], output_labels: list[str]) -> None:
        """Show ``net`` (an MLP) with display names for its inputs and outputs. A new
        network (another session or topology) gets a fresh weight colour scale, and a
        selection made in another topology is dropped (its indices mean other items)."""
        ins, outs = [str(s) for s in input_labels], [str(s) for s in output_labels]
        if net is self._net and ins == self._in_labels and outs == self._out_labels:
            self.refresh()  # the same network (every refresh passes it): weights may
            return  # have changed in place, nothing else to measure
        if net is not self._net:
            self._wscale.reset()
        if self._net is not None and list(net.sizes) != list(self._net.sizes) \
                and self._selection is not None:
            self._selection = None
            self.selectionChanged.emit(None)
        self._net = net
        self._in_labels, self._out_labels = ins, outs
        fm = QFontMetricsF(font(self.font(), 12.5))
        shown = [self._in_labels[j] for j in elide(len(self._in_labels))]
        self._label_widths = (
            min(max([fm.horizontalAdvance(t) for t in shown] + [10.0]), 160.0),
            min(max([fm.horizontalAdvance(t) for t in self._out_labels[:64]] + [10.0]), 160.0),
        )
        if self._x is not None and np.atleast_2d(self._x).shape[1] != net.sizes[0]:
            self._x = self._y = None
        if self._selection is not None and not self._valid(self._selection):
            self._selection = None
        self.refresh()

    def set_walkthrough(self, wt, sample=None, idle: bool = False) -> None:
        """Show a Walkthrough at its stage; with ``idle`` its values with no stage (the
        traced sample while no walkthrough runs: model.walkthrough.idle_walkthrough). None
        shows ``sample``'s values on a bare network: ``sample`` is the traced x (1, n_in)
        or an (x, y) pair, remembered for that."""
        self._wt = wt
        self._idle = bool(idle) and wt is not None
        if sample is not None:
            x, y = sample if isinstance(sample, tuple) else (sample, None)
            self._x = np.asarray(x, dtype=np.float64)
            self._y = None if y is None else np.asarray(y, dtype=np.float64)
        self.refresh()

    def set_frame(self, stage, t: float) -> None:
        """Animation progress of ``stage`` (t in [0, 1]; 1 = complete), from the Timeline."""
        self._frame = (stage, min(max(float(t), 0.0), 1.0))
        self.update()

    def set_theme(self, theme: Theme | str) -> None:
        self._theme = THEMES[theme] if isinstance(theme, str) else theme
        self._inline.theme = self._theme
        self.refresh()

    def set_value_mode(self, mode: str) -> None:
        """Numbers on neurons: "a", "z", "delta" (δ = ∂L/∂z) or "none"."""
        if mode not in VALUE_MODES:
            raise ValueError(f"value mode must be one of {VALUE_MODES}, got {mode!r}")
        self._mode = mode
        self.refresh()

    def set_thumbnails(self, maps: list[np.ndarray] | None) -> None:
        """Activation maps per weight layer, (res, res, n_l) each, or None to hide them."""
        self._maps = None if maps is None else [np.asarray(m) for m in maps]
        self._maps_version += 1
        self.refresh()

    def set_selection(self, sel: tuple | None) -> None:
        self._selection = tuple(sel) if sel is not None and self._valid(tuple(sel)) else None
        if self._selection is not None:
            self._reveal(self._selection)
        self.update()

    def selection(self) -> tuple | None:
        return self._selection

    def set_gradient_scale_locked(self, locked: bool) -> None:
        """Draw every backward stage on one gradient scale (the iteration's), to compare
        stages, instead of each stage on its own."""
        self._locked = bool(locked)
        self.refresh()

    def gradient_scale_locked(self) -> bool:
        return self._locked

    def rescale_weight_colours(self) -> float:
        """Fit the weight colour scale to the weights now (it may shrink); returns it."""
        if self._net is None:
            return 1.0
        scale = self._wscale.rescale([*self._net.weights, *self._net.biases])
        self.refresh()
        return scale

    def weight_scale(self) -> WeightScale:
        """The session's weight colour scale (fixed, grows only when outgrown)."""
        return self._wscale

    def zoom(self) -> float:
        """The diagram's magnification (1 = the whole diagram fitted to the view)."""
        return self._zoom

    def set_zoom(self, factor: float, at: QPointF | None = None) -> float:
        """Magnify the diagram by ``factor`` (kept within ZOOM_RANGE), keeping the point
        under widget position ``at`` (default: the centre) in place; a magnified diagram
        is moved with the wheel, by dragging empty space or by the keyboard selection.
        Returns the zoom now."""
        lo, hi = ZOOM_RANGE
        factor = float(factor)
        z = 1.0 if not math.isfinite(factor) else min(max(factor, lo), hi)
        if abs(z - 1.0) < 1e-9:
            z = 1.0  # steps in and out again land exactly on 1
        if z == self._zoom:
            return z
        keep = at is None and self._selection is not None
        at = QPointF(self.width() / 2, self.height() / 2) if at is None else QPointF(at)
        fx, fy = self.to_diagram(at)
        self._zoom = z
        self._pan = (0.0, 0.0)
        x0, y0 = self._origin()
        self._scroll(x0 + fx * z - at.x(), y0 + fy * z - at.y())
        if keep:  # zoomed by key or menu: the selected item stays in view
            self._reveal(self._selection)
        self.close_editor()  # the field would sit beside its item's old place
        self.update()
        return z

    def zoom_in(self) -> float:
        return self.set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> float:
        return self.set_zoom(self._zoom / ZOOM_STEP)

    def reset_zoom(self) -> float:
        return self.set_zoom(1.0)

    # ---- magnified diagram: widget px <-> diagram px ------------------------------------------
    def _origin(self) -> tuple[float, float]:
        """Widget position of the diagram's top-left corner: centred when the magnified
        diagram is smaller than the view, else scrolled by the (clamped) pan."""
        z, (px, py) = self._zoom, self._pan

        def axis(view: float, pan: float) -> float:
            size = view * z
            return 0.5 * (view - size) if size <= view else -min(max(pan, 0.0), size - view)

        return axis(self.width(), px), axis(self.height(), py)

    def _scroll(self, dx: float, dy: float) -> None:
        """Move a magnified diagram by (dx, dy) widget px (kept covering the view)."""
        z, (px, py) = self._zoom, self._pan
        w, h = self.width(), self.height()
        self._pan = (min(max(px + dx, 0.0), max(w * z - w, 0.0)),
                     min(max(py + dy, 0.0), max(h * z - h, 0.0)))
        self.update()

    def to_diagram(self, pos: QPointF | QPoint) -> tuple[float, float]:
        """The diagram position (as in :meth:`diagram_layout`) under widget position pos."""
        x0, y0 = self._origin()
        return (pos.x() - x0) / self._zoom, (pos.y() - y0) / self._zoom

    def to_widget(self, x: float, y: float) -> QPointF:
        """The widget position of diagram position (x, y)."""
        x0, y0 = self._origin()
        return QPointF(x0 + x * self._zoom, y0 + y * self._zoom)

    def _reveal(self, item: tuple) -> None:
        """Scroll a magnified diagram so that ``item`` is in view."""
        if self._zoom <= 1.0 or self._net is None:
            return
        L = self.diagram_layout()
        if item[0] == "edge":
            pt = L.edge_midpoint(item[1], item[2], item[3])
        else:
            pt = L.pos(item[1], item[2])
        if pt is None:
            return
        p, m = self.to_widget(*pt), (L.r + 24.0 * L.s) * self._zoom
        w, h = self.width(), self.height()
        dx = min(p.x() - m, 0.0) + max(p.x() + m - w, 0.0)
        dy = min(p.y() - m, 0.0) + max(p.y() + m - h, 0.0)
        if dx or dy:
            self._scroll(dx, dy)

    def refresh(self) -> None:
        """Re-read the network and walkthrough (after weights changed) and repaint."""
        self._version += 1
        self.update()

    # ---- what to draw ------------------------------------------------------------------
    def _animating(self) -> bool:
        stage, t = self._frame
        return (self._wt is not None and not self._idle and stage is not None
                and stage == self._wt.stage and t < 1)

    def _slot(self, w: float, h: float) -> str:
        """Cache slot: one for the widget's own size, one for offscreen renders."""
        return "widget" if (w, h) == (self.width(), self.height()) else "offscreen"

    def diagram_layout(self, width: int | None = None, height: int | None = None) -> NetworkLayout:
        """The geometry for a view of the given size (default: the widget's size)."""
        w = self.width() if width is None else width
        h = self.height() if height is None else height
        if self._net is None:
            raise RuntimeError("NetworkView has no network: call set_network first")
        key = (w, h, tuple(self._net.sizes), self._label_widths, self._theme.font_scale,
               self._maps is not None)
        slot = self._slot(w, h)
        cached = self._caches.get(f"layout{slot}")
        if cached is not None and cached[0] == key:
            return cached[1]
        layout = NetworkLayout(self._net.sizes, w, h, *self._label_widths,
                               self._theme.font_scale, thumbnails=self._maps is not None)
        self._caches[f"layout{slot}"] = (key, layout)
        return layout

    def _values(self) -> Values | None:
        key = (self._version, self._animating())
        cached = self._caches.get("values")
        if cached is None or cached[0] != key:
            if self._wt is not None:
                v = values_from_walkthrough(self._net, self._wt, self._animating(), self._idle)
            else:
                v = values_from_sample(self._net, self._x, self._y)
            cached = (key, v)
            self._caches["values"] = cached
        return cached[1]

    def scene(self, layout: NetworkLayout) -> Scene:
        """What ``layout`` shows now (cached until the next change or animation start/end)."""
        key = (layout, self._version, self._animating(), self._mode, self._locked,
               self._wscale.scale)  # layout: by identity
        slot = self._slot(layout.width, layout.height)
        cached = self._caches.get(f"scene{slot}")
        if cached is None or cached[0] != key:
            edges = choose_edges(self._net, layout)
            scene = build_scene(self._net, layout, self._values(), self._mode, edges,
                                self._wscale, self._locked)
            # the weight scale may have grown while building: key the cache by its new value
            cached = (key[:-1] + (self._wscale.scale,), scene)
            self._caches[f"scene{slot}"] = cached
        return cached[1]

    def painter_for(self, layout: NetworkLayout) -> Painter:
        """A Painter of the current scene in ``layout`` (fonts, titles, labels, thumbnails)."""
        net = self._net
        def count(n: int, unit: str) -> str:
            return f"{n} {unit}{'s' if n != 1 else ''}"

        titles = [("Input", "In", "", count(net.sizes[0], "feature"), str(net.sizes[0]))]
        for l, act in enumerate(net.activations):
            last = l == net.n_layers - 1
            name, short = ("Output", "Out") if last else (f"Hidden {l + 1}", f"H{l + 1}")
            n = net.sizes[l + 1]
            titles.append((name, short, S.activation_name(act),
                           count(n, "neuron"), str(n)))
        scene, thumbs, font = self.scene(layout), self._thumbnails(layout), self.font()
        # a Painter keeps its fonts and where it placed the edge numbers: one per picture
        same = (layout, scene, thumbs)  # compared by identity
        key = (self._theme, font.key(), tuple(titles), tuple(self._in_labels),
               tuple(self._out_labels), net.loss.name)
        slot = f"painter{self._slot(layout.width, layout.height)}"
        cached = self._caches.get(slot)
        if cached is None or cached[0][1] != key or any(
                a is not b for a, b in zip(cached[0][0], same, strict=True)):
            key = (same, key)
            cached = (key, Painter(layout, scene, self._theme, font, titles, self._in_labels,
                                   self._out_labels, net.loss.name, thumbs))
            self._caches[slot] = cached
        return cached[1]

    def _thumbnails(self, layout: NetworkLayout) -> list | None:
        """The thumbnail images for ``layout`` (built once per maps, theme and size)."""
        if self._maps is None or layout.thumb <= 0:
            return None
        side = math.ceil(layout.thumb * self.devicePixelRatioF() * self._zoom)
        key = (self._maps_version, self._theme, side)
        cached = self._caches.get("thumbs")
        if cached is None or cached[0] != key:
            cached = (key, thumbnail_images(self._maps, self._theme, side))
            self._caches["thumbs"] = cached
        return cached[1]

    def _paint_all(self, p: QPainter, layout: NetworkLayout) -> None:
        pr = self.painter_for(layout)
        t = self._frame[1] if self._animating() else 1.0
        pr.under(p)
        pr.moving_edges(p, t)
        pr.over(p)
        pr.moving_top(p, t)
        pr.selection(p, self._selection)

    # ---- painting ----------------------------------------------------------------------
    def _static_pixmaps(self, layout: NetworkLayout,
                        pr: Painter) -> tuple[QPixmap | None, ...] | None:
        """The cached layers: under (everything static when nothing animates) and, while
        animating, three transparent ones — the edges fading in, the over layer
        (neurons, markers, labels) and the badges and numbers fading in; the fading ones
        are drawn at the stage's opacity each frame instead of being painted again.
        None: paint straight instead (the picture changes at every paint)."""
        dpr = self.devicePixelRatioF() * self._zoom  # sharp when magnified
        animating = self._animating()
        key = (layout.width, layout.height, dpr, self._version, animating, self._mode,
               self._theme, self._locked, self._wscale.scale)
        cached = self._caches.get("pixmaps")
        if cached is not None and cached[0] == key:
            if cached[1] is not None:
                self._static_uses += 1
                return cached[1]
            # painted straight last time, and asked again unchanged: now worth a cache
        elif (cached is not None and not animating and self._zoom == 1.0
              and self._static_uses <= 1):
            # the last picture was painted once before it changed (training is running):
            # a cache would only cost a fill and a copy, so paint straight to the widget
            self._caches["pixmaps"] = (key, None)
            return None
        self._static_uses = 1
        size = QSize(max(1, round(layout.width * dpr)), max(1, round(layout.height * dpr)))

        def canvas(fill) -> QPixmap:
            pix = QPixmap(size)
            pix.setDevicePixelRatio(dpr)
            pix.fill(fill)
            return pix

        under = canvas(self._theme.qcolor("background"))
        p = _painter(under)
        pr.under(p)
        if not animating:
            pr.over(p)
            p.end()
            self._caches["pixmaps"] = (key, (under,))
            return (under,)
        p.end()
        layers: list[QPixmap | None] = [under]
        edges, top = pr.fades()
        for draw, needed in ((pr.fading_edges, edges), (pr.over, True), (pr.fading_top, top)):
            layer = None
            if needed:  # an empty layer would still cost a blend per frame
                layer = canvas(Qt.GlobalColor.transparent)
                p = _painter(layer)
                draw(p)
                p.end()
            layers.append(layer)
        self._caches["pixmaps"] = (key, tuple(layers))
        return tuple(layers)

    def _static_straight(self, p: QPainter, pr: Painter) -> None:
        """What the under layer of :meth:`_static_pixmaps` holds, painted on ``p``."""
        layout = pr.L
        p.fillRect(QRectF(0, 0, layout.width, layout.height), self._theme.qcolor("background"))
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        pr.under(p)
        pr.over(p)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setClipRect(event.rect())
        if self._net is None:
            p.fillRect(self.rect(), self._theme.qcolor("background"))
            return
        layout = self.diagram_layout()
        pr = self.painter_for(layout)
        layers = self._static_pixmaps(layout, pr)
        if layers is None:  # zoom 1, nothing animating: see _static_pixmaps
            self._static_straight(p, pr)
            pr.selection(p, self._selection)
            return
        if self._zoom != 1.0:
            p.fillRect(self.rect(), self._theme.qcolor("background"))
            p.translate(*self._origin())
            p.scale(self._zoom, self._zoom)
        p.drawPixmap(0, 0, layers[0])
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        if len(layers) > 1:
            _, fading_edges, over, fading_top = layers
            t = self._frame[1]
            if fading_edges is not None:
                p.setOpacity(t)
                p.drawPixmap(0, 0, fading_edges)
                p.setOpacity(1.0)
            pr.moving_edges(p, t, fading=False)
            p.drawPixmap(0, 0, over)
            pr.moving_top(p, t, fading=False)
            if fading_top is not None:
                p.setOpacity(t)
                p.drawPixmap(0, 0, fading_top)
                p.setOpacity(1.0)
        pr.selection(p, self._selection)

    def render_image(self, width: int, height: int) -> QImage:
        """The view painted offscreen at exactly width × height (no window needed)."""
        img = QImage(int(width), int(height), QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(self._theme.qcolor("background"))
        if self._net is not None:
            p = _painter(img)
            self._paint_all(p, self.diagram_layout(int(width), int(height)))
            p.end()
        return img

    def svg(self, path: str | Path, width: int = 1280, height: int = 720) -> None:
        """Write the diagram as an SVG file of the given size (vector edges and circles)."""
        if self._net is None:
            raise RuntimeError("NetworkView has no network to export")
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(QSize(int(width), int(height)))
        gen.setViewBox(QRect(0, 0, int(width), int(height)))
        gen.setTitle("mlpviz network")
        gen.setDescription(self._net.describe())
        p = _painter(gen)
        self._paint_all(p, self.diagram_layout(int(width), int(height)))
        p.end()

    # ---- hit testing, tooltips ---------------------------------------------------------
    def item_at(self, pos: QPoint) -> tuple | None:
        """The neuron, edge or bias marker under widget position ``pos`` (or None)."""
        if self._net is None:
            return None
        layout = self.diagram_layout()
        sc = self.scene(layout)
        visible = {l: (e.i, e.j) for l, e in enumerate(sc.edges)}
        return layout.hit_test(*self.to_diagram(pos), visible)

    def _valid(self, sel: tuple) -> bool:
        net = self._net
        if net is None or not sel:
            return False
        try:
            kind, l, i = sel[0], int(sel[1]), int(sel[2])
            lo = -1 if kind == "neuron" else 0
            ok = kind in ("neuron", "bias", "edge") and lo <= l < net.n_layers
            ok = ok and 0 <= i < net.sizes[l + 1]
            return ok and (kind != "edge" or 0 <= int(sel[3]) < net.sizes[l])
        except (IndexError, TypeError, ValueError):
            return False

    def tooltip_text(self, item: tuple | None) -> str:
        """The hover text for an item (or ("loss",)): its values, or "not computed yet"."""
        if item is None or self._net is None:
            return ""
        return describe(item, self._net, self._values(), self._in_labels)

    def event(self, ev: QEvent) -> bool:
        if (ev.type() == QEvent.Type.KeyPress and self._net is not None
                and ev.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and self._tab(ev)):
            ev.accept()
            return True
        if ev.type() == QEvent.Type.ToolTip:
            item = self.item_at(ev.pos())
            if item is None and self._net is not None and self.diagram_layout().hit_loss(
                    *self.to_diagram(ev.pos())):
                item = ("loss",)
            if item is not None:
                QToolTip.showText(ev.globalPos(), self.tooltip_text(item), self)
            else:
                QToolTip.hideText()
                ev.ignore()
            return True
        return super().event(ev)

    # ---- mouse ---------------------------------------------------------------------------
    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._drag is not None:
            start, (px, py) = self._drag
            d = event.position() - start
            if self._dragged or abs(d.x()) + abs(d.y()) > 3:
                self._dragged = True
                self.setCursor(Qt.CursorShape.ClosedHandCursor)
                self._pan = (px, py)
                self._scroll(-d.x(), -d.y())
            return
        item = self.item_at(event.position().toPoint())
        if item != self._hover:
            self._hover = item
            self.hovered.emit(item)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._hover is not None:
            self._hover = None
            self.hovered.emit(None)
        super().leaveEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        if self.editor.isVisible():
            self.close_editor()
        item = self.item_at(event.position().toPoint())
        if item is None and self._zoom > 1.0:  # empty space of a magnified diagram: a
            self._drag, self._dragged = (event.position(), self._pan), False  # drag moves it
            return
        self._choose(item)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._drag is not None:
            if not self._dragged:
                self._choose(None)  # a click on empty space clears the selection
            self._drag = None
            self.unsetCursor()
        super().mouseReleaseEvent(event)

    def _choose(self, item: tuple | None) -> None:
        if item is not None:
            self._reveal(item)
        if item != self._selection:
            self._selection = item
            self.update()
            self.selectionChanged.emit(item)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 (Qt override)
        item = self.item_at(event.position().toPoint())
        if item is not None:
            self.open_editor(item)

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Ctrl + wheel zooms the diagram around the mouse (one notch: ZOOM_STEP); the
        wheel alone moves a magnified diagram (Shift + wheel: sideways)."""
        d = event.angleDelta()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier and d.y():
            self.set_zoom(self._zoom * ZOOM_STEP ** (d.y() / 120.0), event.position())
        elif self._zoom > 1.0 and (d.x() or d.y()):
            dx, dy = -d.x() / 2.0, -d.y() / 2.0
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                dx, dy = dy, dx
            self._scroll(dx, dy)
        else:
            return super().wheelEvent(event)
        event.accept()

    # ---- keyboard --------------------------------------------------------------------------
    def _tab(self, ev: QEvent) -> bool:
        """Tab / Shift+Tab: the next / previous neuron; past the last (first) one the focus
        moves on as usual. Returns whether the key was used here."""
        if ev.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            return False
        item = keys.tab(self.diagram_layout(), self._selection, ev.key() == Qt.Key.Key_Tab)
        if item is None:
            return False
        self._choose(item)
        return True

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """↑/↓ move within a column, Alt+←/→ between layers (plain ←/→ step the
        walkthrough: window shortcuts), E / Shift+E cycle the edges into / out of the
        neuron, B takes its bias, Enter edits the selected weight or bias."""
        if self._net is None:
            return super().keyPressEvent(event)
        key, mods = event.key(), event.modifiers()
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        plain = not mods & ~(Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier)
        sel, layout = self._selection, self.diagram_layout()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and plain and not shift:
            item = keys.vertical(layout, sel, 1 if key == Qt.Key.Key_Down else -1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and alt:
            item = keys.horizontal(layout, sel, 1 if key == Qt.Key.Key_Right else -1)
        elif key == Qt.Key.Key_E and plain:
            item = keys.edge(layout, sel, into=not shift)
        elif key == Qt.Key.Key_B and plain and not shift:
            item = keys.bias(sel)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain and not shift:
            if sel is not None:
                self.open_editor(sel)
            return event.accept()
        else:
            return super().keyPressEvent(event)
        event.accept()
        if item is not None:
            self._choose(item)

    # ---- inline editing --------------------------------------------------------------------
    def open_editor(self, item: tuple) -> bool:
        """Start editing the weight of an edge, or the bias of a neuron / bias marker.
        Returns False for items that hold no parameter (inputs)."""
        if not self._valid(item) or (item[0] == "neuron" and item[1] < 0):
            return False
        return self._inline.open_item(item, self._net, self.diagram_layout(),
                                      self.to_widget, self._zoom)

    def close_editor(self) -> None:
        """Hide the inline editor without changing anything."""
        self._inline.close()

    def _emit_edit(self, target: tuple, value: float) -> None:
        if target[0] == "edge":
            self.weightEdited.emit(target[1], target[2], target[3], value)
        else:
            self.biasEdited.emit(target[1], target[2], value)
