"""Uncaught exceptions in the desktop app: written to a log under the user's state folder
and shown in a dialog whose report can be copied, instead of vanishing with the process
(the app is often started from a desktop menu, with no terminal to print to).

The session stays open: Qt keeps running after the hook returns, and the dialog offers to
go on or to quit.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from mlpviz import __version__

LOG_NAME = "crash.log"
MAX_LOG_BYTES = 1_000_000  # older reports are dropped beyond this


def log_dir() -> Path:
    """Where crash reports go: ``MLPVIZ_DATA_DIR`` if set, else the platform's folder for
    the app's own data (e.g. ~/.local/share/mlpviz on Linux)."""
    override = os.environ.get("MLPVIZ_DATA_DIR")
    if override:
        return Path(override)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(base) if base else Path.home() / ".mlpviz"


def report_text(kind: type[BaseException], value: BaseException,
                tb: TracebackType | None) -> str:
    """A plain-text report: versions, time and the traceback."""
    from PySide6 import __version__ as pyside_version

    when = datetime.datetime.now().isoformat(timespec="seconds")
    head = (f"mlpviz {__version__} · Python {platform.python_version()} · PySide6 "
            f"{pyside_version} · {platform.platform()} · {when}")
    return head + "\n" + "".join(traceback.format_exception(kind, value, tb))


def write_log(text: str) -> Path | None:
    """Append ``text`` to the crash log (keeping it under MAX_LOG_BYTES); None when the
    folder cannot be written."""
    path = log_dir() / LOG_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        keep = (old + "\n" + text)[-MAX_LOG_BYTES:]
        path.write_text(keep, encoding="utf-8")
    except OSError:
        return None
    return path


class CrashReporter:
    """``sys.excepthook`` for the app: log, then a dialog (one at a time)."""

    def __init__(self) -> None:
        self.dialog: QMessageBox | None = None
        self.last_report = ""
        self.log_path: Path | None = None

    def install(self) -> None:
        sys.excepthook = self

    def __call__(self, kind: type[BaseException], value: BaseException,
                 tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        self.last_report = report_text(kind, value, tb)
        self.log_path = write_log(self.last_report)
        sys.stderr.write(self.last_report)
        if QApplication.instance() is None or self.dialog is not None:
            return
        where = f"It was written to {self.log_path}." if self.log_path else ""
        box = QMessageBox(QMessageBox.Icon.Critical, "mlpviz: something went wrong",
                          f"mlpviz hit an error it did not expect: {value!s:.200}\n\n"
                          f"Your session is still open; saving it now is a good idea. {where}")
        box.setDetailedText(self.last_report)  # selectable, so the report can be copied
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.finished.connect(self._closed)
        self.dialog = box
        box.show()

    def _closed(self, _result: int) -> None:
        self.dialog = None
