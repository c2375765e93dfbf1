"""Predict mode driven with the keyboard: → asks, Enter grades, then the stage is revealed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Stage


@pytest.fixture
def win(shown_window):
    return shown_window(Session.from_lesson("backprop-derivation"))


def right(qtbot, win):
    qtbot.keyClick(win.network, Qt.Key.Key_Right)


def answer(qtbot, win, text):
    panel = win.inspector.predict
    qtbot.keyClicks(panel.answer, text)
    qtbot.keyClick(panel.answer, Qt.Key.Key_Return)


def stage(win):
    wt = win.ctl.walkthrough
    return None if wt is None else wt.stage


def test_p_toggles_predict_mode(qtbot, win):
    qtbot.keyClick(win.network, Qt.Key.Key_P)
    assert win.predict_action.isChecked() and win.inspector.predict.mode
    assert win.inspector.predict.isVisible()
    qtbot.keyClick(win.network, Qt.Key.Key_P)
    assert not win.predict_action.isChecked() and not win.inspector.predict.isVisible()


def test_arrow_asks_enter_grades_shows_working_then_reveals(qtbot, win):
    panel = win.inspector.predict
    win.set_predict_mode(True)
    win.ctl.select(("neuron", 0, 0))
    assert "not computed yet" in win.inspector.card_texts()[1]  # a is hidden until asked
    right(qtbot, win)
    assert panel.session.question is not None and panel.answer.isVisible()
    assert stage(win) is None  # nothing revealed yet
    assert "h₁⁽¹⁾" in panel.session.question.label
    assert panel.answer.hasFocus()
    answer(qtbot, win, "0.6")
    assert stage(win) == Stage("forward", 0)
    assert panel.feedback.isVisible() and "✓ Right" in panel.feedback.text()
    assert "0.5987" in panel.feedback.text()  # the working
    assert panel.score.text() == "1 of 1 right in this iteration."
    assert "= 0.5987" in win.inspector.card_texts()[1]
    for expected in (Stage("forward", 1), Stage("loss"), Stage("backward", 1)):
        right(qtbot, win)  # these stages reveal nothing of neuron 1:1: no question
        assert stage(win) == expected and panel.session.question is None
    right(qtbot, win)
    assert panel.session.question.quantity == "delta" and stage(win) == Stage("backward", 1)
    answer(qtbot, win, "0.165")  # the sign is wrong
    assert stage(win) == Stage("backward", 0)
    assert "✗ Not right" in panel.feedback.text() and "−0.1652" in panel.feedback.text()
    assert panel.score.text() == "1 of 2 right in this iteration."


def test_out_of_tolerance_answer_is_close_but_wrong(qtbot, win):
    panel = win.inspector.predict
    win.set_predict_mode(True)
    win.ctl.select(("neuron", 1, 0))
    right(qtbot, win)
    assert panel.session.question is None  # forward(0) is not the output's stage
    right(qtbot, win)
    q = panel.session.question
    assert q.quantity == "a" and q.truth == pytest.approx(0.312606, abs=1e-6)
    answer(qtbot, win, "0.32")  # 0.0074 off; accepted within ±0.00625
    assert "✗ Close, but outside the tolerance" in panel.feedback.text()
    assert stage(win) == Stage("forward", 1)
    right(qtbot, win)
    assert panel.session.question.quantity == "loss"
    answer(qtbot, win, "0.47")  # L = 0.47251: within 2 %
    assert "✓ Right" in panel.feedback.text()
    assert panel.score.text() == "1 of 2 right in this iteration."


def test_garbage_answer_keeps_the_question_open(qtbot, win):
    panel = win.inspector.predict
    win.set_predict_mode(True)
    win.ctl.select(("neuron", 0, 1))
    right(qtbot, win)
    answer(qtbot, win, "abc")
    assert "not a number" in panel.feedback.text()
    assert panel.session.question is not None and stage(win) is None
    assert panel.session.asked == 0
    panel.answer.clear()
    answer(qtbot, win, "0.6225")
    assert "✓ Right" in panel.feedback.text() and stage(win) == Stage("forward", 0)


def test_keys_typed_into_the_answer_stay_there(qtbot, win):
    panel = win.inspector.predict
    win.set_predict_mode(True)
    win.ctl.select(("neuron", 0, 0))
    right(qtbot, win)
    qtbot.keyClicks(panel.answer, "pfz1")
    qtbot.keyClick(panel.answer, Qt.Key.Key_Right)
    qtbot.keyClick(panel.answer, Qt.Key.Key_Space)
    assert panel.answer.text() == "pfz1 "
    assert win.predict_action.isChecked() and stage(win) is None
    assert win.ctl.session.steps == 0 and not win.ctl.running


def test_skip_reveals_and_counts_as_not_right(qtbot, win):
    panel = win.inspector.predict
    win.set_predict_mode(True)
    win.ctl.select(("neuron", 0, 0))
    right(qtbot, win)
    qtbot.mouseClick(panel.skip_button, Qt.MouseButton.LeftButton)
    assert stage(win) == Stage("forward", 0)
    assert "Skipped" in panel.feedback.text()
    assert panel.score.text() == "0 of 1 right (1 skipped) in this iteration."


def test_changing_the_selection_drops_the_open_question(qtbot, win):
    panel = win.inspector.predict
    win.set_predict_mode(True)
    win.ctl.select(("neuron", 0, 0))
    right(qtbot, win)
    win.ctl.select(("neuron", 0, 1))
    assert panel.session.question is None and not panel.answer.isVisible()
    right(qtbot, win)
    assert panel.session.question.label == "h₂⁽¹⁾"


def test_edge_questions_and_a_new_score_each_iteration(qtbot, win):
    panel = win.inspector.predict
    win.set_predict_mode(True)
    win.ctl.select(("edge", 1, 0, 0))
    for _ in range(3):
        right(qtbot, win)
    right(qtbot, win)
    assert panel.session.question.quantity == "edge_grad"
    answer(qtbot, win, "-0.8231")  # ∂L/∂W₂ = 2(ŷ − y) h₁
    assert stage(win) == Stage("backward", 1)
    right(qtbot, win)  # backward(0): nothing of this edge
    right(qtbot, win)
    assert panel.session.question.quantity == "weight"
    answer(qtbot, win, "0.5823")  # 0.5 − 0.1 · (−0.8231)
    assert stage(win) == Stage("update") and win.ctl.session.steps == 1
    assert panel.score.text() == "2 of 2 right in this iteration."
    assert win.ctl.session.net.weights[1][0, 0] == pytest.approx(0.582307, abs=1e-6)
    for _ in range(4):
        right(qtbot, win)  # the next iteration, up to backward(1)
    answer(qtbot, win, "1")
    assert panel.score.text() == "0 of 1 right in this iteration."


def test_the_diagram_never_shows_the_value_a_question_asks_for(qtbot, win):
    win.ctl.select(("neuron", 0, 0))
    win.panels.refresh_now()
    assert "h₁⁽¹⁾ = 0.5987" in win.network.tooltip_text(("neuron", 0, 0))  # idle: shown
    win.set_predict_mode(True)
    win.panels.refresh_now()
    right(qtbot, win)
    assert win.inspector.predict.session.question.label == "h₁⁽¹⁾"
    tip = win.network.tooltip_text(("neuron", 0, 0))
    assert "h₁⁽¹⁾ = not computed yet" in tip and "0.5987" not in tip
    answer(qtbot, win, "0.6")
    assert "h₁⁽¹⁾ = 0.5987" in win.network.tooltip_text(("neuron", 0, 0))  # revealed


def test_stepping_back_and_forward_again_does_not_ask_or_score_twice(qtbot, win):
    panel = win.inspector.predict
    win.set_predict_mode(True)
    win.ctl.select(("neuron", 0, 0))
    right(qtbot, win)
    answer(qtbot, win, "0.6")
    assert stage(win) == Stage("forward", 0) and panel.session.asked == 1
    qtbot.keyClick(win.network, Qt.Key.Key_Left)
    assert stage(win) is None
    right(qtbot, win)  # the same forward stage again: no second question
    assert panel.session.question is None and stage(win) == Stage("forward", 0)
    assert panel.score.text() == "1 of 1 right in this iteration."
