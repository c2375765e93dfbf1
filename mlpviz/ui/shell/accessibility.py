"""Accessible names for the window's controls, for screen readers and for tests that find
controls by name.

Most fields already sit beside a label; :func:`name_fields` gives each field without a
name the text of its label (a form row's label, or the label just before it in a toolbar
or row), and buttons whose text is a symbol (− + ◀) their tooltip. Fields a label cannot
describe get their names where they are made.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QSlider,
    QToolBar,
    QWidget,
)

FIELDS = (QComboBox, QAbstractSpinBox, QLineEdit, QSlider, QAbstractButton)


def _clean(text: str) -> str:
    return " ".join(text.replace("&&", "\0").replace("&", "").replace("\0", "&")
                    .strip().rstrip(":").split())


def _is_internal(widget: QWidget) -> bool:
    """Qt's own parts of a compound field (the line edit inside a spin box)."""
    return isinstance(widget, QLineEdit) and isinstance(widget.parentWidget(),
                                                        QAbstractSpinBox | QComboBox)


def _form_labels(layout: QLayout) -> None:
    if isinstance(layout, QFormLayout):
        for row in range(layout.rowCount()):
            label = layout.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = layout.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is None or field is None:
                continue
            lw, fw = label.widget(), field.widget()
            if isinstance(lw, QLabel) and fw is not None and not fw.accessibleName():
                fw.setAccessibleName(_clean(lw.text()))
    for i in range(layout.count()):
        child = layout.itemAt(i).layout()
        if child is not None:
            _form_labels(child)


def _label_before(widget: QWidget) -> str:
    """The text of the QLabel placed just before ``widget`` in its parent's layout or
    toolbar, or ""."""
    parent = widget.parentWidget()
    if parent is None:
        return ""
    if isinstance(parent, QToolBar):
        previous = ""
        for action in parent.actions():
            w = parent.widgetForAction(action)
            if w is widget:
                return previous
            previous = _clean(w.text()) if isinstance(w, QLabel) else ""
        return ""
    layout = parent.layout()
    if layout is None:
        return ""
    previous = ""
    for i in range(layout.count()):
        w = layout.itemAt(i).widget()
        if w is widget:
            return previous
        previous = _clean(w.text()) if isinstance(w, QLabel) and w.text() else ""
    return ""


def name_fields(root: QWidget) -> list[QWidget]:
    """Give every field under ``root`` that has no accessible name one (see the module
    docstring). Returns the fields still without a name."""
    for layout in [root.layout(), *(w.layout() for w in root.findChildren(QWidget))]:
        if layout is not None:
            _form_labels(layout)
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, FIELDS) or _is_internal(widget) or widget.accessibleName():
            continue
        text = _clean(widget.text()) if isinstance(widget, QAbstractButton) else ""
        if text and any(c.isalnum() for c in text):
            continue  # a button reads its own text
        name = _label_before(widget) or _clean(widget.toolTip().split("(")[0])
        if name:
            widget.setAccessibleName(name)
        else:
            missing.append(widget)
    return missing
