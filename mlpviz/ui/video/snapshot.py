"""Headless rendering of a session to a PNG (``mlpviz snapshot``) and the shared scene set-up
that recording uses too: a main window built offscreen at an exact size, a script applied."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow

from mlpviz.cli import CLIError
from mlpviz.ui.colors import THEMES
from mlpviz.ui.shell import theming

VIEWS = ("window", "network", "plots")


class Scene:
    """A main window for ``session`` that nobody sees, sized for rendering.

    While an app window is open whose palette already is ``theme``'s (recording from the
    app, in its theme) the scene themes only its own window: the app's palette is never
    touched. Otherwise (the CLI, or another theme) the theme is applied app-wide, as the
    window's widgets under style sheets need; an app's palette comes back at :meth:`close`.
    """

    def __init__(self, session, size: tuple[int, int], view: str = "window", theme: str = "light"):
        from mlpviz.ui.controller import Controller
        from mlpviz.ui.shell.app import make_app
        from mlpviz.ui.shell.main_window import MainWindow

        if view not in VIEWS:
            raise CLIError(f"unknown view {view!r}; choose one of: {', '.join(VIEWS)}")
        self.app = make_app()
        app_open = any(isinstance(w, QMainWindow) and w.isVisible()
                       for w in self.app.topLevelWidgets())
        own = app_open and theme in THEMES and theming.app_palette_is(THEMES[theme])
        #: the running app's palette, to put back on close (None: nothing to put back)
        self._app_palette = QPalette(self.app.palette()) if app_open and not own else None
        self._settings_dir = tempfile.TemporaryDirectory(prefix="mlpviz-scene-")
        settings = QSettings(
            os.path.join(self._settings_dir.name, "s.ini"), QSettings.Format.IniFormat
        )
        self.controller = Controller(session)
        self.window = MainWindow(self.controller, settings=settings, offer_autosave=False,
                                 app_palette=not own)
        self.window.autosave_on_close = False  # never overwrite the user's kept session
        self.window.player.enabled = False
        self.window.set_theme(theme)
        self.view = view
        self.size = size
        if view == "window":
            self.window.resize(*size)
        self.window.show()
        self.app.processEvents()

    def run_steps(self, text: str | None):
        """Apply a script headless; returns the runner (its caption and selection)."""
        from mlpviz.model.script import ScriptError, ScriptRunner, parse_script

        if not text:
            return None
        try:
            runner = ScriptRunner(self.controller.session, parse_script(text))
            runner.run_all()
        except ScriptError as exc:
            raise CLIError(str(exc)) from None
        self.controller.walkthrough = runner.walkthrough
        self.controller.selection = runner.selection
        self.controller.stageChanged.emit()
        self.controller.selectionChanged.emit(self.controller.selection)
        self.controller.modelChanged.emit()
        if runner.caption:
            self.window.show_caption(runner.caption)
        return runner

    def render(self) -> QImage:
        """The chosen view at exactly ``size`` as an RGB32 image."""
        self.window.refresh_now()
        self.app.processEvents()
        w, h = self.size
        if self.view == "network":
            return self.window.network.render_image(w, h)
        if self.view == "plots":
            return self.window.plots.render_image(w, h)
        img = self.window.grab().toImage()
        if (img.width(), img.height()) != (w, h):
            img = img.scaled(w, h)
        return img.convertToFormat(QImage.Format.Format_RGB32)

    def close(self) -> None:
        self.window.close()
        self.window.deleteLater()
        self._settings_dir.cleanup()
        if self._app_palette is not None:
            self.app.setPalette(self._app_palette)


def save_png(image: QImage, path: Path) -> None:
    """Write ``image`` atomically: a failed write leaves no file (and keeps an old one)."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise CLIError(f"the output must be a .png file, not {path.name!r}")
    if not path.parent.is_dir():
        raise CLIError(f"cannot write {path}: the folder {path.parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".mlpviz-", suffix=".png", dir=path.parent)
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from None
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # an ordinary file, not mkstemp's private 0600
    try:
        if not image.save(tmp, "PNG"):
            raise CLIError(f"cannot write {path}")
        os.replace(tmp, path)
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def snapshot(
    session,
    output: Path,
    size: tuple[int, int] = (1280, 720),
    steps: str | None = None,
    view: str = "window",
    theme: str = "light",
) -> Path:
    output = Path(output)
    if output.suffix.lower() != ".png":
        raise CLIError(f"the output must be a .png file, not {output.name!r}")
    if not output.parent.is_dir():
        raise CLIError(f"cannot write {output}: the folder {output.parent} does not exist")
    if not os.access(output.parent, os.W_OK):
        raise CLIError(f"cannot write {output}: the folder is not writable")
    scene = Scene(session, size, view, theme)
    try:
        scene.run_steps(steps)
        image = scene.render()
        save_png(image, output)
    finally:
        scene.close()
    QApplication.processEvents()
    return output
