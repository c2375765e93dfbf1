"""The "space transformation" view: the data and a warped input grid seen through a layer.

docs/derivation.md: an FC layer transforms the input space into another space. This plot shows the
training points mapped through a chosen layer, and the lines of a regular grid over the
input plane bent the same way, so one sees the network straighten XOR out. All grid lines
are one curve (NaN rows separate the polylines), all points one scatter item.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from mlpviz.ui.colors import LIGHT, Theme
from mlpviz.ui.plots import plot_style as ps
from mlpviz.ui.plots.map_plot import KINDS, POINT_SIZE


def join_polylines(lines: Sequence[np.ndarray]) -> np.ndarray:
    """Stack (m_i, 2) polylines into one (Σm_i + len − 1, 2) array, a NaN row between each."""
    parts: list[np.ndarray] = []
    for i, line in enumerate(lines):
        a = np.asarray(line, dtype=np.float64)
        if a.ndim != 2 or a.shape[1] != 2:
            raise ValueError(f"grid line {i} must have shape (m, 2); got {a.shape}")
        if parts:
            parts.append(np.full((1, 2), np.nan))
        parts.append(a)
    return np.concatenate(parts) if parts else np.empty((0, 2))


class HiddenSpacePlot(pg.PlotWidget):
    """Training points and warped grid lines in the 2-D space of one layer."""

    def __init__(self, parent: QWidget | None = None, theme: Theme | str = LIGHT):
        super().__init__(parent)
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setAspectLocked(True, ratio=1.0)
        self.grid = pg.PlotCurveItem(connect="finite", antialias=True)
        self.points = pg.ScatterPlotItem(size=POINT_SIZE, symbol="o", pxMode=True)
        self.grid.setZValue(0)
        self.points.setZValue(1)
        item.addItem(self.grid)
        item.addItem(self.points)
        self._space: tuple | None = None
        self.set_theme(theme)

    def set_space(self, space: object, kind: str, n_classes: int) -> None:
        """Draw ``space``: ``.points`` (n, 2) mapped data, ``.labels`` (n,) class labels or
        regression targets, ``.grid_lines`` list of (m, 2) polylines, ``.axes_labels``
        (x label, y label). ``kind``/``n_classes`` as for the map. ValueError on bad input.
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
        pts = np.asarray(space.points, dtype=np.float64)
        labels = np.asarray(space.labels, dtype=np.float64).ravel()
        if pts.ndim != 2 or pts.shape[1] != 2:
            raise ValueError(f"hidden-space points must have shape (n, 2); got {pts.shape}")
        if labels.shape != (pts.shape[0],):
            raise ValueError(f"hidden-space labels must have shape ({pts.shape[0]},); "
                             f"got {labels.shape}")
        lines = join_polylines(space.grid_lines)
        axes = tuple(space.axes_labels)
        self._space = (pts, labels, lines, axes, kind, int(n_classes))
        self._draw()
        self.getPlotItem().autoRange(padding=0.05)

    def _draw(self) -> None:
        if self._space is None:
            return
        pts, labels, lines, axes, kind, n_classes = self._space
        theme = self._theme
        if kind == "regression":
            scale = float(np.max(np.abs(labels), initial=0.0)) or 1.0
            table = ps.brush_table(ps.diverging_lut(theme))
            brushes = table[ps.lut_index(labels, -scale, scale)]
        else:
            table = ps.brush_table(ps.class_colors(theme, max(n_classes, 2)))
            brushes = table[np.clip(labels, 0, max(n_classes, 2) - 1).astype(np.intp)]
        rim = theme.muted if kind == "regression" else theme.background
        self.points.setData(pos=pts, brush=brushes, pen=pg.mkPen(rim, width=1))
        self.grid.setData(lines[:, 0], lines[:, 1], connect="finite")
        item = self.getPlotItem()
        if len(axes) == 2:
            item.setLabel("bottom", str(axes[0]))
            item.setLabel("left", str(axes[1]))
        ps.style_plot_item(item, theme)

    def set_theme(self, theme: Theme | str) -> None:
        """Background, axes, grid-line pen and point colours for ``theme``."""
        theme = ps.resolve_theme(theme)
        self._theme = theme
        self.setBackground(ps.qcolor(theme.background))
        self.grid.setPen(pg.mkPen(theme.muted, width=1))
        ps.style_plot_item(self.getPlotItem(), theme)
        self._draw()


class HiddenSpacePanel(QWidget):
    """A layer chooser above a :class:`HiddenSpacePlot`; reads the session it is given."""

    layerChanged = Signal(int)  # the weight layer now shown (0 = first hidden layer)

    def __init__(self, parent: QWidget | None = None, theme: Theme | str = LIGHT):
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setToolTip("The layer whose output space is shown")
        self.plot = HiddenSpacePlot(theme=theme)
        top = QHBoxLayout()
        top.setContentsMargins(6, 4, 6, 0)
        top.addWidget(QLabel("Space after"))
        top.addWidget(self.combo, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.plot, 1)
        self._session: object = None
        self._names: list[str] = []
        self.combo.currentIndexChanged.connect(self._on_layer)

    @property
    def layer(self) -> int:
        """The chosen weight layer (0 = first hidden layer); -1 when there is none."""
        return self.combo.currentIndex()

    def set_layer(self, layer: int) -> None:
        """Choose weight layer ``layer``; ValueError when the network has no such layer."""
        if not 0 <= layer < self.combo.count():
            raise ValueError(f"layer must be in 0..{self.combo.count() - 1}; got {layer}")
        self.combo.setCurrentIndex(layer)

    def update_from(self, session: object) -> None:
        """Re-read ``session`` (its network's layers and ``hidden_space``) and redraw."""
        self._session = session
        net = session.net
        names = [
            f"layer {l + 1}: {net.sizes[l + 1]} × {net.activations[l].name}"
            + (" (output)" if l == net.n_layers - 1 else "")
            for l in range(net.n_layers)
        ]
        if names != self._names:
            keep = min(max(self.layer, 0), len(names) - 1)
            self._names = names
            self.combo.blockSignals(True)
            self.combo.clear()
            self.combo.addItems(names)
            self.combo.setCurrentIndex(keep)
            self.combo.blockSignals(False)
        self._refresh()

    def _on_layer(self, index: int) -> None:
        self._refresh()
        self.layerChanged.emit(index)

    def _refresh(self) -> None:
        session = self._session
        if session is None or self.layer < 0 or session.train_set is None:
            return
        space = session.hidden_space(self.layer)
        self.plot.set_space(space, session.kind, session.train_set.n_classes)

    def set_theme(self, theme: Theme | str) -> None:
        """Theme of the plot (the combo box follows the window palette)."""
        self.plot.set_theme(theme)
