"""A one-line label whose size stays put while its text changes many times a second.

A plain QLabel asks its parent to lay out again whenever its text changes (its size hint
may have changed), and the parent — a status bar or a toolbar — then re-places and
repaints all of its widgets. While training runs, the epoch and loss change every frame,
so that relayout and repaint happened every frame too. A fixed-size widget does not ask
for a layout, so :class:`SteadyLabel` keeps a fixed size: as wide as the widest text it
has shown since it last fitted itself (:meth:`fit`), and as tall as one line of its font.
A wider text widens it at once, so no text is ever clipped; it shrinks only on
:meth:`fit` or when its font or style changes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QWidget


class SteadyLabel(QLabel):
    """Plain text on one line; see the module docstring."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setText(text)
        self.fit()

    def text_width(self, text: str) -> int:
        """Width in px the label needs to show ``text`` whole with its font and margins."""
        m = self.contentsMargins()
        indent = max(self.indent(), 0)
        advance = self.fontMetrics().size(Qt.TextFlag.TextSingleLine, text).width()
        return advance + 2 * self.margin() + m.left() + m.right() + indent + 1

    def line_height(self) -> int:
        m = self.contentsMargins()
        return self.fontMetrics().height() + 2 * self.margin() + m.top() + m.bottom()

    def setText(self, text: str) -> None:  # noqa: N802 (QLabel's name)
        """Show ``text``, widening the label first if it does not fit (never narrowing)."""
        if text == self.text():
            return
        need = self.text_width(text)
        if need > self.minimumWidth():
            self.setFixedWidth(need)
        super().setText(text)

    def fit(self) -> None:
        """Shrink (or grow) to exactly the current text, at the current font."""
        self.setFixedSize(self.text_width(self.text()), self.line_height())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.fit()
