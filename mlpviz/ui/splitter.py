"""A splitter whose handles can be quiet: drawn as plain background, without the grip a
mouse drags, for pictures nobody can click (videos and snapshots)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QSplitter, QSplitterHandle, QWidget


class _Handle(QSplitterHandle):
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        splitter = self.splitter()
        if isinstance(splitter, Splitter) and splitter.quiet:
            p = QPainter(self)
            p.fillRect(self.rect(), self.palette().window())
            return
        super().paintEvent(event)


class Splitter(QSplitter):
    """A QSplitter; with :attr:`quiet` set its handles draw only the background."""

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None):
        super().__init__(orientation, parent)
        self.quiet = False

    def set_quiet(self, quiet: bool) -> None:
        self.quiet = bool(quiet)
        for k in range(self.count()):
            self.handle(k).update()

    def createHandle(self) -> QSplitterHandle:  # noqa: N802 (Qt override)
        return _Handle(self.orientation(), self)
