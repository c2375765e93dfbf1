"""The ring on the decision map follows the traced sample: choosing another sample moves
it there (found by pixels), a mini-batch takes it away, and a running walkthrough keeps
the sample it traces."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication


def ring_centre(map_plot) -> tuple[float, float]:
    """Centre (widget px) of the pixels the ring changes: grabbed with and without it."""
    with_ring = map_plot.grab().toImage()
    hl = map_plot.highlight
    map_plot.set_highlight(None)
    without = map_plot.grab().toImage()
    map_plot.set_highlight(hl)

    def arr(img):
        ptr = img.constBits()
        a = np.frombuffer(ptr, np.uint8, count=img.bytesPerLine() * img.height())
        return a.reshape(img.height(), img.bytesPerLine())[:, : 4 * img.width()].astype(int)

    diff = np.abs(arr(with_ring) - arr(without)).reshape(with_ring.height(), -1, 4).max(axis=2)
    ys, xs = np.nonzero(diff > 40)
    assert xs.size > 10, "no ring drawn"
    dpr = with_ring.devicePixelRatio()
    return 0.5 * (xs.min() + xs.max()) / dpr, 0.5 * (ys.min() + ys.max()) / dpr


def screen_of(map_plot, x: np.ndarray) -> tuple[float, float]:
    scene = map_plot.getPlotItem().vb.mapViewToScene(QPointF(float(x[0]), float(x[1])))
    p = map_plot.mapFromScene(scene)
    return p.x(), p.y()


def settle(qtbot) -> None:
    QApplication.processEvents()
    qtbot.wait(1)
    QApplication.processEvents()


def test_the_map_ring_sits_on_the_traced_sample(window, qtbot):
    ctl, mp = window.ctl, window.plots.map_plot
    X = ctl.session.train_set.X
    for k in (0, 7, 42):
        window.transport.sample.setValue(k + 1)  # the spin box counts from 1
        settle(qtbot)
        assert np.allclose(mp.highlight, X[k])
        cx, cy = ring_centre(mp)
        sx, sy = screen_of(mp, X[k])
        assert abs(cx - sx) <= 3 and abs(cy - sy) <= 3, (k, (cx, cy), (sx, sy))
    # a walkthrough keeps its sample; choosing another one waits for the next iteration
    qtbot.keyClick(window.network, Qt.Key.Key_Right)
    settle(qtbot)
    assert ctl.walkthrough is not None and ctl.walkthrough.sample_index == 42
    window.transport.sample.setValue(4)
    settle(qtbot)
    assert np.allclose(mp.highlight, X[ctl.walkthrough.sample_index])
    # a mini-batch is no single point: no ring
    ctl.walkthrough = None
    window.transport.sample.setValue(0)
    settle(qtbot)
    assert mp.highlight is None
