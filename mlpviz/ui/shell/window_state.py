"""What the main window loads and keeps: session files (new, open, save, save as, the
Open Recent menu), the window's settings (geometry, dock layout, view options in
QSettings) and the session kept on quit for the next start (the autosave)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QStandardPaths
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from mlpviz.model.session import Session

if TYPE_CHECKING:
    from mlpviz.ui.shell.main_window import MainWindow

MAX_RECENT = 8
SESSION_FILTER = "mlpviz sessions (*.mlpviz)"


def autosave_path() -> Path:
    """Where the session is kept on quit (``MLPVIZ_DATA_DIR`` overrides the folder)."""
    override = os.environ.get("MLPVIZ_DATA_DIR")
    if override:
        return Path(override) / "autosave.mlpviz"
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".mlpviz") / "autosave.mlpviz"


# ---- session files -------------------------------------------------------------------------
def new_session(window: MainWindow) -> None:
    """Replace the window's session with a fresh XOR session (no file)."""
    window.ctl.set_session(Session.from_lesson("xor"))


def open_dialog(window: MainWindow) -> None:
    """Ask for a session file and open it with ``window.open_path``."""
    path, _ = QFileDialog.getOpenFileName(window, "Open session", "", SESSION_FILTER)
    if path:
        window.open_path(Path(path))


def open_path(window: MainWindow, path: Path) -> bool:
    """Load ``path`` into the window and add it to the recent files; False (with an error
    banner) when it cannot be read."""
    try:
        session = Session.load(path)
    except (OSError, ValueError) as exc:
        window.banner.show_message("error", f"Could not open {path.name}: {exc}")
        return False
    window.ctl.set_session(session, path)
    add_recent(window, path)
    return True


def save(window: MainWindow) -> bool:
    """Save to the session's file, or ask for one (Save As) when it has none."""
    if window.ctl.path is None:
        return window.save_as()
    return window.save_to(window.ctl.path)


def save_as(window: MainWindow) -> bool:
    """Ask for a file name (``.mlpviz`` is added when missing) and save there."""
    path, _ = QFileDialog.getSaveFileName(
        window, "Save session", "session.mlpviz", SESSION_FILTER
    )
    if not path:
        return False
    p = Path(path)
    if p.suffix != ".mlpviz":
        p = p.with_suffix(".mlpviz")
    return window.save_to(p)


def save_to(window: MainWindow, path: Path) -> bool:
    """Save the session to ``path``, which becomes its file; False (with an error banner)
    when it cannot be written."""
    try:
        window.ctl.session.save(path)
    except (OSError, ValueError) as exc:
        window.banner.show_message("error", f"Could not save to {path}: {exc}")
        return False
    window.ctl.path = path
    add_recent(window, path)
    window.statusBar().showMessage(f"Saved {path}", 4000)
    window._on_session_replaced()
    return True


def recent(window: MainWindow) -> list[str]:
    """The recent session files, newest first (at most MAX_RECENT paths)."""
    value = window.settings.value("files/recent", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in (value or [])]


def add_recent(window: MainWindow, path: Path) -> None:
    """Put ``path`` first in the recent files and rebuild the Open Recent menu."""
    items = [str(path)] + [p for p in window._recent() if p != str(path)]
    window.settings.setValue("files/recent", items[:MAX_RECENT])
    fill_recent(window)


def fill_recent(window: MainWindow) -> None:
    """Rebuild the Open Recent menu from the settings (disabled when empty)."""
    window.recent_menu.clear()
    items = window._recent()
    for p in items:
        act = window.recent_menu.addAction(p)
        act.triggered.connect(lambda _c=False, q=p: window.open_path(Path(q)))
    window.recent_menu.setEnabled(bool(items))


# ---- settings ------------------------------------------------------------------------------
def restore_settings(window: MainWindow) -> None:
    """Geometry, dock layout, view options and recent files from ``window.settings``."""
    s = window.settings
    geo = s.value("window/geometry")
    if isinstance(geo, QByteArray):
        window.restoreGeometry(geo)
    state = s.value("window/state")
    if isinstance(state, QByteArray):
        window._layout_restored = window.restoreState(state)
    window.thumbs_action.setChecked(str(s.value("view/thumbnails", "false")) == "true")
    window.anim_action.setChecked(str(s.value("view/animate", "true")) == "true")
    window.player.enabled = window.anim_action.isChecked()
    window.set_value_mode(str(s.value("view/values", "a")))
    fill_recent(window)


def save_settings(window: MainWindow) -> None:
    """Write geometry, dock layout, theme and view options to ``window.settings``."""
    s = window.settings
    s.setValue("window/geometry", window.saveGeometry())
    s.setValue("window/state", window.saveState())
    s.setValue("view/theme", window.theme_name)
    s.setValue("view/thumbnails", "true" if window.thumbs_action.isChecked() else "false")
    s.setValue("view/animate", "true" if window.anim_action.isChecked() else "false")
    s.sync()


# ---- the session kept on quit --------------------------------------------------------------
def offer_autosave(window: MainWindow) -> None:
    """When a session was kept on the last quit, offer it in the banner."""
    path = autosave_path()
    if path.exists():
        window.banner.show_message(
            "info",
            "Your session from last time was kept when you quit.",
            action=("Restore it", lambda: restore_autosave(window, path)),
        )


def restore_autosave(window: MainWindow, path: Path) -> None:
    """Load the kept session at ``path`` (no file name: saving asks for one)."""
    try:
        session = Session.load(path)
    except (OSError, ValueError) as exc:
        window.banner.show_message("error", f"The saved session could not be read: {exc}")
        return
    window.ctl.set_session(session, None)


def close_window(window: MainWindow, event: QCloseEvent) -> None:
    """The window's close: pause, leave presenter mode, save the settings and keep the
    session at autosave_path() (unless ``window.autosave_on_close`` is False). When it
    cannot be kept, ask whether to quit anyway and ignore ``event`` on No."""
    window.ctl.pause()
    window.presenter.leave()  # keep the normal layout for next time
    window.save_settings()
    if not window.autosave_on_close:  # offscreen scenes (snapshot, recording)
        event.accept()
        return
    path = autosave_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        window.ctl.session.save(path)
    except (OSError, ValueError) as exc:
        answer = QMessageBox.warning(
            window,
            "mlpviz",
            f"The session could not be kept for next time ({exc}). Quit anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            event.ignore()
            return
    event.accept()
