"""Presenter mode: chosen panels only, large type, no chrome, keys still work, and leaving
restores the window exactly; the colour-blind palette draws negative edges dashed."""

import numpy as np
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QColor

from mlpviz.ui.shell.main_window import MainWindow
from mlpviz.ui.teaching import presenter as presenter_module


def key(qtbot, window, k):
    qtbot.keyClick(window.network, k)


def layout_snapshot(window):
    return {
        "state": bytes(window.saveState()),
        "menubar": window.menuBar().isVisible(),
        "toolbar": window.transport.isVisible(),
        "statusbar": window.statusBar().isVisible(),
        "docks": {d.objectName(): d.isVisible() for d in (window.controls_dock,
                                                          window.inspector_dock)},
        "window_state": window.windowState(),
        "size": (window.width(), window.height()),
        "theme": window.theme_name,
        "font_scale": window.network._theme.font_scale,
    }


def test_f5_enters_and_esc_leaves_restoring_the_layout(qtbot, window):
    before = layout_snapshot(window)
    assert before["docks"] == {"dock_controls": True, "dock_inspector": True}
    key(qtbot, window, Qt.Key.Key_F5)
    p = window.presenter
    assert p.active and window.presenter.action.isChecked()
    assert not window.menuBar().isVisible()
    assert not window.transport.isVisible()
    assert not window.statusBar().isVisible()
    assert not window.controls_dock.isVisible() and not window.inspector_dock.isVisible()
    assert window.network.isVisible() and window.plots.isVisible()  # the teaching layout
    assert window.isFullScreen()
    key(qtbot, window, Qt.Key.Key_Escape)
    assert not p.active and not window.presenter.action.isChecked()
    assert layout_snapshot(window) == before
    qtbot.wait(20)  # and still after the deferred re-layout
    assert layout_snapshot(window) == before


def test_keys_still_work_in_presenter_mode(qtbot, window):
    window.presenter.enter(fullscreen=False)
    key(qtbot, window, Qt.Key.Key_Right)
    assert window.ctl.walkthrough.index == 0
    key(qtbot, window, Qt.Key.Key_Right)
    key(qtbot, window, Qt.Key.Key_Left)
    assert window.ctl.walkthrough.index == 0
    key(qtbot, window, Qt.Key.Key_F)
    assert window.ctl.session.steps == 1
    key(qtbot, window, Qt.Key.Key_Space)
    assert window.ctl.running
    key(qtbot, window, Qt.Key.Key_Space)
    assert not window.ctl.running
    key(qtbot, window, Qt.Key.Key_R)
    assert window.ctl.session.epoch == 0 and window.ctl.session.steps == 0


def test_presenter_mode_enlarges_network_text_and_caption(qtbot, window):
    window.ctl.set_caption("A caption")
    layout = window.network.diagram_layout(1600, 900)
    caption_px = window.caption.fontInfo().pixelSize()
    window.presenter.enter(fullscreen=False)
    big = window.network.diagram_layout(1600, 900)
    assert big.s == layout.s * presenter_module.FONT_SCALE
    assert window.caption.fontInfo().pixelSize() >= 1.4 * caption_px
    window.presenter.leave()
    assert window.network.diagram_layout(1600, 900).s == layout.s
    assert window.caption.fontInfo().pixelSize() == caption_px


def test_chosen_panels_stay_and_the_choice_is_remembered(qtbot, window, settings):
    window.presenter.set_panel("dock_inspector", True)
    window.presenter.enter(fullscreen=False)
    assert window.inspector_dock.isVisible() and not window.controls_dock.isVisible()
    window.presenter.set_panel("dock_inspector", False)
    assert not window.inspector_dock.isVisible()
    window.presenter.set_panel("dock_controls", True)
    assert window.controls_dock.isVisible()
    window.presenter.leave()
    assert window.inspector_dock.isVisible() and window.controls_dock.isVisible()
    again = MainWindow(settings=settings, offer_autosave=False)
    qtbot.addWidget(again)
    assert again.presenter.panels() == ["dock_controls"]


def test_presenter_theme_is_used_and_leaving_restores_the_window_theme(qtbot, window):
    window.presenter.set_theme("dark")
    window.presenter.enter(fullscreen=False)
    assert window.theme_name == "dark" and window.network._theme.name == "dark"
    window.presenter.set_theme("colorblind")
    assert window.network._theme.dashed_negative
    window.presenter.leave()
    assert window.theme_name == "auto" and window.network._theme.name == "light"
    assert window.settings.value("presenter/theme") == "colorblind"


def test_closing_in_presenter_mode_keeps_the_normal_layout(qtbot, window, settings):
    state = bytes(window.saveState())
    window.presenter.enter(fullscreen=False)
    window.close()
    saved = settings.value("window/state")
    assert isinstance(saved, QByteArray) and bytes(saved) == state
    assert settings.value("view/theme") == "auto"


def test_escape_first_cancels_an_inline_edit(qtbot, window):
    window.presenter.enter(fullscreen=False)
    assert window.network.open_editor(("edge", 0, 0, 0))
    qtbot.keyClick(window.network.editor, Qt.Key.Key_Escape)
    assert not window.network.editor.isVisible()
    assert window.presenter.active
    key(qtbot, window, Qt.Key.Key_Escape)
    assert not window.presenter.active


def edge_background_fraction(window, l, i, j):
    """Fraction of the pixels along the middle half of edge W[l][i, j] that show the
    background (the gaps of a dashed line)."""
    window.panels.refresh_now()
    image = window.network.grab().toImage()
    lay = window.network.diagram_layout()
    (x0, y0), (x1, y1) = lay.pos(l - 1, j), lay.pos(l, i)
    bg = QColor(window.network._theme.background)
    n = 200
    hits = 0
    for t in np.linspace(0.25, 0.75, n):
        c = image.pixelColor(round(x0 + t * (x1 - x0)), round(y0 + t * (y1 - y0)))
        hits += max(abs(c.red() - bg.red()), abs(c.green() - bg.green()),
                    abs(c.blue() - bg.blue())) <= 6
    return hits / n


def test_colourblind_theme_draws_negative_edges_dashed(qtbot, window):
    net = window.ctl.session.net
    net.weights[0][0, 0] = -2.0  # x1 → h1, negative
    net.weights[0][1, 1] = 2.0  # x2 → h2, positive
    window.set_theme("light")
    assert edge_background_fraction(window, 0, 0, 0) == 0.0
    window.set_theme("colorblind")
    dashed = edge_background_fraction(window, 0, 0, 0)
    assert 0.2 <= dashed <= 0.8
    assert edge_background_fraction(window, 0, 1, 1) == 0.0
