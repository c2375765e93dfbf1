"""The plots panel: output map above the loss/accuracy plot, and the hidden-space view as a
second tab. It re-reads a Session on ``update_from`` and renders itself offscreen at an
exact size for snapshots and recordings.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QIODevice, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QResizeEvent
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsItem,
    QHBoxLayout,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mlpviz.ui.colors import LIGHT, Theme
from mlpviz.ui.plots import plot_style as ps
from mlpviz.ui.plots.hidden_space_plot import HiddenSpacePanel
from mlpviz.ui.plots.loss_plot import LossPlot
from mlpviz.ui.plots.map_plot import MapPlot
from mlpviz.ui.splitter import Splitter

WIDE_ASPECT = 1.3  # width / height above which the map and loss sit side by side
MAP_RESOLUTION = 100  # grid samples per axis when update_from must compute the map itself
MAX_RENDER_SIDE = 8192  # px, largest width or height render_image accepts
SVG_PLOTS = ("map", "loss")


def scene_svg(view: pg.GraphicsView, title: str) -> bytes:
    """The visible scene of ``view`` as SVG (a document of the viewport's size in px).

    Items are switched to pyqtgraph's export mode for the duration, so scatter symbols are
    written as vector paths rather than pixmap fragments, and items cached as pixmaps for
    the screen are drawn directly. (pyqtgraph's own SVGExporter fails on the closed paths
    that Qt 6.11 writes, pyqtgraph issue 3495.)
    """
    rect = view.viewport().rect()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(rect.size())
    generator.setViewBox(rect)
    generator.setResolution(view.logicalDpiX())
    generator.setTitle(title)
    painter = QPainter(generator)
    items = [it for it in view.scene().items() if hasattr(it, "setExportMode")]
    cached = [(it, it.cacheMode()) for it in view.scene().items()
              if it.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    try:
        for it, _mode in cached:
            it.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        for it in items:
            it.setExportMode(True, {"painter": painter, "antialias": True, "background": None})
        view.scene().render(painter, QRectF(rect), view.mapToScene(rect).boundingRect())
    finally:
        for it in items:
            it.setExportMode(False)
        for it, mode in cached:
            it.setCacheMode(mode)
        painter.end()
    return bytes(buffer.data())


def grid_extent(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) of the first and last grid samples."""
    return float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1])


class PlotsPanel(QWidget):
    """Output map and loss (first tab; side by side when the panel is wide, else stacked),
    the hidden space (second tab), and check boxes for test points, boundary, log loss
    and adding points by clicking the map (``addPointRequested(x, y, class)``,
    ``removePointRequested(x, y, radius)``: the panel only asks, the controller decides)."""

    addPointRequested = Signal(float, float, int)
    removePointRequested = Signal(float, float, float)

    def __init__(self, parent: QWidget | None = None, theme: Theme | str = LIGHT):
        super().__init__(parent)
        theme = ps.resolve_theme(theme)
        self.map_plot = MapPlot(theme=theme)
        self.loss_plot = LossPlot(theme=theme)
        self.hidden_panel = HiddenSpacePanel(theme=theme)
        self.test_check = QCheckBox("Test points")
        self.test_check.setChecked(True)
        self.test_check.toggled.connect(self.map_plot.set_show_test)
        self.boundary_check = QCheckBox("Boundary")
        self.boundary_check.setToolTip("The curve where the output is 0.5 (binary outputs)")
        self.boundary_check.setChecked(True)
        self.boundary_check.toggled.connect(self.map_plot.set_show_contour)
        self.log_check = QCheckBox("Log loss")
        self.log_check.toggled.connect(self.loss_plot.set_log)
        self.edit_check = QCheckBox("Add points")
        self.edit_check.setToolTip("Click on the map to add a training point of the chosen "
                                   "class; right-click (or Ctrl+click) removes the nearest")
        self.edit_check.toggled.connect(self.map_plot.set_editing)
        self.edit_class = QComboBox()
        self.edit_class.setAccessibleName("Class of added points")
        self.edit_class.setEnabled(False)
        self.edit_check.toggled.connect(self.edit_class.setEnabled)
        self.map_plot.pointClicked.connect(self._point_clicked)
        bar = self.controls_bar = QWidget()  # may be narrower than its boxes: they clip
        bar.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)  # rather
        toggles = QHBoxLayout(bar)  # than widen the window
        toggles.setContentsMargins(6, 2, 6, 2)
        for box in (self.test_check, self.boundary_check, self.log_check, self.edit_check,
                    self.edit_class):
            toggles.addWidget(box)
        toggles.addStretch(1)
        self.splitter = Splitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.map_plot)
        self.splitter.addWidget(self.loss_plot)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        output = QWidget()
        out_lay = self._output_layout = QVBoxLayout(output)
        out_lay.setContentsMargins(0, 0, 0, 0)
        out_lay.setSpacing(0)
        out_lay.addWidget(bar)
        out_lay.addWidget(self.splitter, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(output, "Output map && loss")
        self.tabs.addTab(self.hidden_panel, "Space transformation")
        self.tabs.currentChanged.connect(self._on_tab)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)
        self._session: object = None
        self._hidden_stale = False
        self.set_theme(theme)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Side by side when wide (e.g. 16:9 video), stacked when tall (beside the
        network): the map gets 60 % of the height, so a panel of a given size always
        looks the same (on screen and in a video)."""
        super().resizeEvent(event)
        size = event.size()
        wide = size.width() > WIDE_ASPECT * size.height()
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        self.splitter.setOrientation(orientation)
        total = size.width() if wide else size.height()
        first = int(total * (0.5 if wide else 0.6))
        self.splitter.setSizes([first, total - first])

    def _point_clicked(self, x: float, y: float, remove: bool, radius: float) -> None:
        if remove:
            self.removePointRequested.emit(x, y, radius)
        else:
            label = self.edit_class.currentData()
            if label is not None:
                self.addPointRequested.emit(x, y, int(label))

    def _fill_classes(self, kind: str, n_classes: int, names: object = None) -> None:
        """The classes a click can add (none for regression or data without 2-D points)."""
        labels = [str(n) for n in names] if names is not None else [
            f"class {k}" for k in range(n_classes)]
        current = [self.edit_class.itemText(i) for i in range(self.edit_class.count())]
        if current != labels:
            self.edit_class.clear()
            for k, text in enumerate(labels):
                self.edit_class.addItem(text, k)
            self.edit_class.setCurrentIndex(min(1, len(labels) - 1))
        editable = kind in ("binary", "multiclass")
        self.edit_check.setEnabled(editable)
        if not editable:
            self.edit_check.setChecked(False)

    def update_from(self, session: object, grid_maps: object = None,
                    highlight: object = None) -> None:
        """Re-read ``session`` and redraw: data points (only if changed), the output map
        from ``grid_maps`` (``session.grid()`` when None; an empty map when the session's
        inputs are not 2-D points), the traced sample ``highlight`` (raw input (2,) or
        None), the loss history, and the hidden space when its tab is shown."""
        self._session = session
        train, test = session.train_set, session.test_set
        if train is not None:
            self.map_plot.set_session_data(
                train.X, train.y, None if test is None else test.X,
                None if test is None else test.y, session.kind, train.n_classes,
                session.extent, session.threshold)
            grid = grid_maps if grid_maps is not None else session.grid(MAP_RESOLUTION)
            self.map_plot.set_map(grid.layers[-1], grid_extent(grid.xs, grid.ys))
            names = getattr(session, "class_names", ())
            self.map_plot.set_class_names(names)
            self._fill_classes(session.kind, train.n_classes, names or None)
        else:  # inputs that are not 2-D points: there is no input plane to draw
            self.map_plot.clear_map()
            self._fill_classes("none", 0)
        self.boundary_check.setEnabled(session.kind == "binary")
        self.map_plot.set_highlight(highlight)
        self.loss_plot.set_loss_name(getattr(session, "loss_name", "loss"))
        self.loss_plot.set_history(session.history)
        self._hidden_stale = True
        if self.tabs.currentWidget() is self.hidden_panel:
            self._refresh_hidden()

    def set_traced(self, highlight: object) -> None:
        """Move the ring to the traced sample's raw input (2,) (see traced_input), or take
        it away (None), without redrawing the rest."""
        self.map_plot.set_highlight(highlight)

    def _on_tab(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.hidden_panel and self._hidden_stale:
            self._refresh_hidden()

    def _refresh_hidden(self) -> None:
        if self._session is not None and self._session.train_set is not None:
            self.hidden_panel.update_from(self._session)
        self._hidden_stale = False

    def set_theme(self, theme: Theme | str) -> None:
        """Apply ``theme`` (a Theme or its name) to every plot."""
        theme = ps.resolve_theme(theme)
        self._theme = theme
        self.setPalette(ps.palette(theme))
        self.setAutoFillBackground(True)
        self.map_plot.set_theme(theme)
        self.loss_plot.set_theme(theme)
        self.hidden_panel.set_theme(theme)

    def set_controls_visible(self, visible: bool) -> None:
        """Show or hide what is there to be clicked — the tabs and the row of checkboxes —
        leaving the plots (a video or a snapshot has nothing to click)."""
        visible = bool(visible)
        self.tabs.tabBar().setVisible(visible)
        self.tabs.setDocumentMode(not visible)  # no pane frame around the plots alone
        self.controls_bar.setVisible(visible)
        self.splitter.set_quiet(not visible)  # nothing to drag either
        # without the bar above them the plots keep a margin, so no tick label is cut off
        margin = 0 if visible else max(8, self.fontMetrics().height())
        self._output_layout.setContentsMargins(0, margin, 0, 0)

    def set_show_test(self, show: bool) -> None:
        """Show or hide the test points on the map (keeps the checkbox in step)."""
        self.test_check.setChecked(bool(show))

    def set_log(self, log: bool) -> None:
        """Log or linear loss axis (keeps the checkbox in step)."""
        self.log_check.setChecked(bool(log))

    def render_image(self, width: int, height: int) -> QImage:
        """The panel as it would look at ``width`` × ``height`` px: a QImage of exactly that
        size (RGB32, device pixel ratio 1), rendered offscreen. The panel's own size is
        restored afterwards. ValueError for sizes outside 1..MAX_RENDER_SIDE."""
        for name, v in (("width", width), ("height", height)):
            if (not isinstance(v, int | np.integer) or isinstance(v, bool)
                    or not 1 <= v <= MAX_RENDER_SIDE):
                raise ValueError(f"{name} must be an integer in 1..{MAX_RENDER_SIDE}; got {v!r}")
        width, height = int(width), int(height)
        old = self.size()
        self.resize(width, height)
        image = QImage(width, height, QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(1.0)
        image.fill(ps.qcolor(self._theme.background))
        self.render(image)
        self.resize(old)
        return image

    def export_svg(self, path: str | os.PathLike[str], plot: str = "map") -> None:
        """Write the map (``plot="map"``) or the loss plot (``"loss"``) as SVG to ``path``,
        atomically (a temporary file renamed into place). ValueError for an unknown plot,
        OSError when the file cannot be written."""
        if plot not in SVG_PLOTS:
            raise ValueError(f"plot must be one of {', '.join(SVG_PLOTS)}; got {plot!r}")
        view = self.map_plot if plot == "map" else self.loss_plot
        data = scene_svg(view, f"mlpviz {plot}")
        target = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=".svg-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def traced_input(ctl: object) -> np.ndarray | None:
    """The raw input (2,) of the sample a controller traces: the running walkthrough's
    sample, else the one chosen to trace next; None for a mini-batch or when the data has
    no input plane. ``ctl`` needs ``session``, ``walkthrough``, ``sample`` and
    ``use_batch``."""
    train = getattr(ctl.session, "train_set", None)
    wt = ctl.walkthrough
    k = wt.sample_index if wt is not None else (None if ctl.use_batch else ctl.sample)
    if train is None or k is None or not 0 <= k < len(train.X):
        return None
    return np.asarray(train.X[k], dtype=np.float64)
