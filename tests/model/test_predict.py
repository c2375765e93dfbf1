"""Predict-then-reveal: parsing and grading answers, what is asked when, and the score."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlpviz.model.predict import (
    ABS_TOL,
    REL_TOL,
    AnswerError,
    PredictError,
    PredictSession,
    Question,
    grade,
    parse_answer,
    question_for,
    tolerance,
    upcoming,
)
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Stage, Walkthrough

# the backprop-derivation lesson: x = (1, 0.5), y = 1, W1, b1, W2, b2 below, η = 0.1
X = np.array([1.0, 0.5])
W1 = np.array([[0.4, -0.2], [0.3, 0.6]])
B1 = np.array([0.1, -0.1])
W2 = np.array([[0.5, -0.3]])
B2 = np.array([0.2])
ETA = 0.1


def closed_form() -> dict[str, np.ndarray | float]:
    z1 = W1 @ X + B1
    h = 1 / (1 + np.exp(-z1))
    yhat = float((W2 @ h + B2)[0])
    dy = 2 * (yhat - 1.0)
    dz1 = dy * W2[0] * h * (1 - h)
    return {"h": h, "yhat": yhat, "L": (yhat - 1.0) ** 2, "dy": dy, "dz1": dz1,
            "dW1": np.outer(dz1, X), "W1_new": W1 - ETA * np.outer(dz1, X),
            "dW2": dy * h, "b1_new": B1 - ETA * dz1}


@pytest.fixture
def wt() -> Walkthrough:
    return Walkthrough(Session.from_lesson("backprop-derivation"))


# ---- parsing ----------------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [
    ("0.5", 0.5), ("-1e-3", -1e-3), (".25", 0.25), ("1/3", 1 / 3), ("  -0.2 ", -0.2),
    ("−0.75", -0.75), ("+2", 2.0), ("3.", 3.0), ("1,5", 1.5), ("-1/4", -0.25),
    ("2E2", 200.0), ("- 0.5", -0.5),
])
def test_parse_answer_accepts_the_usual_ways_of_writing_a_number(text, value):
    assert parse_answer(text) == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize("text", ["", "   ", "abc", "0.5.1", "1/0", "nan", "inf", "1e999",
                                  "1/2/3", "0x10", "1_000", "5%", "--1", "e5"])
def test_parse_answer_rejects_garbage_with_a_clear_error(text):
    with pytest.raises(AnswerError):
        parse_answer(text)


def test_grade_of_garbage_is_not_a_number_and_never_raises():
    g = grade("twelve", 0.3)
    assert not g.correct and g.parsed is None
    assert "not a number" in g.message


# ---- grading ----------------------------------------------------------------------------
def test_tolerance_is_two_percent_or_half_a_hundredth():
    assert (REL_TOL, ABS_TOL) == (0.02, 0.005)
    assert tolerance(10.0) == pytest.approx(0.2)
    assert tolerance(0.1) == pytest.approx(0.005)
    assert tolerance(-10.0) == pytest.approx(0.2)


def test_grade_right_wrong_close_and_out_of_tolerance():
    truth = 0.598688
    right = grade("0.6", truth)
    assert right.correct and right.parsed == 0.6 and right.message.startswith("Right")
    assert grade("0.5987", truth).correct
    assert grade(str(truth + 0.0119), truth).correct  # 2 % of 0.5987 is 0.01197
    close = grade(str(truth + 0.0125), truth)
    assert not close.correct and close.message.startswith("Close")
    wrong = grade("0.9", truth)
    assert not wrong.correct and wrong.message.startswith("Not right")
    assert "0.5987" in wrong.message
    # near zero the absolute tolerance applies: 0.004 off is right, 0.006 off is not
    assert grade("0.004", 0.0).correct
    assert not grade("0.006", 0.0).correct
    assert grade("0", 0.0).message == "Right: 0 is exactly the value."
    # signs matter
    assert not grade("0.165154", -0.165154).correct
    assert grade("-0.165", -0.165154).correct


def test_grade_with_custom_tolerances():
    assert not grade("1.05", 1.0, rel_tol=0.01, abs_tol=0.0).correct
    assert grade("1.009", 1.0, rel_tol=0.01, abs_tol=0.0).correct


# ---- questions --------------------------------------------------------------------------
def test_questions_follow_the_stages_for_a_hidden_neuron(wt):
    cf = closed_form()
    sel = ("neuron", 0, 0)
    q = question_for(wt, sel)  # next: forward(0)
    assert q is not None and q.quantity == "a" and q.stage == Stage("forward", 0)
    assert q.truth == wt.trace.layers[0].a[0, 0]
    assert q.truth == pytest.approx(cf["h"][0], abs=1e-15)
    assert q.label == "h₁⁽¹⁾"
    givens = {g.label: g.value for g in q.givens}
    assert givens == {"w₁₁⁽¹⁾": 0.4, "x₁": 1.0, "w₁₂⁽¹⁾": -0.2, "x₂": 0.5, "b₁⁽¹⁾": 0.1}
    assert [f.title for f in q.working] == ["Forward: pre-activation", "Forward: activation"]
    assert all(f.known for f in q.working)  # the working is shown after the answer
    wt.next()
    assert question_for(wt, sel) is None  # forward(1) reveals nothing of neuron 1:1
    wt.next()
    assert question_for(wt, sel) is None  # nor does the loss
    wt.next()
    assert question_for(wt, sel) is None  # backward(1) is the next layer's
    wt.next()
    q = question_for(wt, sel)
    assert q.quantity == "delta" and q.stage == Stage("backward", 0)
    assert q.truth == wt.grads.layers[0].dz[0, 0]
    assert q.truth == pytest.approx(cf["dz1"][0], abs=1e-15)
    givens = {g.label: g.value for g in q.givens}
    assert givens["w₁₁⁽²⁾"] == 0.5
    assert givens["δ₁⁽²⁾"] == pytest.approx(cf["dy"], abs=1e-15)
    assert givens["h₁⁽¹⁾"] == pytest.approx(cf["h"][0], abs=1e-15)
    assert givens["z₁⁽¹⁾"] == pytest.approx(0.4, abs=1e-15)


def test_output_neuron_is_asked_for_y_hat_the_loss_and_its_delta(wt):
    cf = closed_form()
    sel = ("neuron", 1, 0)
    wt.next()
    q = question_for(wt, sel)
    assert q.quantity == "a" and q.truth == pytest.approx(cf["yhat"], abs=1e-15)
    assert q.label == "ŷ₁"
    wt.next()
    q = question_for(wt, sel)
    assert q.quantity == "loss" and q.truth == pytest.approx(cf["L"], abs=1e-15)
    assert {g.label for g in q.givens} == {"ŷ₁", "y₁"}
    assert question_for(wt, ("output",)).truth == q.truth
    wt.next()
    q = question_for(wt, sel)
    assert q.quantity == "delta" and q.truth == pytest.approx(cf["dy"], abs=1e-15)


def test_edge_is_asked_for_its_gradient_and_its_new_weight(wt):
    cf = closed_form()
    sel = ("edge", 0, 1, 0)  # w21 of W1
    for _ in range(4):
        assert question_for(wt, sel) is None
        wt.next()
    q = question_for(wt, sel)
    assert q.quantity == "edge_grad" and q.truth == pytest.approx(cf["dW1"][1, 0], abs=1e-15)
    givens = {g.label: g.value for g in q.givens}
    assert "δ₂⁽¹⁾" not in givens  # revealed by this same stage
    assert givens["x₁"] == 1.0 and givens["w₁₂⁽²⁾"] == -0.3
    assert givens["δ₁⁽²⁾"] == pytest.approx(cf["dy"], abs=1e-15)
    assert [f.title for f in q.working] == ["Backward: hidden δ", "Backward: weight gradient"]
    wt.next()
    q = question_for(wt, sel)
    assert upcoming(wt) == Stage("update")
    assert q.quantity == "weight" and q.truth == pytest.approx(cf["W1_new"][1, 0], abs=1e-15)
    assert q.label == "w₂₁⁽¹⁾ (new)"
    givens = {g.label: g.value for g in q.givens}
    assert givens["w₂₁⁽¹⁾"] == 0.3 and givens["η"] == ETA
    wt.next()
    assert question_for(wt, sel) is None  # done: nothing left to reveal


def test_bias_update_question(wt):
    cf = closed_form()
    for _ in range(5):
        wt.next()
    q = question_for(wt, ("bias", 0, 1))
    assert q.quantity == "bias" and q.truth == pytest.approx(cf["b1_new"][1], abs=1e-15)


def test_neuron_granularity_asks_only_at_the_neurons_own_stage():
    wt = Walkthrough(Session.from_lesson("backprop-derivation"), granularity="neuron")
    assert upcoming(wt) == Stage("forward", 0, 0)
    assert question_for(wt, ("neuron", 0, 1)) is None
    wt.next()
    assert question_for(wt, ("neuron", 0, 1)).quantity == "a"


def test_no_update_question_for_adam():
    ses = Session.from_lesson("backprop-derivation")
    ses.set_train(optimizer="adam")
    wt = Walkthrough(ses)
    for _ in range(5):
        wt.next()
    assert question_for(wt, ("edge", 0, 0, 0)) is None


def test_no_selection_or_input_neuron_asks_nothing(wt):
    assert question_for(wt, None) is None
    assert question_for(wt, ("neuron", -1, 0)) is None


# ---- the session ------------------------------------------------------------------------
def make_question(truth: float, symbol: str | None = None) -> Question:
    symbol = symbol or f"a_{{{truth}}}"
    return Question("a", symbol, f"{symbol} = 1", truth, Stage("forward", 0), (), ())


def test_session_scores_one_iteration_and_restarts_with_the_next():
    ps = PredictSession()
    first, second = object(), object()
    assert ps.score_text() == "No predictions yet in this iteration."
    ps.ask(make_question(0.5), first)
    bad = ps.answer("zero point five")
    assert bad.parsed is None and ps.question is not None and ps.asked == 0
    assert ps.answer("0.5").correct and ps.question is None
    ps.ask(make_question(1.0), first)
    assert not ps.answer("2").correct
    ps.ask(make_question(-0.25), first)
    assert ps.answer("-1/4").correct
    ps.ask(make_question(3.0), first)
    ps.skip()
    assert (ps.right, ps.asked, ps.skipped) == (2, 4, 1)
    assert ps.score_text() == "2 of 4 right (1 skipped) in this iteration."
    ps.ask(make_question(1.0), second)
    assert ps.asked == 0
    ps.cancel()
    assert ps.question is None and ps.asked == 0


def test_session_refuses_answers_without_a_question_and_bad_tolerances():
    ps = PredictSession()
    with pytest.raises(PredictError):
        ps.answer("1")
    with pytest.raises(PredictError):
        ps.skip()
    with pytest.raises(ValueError):
        PredictSession(rel_tol=-1)
    with pytest.raises(ValueError):
        PredictSession(abs_tol=math.nan)


def test_mini_batch_asks_delta_of_sample_0_but_not_the_summed_gradient():
    wt = Walkthrough(Session.from_lesson("xor"), batch=True)
    assert wt.x.shape[0] > 1
    while upcoming(wt) != Stage("backward", 0):
        wt.next()
    assert question_for(wt, ("edge", 0, 0, 0)) is None
    assert question_for(wt, ("bias", 0, 0)) is None
    q = question_for(wt, ("neuron", 0, 0))
    assert q.quantity == "delta" and q.truth == wt.grads.layers[0].dz[0, 0]
    wt.rewind()
    while upcoming(wt) != Stage("loss"):
        wt.next()
    assert question_for(wt, ("output",)) is None  # nor is the loss of a mini-batch


def test_the_same_question_is_never_asked_or_scored_twice_in_an_iteration():
    ps = PredictSession()
    first, second = object(), object()
    assert ps.ask(make_question(0.5, "h"), first)
    assert ps.answer("0.5").correct
    # stepping back and forward again (or a lesson replaying the stage) asks nothing
    assert not ps.ask(make_question(0.5, "h"), first) and ps.question is None
    assert ps.asked == 1
    assert ps.ask(make_question(0.5, "h"), second) and ps.asked == 0  # a new iteration
    ps.answer("1")
    assert not ps.ask(make_question(0.5, "h"), first)
    assert (ps.asked, ps.right) == (1, 1)  # back in the first iteration: its score
    ps.iteration = second
    assert (ps.asked, ps.right) == (1, 0)
    assert ps.ask(make_question(2.0, "z"), second)
    ps.cancel()  # dropped unscored: it may be asked again
    assert ps.ask(make_question(2.0, "z"), second)
