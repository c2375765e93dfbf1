"""Colours and theming shared by the pyqtgraph plots (map, loss, hidden space).

Colours come from :mod:`mlpviz.ui.colors` (the one diverging scale and the themes); this
module turns them into what pyqtgraph wants: uint8 lookup tables, cached ``QBrush`` tables
indexed by LUT entry or class, and themed axes/legends.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QGraphicsItem

from mlpviz.ui.colors import THEMES, Theme, lut

#: how far the decision-map colours are faded toward the background (0 = full colour), so
#: that the data points, drawn at full colour, stand out against the map
MAP_FADE = 0.35
#: colours of classes 2.. (classes 0 and 1 are the theme's negative and positive colours);
#: Okabe–Ito hues, distinguishable with the common colour-vision deficiencies
EXTRA_CLASS_COLORS = ("#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#d55e00", "#f0e442")
#: type sizes of the plots at font scale 1, in pixels; presenter mode multiplies them by
#: its font scale (1.45: tick labels of 19 px, readable from the back of a hall)
TICK_PX, LABEL_PX = 13.0, 14.0


def resolve_theme(theme: Theme | str) -> Theme:
    """A Theme, or the Theme named ``theme`` in ``THEMES`` (ValueError for unknown names)."""
    if isinstance(theme, str):
        try:
            return THEMES[theme]
        except KeyError:
            raise ValueError(
                f"unknown theme {theme!r}; choose one of {', '.join(THEMES)}"
            ) from None
    return theme


def qcolor(value: object) -> QColor:
    """A QColor from a hex string, an (r, g, b[, a]) tuple of 0..255 ints or a QColor."""
    return pg.mkColor(value)


def rgba(value: object) -> np.ndarray:
    """The colour ``value`` as a (4,) uint8 array (r, g, b, a)."""
    c = qcolor(value)
    return np.array([c.red(), c.green(), c.blue(), c.alpha()], dtype=np.uint8)


def fade(colors: np.ndarray, toward: object, amount: float) -> np.ndarray:
    """Blend (n, 4) uint8 ``colors`` toward the colour ``toward`` by ``amount`` (0..1)."""
    target = rgba(toward).astype(np.float32)
    out = colors.astype(np.float32) * (1.0 - amount) + target * amount
    out[:, 3] = colors[:, 3]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def diverging_lut(theme: Theme) -> np.ndarray:
    """(256, 4) uint8 diverging LUT of ``theme``: entry 0 = most negative, 255 = most positive."""
    return np.ascontiguousarray(lut(theme, 256), dtype=np.uint8)


def map_lut(theme: Theme) -> np.ndarray:
    """(256, 4) uint8 LUT for decision maps: the diverging LUT faded toward the background."""
    return fade(diverging_lut(theme), theme.background, MAP_FADE)


def class_colors(theme: Theme, n_classes: int) -> np.ndarray:
    """(n_classes, 4) uint8 class colours: class 0 negative, 1 positive, then Okabe–Ito hues.

    Past the listed hues the colours are spread evenly around the hue circle.
    """
    fixed = [theme.neg, theme.pos, *EXTRA_CLASS_COLORS]
    colors = [rgba(fixed[i]) if i < len(fixed) else rgba(pg.intColor(i, hues=n_classes))
              for i in range(n_classes)]
    return np.array(colors, dtype=np.uint8).reshape(n_classes, 4)


def brush_table(colors: np.ndarray) -> np.ndarray:
    """One QBrush per row of (n, 4) uint8 ``colors``, as an object array (index it per point)."""
    table = np.empty(len(colors), dtype=object)
    for i, (r, g, b, a) in enumerate(colors.tolist()):
        table[i] = QBrush(QColor(r, g, b, a))
    return table


def lut_index(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Indices 0..255 into a 256-entry LUT for ``values`` on the scale lo → 0, hi → 255."""
    span = hi - lo if hi > lo else 1.0
    t = (np.asarray(values, dtype=np.float64) - lo) / span
    return np.clip(np.rint(np.nan_to_num(t, nan=0.5) * 255.0), 0, 255).astype(np.intp)


def colormap(colors: np.ndarray) -> pg.ColorMap:
    """A pyqtgraph ColorMap through the (n, 4) uint8 ``colors`` spread evenly over 0..1."""
    return pg.ColorMap(np.linspace(0.0, 1.0, len(colors)), colors)


def type_px(theme: Theme) -> tuple[int, int]:
    """(tick label, axis label) sizes in pixels for ``theme``'s font scale."""
    return round(TICK_PX * theme.font_scale), round(LABEL_PX * theme.font_scale)


def style_plot_item(item: pg.PlotItem, theme: Theme) -> None:
    """Give ``item``'s axes, tick labels, axis labels, title and legend the theme's colours,
    and type sized by the theme's font scale."""
    fg = qcolor(theme.foreground)
    tick_px, label_px = type_px(theme)
    tick_font = QFont()
    tick_font.setPixelSize(tick_px)
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        # an axis changes rarely but its ticks reach into the plot, so it is repainted
        # with every change of the data under them: from a pixmap, not tick by tick
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        axis.setPen(fg)
        axis.setStyle(tickFont=tick_font, tickTextOffset=max(3, tick_px // 3))
        if axis.labelText:
            axis.setLabel(axis.labelText, units=axis.labelUnits or None,
                          **{"font-size": f"{label_px}px"})
        axis.setTextPen(fg)  # after the label: it colours the label too
    if item.titleLabel.text:
        item.setTitle(item.titleLabel.text, color=fg.name(), size=f"{label_px}px")
    legend = item.legend
    if legend is not None:
        bg = qcolor(theme.background)
        bg.setAlpha(210)
        legend.setBrush(bg)
        legend.setPen(None)
        legend.setLabelTextColor(fg)
        for _sample, label in legend.items:  # setLabelTextColor does not re-render the text
            label.setText(label.text, color=fg, size=f"{tick_px}px")


def palette(theme: Theme) -> QPalette:
    """A widget palette for the chrome around the plots (tabs, check boxes) in ``theme``."""
    pal = QPalette(qcolor(theme.panel))
    fg, bg, panel = qcolor(theme.foreground), qcolor(theme.background), qcolor(theme.panel)
    for role, colour in (
        (QPalette.ColorRole.Window, bg), (QPalette.ColorRole.WindowText, fg),
        (QPalette.ColorRole.Base, panel), (QPalette.ColorRole.AlternateBase, bg),
        (QPalette.ColorRole.Text, fg), (QPalette.ColorRole.Button, panel),
        (QPalette.ColorRole.ButtonText, fg), (QPalette.ColorRole.Highlight, qcolor(theme.pos)),
    ):
        pal.setColor(QPalette.ColorGroup.Active, role, colour)
        pal.setColor(QPalette.ColorGroup.Inactive, role, colour)
    muted = qcolor(theme.muted)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, muted)
    return pal
