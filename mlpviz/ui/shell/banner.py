"""A message bar across the top of the window: errors, divergence warnings, offers.

Non-modal, so the session stays usable (and tests can read and click it)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

_STYLES = {
    "info": ("#e8f1fa", "#0b4f83", "#0877bd"),
    "warning": ("#fff4e5", "#7a4300", "#f59322"),
    "error": ("#fdecea", "#8a1c12", "#d93025"),
    "diverged": ("#fff4e5", "#7a4300", "#f59322"),
}


class Banner(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("banner")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 6, 6, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.action_button = QPushButton()
        self.close_button = QPushButton("Dismiss")
        self.close_button.clicked.connect(self.hide)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.action_button)
        lay.addWidget(self.close_button)
        self.level = ""
        self._callback: Callable[[], None] | None = None
        self.action_button.clicked.connect(self._act)
        self.hide()

    def show_message(
        self, level: str, text: str, action: tuple[str, Callable[[], None]] | None = None
    ) -> None:
        bg, fg, edge = _STYLES.get(level, _STYLES["info"])
        self.level = level
        self.setStyleSheet(
            f"#banner {{ background: {bg}; border-bottom: 2px solid {edge}; }}"
            f"#banner QLabel {{ color: {fg}; font-size: 11pt; }}"
        )
        self.label.setText(text)
        self._callback = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        self.show()

    def text(self) -> str:
        return self.label.text()

    def _act(self) -> None:
        cb = self._callback
        self.hide()
        if cb is not None:
            cb()
