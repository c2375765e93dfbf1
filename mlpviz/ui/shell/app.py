"""Starting the desktop app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from mlpviz.paths import resource_dir

DESKTOP_ID = "io.github.mlpviz.mlpviz"  # also the AppStream id (packaging/)


def _qt_message(kind: QtMsgType, _context: object, text: str) -> None:
    """Keep Qt's platform chatter (e.g. the offscreen plugin's warnings) off the terminal;
    real failures still reach stderr. ``MLPVIZ_DEBUG=1`` shows everything."""
    if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg) or os.environ.get("MLPVIZ_DEBUG"):
        sys.stderr.write(f"qt: {text}\n")


def make_app() -> QApplication:
    if QApplication.instance() is None:
        qInstallMessageHandler(_qt_message)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")  # one look everywhere; follows the light/dark palettes
    app.setApplicationName("mlpviz")
    app.setOrganizationName("mlpviz")
    app.setApplicationDisplayName("mlpviz")
    app.setDesktopFileName(DESKTOP_ID)  # the Wayland app id: the desktop file's name
    icon = resource_dir() / "mlpviz.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def open_window(session=None, path: Path | None = None, lesson: str | None = None):
    """Show the main window on ``session`` (default: the xor lesson) without running the
    event loop; returns the MainWindow. With ``lesson`` the lesson's script plays with →
    and its captions show."""
    make_app()
    from mlpviz.ui.controller import Controller
    from mlpviz.ui.shell.crash import CrashReporter
    from mlpviz.ui.shell.main_window import MainWindow

    reporter = CrashReporter()
    reporter.install()
    controller = Controller(session)
    window = MainWindow(controller, offer_autosave=session is None)
    if path is not None:
        window.files.path = path
        window.files.pathChanged.emit()
    if lesson is not None:
        window.load_lesson(lesson)
    window.show()
    return window


def run_app(session=None, path: Path | None = None, lesson: str | None = None) -> int:
    """:func:`open_window`, then run the event loop until the window closes."""
    window = open_window(session, path, lesson)  # noqa: F841 (referenced while the loop runs)
    return make_app().exec()


def offscreen_without_screen() -> None:
    """Before the first QApplication: on Linux without DISPLAY or WAYLAND_DISPLAY (a
    notebook kernel on a server), use Qt's offscreen platform instead of aborting."""
    if QApplication.instance() is not None or not sys.platform.startswith("linux"):
        return
    if not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
