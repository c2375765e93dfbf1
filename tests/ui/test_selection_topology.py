"""A selection belongs to one topology: after adding or removing a layer it is dropped
(its indices would name another neuron), and no ring is drawn on the wrong neuron."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from mlpviz.ui.colors import THEMES


def accent_near(window, layer: int, i: int) -> bool:
    layout = window.network.diagram_layout()
    pos = layout.pos(layer, i)
    if pos is None:
        return False
    img = window.network.grab().toImage()
    accent = QColor(THEMES[window.theme_key].accent)
    ring = layout.r + 4 * layout.s
    for dy in range(-2, 3):
        c = img.pixelColor(round(pos[0]), round(pos[1] - ring) + dy)
        if all(abs(a - b) <= 40 for a, b in zip(c.getRgb()[:3], accent.getRgb()[:3],
                                                strict=True)):
            return True
    return False


def test_adding_a_layer_drops_the_selection_and_its_ring(window, qtbot):
    layout = window.network.diagram_layout()
    x, y = layout.pos(0, 1)
    qtbot.mouseClick(window.network, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))
    assert window.ctl.selection == ("neuron", 0, 1)
    assert accent_near(window, 0, 1)
    sizes = list(window.ctl.session.net.sizes)
    qtbot.mouseClick(window.controls.layers_plus, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert len(window.ctl.session.net.sizes) == len(sizes) + 1
    assert window.network.selection() is None and window.ctl.selection is None
    sizes = window.ctl.session.net.sizes
    assert not any(accent_near(window, l, i) for l in range(-1, len(sizes) - 1)
                   for i in range(sizes[l + 1]))
    # a change that keeps the topology keeps the selection
    window.network.set_selection(("neuron", 1, 0))
    window.ctl.select(("neuron", 1, 0))
    window.network.set_network(window.ctl.session.net, ["x1", "x2"], ["ŷ"])
    assert window.network.selection() == ("neuron", 1, 0)
