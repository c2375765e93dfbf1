"""Presenter mode (F5; Esc leaves): the panels (network, plots, caption bar), large type,
no chrome.

Entering hides the menu bar, the toolbars, the status bar and every dock except the
panels the user chose (remembered in settings under ``presenter/docks``), switches to the
presenter theme (``presenter/theme``: light, dark or colour-blind-safe) with fonts
scaled by :data:`FONT_SCALE`, and goes full screen. The keys keep working, because the
transport's actions belong to the window. Leaving restores the previous layout exactly:
window state and geometry, docks and toolbars (``saveState``/``restoreState``), the menu
and status bars, theme and caption style. Right-click in presenter mode for its options.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar, QWidget

from mlpviz.ui.colors import THEMES

FONT_SCALE = 1.45  # type size in presenter mode relative to the normal window
DEFAULT_DOCKS: tuple[str, ...] = ()  # only the panels: network, plots, caption bar
THEME_LABELS = (("light", "Light"), ("dark", "Dark"), ("colorblind", "Colour-blind-safe"))


@dataclass
class _Saved:
    """The window as it was before presenter mode."""

    state: QByteArray
    geometry: QRect
    window_state: Qt.WindowState
    bars: list[tuple[QWidget, bool]]
    theme: str
    font_scale: float
    menu_policy: Qt.ContextMenuPolicy


class Presenter(QObject):
    """Presenter mode of a MainWindow (needs ``settings``, ``caption``, ``network``,
    ``theme_name``, ``font_scale`` and ``set_theme``)."""

    toggled = Signal(bool)

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self._saved: _Saved | None = None
        self._pending_state: QByteArray | None = None
        self.action = QAction("&Presenter mode", window)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence("F5"))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.setStatusTip("Large type, network, plots and caption only, full screen (Esc "
                                 "leaves)")
        self.action.toggled.connect(self._on_action)
        window.addAction(self.action)
        self.leave_action = QAction("&Leave presenter mode", window)
        self.leave_action.setShortcut(QKeySequence("Esc"))
        self.leave_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.leave_action.setEnabled(False)
        self.leave_action.triggered.connect(self._escape)
        window.addAction(self.leave_action)

        self.menu = QMenu("Presenter &options", window)
        self.menu.aboutToShow.connect(self._fill_menu)
        self._themes = QActionGroup(self)
        self._themes.setExclusive(True)
        self._theme_actions: dict[str, QAction] = {}
        for name, label in THEME_LABELS:
            act = QAction(f"{label} theme", self._themes)
            act.setCheckable(True)
            act.triggered.connect(lambda _c=False, n=name: self.set_theme(n))
            self._theme_actions[name] = act

    # ---- settings -----------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self._saved is not None

    def panels(self) -> list[str]:
        """Object names of the docks that stay visible in presenter mode."""
        value = self.window.settings.value("presenter/docks", list(DEFAULT_DOCKS))
        if isinstance(value, str):
            value = [value] if value else []
        return [str(v) for v in (value or [])]

    def set_panel(self, dock_name: str, shown: bool) -> None:
        """Keep (or stop keeping) the dock ``dock_name`` in presenter mode."""
        names = [n for n in self.panels() if n != dock_name] + ([dock_name] if shown else [])
        self.window.settings.setValue("presenter/docks", names)
        if self.active:
            dock = self.window.findChild(QDockWidget, dock_name)
            if dock is not None:
                dock.setVisible(shown)

    def theme(self) -> str:
        """The presenter theme (by default the window's theme when first entered)."""
        name = str(self.window.settings.value("presenter/theme", self.window.theme_name))
        return name if name in THEMES else "light"

    def set_theme(self, name: str) -> None:
        if name not in THEMES:
            raise ValueError(f"unknown theme {name!r}; choose one of {', '.join(THEMES)}")
        self.window.settings.setValue("presenter/theme", name)
        if self.active:
            self.window.set_theme(name)

    # ---- entering and leaving -----------------------------------------------------------------
    def enter(self, fullscreen: bool = True) -> None:
        """Switch to presenter mode (no-op if already in it)."""
        if self.active:
            return
        w = self.window
        bars: list[QWidget] = [w.menuBar(), w.statusBar(), *w.findChildren(QToolBar)]
        self._saved = _Saved(
            w.saveState(), w.geometry(), w.windowState(),
            [(bar, bar.isVisibleTo(w)) for bar in bars], w.theme_name, w.font_scale,
            w.contextMenuPolicy(),
        )
        keep = set(self.panels())
        for bar in bars:
            bar.hide()
        for dock in w.findChildren(QDockWidget):
            dock.setVisible(dock.objectName() in keep)
        w.font_scale = FONT_SCALE
        w.set_theme(self.theme())
        w.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        w.customContextMenuRequested.connect(self._context_menu)
        if fullscreen:
            w.showFullScreen()
        self.leave_action.setEnabled(True)
        self._sync_action(True)
        w.network.setFocus()
        self.toggled.emit(True)

    def leave(self) -> None:
        """Back to the window exactly as it was (no-op if not in presenter mode)."""
        saved = self._saved
        if saved is None:
            return
        self._saved = None
        w = self.window
        w.customContextMenuRequested.disconnect(self._context_menu)
        w.setContextMenuPolicy(saved.menu_policy)
        w.font_scale = saved.font_scale
        w.set_theme(saved.theme)
        w.setWindowState(saved.window_state)
        if not saved.window_state & (Qt.WindowState.WindowMaximized
                                     | Qt.WindowState.WindowFullScreen):
            w.setGeometry(saved.geometry)
        w.restoreState(saved.state)
        self._pending_state = saved.state  # a window manager may apply the size later:
        QTimer.singleShot(0, self, self._relayout)  # then lay the docks out again
        for bar, visible in saved.bars:
            bar.setVisible(visible)
        self.leave_action.setEnabled(False)
        self._sync_action(False)
        self.toggled.emit(False)

    def _relayout(self) -> None:
        if not self.active and self._pending_state is not None:
            self.window.restoreState(self._pending_state)
        self._pending_state = None

    def toggle(self) -> None:
        if self.active:
            self.leave()
        else:
            self.enter()

    def _on_action(self, checked: bool) -> None:
        if checked != self.active:
            self.toggle()

    def _sync_action(self, on: bool) -> None:
        self.action.blockSignals(True)
        self.action.setChecked(on)
        self.action.blockSignals(False)

    def _escape(self) -> None:
        editor = self.window.network.editor
        if editor.isVisible():  # Esc first cancels an inline edit
            self.window.network.close_editor()
            return
        self.leave()

    # ---- options menu -------------------------------------------------------------------------
    def _fill_menu(self) -> None:
        m = self.menu
        m.clear()
        m.addSection("Panels kept in presenter mode")
        keep = set(self.panels())
        for dock in self.window.findChildren(QDockWidget):
            name = dock.objectName()
            act = m.addAction(dock.windowTitle())
            act.setCheckable(True)
            act.setChecked(name in keep)
            act.toggled.connect(lambda on, n=name: self.set_panel(n, on))
        m.addSection("Presenter theme")
        current = self.theme()
        for name, act in self._theme_actions.items():
            act.setChecked(name == current)
            m.addAction(act)
        if self.active:
            m.addSeparator()
            m.addAction(self.leave_action)

    def _context_menu(self, pos: QPoint) -> None:
        self.menu.popup(self.window.mapToGlobal(pos))
