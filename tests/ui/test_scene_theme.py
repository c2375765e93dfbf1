"""Offscreen renders (snapshots, recordings) made while the app runs never change the app's
palette, and their pictures are those of a render made alone."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow

from mlpviz.model.session import Session
from mlpviz.ui.video.snapshot import render_snapshot


class PaletteChanges(QObject):
    """Counts the application palette changes delivered while installed."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, _obj, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self.count += 1
        return False


def pixels(image: QImage) -> np.ndarray:
    """(height, width · 4) uint8 copy of ``image`` as ARGB32."""
    img = image.convertToFormat(QImage.Format.Format_ARGB32)
    buf = np.frombuffer(img.constBits(), np.uint8, count=img.bytesPerLine() * img.height())
    return buf.reshape(img.height(), img.bytesPerLine())[:, : 4 * img.width()].copy()


def scene_images(theme: str) -> dict[str, np.ndarray]:
    """The panels and plots views of the xor lesson after one forward step."""
    out = {}
    for view in ("network+plots", "plots"):
        image = render_snapshot(Session.from_lesson("xor"), (640, 400), "forward", view, theme)
        out[view] = pixels(image)
        QApplication.processEvents()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return out


def window_colour(widget=None) -> str:
    source = widget if widget is not None else QApplication.instance()
    return source.palette().color(QPalette.ColorRole.Window).name()


@pytest.mark.parametrize(("app_theme", "theme"), [
    ("light", "light"), ("dark", "dark"), ("dark", "light"), ("light", "dark"),
])
def test_scene_in_a_running_app_renders_as_alone_and_leaves_its_palette(
        request, app_theme, theme):
    assert not any(isinstance(w, QMainWindow) and w.isVisible()
                   for w in QApplication.topLevelWidgets())
    alone = scene_images(theme)
    window = request.getfixturevalue("window")
    window.set_theme(app_theme)
    QApplication.processEvents()  # deliver the palette change of the app's own switch
    try:
        app_before, panel_before = window_colour(), window_colour(window.controls)
        changes = PaletteChanges()
        QApplication.instance().installEventFilter(changes)
        try:
            inside = scene_images(theme)
        finally:
            QApplication.instance().removeEventFilter(changes)
        assert changes.count == 0
        assert window_colour() == app_before
        assert window_colour(window.controls) == panel_before
        for view, image in alone.items():
            assert np.array_equal(inside[view], image), view
    finally:
        window.set_theme("light")
