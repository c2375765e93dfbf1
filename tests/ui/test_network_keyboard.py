"""The network diagram without a mouse: selecting neurons, edges and biases with keys,
editing a weight with Enter, zooming with Ctrl+= / Ctrl+- / Ctrl+0 and Ctrl+wheel."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from mlpviz.ui.colors import THEMES
from mlpviz.ui.diagram import network_keys as keys
from mlpviz.ui.diagram.network_layout import NetworkLayout
from mlpviz.ui.diagram.network_view import ZOOM_RANGE

ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def pixel_near(img, x: float, y: float, colour: QColor, tol: int = 40) -> bool:
    """Whether some pixel within 1 px of (x, y) has ``colour`` (within tol per channel)."""
    return any(
        all(abs(a - b) <= tol for a, b in zip(img.pixelColor(round(x) + dx, round(y) + dy)
                                              .getRgb()[:3], colour.getRgb()[:3], strict=True))
        for dx in (-1, 0, 1) for dy in (-1, 0, 1))


def key(qtbot, window, k, mods=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(window.network, k, mods)


def test_tab_selects_the_inputs_then_the_hidden_neurons(qtbot, window):
    assert window.ctl.selection is None
    key(qtbot, window, Qt.Key.Key_Tab)
    assert window.ctl.selection == ("neuron", -1, 0)
    assert window.network.selection() == ("neuron", -1, 0)
    key(qtbot, window, Qt.Key.Key_Tab)
    assert window.ctl.selection == ("neuron", -1, 1)
    key(qtbot, window, Qt.Key.Key_Tab)
    assert window.ctl.selection == ("neuron", 0, 0)
    key(qtbot, window, Qt.Key.Key_Backtab, SHIFT)
    assert window.ctl.selection == ("neuron", -1, 1)
    assert window.network.hasFocus()
    # the screen reader's description follows the keyboard selection
    assert window.network.accessibleDescription() == window.network.tooltip_text(
        ("neuron", -1, 1))


def test_tab_past_the_last_neuron_moves_the_focus_on(qtbot, window):
    for _ in range(5):  # 2 inputs, 2 hidden, 1 output
        key(qtbot, window, Qt.Key.Key_Tab)
    assert window.ctl.selection == ("neuron", 1, 0) and window.network.hasFocus()
    key(qtbot, window, Qt.Key.Key_Tab)
    assert not window.network.hasFocus()
    assert window.ctl.selection == ("neuron", 1, 0)  # leaving keeps the selection


def test_arrows_move_in_a_layer_and_alt_arrows_between_layers(qtbot, window):
    key(qtbot, window, Qt.Key.Key_Down)
    assert window.ctl.selection == ("neuron", -1, 0)
    key(qtbot, window, Qt.Key.Key_Down)
    assert window.ctl.selection == ("neuron", -1, 1)
    key(qtbot, window, Qt.Key.Key_Down)  # stays at the bottom
    assert window.ctl.selection == ("neuron", -1, 1)
    key(qtbot, window, Qt.Key.Key_Right, ALT)
    assert window.ctl.selection == ("neuron", 0, 1)  # the hidden neuron at that height
    key(qtbot, window, Qt.Key.Key_Up)
    assert window.ctl.selection == ("neuron", 0, 0)
    key(qtbot, window, Qt.Key.Key_Right, ALT)
    assert window.ctl.selection == ("neuron", 1, 0)
    key(qtbot, window, Qt.Key.Key_Right, ALT)  # no layer after the output
    assert window.ctl.selection == ("neuron", 1, 0)
    key(qtbot, window, Qt.Key.Key_Left, ALT)
    assert window.ctl.selection[:2] == ("neuron", 0)
    assert window.ctl.walkthrough is None  # Alt+arrows never step


def test_e_cycles_the_edges_into_a_neuron_and_b_takes_its_bias(qtbot, window):
    window.ctl.select(("neuron", 0, 1))
    key(qtbot, window, Qt.Key.Key_E)
    assert window.ctl.selection == ("edge", 0, 1, 0)  # W[0][1, 0]: from input 0
    key(qtbot, window, Qt.Key.Key_E)
    assert window.ctl.selection == ("edge", 0, 1, 1)
    key(qtbot, window, Qt.Key.Key_E)
    assert window.ctl.selection == ("edge", 0, 1, 0)  # round again
    key(qtbot, window, Qt.Key.Key_E, SHIFT)  # out of its source: to the other hidden neuron
    assert window.ctl.selection == ("edge", 0, 0, 0)
    key(qtbot, window, Qt.Key.Key_Down)  # the next edge into the same neuron
    assert window.ctl.selection == ("edge", 0, 0, 1)
    key(qtbot, window, Qt.Key.Key_Left, ALT)  # its source
    assert window.ctl.selection == ("neuron", -1, 1)
    key(qtbot, window, Qt.Key.Key_E)  # an input has only edges out
    assert window.ctl.selection == ("edge", 0, 0, 1)
    key(qtbot, window, Qt.Key.Key_B)
    assert window.ctl.selection == ("bias", 0, 0)
    assert "bias" in window.network.accessibleDescription().lower()


def test_enter_edits_the_selected_weight_undoably(qtbot, window):
    net = window.ctl.session.net
    before = float(net.weights[0][1, 0])
    window.network.setFocus()
    key(qtbot, window, Qt.Key.Key_Tab)
    key(qtbot, window, Qt.Key.Key_Right, ALT)
    key(qtbot, window, Qt.Key.Key_Down)
    key(qtbot, window, Qt.Key.Key_E)
    assert window.ctl.selection == ("edge", 0, 1, 0)
    key(qtbot, window, Qt.Key.Key_Return)
    editor = window.network.editor
    assert editor.isVisible() and editor.hasFocus()
    assert float(editor.text()) == pytest.approx(before, rel=1e-5)
    qtbot.keyClicks(editor, "1.25")  # the old text is selected: typing replaces it
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert not editor.isVisible(), (editor.text(), window.network.edit_message.text())
    assert net.weights[0][1, 0] == 1.25
    assert window.network.hasFocus()  # keys go on to the diagram
    window.ctl.undo_stack.undo()
    assert net.weights[0][1, 0] == before


def test_enter_on_a_neuron_edits_its_bias_and_escape_cancels(qtbot, window):
    net = window.ctl.session.net
    window.ctl.select(("neuron", 1, 0))
    before = net.biases[1].copy()
    key(qtbot, window, Qt.Key.Key_Enter)
    editor = window.network.editor
    assert editor.isVisible()
    qtbot.keyClicks(editor, "3")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert not editor.isVisible() and np.array_equal(net.biases[1], before)
    window.ctl.select(("neuron", -1, 0))  # an input holds no parameter
    key(qtbot, window, Qt.Key.Key_Return)
    assert not editor.isVisible()


def test_left_and_right_still_step_while_the_diagram_has_the_focus(qtbot, window):
    key(qtbot, window, Qt.Key.Key_Tab)
    assert window.network.hasFocus()
    key(qtbot, window, Qt.Key.Key_Right)
    key(qtbot, window, Qt.Key.Key_Right)
    wt = window.ctl.walkthrough
    assert wt is not None and wt.index == 1
    key(qtbot, window, Qt.Key.Key_Left)
    assert window.ctl.walkthrough.index == 0
    assert window.ctl.selection == ("neuron", -1, 0)  # the selection stays


def ring_at(window, item, zoom_radius: bool) -> bool:
    """Whether the accent selection ring of neuron ``item`` is painted at its radius
    magnified by the view's zoom (``zoom_radius``) or at its unmagnified radius."""
    net = window.network
    L = net.diagram_layout()
    centre = net.to_widget(*L.pos(item[1], item[2]))
    ring = L.r + 4 * L.s
    radius = ring * net.zoom() if zoom_radius else ring
    img = net.grab().toImage()
    accent = QColor(THEMES["light"].accent)
    y = centre.y() - radius  # straight above the centre: no edge passes there
    return pixel_near(img, centre.x(), y, accent)


def test_ctrl_plus_magnifies_the_diagram_and_ctrl_0_restores_it(qtbot, window):
    hidden = ("neuron", 0, 0)
    window.ctl.select(hidden)
    assert ring_at(window, hidden, True)
    key(qtbot, window, Qt.Key.Key_Equal, CTRL)
    assert window.network.zoom() == pytest.approx(1.2)
    key(qtbot, window, Qt.Key.Key_Plus, CTRL)
    assert window.network.zoom() == pytest.approx(1.44)
    assert ring_at(window, hidden, True) and not ring_at(window, hidden, False)
    # the mouse finds items where they are drawn now
    L = window.network.diagram_layout()
    centre = window.network.to_widget(*L.pos(0, 0))
    assert window.network.item_at(centre.toPoint()) == hidden
    key(qtbot, window, Qt.Key.Key_0, CTRL)
    assert window.network.zoom() == 1.0
    assert window.network.to_widget(10.0, 20.0) == QPointF(10.0, 20.0)
    key(qtbot, window, Qt.Key.Key_Minus, CTRL)
    assert window.network.zoom() == pytest.approx(1 / 1.2)
    assert ring_at(window, hidden, True) and not ring_at(window, hidden, False)
    for _ in range(20):
        key(qtbot, window, Qt.Key.Key_Minus, CTRL)
    assert window.network.zoom() == ZOOM_RANGE[0]
    key(qtbot, window, Qt.Key.Key_0, CTRL)
    assert window.network.zoom() == 1.0


def test_keyboard_selection_scrolls_a_magnified_diagram(qtbot, window):
    net = window.network
    net.set_zoom(ZOOM_RANGE[1])
    key(qtbot, window, Qt.Key.Key_Tab)  # the first input: left of the magnified middle
    L = net.diagram_layout()
    p = net.to_widget(*L.pos(-1, 0))
    assert 0 <= p.x() <= net.width() and 0 <= p.y() <= net.height()
    assert ring_at(window, ("neuron", -1, 0), True)
    for _ in range(4):
        key(qtbot, window, Qt.Key.Key_Tab)
    p = net.to_widget(*L.pos(1, 0))  # the output, far to the right
    assert 0 <= p.x() <= net.width() and 0 <= p.y() <= net.height()


def test_dragging_empty_space_moves_a_magnified_diagram_and_keeps_the_selection(qtbot, window):
    net = window.network
    window.ctl.select(("neuron", 0, 0))
    net.set_zoom(2.0)
    start = QPointF(net.width() - 5, net.height() - 5)
    assert net.item_at(start.toPoint()) is None
    before = net.to_widget(0.0, 0.0)

    def mouse(kind, pos, buttons):
        ev = QMouseEvent(kind, pos, net.mapToGlobal(pos), Qt.MouseButton.LeftButton, buttons,
                         Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(net, ev)

    left = Qt.MouseButton.LeftButton
    mouse(QEvent.Type.MouseButtonPress, start, left)
    mouse(QEvent.Type.MouseMove, start - QPointF(40, 30), left)
    mouse(QEvent.Type.MouseButtonRelease, start - QPointF(40, 30), Qt.MouseButton.NoButton)
    after = net.to_widget(0.0, 0.0)
    assert (before.x() - after.x(), before.y() - after.y()) == pytest.approx((40, 30))
    assert window.ctl.selection == ("neuron", 0, 0)
    mouse(QEvent.Type.MouseButtonPress, start, left)  # a click without moving clears it
    mouse(QEvent.Type.MouseButtonRelease, start, Qt.MouseButton.NoButton)
    assert window.ctl.selection is None


def test_enter_edits_in_place_on_a_magnified_diagram(qtbot, window):
    net = window.network
    net.set_zoom(2.0)
    window.ctl.select(("edge", 0, 0, 1))
    key(qtbot, window, Qt.Key.Key_Return)
    L = net.diagram_layout()
    mid = net.to_widget(*L.edge_midpoint(0, 0, 1))
    assert net.editor.isVisible() and net.editor.geometry().contains(mid.toPoint())


def test_ctrl_wheel_over_the_diagram_zooms(qtbot, window):
    net = window.network

    def wheel(dy: int, mods) -> None:
        pos = QPointF(net.width() / 2, net.height() / 2)
        ev = QWheelEvent(pos, net.mapToGlobal(pos), QPoint(), QPoint(0, dy),
                         Qt.MouseButton.NoButton, mods, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(net, ev)

    wheel(120, CTRL)
    assert net.zoom() == pytest.approx(1.2)
    wheel(-240, CTRL)
    assert net.zoom() == pytest.approx(1 / 1.2)
    wheel(120, Qt.KeyboardModifier.NoModifier)  # a plain wheel does not zoom
    assert net.zoom() == pytest.approx(1 / 1.2)
    net.set_zoom(2.0)
    top = net.to_widget(0.0, 0.0).y()
    wheel(-120, Qt.KeyboardModifier.NoModifier)  # it moves a magnified diagram instead
    assert net.to_widget(0.0, 0.0).y() == pytest.approx(top - 60)


def test_zoom_is_kept_in_the_settings(window, settings):
    window.network.set_zoom(1.44)
    window.files.save_settings()
    window.network.set_zoom(1.0)
    window.files.restore_settings()
    assert window.network.zoom() == pytest.approx(1.44)
    settings.setValue("view/zoom", "huge")
    window.files.restore_settings()
    assert window.network.zoom() == 1.0


def test_shortcuts_dialog_lists_the_diagram_keys_and_zoom(window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    window.show_shortcuts()
    text = shown[0]
    assert "Zoom in on the diagram" in text and "Ctrl+=" in text and "Ctrl+0" in text
    assert "Tab / Shift+Tab" in text and "E / Shift+E" in text


def test_keyboard_moves_skip_the_elided_middle_of_a_wide_layer():
    L = NetworkLayout([3, 40, 2], 1280, 720)
    shown = [int(i) for i in L.column(0).shown]
    assert 8 not in shown and 33 in shown
    assert keys.tab(L, ("neuron", 0, 7), True) == ("neuron", 0, 33)
    assert keys.tab(L, ("neuron", 0, 33), False) == ("neuron", 0, 7)
    assert keys.vertical(L, ("neuron", 0, 7), 1) == ("neuron", 0, 33)
    assert keys.vertical(L, ("edge", 1, 0, 7), 1) == ("edge", 1, 0, 33)
    assert keys.edge(L, ("edge", 1, 1, 7), True) == ("edge", 1, 1, 33)
    # a neuron selected in the hidden middle (by a script) moves to a drawn one
    assert keys.tab(L, ("neuron", 0, 20), True) == ("neuron", 0, 33)
    assert keys.horizontal(L, ("neuron", 0, 20), -1)[:2] == ("neuron", -1)
    assert keys.tab(L, ("neuron", 1, 1), True) is None
    assert keys.tab(L, ("neuron", -1, 0), False) is None
