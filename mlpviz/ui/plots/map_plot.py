"""The decision-boundary / output map: the network's output over the input plane as one
image, with the training and test points, the traced sample and the 0.5 contour on top.

One pyqtgraph item per kind of primitive: one ImageItem (float32, fixed levels, 256-entry
LUT, or a ready RGBA image for multi-class maps), one ScatterPlotItem for the training
points, one for the test points, one for the highlight ring, one curve for the contour.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsItem, QWidget

from mlpviz.model.notation.mathtext import fmt_text
from mlpviz.ui.colors import LIGHT, Theme, nice_ceil
from mlpviz.ui.plots import plot_style as ps
from mlpviz.ui.plots.contour import contour_segments

KINDS = ("binary", "multiclass", "regression")
POINT_SIZE = 7.0  # px, diameter of a data point
RING_SIZE = 22.0  # px, diameter of the ring around the traced sample (clear of the points)


AXIS_WIDTH = 44  # px of the x₂ axis at normal type size
PICK_RADIUS_PX = 12  # a right-click removes the nearest point this close


def _extent(extent: Sequence[float]) -> tuple[float, float, float, float]:
    try:
        x0, x1, y0, y1 = (float(v) for v in extent)
    except (TypeError, ValueError):
        raise ValueError(
            f"extent must be (xmin, xmax, ymin, ymax); got {extent!r}"
        ) from None
    if not (np.isfinite([x0, x1, y0, y1]).all() and x1 > x0 and y1 > y0):
        raise ValueError(f"extent must be finite with xmin < xmax and ymin < ymax; got {extent!r}")
    return x0, x1, y0, y1


def _points(X: object, y: object, name: str) -> tuple[np.ndarray, np.ndarray]:
    if X is None:
        return np.empty((0, 2)), np.empty(0)
    Xa = np.asarray(X, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64).ravel()
    if Xa.ndim != 2 or Xa.shape[1] != 2:
        raise ValueError(f"{name}_X must have shape (n, 2); got {Xa.shape}")
    if ya.shape != (Xa.shape[0],):
        raise ValueError(f"{name}_y must have shape ({Xa.shape[0]},); got {ya.shape}")
    return Xa, ya


@lru_cache(maxsize=16)
def _legend_colormap(theme: Theme, n_classes: int) -> pg.ColorMap:
    """Colour bar of the map: the faded diverging LUT (n_classes 0), or n_classes bands."""
    if n_classes == 0:
        return ps.colormap(ps.map_lut(theme))
    classes = ps.fade(ps.class_colors(theme, n_classes), theme.background, ps.MAP_FADE)
    return ps.colormap(classes[np.minimum(np.arange(256) * n_classes // 256, n_classes - 1)])


class MapPlot(pg.PlotWidget):
    """Output map of the network over the input plane (x₁, x₂) with the data on top.

    Colours: binary outputs 0..1 run orange (class 0) → neutral → blue (class 1);
    regression outputs use the diverging scale ±``scale`` (max |target| rounded up to 1, 2,
    2.5 or 5 × 10ᵏ, shown by the colour bar); multi-class maps
    take the colour of the argmax class, fading to neutral as the confidence drops.
    With editing on (:meth:`set_editing`) a click emits ``pointClicked(x, y, remove,
    radius)`` in data units.
    """

    pointClicked = Signal(float, float, bool, float)

    def __init__(self, parent: QWidget | None = None, theme: Theme | str = LIGHT):
        super().__init__(parent)
        self._editing = False
        self.scene().sigMouseClicked.connect(self._on_click)
        theme = ps.resolve_theme(theme)
        self._theme = theme
        self._kind = "binary"
        self._n_classes = 2
        self._class_names: tuple[str, ...] = ()  # the data's names for the classes, if any
        self._levels = (0.0, 1.0)
        self._extent: tuple[float, float, float, float] | None = None
        self._values: np.ndarray | None = None
        self._map_extent = (-1.0, 1.0, -1.0, 1.0)
        self._data: tuple[np.ndarray, ...] = (np.empty((0, 2)), np.empty(0)) * 2
        self._highlight: np.ndarray | None = None
        self._show_contour = True
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)  # bilinear map
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.setAspectLocked(True, ratio=1.0)
        item.setLabel("bottom", "x₁")
        item.setLabel("left", "x₂")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        self.contour = pg.PlotCurveItem(connect="pairs", antialias=True)
        self.train_points = pg.ScatterPlotItem(size=POINT_SIZE, symbol="o", pxMode=True)
        self.test_points = pg.ScatterPlotItem(size=POINT_SIZE, symbol="s", pxMode=True)
        self.ring = pg.ScatterPlotItem(size=RING_SIZE, symbol="o", pxMode=True)
        for z, it in enumerate((self.contour, self.train_points, self.test_points, self.ring)):
            it.setZValue(z)
        for it in (self.image, self.contour, self.train_points, self.test_points, self.ring):
            item.addItem(it)
        for it in (self.train_points, self.test_points, self.ring):  # the map changes under
            it.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # them every frame
        self.colorbar = pg.ColorBarItem(values=(0.0, 1.0), width=12, interactive=False,
                                        colorMap=_legend_colormap(theme, 0))
        item.layout.addItem(self.colorbar, 2, 5)
        item.layout.setColumnFixedWidth(4, 6)
        self.set_theme(theme)

    # ---- data ---------------------------------------------------------------------------
    def set_session_data(
        self, train_X: object, train_y: object, test_X: object, test_y: object,
        kind: str, n_classes: int, extent: Sequence[float], threshold: float = 0.5,
    ) -> None:
        """Data points and the plane to show.

        ``train_X`` (n, 2) raw inputs, ``train_y`` (n,) class labels 0..n_classes-1 or
        regression targets; ``test_X``/``test_y`` likewise or None; ``kind`` one of
        "binary", "multiclass", "regression"; ``extent`` (xmin, xmax, ymin, ymax) in data
        units; ``threshold`` the binary output from which on a point counts as class 1 (0.5
        for 0/1 targets, 0 for ±1 targets): the scale runs from 2·threshold − 1 to 1, so
        its middle, where the boundary is drawn, is the threshold the accuracy uses.
        Redraws the points only when something changed. ValueError on bad input.
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
        n_classes = int(n_classes)
        if kind != "regression" and n_classes < 2:
            raise ValueError(f"{kind} data needs n_classes >= 2; got {n_classes}")
        ext = _extent(extent)
        data = (*_points(train_X, train_y, "train"), *_points(test_X, test_y, "test"))
        if kind != "regression":
            for labels in (data[1], data[3]):
                if labels.size and (labels.min() < 0 or labels.max() >= n_classes
                                    or not np.all(labels == np.rint(labels))):
                    raise ValueError(f"class labels must be integers 0..{n_classes - 1}")
        same = (kind == self._kind and n_classes == self._n_classes and ext == self._extent
                and all(np.array_equal(a, b) for a, b in zip(data, self._data, strict=True)))
        if same:
            return
        if kind == "regression":
            scale = nice_ceil(float(np.max(np.abs(np.concatenate([data[1], data[3]])),
                                           initial=0.0)))
            levels = (-scale, scale)
        elif kind == "multiclass":
            levels = (0.0, float(n_classes))
        else:
            levels = (2.0 * float(threshold) - 1.0, 1.0)
        scale_changed = (kind, n_classes, levels) != (self._kind, self._n_classes, self._levels)
        if ext != self._extent:
            self.getPlotItem().setRange(xRange=ext[:2], yRange=ext[2:], padding=0.0)
        self._kind, self._n_classes, self._extent, self._data = kind, n_classes, ext, data
        self._levels = levels
        self._update_points()
        if scale_changed:
            self._update_legend()
            if self._values is not None and (self._values.ndim == 3) == (kind == "multiclass"):
                self.set_map(self._values, self._map_extent)

    # ---- editing points by clicking ----------------------------------------------------
    def set_editing(self, on: bool) -> None:
        """While on, a click asks for a point (``pointClicked``) and the cursor is a cross."""
        self._editing = bool(on)
        self.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)

    def _on_click(self, event) -> None:
        if not self._editing or self._extent is None:
            return
        vb = self.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        p = vb.mapSceneToView(event.scenePos())
        px = vb.viewPixelSize()  # data units per pixel (x, y)
        remove = (event.button() == Qt.MouseButton.RightButton
                  or bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier))
        event.accept()
        self.pointClicked.emit(float(p.x()), float(p.y()), remove,
                               float(PICK_RADIUS_PX * max(px[0], px[1])))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """The data's extent fills the plot again at every size (with the aspect locked,
        the range would otherwise depend on the sizes the plot had before)."""
        super().resizeEvent(event)
        ext = getattr(self, "_extent", None)  # Qt resizes the plot during __init__
        if ext is not None:
            self.getPlotItem().setRange(xRange=ext[:2], yRange=ext[2:], padding=0.0)

    def set_map(self, values: np.ndarray, extent: Sequence[float]) -> None:
        """The network output sampled on a grid.

        ``values`` (ny, nx) or (ny, nx, k): output at (xs[j], ys[i]) where xs and ys run
        evenly from extent (xmin, xmax, ymin, ymax) — the first and last sample are the
        pixel centres at the edges. Binary: one output in 0..1 (class-1 probability);
        multi-class: k class scores (probabilities); regression: one output value.
        """
        v = np.asarray(values)
        if v.ndim == 3 and v.shape[2] == 1:
            v = v[:, :, 0]
        multi = self._kind == "multiclass"
        if v.ndim != (3 if multi else 2) or v.shape[0] < 2 or v.shape[1] < 2:
            want = "(ny, nx, k)" if multi else "(ny, nx) or (ny, nx, 1)"
            raise ValueError(f"{self._kind} map values must have shape {want}; got {v.shape}")
        x0, x1, y0, y1 = ext = _extent(extent)
        ny, nx = v.shape[:2]
        dx, dy = (x1 - x0) / (nx - 1), (y1 - y0) / (ny - 1)
        if multi:
            self.image.setImage(self._class_image(v), autoLevels=False, levels=None, lut=None)
        else:
            # clamped to the levels first: a diverged network's huge values would overflow
            # pyqtgraph's rescaling (the colours past the levels are the end colours anyway)
            shown = np.clip(np.asarray(v, dtype=np.float32), *self._levels)
            self.image.setImage(shown, autoLevels=False, levels=self._levels, lut=self._lut)
        self.image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, nx * dx, ny * dy))
        self._values, self._map_extent = v, ext
        self._update_contour()

    def clear_map(self) -> None:
        """Remove the map, the points and the ring (for data without an input plane)."""
        self._values = None
        self._data = (np.empty((0, 2)), np.empty(0)) * 2
        self._extent = None
        self.image.clear()
        self.contour.setData([], [])
        self.train_points.setData([], [])
        self.test_points.setData([], [])
        self.set_highlight(None)

    def _class_image(self, v: np.ndarray) -> np.ndarray:
        """(ny, nx, 4) uint8: argmax-class colour mixed with neutral by the confidence."""
        k = v.shape[2]
        if k != self._n_classes:
            raise ValueError(f"map has {k} class scores but the data has {self._n_classes} classes")
        cls = np.argmax(v, axis=2)
        top = np.clip(np.take_along_axis(v, cls[:, :, None], axis=2)[:, :, 0], 0.0, 1.0)
        conf = np.clip((top - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)[:, :, None]
        neutral = ps.rgba(self._theme.neutral).astype(np.float32)
        rgb = neutral + conf * (self._map_classes[cls].astype(np.float32) - neutral)
        out = np.empty(v.shape[:2] + (4,), dtype=np.uint8)
        out[:, :, :3] = np.rint(rgb[:, :, :3])
        out[:, :, 3] = 255
        return out

    def set_highlight(self, x: object) -> None:
        """Ring around the traced sample at raw input ``x`` (2,), or None for no ring."""
        if x is None:
            if self._highlight is not None or len(self.ring.data):
                self._highlight = None
                self.ring.setData([], [])
            return
        p = np.asarray(x, dtype=np.float64).ravel()
        if p.shape != (2,) or not np.all(np.isfinite(p)):
            raise ValueError(f"highlight must be a finite point (x1, x2); got {x!r}")
        if self._highlight is not None and np.array_equal(p, self._highlight):
            return  # unchanged: no repaint of the ring and what lies under it
        self._highlight = p
        self.ring.setData(pos=p[None, :])

    def set_show_test(self, show: bool) -> None:
        """Show or hide the test points."""
        self.test_points.setVisible(bool(show))

    def set_show_contour(self, show: bool) -> None:
        """Show or hide the decision boundary (binary maps: the curve where the output is 0.5)."""
        self._show_contour = bool(show)
        self._update_contour()

    # ---- look ---------------------------------------------------------------------------
    def set_theme(self, theme: Theme | str) -> None:
        """Background, axes, map LUT, point outlines and legend for ``theme``."""
        theme = ps.resolve_theme(theme)
        self._theme = theme
        self.setBackground(ps.qcolor(theme.background))
        item = self.getPlotItem()
        ps.style_plot_item(item, theme)
        ps.style_plot_item(self.colorbar, theme)
        # a fixed axis width: pyqtgraph's own grows with every wider tick label seen and
        # never shrinks, so the plot would depend on its history
        item.getAxis("left").setWidth(round(AXIS_WIDTH * theme.font_scale))
        self._lut = ps.map_lut(theme)
        fg = ps.qcolor(theme.foreground)
        self.contour.setPen(pg.mkPen(fg, width=1.5))
        self.ring.setPen(pg.mkPen(fg, width=3.0))
        self.ring.setBrush(None)
        self._test_pen = pg.mkPen(fg, width=1.2)
        self._update_legend()
        self._update_points()
        if self._values is not None:
            self.set_map(self._values, self._map_extent)

    def set_class_names(self, names: Sequence[str]) -> None:
        """Name the classes in the legend (e.g. a CSV file's text labels); () numbers them."""
        names = tuple(str(n) for n in names)
        if names != self._class_names:
            self._class_names = names
            self._update_legend()

    def _class_label(self, k: int) -> str:
        """Class ``k``'s name (cut to 12 characters) when the data names every class."""
        if len(self._class_names) != self._n_classes:
            # unnamed: multi-class outputs are numbered from 1 like the network's output
            # neurons ("class 1" …); the two binary classes are the targets 0 and 1
            return str(k + 1) if self._kind == "multiclass" else str(k)
        name = self._class_names[k]
        return name if len(name) <= 12 else name[:11] + "…"

    def _update_legend(self) -> None:
        if self._kind == "multiclass":
            k = self._n_classes
            colors = ps.class_colors(self._theme, k)
            self._map_classes = ps.fade(colors, self._theme.background, ps.MAP_FADE)
            self.colorbar.setColorMap(_legend_colormap(self._theme, k))
            self.colorbar.setLevels(self._levels)
            self.colorbar.axis.setTicks([[(i + 0.5, self._class_label(i)) for i in range(k)]])
            self.colorbar.getAxis("left").setLabel("most likely class")
        else:
            self.colorbar.setColorMap(_legend_colormap(self._theme, 0))
            self.colorbar.setLevels(self._levels)
            self.colorbar.axis.setTicks(None)
            label = "output ŷ"
            if self._kind == "binary":
                one = self._class_label(1)
                label += (f" (class {one} prob.)" if self._levels == (0.0, 1.0)
                          else f" (class {one} from {fmt_text(sum(self._levels) / 2)})")
            self.colorbar.getAxis("left").setLabel(label)
        ps.style_plot_item(self.colorbar, self._theme)

    def _point_brushes(self, labels: np.ndarray) -> np.ndarray:
        if self._kind == "regression":
            table = ps.brush_table(ps.diverging_lut(self._theme))
            return table[ps.lut_index(labels, *self._levels)]
        table = ps.brush_table(ps.class_colors(self._theme, self._n_classes))
        return table[labels.astype(np.intp)]

    def _update_points(self) -> None:
        train_X, train_y, test_X, test_y = self._data
        if self._kind == "regression":
            # the fills match the map wherever the fit is good: a text-coloured rim shows them
            outline = ps.qcolor(self._theme.foreground)
        else:  # saturated class colours: a white rim lifts them off the map
            outline = ps.qcolor("#ffffff")
            outline.setAlpha(170 if self._theme.dark else 255)
        self.train_points.setData(pos=train_X, brush=self._point_brushes(train_y),
                                  pen=pg.mkPen(outline, width=1.2))
        self.test_points.setData(pos=test_X, brush=self._point_brushes(test_y),
                                 pen=self._test_pen)

    def _update_contour(self) -> None:
        v = self._values
        if not self._show_contour or v is None or self._kind != "binary":
            self.contour.setData([], [])
            return
        x0, x1, y0, y1 = self._map_extent
        level = 0.5 * (self._levels[0] + self._levels[1])
        xs, ys = np.linspace(x0, x1, v.shape[1]), np.linspace(y0, y1, v.shape[0])
        seg = contour_segments(v, level, xs, ys)
        self.contour.setData(seg[:, 0], seg[:, 1], connect="pairs")

    @property
    def levels(self) -> tuple[float, float]:
        """Output values drawn at the two ends of the colour scale."""
        return self._levels

    @property
    def highlight(self) -> np.ndarray | None:
        """The traced sample's raw input (2,), or None."""
        return self._highlight
