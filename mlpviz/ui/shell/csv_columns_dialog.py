"""Data ▸ Import CSV… for a file with more than three columns: which two columns are the
inputs x₁, x₂ and which one is the label (or target)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget


class ColumnsDialog(QDialog):
    """Three drop-downs over ``columns``: x₁ (first column), x₂ (second), label (last).
    OK is enabled only while the three choices are different columns."""

    def __init__(self, columns: Sequence[str], filename: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose the CSV columns")
        self.boxes: list[QComboBox] = []
        form = QFormLayout(self)
        form.addRow(QLabel(f"{filename} has {len(columns)} columns. Choose the two inputs "
                           "and the label:"))
        defaults = (0, 1, len(columns) - 1)
        for title, default in zip(("Input x₁", "Input x₂", "Label"), defaults, strict=True):
            box = QComboBox()
            box.setAccessibleName(title)
            for index, name in enumerate(columns):
                box.addItem(f"{index + 1}: {name[:40]}", index)
            box.setCurrentIndex(default)
            box.currentIndexChanged.connect(self._check)
            self.boxes.append(box)
            form.addRow(title, box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.problem = QLabel("")
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self._check()

    def choice(self) -> tuple[list[int], int]:
        """([x₁ column, x₂ column], label column), 0-based."""
        x1, x2, label = (int(box.currentData()) for box in self.boxes)
        return [x1, x2], label

    def _check(self) -> None:
        inputs, label = self.choice()
        distinct = len({*inputs, label}) == 3
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(distinct)
        self.problem.setText("" if distinct else "Choose three different columns.")


def choose_columns(columns: Sequence[str], filename: str,
                   parent: QWidget | None = None) -> tuple[list[int], int] | None:
    """Ask for the input and label columns; None when cancelled."""
    dialog = ColumnsDialog(columns, filename, parent)
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
