"""What the main window loads and keeps, in one object: the session's file (new, open,
save, save as, the Open Recent menu), the window's settings (geometry, dock layout, view
options in QSettings) and the session kept on quit for the next start (the autosave)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject, QSettings, QStandardPaths, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from mlpviz.model.session import Session

if TYPE_CHECKING:
    from mlpviz.ui.shell.main_window import MainWindow

MAX_RECENT = 8
SESSION_FILTER = "mlpviz sessions (*.mlpviz)"
OPEN_FILTER = "Sessions and lessons (*.mlpviz *.json);;" + SESSION_FILTER + ";;Lessons (*.json)"
#: what File ▸ Open and a drop on the window take, by suffix
OPENABLE = (".mlpviz", ".json", ".csv")


def autosave_path() -> Path:
    """Where the session is kept on quit (``MLPVIZ_DATA_DIR`` overrides the folder)."""
    override = os.environ.get("MLPVIZ_DATA_DIR")
    if override:
        return Path(override) / "autosave.mlpviz"
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".mlpviz") / "autosave.mlpviz"


class SessionFiles(QObject):
    """The file side of ``window``: :attr:`path` (the open session's file, or None), the
    recent files, the settings and the autosave. Errors go to the window's banner and
    leave the open session as it was."""

    pathChanged = Signal()

    def __init__(self, window: MainWindow, settings: QSettings):
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.path: Path | None = None
        #: keep the session for the next start when the window closes
        self.autosave_on_close = True
        self.recent_menu: QMenu | None = None

    @property
    def _ctl(self):
        return self.window.ctl

    def _set_path(self, path: Path | None) -> None:
        self.path = path
        self.pathChanged.emit()

    # ---- session files ---------------------------------------------------------------------
    def new(self) -> None:
        """Replace the window's session with a fresh XOR session (no file)."""
        self._ctl.set_session(Session.from_lesson("xor"))
        self._set_path(None)

    def open_dialog(self) -> None:
        """Ask for a session or lesson file and open it."""
        path, _ = QFileDialog.getOpenFileName(self.window, "Open", "", OPEN_FILTER)
        if path:
            self.open(Path(path))

    def open(self, path: Path) -> bool:
        """Open ``path``: a session file (added to the recent files), a lesson file (played
        like a built-in lesson) or a CSV file of points (imported as the data, undoably).
        False, with an error banner and the open session kept, when it cannot be read."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".json":
            return self.window.load_lesson(str(path))
        if suffix == ".csv":
            return self._ctl.import_csv(path)
        if suffix != ".mlpviz":
            self.window.banner.show_message(
                "error", f"Could not open {path.name}: mlpviz opens .mlpviz sessions, .json "
                "lessons and .csv data")
            return False
        try:
            session = Session.load(path)
        except (OSError, ValueError) as exc:
            self.window.banner.show_message("error", f"Could not open {path.name}: {exc}")
            return False
        self._ctl.set_session(session)
        self._set_path(path)
        self.add_recent(path)
        return True

    def save(self) -> bool:
        """Save to the session's file, or ask for one (Save As) when it has none."""
        if self.path is None:
            return self.save_as()
        return self.save_to(self.path)

    def save_as(self) -> bool:
        """Ask for a file name (``.mlpviz`` is added when missing) and save there."""
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Save session", "session.mlpviz", SESSION_FILTER
        )
        if not path:
            return False
        p = Path(path)
        if p.suffix != ".mlpviz":
            p = p.with_suffix(".mlpviz")
        return self.save_to(p)

    def save_to(self, path: Path) -> bool:
        """Save the session to ``path``, which becomes its file; False (with an error
        banner) when it cannot be written."""
        path = Path(path)
        try:
            self._ctl.session.save(path)
        except (OSError, ValueError) as exc:
            self.window.banner.show_message("error", f"Could not save to {path}: {exc}")
            return False
        self._set_path(path)
        self.add_recent(path)
        self.window.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    # ---- recent files ------------------------------------------------------------------------
    def recent(self) -> list[str]:
        """The recent session files, newest first (at most MAX_RECENT paths)."""
        value = self.settings.value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def add_recent(self, path: Path) -> None:
        """Put ``path`` first in the recent files and rebuild the Open Recent menu."""
        items = [str(path)] + [p for p in self.recent() if p != str(path)]
        self.settings.setValue("files/recent", items[:MAX_RECENT])
        self.fill_recent()

    def fill_recent(self) -> None:
        """Rebuild the Open Recent menu from the settings (disabled when empty)."""
        menu = self.recent_menu
        if menu is None:
            return
        menu.clear()
        items = self.recent()
        for p in items:
            act = menu.addAction(p)
            act.triggered.connect(lambda _c=False, q=p: self.open(Path(q)))
        menu.setEnabled(bool(items))

    # ---- settings ------------------------------------------------------------------------------
    def restore_settings(self) -> None:
        """Geometry, dock layout, view options and recent files from the settings."""
        s, w = self.settings, self.window
        geo = s.value("window/geometry")
        if isinstance(geo, QByteArray):
            w.restoreGeometry(geo)
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            w._layout_restored = w.restoreState(state)
        w.thumbs_action.setChecked(str(s.value("view/thumbnails", "false")) == "true")
        w.anim_action.setChecked(str(s.value("view/animate", "true")) == "true")
        w.player.enabled = w.anim_action.isChecked()
        w.set_value_mode(str(s.value("view/values", "a")))
        try:
            w.network.set_zoom(float(s.value("view/zoom", 1.0)))
        except (TypeError, ValueError):
            w.network.set_zoom(1.0)  # a hand-edited setting that is no number
        self.fill_recent()

    def save_settings(self) -> None:
        """Write geometry, dock layout, theme and view options to the settings."""
        s, w = self.settings, self.window
        s.setValue("window/geometry", w.saveGeometry())
        s.setValue("window/state", w.saveState())
        s.setValue("view/theme", w.theme_name)
        s.setValue("view/thumbnails", "true" if w.thumbs_action.isChecked() else "false")
        s.setValue("view/animate", "true" if w.anim_action.isChecked() else "false")
        s.setValue("view/zoom", w.network.zoom())
        s.sync()

    # ---- the session kept on quit --------------------------------------------------------------
    def offer_autosave(self) -> None:
        """When a session was kept on the last quit, offer it in the banner."""
        path = autosave_path()
        if path.exists():
            self.window.banner.show_message(
                "info",
                "Your session from last time was kept when you quit.",
                action=("Restore it", lambda: self.restore_autosave(path)),
            )

    def restore_autosave(self, path: Path) -> None:
        """Load the kept session at ``path`` (no file name: saving asks for one)."""
        try:
            session = Session.load(path)
        except (OSError, ValueError) as exc:
            self.window.banner.show_message("error",
                                            f"The saved session could not be read: {exc}")
            return
        self._ctl.set_session(session)
        self._set_path(None)

    def close(self, event: QCloseEvent) -> None:
        """The window's close: pause, leave presenter mode, save the settings and keep the
        session at autosave_path() (unless :attr:`autosave_on_close` is False). When it
        cannot be kept, ask whether to quit anyway and ignore ``event`` on No."""
        w = self.window
        self._ctl.pause()
        w.presenter.leave()  # keep the normal layout for next time
        self.save_settings()
        if not self.autosave_on_close:  # offscreen renders of the window view
            event.accept()
            return
        path = autosave_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._ctl.session.save(path)
        except (OSError, ValueError) as exc:
            answer = QMessageBox.warning(
                w,
                "mlpviz",
                f"The session could not be kept for next time ({exc}). Quit anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        event.accept()
