"""The lesson browser: every built-in lesson as a card with a preview of its data and its
network, its title and its one-line summary. Clicking a card, or →, Enter or Space on
the highlighted (focused) card, chooses it; ↑ and ↓ move the highlight.

The browser is a non-modal dialog: at a start without a source it sits over the window
(the default XOR session waits behind it), and File ▸ Lessons… opens it again.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from mlpviz.engine import datasets
from mlpviz.model.lessons import Lesson, LessonError, lesson_names, load_lesson
from mlpviz.ui.colors import LIGHT, Theme
from mlpviz.ui.plots.plot_style import EXTRA_CLASS_COLORS

CARD_WIDTH = 330  # px; the grid shows as many columns of cards as fit
PREVIEW_HEIGHT = 104  # px
MAX_PREVIEW_POINTS = 240
MAX_DRAWN_NEURONS = 6  # a wider layer is drawn with its first and last neurons and "⋮"
#: keys that start the highlighted lesson: → as in the lesson itself, Enter and Space
CHOOSE_KEYS = (Qt.Key.Key_Right, Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)


def readable_lessons() -> tuple[list[Lesson], list[str]]:
    """The built-in lessons that load, in lesson order, and the errors of those that don't
    (a damaged file must not hide the others)."""
    lessons, errors = [], []
    for name in lesson_names():
        try:
            lessons.append(load_lesson(name))
        except LessonError as exc:
            errors.append(str(exc))
    return sorted(lessons, key=lambda s: (s.order, s.name)), errors


def describe_network(lesson: Lesson) -> str:
    """One line about the lesson's network, e.g. "2 → 2 → 1 · sigmoid · mse"."""
    sizes = " → ".join(str(n) for n in lesson.sizes())
    acts = list(dict.fromkeys(lesson.net.activation))
    hidden = ", ".join(a.replace("_", " ") for a in acts) if acts else "no hidden layer"
    return f"{sizes} · {hidden} · {lesson.net.output.replace('_', ' ')} output"


def preview_data(lesson: Lesson) -> datasets.Dataset:
    """The lesson's data points (the custom arrays, or the generated set it describes)."""
    custom = lesson.custom_dataset()
    if custom is not None:
        return custom
    d = lesson.data
    return datasets.make(d.dataset, n=min(d.n, MAX_PREVIEW_POINTS), noise=d.noise, seed=d.seed)


class LessonPreview(QWidget):
    """A small picture of a lesson: its data (left) and its network (right)."""

    def __init__(self, lesson: Lesson, theme: Theme = LIGHT, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFixedHeight(PREVIEW_HEIGHT)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.theme = theme
        ds = preview_data(lesson)
        X = np.asarray(ds.X, dtype=np.float64)[:, :2]
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = np.maximum((hi - lo) * 0.08, 0.25)
        self._points = (X - (lo - pad)) / ((hi - lo) + 2 * pad)  # (n, 2) in 0..1
        self._classes = np.asarray(ds.y).astype(np.int64) if ds.kind != "regression" else None
        self._sizes = lesson.sizes()

    def _class_colour(self, k: int) -> QColor:
        if k <= 1:
            return QColor(self.theme.pos if k == 1 else self.theme.neg)
        return QColor(EXTRA_CLASS_COLORS[(k - 2) % len(EXTRA_CLASS_COLORS)])

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = float(self.height())
        side = h
        self._paint_data(p, QRectF(0, 0, side, side))
        self._paint_network(p, QRectF(side + 14, 6, self.width() - side - 20, h - 12))
        p.end()

    def _paint_data(self, p: QPainter, rect: QRectF) -> None:
        th = self.theme
        path = QPainterPath()
        path.addRoundedRect(rect, 8, 8)
        p.fillPath(path, QColor(th.background))
        p.setPen(QPen(QColor(th.grid), 1))
        p.drawPath(path)
        inner = rect.adjusted(8, 8, -8, -8)
        r = 2.6 if len(self._points) > 40 else 5.0
        p.setPen(QPen(QColor(th.background), 0.8))
        for k, (u, v) in enumerate(self._points):
            if self._classes is not None:
                p.setBrush(self._class_colour(int(self._classes[k])))
            else:
                p.setBrush(QColor(th.muted))
            p.drawEllipse(QPointF(inner.left() + u * inner.width(),
                                  inner.bottom() - v * inner.height()), r, r)

    def _paint_network(self, p: QPainter, rect: QRectF) -> None:
        th = self.theme
        cols = []
        n_cols = len(self._sizes)
        for c, n in enumerate(self._sizes):
            shown = min(n, MAX_DRAWN_NEURONS)
            x = rect.left() + (c + 0.5) * rect.width() / n_cols
            step = min(rect.height() / max(shown, 1), 22.0)
            ys = rect.center().y() + (np.arange(shown) - 0.5 * (shown - 1)) * step
            cols.append((x, ys, n > shown))
        r = max(3.0, min(8.0, 0.3 * min(rect.width() / n_cols, rect.height() / 6)))
        edge = QColor(th.muted)
        edge.setAlpha(110)
        p.setPen(QPen(edge, 1.0))
        for (x0, ys0, _), (x1, ys1, _) in zip(cols, cols[1:], strict=False):
            for y0 in ys0:
                for y1 in ys1:
                    p.drawLine(QPointF(x0, y0), QPointF(x1, y1))
        for c, (x, ys, elided) in enumerate(cols):
            fill = QColor(th.neutral if 0 < c < n_cols - 1 else th.panel)
            if c == n_cols - 1:
                fill = QColor(th.pos)
            p.setPen(QPen(QColor(th.muted), 1.2))
            p.setBrush(fill)
            for y in ys:
                p.drawEllipse(QPointF(x, y), r, r)
            if elided:
                p.setPen(QColor(th.muted))
                p.drawText(QRectF(x - 20, ys[-1] + r, 40, 14),
                           Qt.AlignmentFlag.AlignCenter, "⋮")


class LessonCard(QFrame):
    """One lesson: preview, number and title, summary and a line about the network."""

    clicked = Signal(str)
    stepped = Signal(int)  # ↓ (+1) or ↑ (−1) pressed on the card: move the highlight

    def __init__(self, lesson: Lesson, number: int, theme: Theme = LIGHT,
                 current: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.lesson = lesson
        self.setObjectName("lessonCard")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFixedWidth(CARD_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum)
        self.setAccessibleName(lesson.title)
        self.setToolTip(f"Open the lesson “{lesson.title}” ({lesson.name})")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 12, 14, 12)
        lay.setSpacing(6)
        self.preview = LessonPreview(lesson, theme)
        lay.addWidget(self.preview)
        head = QLabel(f"<span style='color:{theme.muted}'>{number}</span>&nbsp; {lesson.title}")
        head.setObjectName("lessonTitle")
        head.setWordWrap(True)
        self.title_label = head
        summary = QLabel(lesson.summary)
        summary.setObjectName("lessonSummary")
        summary.setWordWrap(True)
        meta = QLabel(describe_network(lesson) + ("  ·  playing now" if current else ""))
        meta.setObjectName("lessonMeta")
        meta.setWordWrap(True)
        for w in (head, summary, meta):
            w.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            lay.addWidget(w)
        lay.addStretch(1)
        self.setProperty("current", current)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.clicked.emit(self.lesson.name)
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() in CHOOSE_KEYS:
            self.clicked.emit(self.lesson.name)
            return
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.stepped.emit(1 if event.key() == Qt.Key.Key_Down else -1)
            return
        super().keyPressEvent(event)


def _style(theme: Theme) -> str:
    return (
        f"QDialog#lessonBrowser {{ background: {theme.background}; }}"
        f"QScrollArea, QWidget#lessonGrid {{ background: {theme.background}; border: none; }}"
        f"QLabel#browserTitle {{ color: {theme.foreground}; font-size: 20pt; font-weight: 600; }}"
        f"QLabel#browserHint {{ color: {theme.muted}; font-size: 11pt; }}"
        f"QFrame#lessonCard {{ background: {theme.panel}; border: 1px solid {theme.grid};"
        " border-radius: 10px; }"
        f"QFrame#lessonCard:hover, QFrame#lessonCard:focus {{ border: 2px solid {theme.pos}; }}"
        f"QFrame#lessonCard[current=\"true\"] {{ border: 2px solid {theme.accent}; }}"
        f"QLabel#lessonTitle {{ color: {theme.foreground}; font-size: 12.5pt;"
        " font-weight: 600; }"
        f"QLabel#lessonSummary {{ color: {theme.foreground}; font-size: 10pt; }}"
        f"QLabel#lessonMeta {{ color: {theme.muted}; font-size: 9pt; }}"
        f"QCheckBox {{ color: {theme.foreground}; }}"
    )


class LessonBrowser(QDialog):
    """Non-modal dialog listing ``lessons`` (default: every built-in lesson, in order).

    ``current`` names the lesson playing now (its card is marked). Emits ``lessonChosen``
    with the lesson's name and closes when a card is chosen.
    """

    lessonChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None, lessons: list[Lesson] | None = None,
                 current: str | None = None, theme: Theme = LIGHT, show_at_start: bool = True):
        super().__init__(parent)
        self.setObjectName("lessonBrowser")
        self.setWindowTitle("Lessons — mlpviz")
        self.setModal(False)
        self.setStyleSheet(_style(theme))
        self._fit_screen(parent)
        errors: list[str] = []
        if lessons is None:
            lessons, errors = readable_lessons()
        self.cards: dict[str, LessonCard] = {}
        for k, lesson in enumerate(lessons, start=1):
            card = LessonCard(lesson, k, theme, current=lesson.name == current)
            card.clicked.connect(self._choose)
            card.stepped.connect(self._step)
            self.cards[lesson.name] = card

        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 22, 28, 18)
        outer.setSpacing(10)
        title = QLabel("Lessons")
        title.setObjectName("browserTitle")
        hint = QLabel(
            "The lessons follow the lecture on multi-layer perceptrons. Click one, or press → "
            "to start the highlighted one (↑ ↓ move): then → plays it one step at a time "
            "with captions, ← goes back and Space trains. Esc closes this list."
        )
        hint.setObjectName("browserHint")
        hint.setWordWrap(True)
        outer.addWidget(title)
        outer.addWidget(hint)

        self._grid_host = QWidget()
        self._grid_host.setObjectName("lessonGrid")
        host = QVBoxLayout(self._grid_host)
        host.setContentsMargins(0, 6, 0, 6)
        self._grid = QGridLayout()
        self._grid.setSpacing(18)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        host.addLayout(self._grid)
        host.addStretch(1)
        self._columns = 0
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._grid_host)
        self._scroll = scroll
        outer.addWidget(scroll, 1)
        if errors:
            problem = QLabel("Some lessons could not be read: " + "; ".join(errors))
            problem.setWordWrap(True)
            problem.setStyleSheet(f"color: {theme.error};")
            outer.addWidget(problem)

        foot = QHBoxLayout()
        self.show_at_start = QCheckBox("Show the lessons when mlpviz starts")
        self.show_at_start.setChecked(show_at_start)
        self.close_button = QPushButton("Explore freely")
        self.close_button.setToolTip("Close this list and keep the current session (Esc)")
        self.close_button.clicked.connect(self.reject)
        foot.addWidget(self.show_at_start)
        foot.addStretch(1)
        foot.addWidget(self.close_button)
        outer.addLayout(foot)
        self._reflow()
        first = self.cards.get(current or "") or next(iter(self.cards.values()), None)
        if first is not None:
            first.setFocus()

    def _fit_screen(self, parent: QWidget | None) -> None:
        """Three columns of cards, as tall as the screen comfortably allows."""
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        width, height = 3 * CARD_WIDTH + 2 * 18 + 74, 980
        if screen is not None:
            avail = screen.availableGeometry()
            width = min(width, int(avail.width() * 0.92))
            height = min(height, int(avail.height() * 0.9))
        self.resize(width, height)

    def _reflow(self) -> None:
        """Lay the cards out in as many columns as the dialog's width allows."""
        width = max(self.width() - 64, CARD_WIDTH)
        columns = max(1, min(3, (width + 18) // (CARD_WIDTH + 18)))
        if columns == self._columns:
            return
        self._columns = columns
        for card in self.cards.values():
            self._grid.removeWidget(card)
        for k, card in enumerate(self.cards.values()):
            self._grid.addWidget(card, k // columns, k % columns)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._reflow()

    def highlighted(self) -> LessonCard | None:
        """The card → or Enter would start: the focused one, else the one marked as
        playing, else the first."""
        focus = self.focusWidget()
        if isinstance(focus, LessonCard):
            return focus
        current = next((c for c in self.cards.values() if c.property("current")), None)
        return current or next(iter(self.cards.values()), None)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """→ or Enter starts the highlighted lesson even when the focus sits elsewhere in
        the dialog (a button or the check box keep their own Enter and Space); ↑ and ↓
        move the highlight."""
        key = event.key()
        card = self.highlighted()
        if card is not None and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._step(1 if key == Qt.Key.Key_Down else -1)
            return
        if card is not None and key in (Qt.Key.Key_Right, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._choose(card.lesson.name)
            return
        super().keyPressEvent(event)

    def _step(self, step: int) -> None:
        """Highlight the card ``step`` places after (or before) the highlighted one."""
        cards = list(self.cards.values())
        card = self.highlighted()
        if card is None:
            return
        target = cards[max(0, min(cards.index(card) + step, len(cards) - 1))]
        target.setFocus()
        self._scroll.ensureWidgetVisible(target)

    def _choose(self, name: str) -> None:
        self.lessonChosen.emit(name)
        self.accept()

    def done(self, result: int) -> None:
        """Close, and give the keyboard back to the window underneath, so the next → goes
        to the lesson."""
        super().done(result)
        owner = self.parentWidget()
        if owner is not None:
            owner.activateWindow()
