"""View menu: lock the gradient scale across stages (G) and rescale the weight colours."""

from __future__ import annotations

from PySide6.QtCore import Qt


def action(window, text: str):
    return next(a for a in window.actions() if a.text().replace("&", "") == text)


def test_lock_gradient_scale_key_and_rescale_action(window, qtbot):
    lock = action(window, "Lock gradient scale across stages")
    assert lock.isCheckable() and not window.network.gradient_scale_locked()
    qtbot.keyClick(window.network, Qt.Key.Key_G)
    assert lock.isChecked() and window.network.gradient_scale_locked()
    qtbot.keyClick(window.network, Qt.Key.Key_G)
    assert not window.network.gradient_scale_locked()
    net = window.ctl.session.net
    window.network.repaint()
    before = window.network.weight_scale().scale
    for w in net.weights:
        w[:] = 0.001
    for b in net.biases:
        b[:] = 0.0
    window.network.refresh()
    window.network.repaint()
    assert window.network.weight_scale().scale == before  # never shrinks by itself
    action(window, "Rescale weight colours").trigger()
    assert window.network.weight_scale().scale < before
    assert window.network.weight_scale().note.startswith(f"scale ±{before:g}")
