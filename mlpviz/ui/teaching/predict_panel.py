"""Predict, then reveal: the question box at the top of the inspector.

With predict mode on, stepping (→) first asks for the selected quantity the next stage
would reveal (see :mod:`mlpviz.model.predict`); Enter grades the typed answer, shows
right/wrong with the worked formula, and then takes the step. "Skip" reveals without an
answer. The score counts the questions of the current training iteration.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mlpviz.engine import DivergenceError
from mlpviz.model.predict import PredictSession, Question, question_for
from mlpviz.model.walkthrough import Walkthrough
from mlpviz.ui.colors import LIGHT, Theme
from mlpviz.ui.controller import Controller
from mlpviz.ui.teaching.formula_html import formula_html, givens_html, number_html, tex_html


def _rich_label(word_wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(word_wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class PredictPanel(QFrame):
    """The question, the answer field and the verdict; hidden unless predict mode is on."""

    finished = Signal()  # a question was answered or skipped (the step has been taken)

    def __init__(self, controller: Controller, theme: Theme = LIGHT,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("predictPanel")
        self.ctl = controller
        self.theme = theme
        self.session = PredictSession()
        self.mode = False
        self._advancing = False
        #: takes the step after an answer (the window routes it like the → key)
        self.advance: Callable[[], object] = controller.step_forward
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        lay.setSpacing(6)
        head = QHBoxLayout()
        self.heading = QLabel("Predict, then reveal")
        self.heading.setObjectName("predictHeading")
        self.score = QLabel()
        self.score.setObjectName("predictScore")
        head.addWidget(self.heading)
        head.addStretch(1)
        head.addWidget(self.score)
        lay.addLayout(head)
        self.question = _rich_label()
        self.givens = _rich_label()
        lay.addWidget(self.question)
        lay.addWidget(self.givens)
        row = QHBoxLayout()
        self.answer = QLineEdit()
        self.answer.setPlaceholderText("your value, e.g. 0.25 or -1/3")
        self.answer.returnPressed.connect(self.submit)
        self.check_button = QPushButton("Check ⏎")
        self.check_button.clicked.connect(self.submit)
        self.skip_button = QPushButton("Skip")
        self.skip_button.setToolTip("Reveal the value without answering")
        self.skip_button.clicked.connect(self.skip)
        for w in (self.answer, self.check_button, self.skip_button):
            row.addWidget(w, 1 if w is self.answer else 0)
        self.answer_row = QWidget()
        self.answer_row.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.answer_row)
        self.feedback = _rich_label()
        self.feedback.setObjectName("predictFeedback")
        lay.addWidget(self.feedback)
        self._show_idle()
        self.hide()

    # ---- state ----------------------------------------------------------------------------
    def set_mode(self, on: bool) -> None:
        """Turn predict mode on or off; turning it off drops an open question."""
        self.mode = bool(on)
        self.session.cancel()
        self._show_idle()
        self.setVisible(self.mode)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        q = self.session.question
        if q is not None:
            self._show_question(q)

    def _size(self) -> float:
        return 10.5 * self.theme.font_scale

    def _iteration(self) -> tuple[int, int]:
        """A key of the training iteration the next step belongs to."""
        s = self.ctl.session
        return id(s), s.steps

    def next_walkthrough(self) -> Walkthrough | None:
        """The walkthrough the next step advances: the controller's, or (at the start of
        an iteration) a preview built exactly as the controller will build it."""
        wt = self.ctl.walkthrough
        if wt is not None and not wt.done:
            return wt
        try:
            return Walkthrough(self.ctl.session, sample=self.ctl.sample,
                               batch=self.ctl.use_batch, granularity=self.ctl.granularity)
        except (ValueError, ArithmeticError, DivergenceError):
            return None

    def pending(self) -> Question | None:
        """The question the next step would ask (None: step without asking)."""
        wt = self.next_walkthrough() if self.mode else None
        return None if wt is None else question_for(wt, self.ctl.selection)

    # ---- the flow -------------------------------------------------------------------------
    def intercept_step(self) -> bool:
        """Called when → is pressed: True if predict mode took the key (it asked a question,
        or one is still open), False if the caller should take the step."""
        if not self.mode:
            return False
        if self.session.question is not None:
            self.answer.setFocus()
            return True
        q = self.pending()
        if q is None or not self.session.ask(q, self._iteration()):
            return False  # nothing to ask, or asked (and scored) already: just step
        self._show_question(q)
        return True

    def submit(self) -> None:
        """Grade the typed answer; a number is scored, the working shown, the step taken."""
        q = self.session.question
        if q is None:
            return
        result = self.session.answer(self.answer.text())
        if result.parsed is None:
            self._set_feedback(False, escape(result.message), None)
            self.answer.selectAll()
            self.answer.setFocus()
            return
        self._set_feedback(result.correct, escape(result.message), q)
        self._advance()

    def skip(self) -> None:
        q = self.session.question
        if q is None:
            return
        self.session.skip()
        self._set_feedback(None, f"Skipped: {q.label} = {number_html(q.truth, self.theme)}.", q)
        self._advance()

    def _advance(self) -> None:
        self.answer.clear()
        self.answer_row.hide()
        self.question.hide()
        self.givens.hide()
        self._advancing = True
        try:
            self.advance()
        finally:
            self._advancing = False
        self._update_score()
        self.finished.emit()

    def on_context_changed(self) -> None:
        """The stage, selection or model changed from elsewhere: drop an open question and
        the last verdict, which no longer match what is shown."""
        if self._advancing or not self.mode:
            return
        self.session.cancel()
        self._show_idle()

    def busy(self) -> bool:
        """True while a question is open or a verdict is shown."""
        return self.session.question is not None or not self.feedback.isHidden()

    # ---- display --------------------------------------------------------------------------
    def _update_score(self) -> None:
        self.score.setText(self.session.score_text() if self.session.records else "")

    def _show_idle(self) -> None:
        self.question.setText(
            "Select a neuron or an edge, then press → : before a stage reveals its value, "
            "you are asked to predict it.")
        self.question.show()
        for w in (self.givens, self.answer_row, self.feedback):
            w.hide()
        self._update_score()

    def _show_question(self, q: Question) -> None:
        size = self._size()
        self.question.setText(
            f'<div style="font-size:{size:.1f}pt">Before <b>{q.stage.label}</b> reveals it, '
            f"what is <b>{tex_html(q.symbol)}</b>?</div>"
            f'<div style="font-size:{size * 1.1:.1f}pt; margin-top:4px">'
            f"{tex_html(q.formula, self.theme.accent)}</div>")
        self.givens.setText(
            f'<div style="color:{self.theme.muted}; font-size:{size * 0.85:.1f}pt">'
            "Known so far:</div>" + givens_html(q.givens, self.theme, size))
        self.givens.setVisible(bool(q.givens))
        self.question.show()
        self.answer_row.show()
        self.feedback.hide()
        self.answer.clear()
        self.answer.setFocus()
        self._update_score()

    def _set_feedback(self, correct: bool | None, message: str, q: Question | None) -> None:
        """The verdict (``message`` is rich text) and, for a graded question, its working."""
        t = self.theme
        colour = t.muted if correct is None else t.pos if correct else t.error
        mark = "" if correct is None else "✓ " if correct else "✗ "
        body = f'<div style="color:{colour}; font-weight:700">{mark}{message}</div>'
        if q is not None:
            body += "".join(
                f'<div style="margin-top:6px">{formula_html(f, t, self._size())}</div>'
                for f in q.working)
        self.feedback.setText(body)
        self.feedback.show()
