"""Loss and accuracy against the epoch, for the training and the test set.

Two stacked plots sharing the epoch axis: loss on top (linear or log scale) and accuracy
below (hidden when no accuracy is known, e.g. for regression). The four curves are created
once; a new history only gives them new points, thinned to at most two per pixel column
(:func:`peak_thin`), so 10,000 points per curve stay cheap to draw.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from mlpviz.ui.colors import LIGHT, Theme
from mlpviz.ui.plots import plot_style as ps

SERIES = ("train_loss", "test_loss", "train_acc", "test_acc")
QWIDGETSIZE_MAX = 16_777_215  # Qt's "no maximum" for widget sizes
AXIS_WIDTH = 52  # px, the same for both left axes so the two plots line up


def round_up(value: float) -> float:
    """``value`` rounded up to a multiple of half its power of ten (36 → 40, 0.76 → 0.8,
    300 → 300); 1.0 for values ≤ 0. Axis limits in these steps rarely change."""
    if not np.isfinite(value) or value <= 0:
        return 1.0
    step = 10.0 ** np.floor(np.log10(value)) / 2.0
    return float(np.ceil(value / step - 1e-9) * step)


def peak_thin(x: np.ndarray, y: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) with at most two points per bin when there are more than ``2 * columns``
    points: consecutive points are binned ``ceil(n / columns)`` at a time and each bin is
    drawn at its first x as its minimum then its maximum, so every spike stays visible.
    Fewer points (or ``columns`` < 1) come back unchanged."""
    n = x.size
    if columns < 1 or n <= 2 * columns:
        return x, y
    size = -(-n // columns)
    bins = -(-n // size)
    padded = np.concatenate([y, np.full(bins * size - n, y[-1])]).reshape(bins, size)
    ys = np.empty(2 * bins)
    ys[0::2] = padded.min(axis=1)
    ys[1::2] = padded.max(axis=1)
    return np.repeat(x[::size], 2), ys


class PeakCurve(pg.PlotCurveItem):
    """A curve that draws its points thinned to its view's pixel columns
    (:func:`peak_thin`); ``getOriginalDataset()`` holds them all, ``getData()`` what is
    drawn. (A PlotCurveItem takes new points for a fraction of what a PlotDataItem costs,
    which matters at one new history per frame.)"""

    def __init__(self, **kwargs: object):
        super().__init__(**kwargs)
        self._full = (np.empty(0), np.empty(0))
        self._columns = 0
        self._bounds: tuple[tuple[float | None, float | None], ...] = ((None, None),) * 2

    def set_points(self, x: np.ndarray, y: np.ndarray, columns: int) -> None:
        """Show the points (x, y), finite, for a view ``columns`` pixels wide."""
        self._full, self._columns = (x, y), int(columns)
        xs, ys = peak_thin(x, y, self._columns)
        self._bounds = tuple((float(a.min()), float(a.max())) if a.size else (None, None)
                             for a in (xs, ys))
        self.setData(xs, ys)

    def dataBounds(self, ax: int, frac: float = 1.0,  # noqa: N802 (pyqtgraph's name)
                   orthoRange: object = None) -> tuple[float | None, float | None]:  # noqa: N803
        """Extent of the drawn points along ``ax`` (0: x, 1: y): known since set_points
        (the points are finite), where pyqtgraph would scan them again at every redraw."""
        if frac >= 1.0 and orthoRange is None:
            return self._bounds[ax]
        return super().dataBounds(ax, frac, orthoRange)

    def set_columns(self, columns: int) -> None:
        """The view is now ``columns`` pixels wide: thin the points for that."""
        if int(columns) != self._columns:
            self.set_points(*self._full, columns)

    def getOriginalDataset(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802 (pyqtgraph's name)
        return self._full


def history_arrays(history: object) -> dict[str, np.ndarray]:
    """The arrays of a history: ``epochs`` and the four SERIES, each (n,) float64.

    ``history`` has them as attributes or keys; a missing or None series, and None entries
    inside one, become NaN. ValueError when a series' length differs from ``epochs``.
    """
    def get(name: str) -> object:
        if isinstance(history, Mapping):
            return history.get(name)
        return getattr(history, name, None)

    epochs = get("epochs")
    if epochs is None:
        raise ValueError("history has no 'epochs'")
    out = {"epochs": np.asarray(epochs, dtype=np.float64).ravel()}
    n = out["epochs"].size
    for name in SERIES:
        value = get(name)
        a = np.full(n, np.nan) if value is None else np.asarray(value, dtype=np.float64).ravel()
        if a.shape != (n,):
            raise ValueError(f"history '{name}' has {a.size} entries but 'epochs' has {n}")
        out[name] = a
    return out


class LossPlot(pg.GraphicsLayoutWidget):
    """Loss (top) and accuracy (bottom) against the epoch; train in the foreground colour,
    test in the accent colour. Solid pens of width 2 (dashed or antialiased thick lines cost
    several times more to draw) on curves downsampled to the pixel width ("peak" keeps
    each column's extremes); ``curve.getOriginalDataset()`` holds the full data."""

    def __init__(self, parent: QWidget | None = None, theme: Theme | str = LIGHT):
        super().__init__(parent)
        self.loss_item: pg.PlotItem = self.addPlot(row=0, col=0)
        self.acc_item: pg.PlotItem = self.addPlot(row=1, col=0)
        self._acc_shown = True
        self._log = False
        self._loss_name = "loss"
        self._history: dict[str, np.ndarray] | None = None
        for item in (self.loss_item, self.acc_item):
            item.setMenuEnabled(False)
            item.hideButtons()
            item.getAxis("left").setWidth(AXIS_WIDTH)
            # plain numbers, no "(x0.001)" on the label (the hidden top and right axes
            # too: they would rewrite their labels at every change of the range)
            for name in ("left", "bottom", "top", "right"):
                item.getAxis(name).enableAutoSIPrefix(False)
            item.setMouseEnabled(x=False, y=False)
            item.disableAutoRange()
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        self._acc_min_height = self.acc_item.minimumHeight()
        self.acc_item.setXLink(self.loss_item)
        self.acc_item.setYRange(0.0, 1.0, padding=0.02)
        self._ranges: tuple[tuple[float, float], tuple[float, float]] | None = None
        self.acc_item.setLabel("left", "accuracy")
        self.acc_item.setLabel("bottom", "epoch")
        self.loss_item.setLabel("bottom", "epoch")
        self.loss_item.hideAxis("bottom")
        self.loss_item.setLabel("left", "loss")
        self.loss_item.addLegend(offset=(-8, 8), colCount=2)
        self._legend_top = True
        self.train_loss = PeakCurve(name="train")
        self.test_loss = PeakCurve(name="test")
        self.train_acc = PeakCurve()
        self.test_acc = PeakCurve()
        for item, curves in ((self.loss_item, (self.train_loss, self.test_loss)),
                             (self.acc_item, (self.train_acc, self.test_acc))):
            for curve in curves:
                item.addItem(curve)  # named curves join the legend
            item.vb.sigResized.connect(self._thin_to_width)
        self.set_theme(theme)

    @property
    def curves(self) -> dict[str, PeakCurve]:
        """The curve drawn for each name in SERIES."""
        return {"train_loss": self.train_loss, "test_loss": self.test_loss,
                "train_acc": self.train_acc, "test_acc": self.test_acc}

    def set_history(self, history: object) -> None:
        """Show ``history`` (attributes or keys ``epochs``, ``train_loss``, ``test_loss``,
        ``train_acc``, ``test_acc``; arrays (n,)); non-finite or None entries are skipped,
        and so are losses ≤ 0 in log scale. The accuracy plot hides when it has no data.

        The axes move in round steps (see ``round_up``) rather than with every new epoch,
        so their ticks are re-laid out only now and then: that is most of a redraw's cost.
        """
        data = history_arrays(history)
        x = data["epochs"]
        has_acc = False
        shown: list[np.ndarray] = []
        columns = self._columns()
        for name, curve in self.curves.items():
            y = data[name]
            keep = np.isfinite(x) & np.isfinite(y)
            loss = name.endswith("loss")
            if self._log and loss:
                keep &= y > 0
            kept = y[keep]
            curve.set_points(x[keep], np.log10(kept) if self._log and loss else kept, columns)
            if loss:
                shown.append(kept)
            else:
                has_acc |= bool(keep.any())
        self._show_accuracy(has_acc)
        self._show_test_in_legend(bool(shown[1].size) or not shown[0].size)
        self._history = data
        epochs = x[np.isfinite(x)]
        y_range = self._loss_range(np.concatenate(shown))
        self._set_ranges((0.0, round_up(float(epochs.max(initial=0.0)))), y_range)
        self._place_legend(shown, y_range)

    def _columns(self) -> int:
        """Pixel columns of the plots (0 before they have a size: nothing is thinned)."""
        return max(int(self.loss_item.vb.width()), 0)

    def _thin_to_width(self, *_args: object) -> None:
        columns = self._columns()
        for curve in self.curves.values():
            curve.set_columns(columns)

    def _show_test_in_legend(self, show: bool) -> None:
        """No "test" legend entry when the session has no test set."""
        legend = self.loss_item.legend
        listed = any(sample.item is self.test_loss for sample, _label in legend.items)
        if show and not listed:
            legend.addItem(self.test_loss, "test")
        elif not show and listed:
            legend.removeItem(self.test_loss)

    def _place_legend(self, shown: list[np.ndarray], y_range: tuple[float, float]) -> None:
        """Legend in the top right corner, or the bottom right one while the latest loss
        sits in the upper half of the axis (a plateau would run under it)."""
        last = [float(y[-1]) for y in shown if y.size]
        if not last:
            return
        latest = max(last)
        if self._log:
            latest = float(np.log10(latest))
        top = latest < 0.5 * (y_range[0] + y_range[1])
        if top != self._legend_top:
            self._legend_top = top
            corner = (1, 0) if top else (1, 1)
            self.loss_item.legend.anchor(corner, corner, offset=(-8, 8 if top else -8))

    def _loss_range(self, losses: np.ndarray) -> tuple[float, float]:
        """y range of the loss plot (log10 units in log scale) in round steps."""
        if losses.size == 0:
            return (-2.0, 0.0) if self._log else (0.0, 1.0)
        if self._log:
            lo, hi = np.log10(losses.min()), np.log10(losses.max())
            return float(np.floor(lo)), float(max(np.ceil(hi), np.floor(lo) + 1))
        return 0.0, round_up(float(losses.max()))

    def _set_ranges(self, x_range: tuple[float, float], y_range: tuple[float, float]) -> None:
        if (x_range, y_range) != self._ranges:
            self._ranges = (x_range, y_range)
            self.loss_item.setRange(xRange=x_range, yRange=y_range, padding=0.02)

    def clear_history(self) -> None:
        """Empty all curves."""
        for curve in self.curves.values():
            curve.set_points(np.empty(0), np.empty(0), self._columns())
        self._history = None
        self._set_ranges((0.0, 1.0), self._loss_range(np.empty(0)))

    def set_loss_name(self, name: str) -> None:
        """Name the loss axis, e.g. "loss + L2 penalty" when the plotted loss includes one."""
        if name != self._loss_name:
            self._loss_name = name
            self._set_loss_label()

    def _set_loss_label(self) -> None:
        self.loss_item.setLabel("left", f"{self._loss_name} (log scale)" if self._log
                                else self._loss_name)
        ps.style_plot_item(self.loss_item, self._theme)

    def set_log(self, log: bool) -> None:
        """Log (True) or linear (False) scale for the loss axis."""
        self._log = bool(log)
        self.loss_item.setLogMode(x=False, y=self._log)
        self.loss_item.disableAutoRange()  # setLogMode turns it on: the ranges are ours
        self._set_loss_label()
        ps.style_plot_item(self.loss_item, self._theme)
        if self._history is not None:
            self.set_history(self._history)

    @property
    def log(self) -> bool:
        """Whether the loss axis is in log scale."""
        return self._log

    @property
    def accuracy_shown(self) -> bool:
        """Whether the accuracy plot is part of the layout."""
        return self._acc_shown

    def _show_accuracy(self, show: bool) -> None:
        if show == self._acc_shown:
            return
        self._acc_shown = show
        # collapsed rather than removed, so the layout keeps its 3 : 2 split on return
        self.acc_item.setVisible(show)
        self.acc_item.setMaximumHeight(QWIDGETSIZE_MAX if show else 0)
        self.acc_item.setMinimumHeight(0 if not show else self._acc_min_height)
        if show:  # the epoch axis is the accuracy plot's
            self.loss_item.hideAxis("bottom")
        else:
            self.loss_item.showAxis("bottom")
        self.ci.layout.activate()  # now, not on the next event-loop turn (offscreen renders)

    def set_theme(self, theme: Theme | str) -> None:
        """Background, axes, legend and curve pens for ``theme``."""
        theme = ps.resolve_theme(theme)
        self._theme = theme
        self.setBackground(ps.qcolor(theme.background))
        train_pen = pg.mkPen(theme.foreground, width=2)
        test_pen = pg.mkPen(theme.accent, width=2)
        self.train_loss.setPen(train_pen)
        self.train_acc.setPen(train_pen)
        self.test_loss.setPen(test_pen)
        self.test_acc.setPen(test_pen)
        for item in (self.loss_item, self.acc_item):
            ps.style_plot_item(item, theme)
