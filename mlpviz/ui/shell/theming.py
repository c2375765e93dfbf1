"""Applies a Theme to Qt's own widgets (palette and a little style sheet)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget


def _qc(value: object) -> QColor:
    return value if isinstance(value, QColor) else QColor(str(value))


def palette(theme: object) -> QPalette:
    """The widget palette for ``theme``: light themes get the style's own palette, dark
    ones the application's palette with the theme's colours in every role widgets use."""
    app = QApplication.instance()
    if _qc(theme.background).lightness() >= 128:  # type: ignore[attr-defined]
        pal = app.style().standardPalette() if app is not None else QPalette()
        pal.setColor(QPalette.ColorRole.Highlight, QColor("#0877bd"))
        return pal
    pal = QPalette()
    bg = _qc(theme.background)  # type: ignore[attr-defined]
    fg = _qc(theme.foreground)  # type: ignore[attr-defined]
    base = bg.darker(115)
    button = bg.lighter(130)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        pal.setColor(group, QPalette.ColorRole.Window, bg)
        pal.setColor(group, QPalette.ColorRole.WindowText, fg)
        pal.setColor(group, QPalette.ColorRole.Base, base)
        pal.setColor(group, QPalette.ColorRole.AlternateBase, bg)
        pal.setColor(group, QPalette.ColorRole.Text, fg)
        pal.setColor(group, QPalette.ColorRole.Button, button)
        pal.setColor(group, QPalette.ColorRole.ButtonText, fg)
        pal.setColor(group, QPalette.ColorRole.ToolTipBase, button)
        pal.setColor(group, QPalette.ColorRole.ToolTipText, fg)
        pal.setColor(group, QPalette.ColorRole.Highlight, QColor("#0877bd"))
        pal.setColor(group, QPalette.ColorRole.HighlightedText, QColor("white"))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, fg.darker(160))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, fg.darker(160))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, fg.darker(160))
    return pal


def app_palette_is(theme: object) -> bool:
    """True when the application's palette already is :func:`palette` of ``theme``."""
    app = QApplication.instance()
    return app is not None and app.palette() == palette(theme)


def apply(window: QWidget, theme: object, app_wide: bool = True) -> None:
    """Colour the window's widgets for ``theme``. With ``app_wide`` the application's
    palette changes too (menus, dock titles, tooltips and dialogs follow the theme);
    without it only ``window``'s own palette does. Widgets under a style sheet take the
    application's palette, not their parent's (Qt), so ``app_wide=False`` colours a window
    fully only while the application's palette already is the theme's
    (:func:`app_palette_is`)."""
    app = QApplication.instance()
    pal = palette(theme)
    if app_wide and app is not None:
        app.setPalette(pal)
    window.setPalette(QPalette())  # drop the old palette so every child re-resolves
    window.setPalette(pal)
    window.setStyleSheet("")  # none: widgets under a style sheet draw differently (QSS
    # style), and the panels must look the same in the window and in a video
