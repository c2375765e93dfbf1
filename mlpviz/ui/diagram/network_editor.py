"""The network view's inline editor: a small line edit over a weight's edge or a neuron's
bias, Return commits, Escape cancels, and bad input is named in a label under the field.

The editor never changes the network: a committed value is emitted as
``committed(target, value)`` with target ``("edge", l, i, j)`` or ``("bias", l, i)``.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from mlpviz.ui.colors import Theme

MAX_EDIT = 1e6


class EditError(ValueError):
    """Text typed into the inline editor that is not an acceptable parameter value."""


def parse_value(text: str) -> float:
    """The number typed for a weight or bias; EditError for empty, non-numeric, NaN,
    infinite or huge (|v| > 1e6) input. Accepts "−" and a decimal comma."""
    t = text.strip().replace("−", "-")
    if not t:
        raise EditError("Type a number")
    if "," in t and "." not in t:
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        raise EditError(f"“{text.strip()}” is not a number") from None
    if not math.isfinite(v):
        raise EditError("NaN and infinity are not allowed")
    if abs(v) > MAX_EDIT:
        raise EditError(f"Keep |value| ≤ {MAX_EDIT:g}")
    return v


class _LineEdit(QLineEdit):
    """A line edit that reports Escape as ``cancelled`` and keeps Return to itself (a
    QLineEdit passes it on to its parent, where Enter would open the editor again)."""

    cancelled = Signal()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class InlineEditor(QObject):
    """Edits one parameter in place over ``view``: :attr:`line` (the text field) and
    :attr:`message` (the error label), both children of the view. ``theme`` colours the
    error label (set :attr:`theme` when the view's theme changes)."""

    committed = Signal(object, float)

    def __init__(self, view: QWidget, theme: Theme) -> None:
        super().__init__(view)
        self._view = view
        self.theme = theme
        self.target: tuple | None = None
        self.line = _LineEdit(view)
        self._point_size = self.line.font().pointSizeF()
        self.line.hide()
        self.line.returnPressed.connect(self._commit)
        self.line.cancelled.connect(self.close)
        self.message = QLabel(view)
        self.message.hide()

    def open_item(self, item: tuple, net, layout, to_view=None, zoom: float = 1.0) -> bool:
        """Edit the weight of an edge item, or the bias of a ("neuron" | "bias", l, i) item
        of ``net`` (an MLP) drawn in ``layout`` (a NetworkLayout); False when the item is
        not drawn there. The item must be valid and hold a parameter (not an input).
        ``to_view(x, y)`` maps a layout position to the view (a QPointF) when the diagram
        is drawn magnified by ``zoom``."""
        kind, l, i = item[0], item[1], item[2]
        if kind == "edge":
            target, current = item, float(net.weights[l][i, item[3]])
            anchor = layout.edge_midpoint(l, i, item[3])
        else:
            target, current = ("bias", l, i), float(net.biases[l][i])
            anchor = layout.pos(l, i)
            anchor = None if anchor is None else (anchor[0] + layout.r, anchor[1])
        if anchor is None:
            return False
        if to_view is not None:
            p = to_view(*anchor)
            anchor = (p.x(), p.y())
        self.open(target, current, anchor, layout.s * zoom, zoom)
        return True

    def open(self, target: tuple, current: float, anchor: tuple[float, float],
             scale: float, zoom: float = 1.0) -> None:
        """Show the field centred on ``anchor`` (view px), kept inside the view, holding
        ``current``; ``scale`` is the diagram's size factor (the field is 120 × 28 at 1),
        ``zoom`` the magnification of the drawn diagram (the field's type grows with it)."""
        self.target = target
        view = self._view
        f = self.line.font()
        f.setPointSizeF(self._point_size * max(zoom, 1.0))
        self.line.setFont(f)
        w, h = int(120 * scale), int(28 * scale)
        x = int(min(max(anchor[0] - w / 2, 4), view.width() - w - 4))
        y = int(min(max(anchor[1] - h / 2, 4), view.height() - 2 * h - 8))
        self.line.setGeometry(x, y, w, h)
        self.line.setText(f"{current:.6g}")
        self.line.selectAll()
        self.message.hide()
        self.message.move(x, y + h + 2)
        self.line.show()
        self.line.setFocus()

    def close(self) -> None:
        """Hide the field and its message; the view takes the focus back."""
        self.target = None
        self.line.hide()
        self.message.hide()
        self._view.setFocus()

    def _commit(self) -> None:
        target = self.target
        if target is None:
            return
        try:
            value = parse_value(self.line.text())
        except EditError as exc:
            th = self.theme
            self.message.setStyleSheet(
                f"color: {th.error}; background: {th.panel}; border: 1px solid {th.error};"
                " border-radius: 3px; padding: 2px 6px;")
            self.message.setText(str(exc))
            self.message.adjustSize()
            self.message.show()
            self.message.raise_()
            return
        self.close()
        self.committed.emit(target, value)
