"""Lessons: every built-in lesson loads and runs, the derivation lesson matches the lecture,
and bad lesson files give LessonError."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from mlpviz.model.captions import render_caption
from mlpviz.model.lessons import (
    LessonError,
    lesson_from_dict,
    lesson_names,
    list_lessons,
    load_lesson,
    read_lesson,
)
from mlpviz.model.notation.mathtext import fmt_text
from mlpviz.model.script import ScriptRunner
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Stage, Walkthrough
from mlpviz.paths import lessons_dir

REQUIRED = {"linear-vs-xor", "perceptron", "xor", "space-transform", "activations",
            "backprop-derivation", "softmax", "spiral"}


def test_built_in_lessons_cover_the_lecture_and_list_xor_first():
    lessons = list_lessons()
    names = [lesson.name for lesson in lessons]
    assert REQUIRED <= set(names)
    assert names[0] == "xor"
    assert names == [lesson.name for lesson in sorted(lessons, key=lambda s: s.order)]
    for lesson in lessons:
        assert lesson.title.strip() and lesson.summary.strip() and lesson.captions["intro"]


@pytest.mark.parametrize("name", lesson_names())
def test_every_lesson_script_runs_headless_to_the_end(name):
    session = Session.from_lesson(name)
    assert session.lesson.name == name
    runner = ScriptRunner(session, session.lesson.actions)
    runner.run_all()
    assert runner.done
    trains = sum(a.args[0] for a in session.lesson.actions if a.kind == "train")
    assert session.epoch == trains


def run_lesson(name: str) -> Session:
    session = Session.from_lesson(name)
    ScriptRunner(session, session.lesson.actions).run_all()
    return session


def test_the_xor_lesson_ends_with_xor_solved():
    m = run_lesson("xor").metrics()
    assert m["train_acc"] == 1.0 and m["test_acc"] >= 0.98


def test_the_linear_classifier_stays_stuck_on_xor():
    m = run_lesson("linear-vs-xor").metrics()
    assert m["train_loss"] > 0.24 and m["train_acc"] < 0.7


def test_the_deeper_lessons_learn_their_data():
    for name in ("space-transform", "softmax", "spiral", "activations"):
        m = run_lesson(name).metrics()
        assert m["train_acc"] == 1.0 and m["test_acc"] >= 0.98, name


def test_perceptron_uses_truth_tables_and_gets_no_gradient_through_the_step():
    cases = (("perceptron", [0, 0, 0, 1], 1.0), ("perceptron-xor", [0, 1, 1, 0], 0.0))
    for name, y, loss in cases:
        session = Session.from_lesson(name)
        np.testing.assert_array_equal(session.X_train, [[0, 0], [0, 1], [1, 0], [1, 1]])
        np.testing.assert_array_equal(session.Y_train[:, 0], y)
        wt = Walkthrough(session, sample=1)  # (0, 1): OR weights say 1, both targets differ
        wt.finish()
        assert wt.loss == loss
        assert not np.any(wt.grads.layers[0].dW) and not np.any(wt.grads.layers[0].db)
    # OR weights get three of the four XOR corners right
    assert Session.from_lesson("perceptron-xor").metrics()["train_acc"] == 0.75


def test_backprop_derivation_matches_the_boxed_formulas_of_seed():
    session = Session.from_lesson("backprop-derivation")
    lesson = session.lesson
    W1, W2 = lesson.weights
    b1, b2 = lesson.biases
    x = np.array([1.0, 0.5])
    y = 1.0
    net = session.net
    assert net.sizes == [2, 2, 1]
    assert [a.name for a in net.activations] == ["sigmoid", "linear"]
    assert net.loss.name == "mse"

    # by hand, as in docs/derivation.md
    z1 = W1 @ x + b1
    h = 1.0 / (1.0 + np.exp(-z1))
    y_hat = float((W2 @ h + b2)[0])
    L = (y_hat - y) ** 2
    dL_dyhat = 2 * (y_hat - y)
    dL_dW2 = dL_dyhat * h  # ∂L/∂W2 = 2(ŷ − y) h
    dL_dh = dL_dyhat * W2[0]  # ∂L/∂h = 2(ŷ − y) W2
    dL_dz1 = dL_dyhat * W2[0] * h * (1 - h)  # ∂L/∂z1 = 2(ŷ − y) W2 ⊙ h(1 − h)
    dL_dW1 = np.outer(dL_dz1, x)  # ∂L/∂W1 = ∂L/∂z1 xᵀ

    wt = Walkthrough(session, sample=0)
    np.testing.assert_array_equal(wt.x, [x])
    while wt.stage != Stage("backward", 0):
        wt.next()
    tol = {"rtol": 1e-14, "atol": 1e-15}
    np.testing.assert_allclose(wt.trace.layers[0].z[0], z1, **tol)
    np.testing.assert_allclose(wt.trace.layers[0].a[0], h, **tol)
    np.testing.assert_allclose(wt.trace.output[0, 0], y_hat, **tol)
    np.testing.assert_allclose(wt.loss, L, **tol)
    g = wt.grads.layers
    np.testing.assert_allclose(g[1].da[0, 0], dL_dyhat, **tol)
    np.testing.assert_allclose(g[1].dW[0], dL_dW2, **tol)
    np.testing.assert_allclose(g[1].db[0], dL_dyhat, **tol)
    np.testing.assert_allclose(g[0].da[0], dL_dh, **tol)
    np.testing.assert_allclose(g[0].dz[0], dL_dz1, **tol)
    np.testing.assert_allclose(g[0].dW, dL_dW1, **tol)
    np.testing.assert_allclose(g[0].db, dL_dz1, **tol)

    # the captions quote these numbers live, in the app's number format
    shown = render_caption(lesson.captions["backward:1"], session, wt)
    for value in [*dL_dh, *dL_dz1, *dL_dW1.ravel()]:
        assert fmt_text(value) in shown, value
    wt.finish()
    new_loss = session.net.evaluate(x[None, :], np.array([[y]]))
    shown = render_caption(lesson.captions["update"], session, wt)
    assert f"from {fmt_text(L)} to {fmt_text(new_loss)}" in shown and new_loss < L


def test_softmax_outputs_are_probabilities():
    session = Session.from_lesson("softmax")
    p = session.net.forward(session.X_train).output
    assert p.shape[1] == 3
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)


def test_captions_fall_back_from_layer_to_stage_kind_to_nothing():
    lesson = load_lesson("backprop-derivation")
    assert lesson.caption_for(None) == lesson.captions["intro"]
    assert lesson.caption_for(Stage("forward", 1)) == lesson.captions["forward:2"]
    assert lesson.caption_for(Stage("loss")) == lesson.captions["loss"]
    perceptron = load_lesson("perceptron")
    assert perceptron.caption_for(Stage("forward", 0)) == perceptron.captions["forward"]
    assert load_lesson("spiral").caption_for(Stage("update")) == ""


# ---- invalid lessons -------------------------------------------------------------------
def base() -> dict:
    return json.loads((lessons_dir() / "backprop-derivation.json").read_text(encoding="utf-8"))


def changed(**changes) -> dict:
    d = copy.deepcopy(base())
    for key, value in changes.items():
        if value is None:
            d.pop(key)
        else:
            d[key] = value
    return d


@pytest.mark.parametrize(
    ("d", "words"),
    [
        ([1, 2], "JSON object"),
        (changed(format="other"), "not an mlpviz-lesson"),
        (changed(version=2), "version 1"),
        (changed(version=True), "version 1"),
        (changed(title=None), "missing keys: ['title']"),
        (changed(colour="red"), "unknown keys: ['colour']"),
        (changed(name="Bad Name"), "lowercase"),
        (changed(order="1"), "'order' must be an integer"),
        (changed(title="  "), "'title' must be non-empty"),
        (changed(data={"dataset": "nope"}), "unknown dataset"),
        (changed(data={"dataset": "xor", "arrays": {"X": [[0, 0]], "y": [0]}}),
         "only allowed"),
        (changed(data={"dataset": "custom"}), "needs 'data.arrays'"),
        (changed(data={"dataset": "custom", "arrays": {"X": [[0, 0], [1]], "y": [0, 1]}}),
         "regular lists"),
        (changed(data={"dataset": "custom", "arrays": {"X": [[0, 0, 0]], "y": [0]}}),
         "shape (n, 2)"),
        (changed(data={"dataset": "custom", "arrays": {"X": [[0, 0]], "y": [0], "kind": "x"}}),
         "'data.arrays.kind'"),
        (changed(data={"dataset": "custom", "n": 3, "arrays": {"X": [[0, 0]], "y": [0.5]}}),
         "holds 1 rows"),
        (changed(net={"hidden": [2], "activation": ["sigmoid"], "output": "softmax",
                      "loss": "bce"}), "bce"),
        (changed(train={"learning_rate": -1}), "learning rate"),
        (changed(weights=None), "together"),
        (changed(weights=[[[1, 2]], [[1]]]), "W1 must have shape (2, 2)"),
        (changed(weights=[[[1, 2], [3, 4]]]), "lists of 2 layers"),
        (changed(biases=[[0.1, "a"], [0.2]]), "regular lists of numbers"),
        (changed(script="forward\nforward\nforwrd"), "script line 3: unknown command"),
        (changed(script="select edge 3:1:1"), "script line 1"),
        (changed(script=["forward", 3]), "text or a list of lines"),
        (changed(captions={"forward:3": "x"}), "layers 1..2"),
        (changed(captions={"sideways": "x"}), "bad caption"),
        (changed(captions=["x"]), "'captions' must be a mapping"),
    ],
)
def test_invalid_lessons_raise_lesson_error(d, words):
    with pytest.raises(LessonError) as info:
        lesson_from_dict(d)
    assert words in str(info.value)


def test_corrupt_or_missing_lesson_files_raise_lesson_error(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "mlpviz-lesson", ', encoding="utf-8")
    with pytest.raises(LessonError, match="broken.json: line 1: not valid JSON"):
        read_lesson(broken)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(LessonError, match="binary.json"):
        read_lesson(binary)
    with pytest.raises(LessonError, match="no such lesson file"):
        read_lesson(tmp_path / "absent.json")
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps(changed(weights=[[[1]], [[1]]])), encoding="utf-8")
    with pytest.raises(LessonError, match="invalid.json: W1 must have shape"):
        read_lesson(invalid)


@pytest.mark.parametrize("name", ["nope", "../xor", "XOR", "", 3])
def test_unknown_lesson_names_raise_lesson_error(name):
    with pytest.raises(LessonError, match="unknown lesson"):
        load_lesson(name)


def test_a_valid_lesson_round_trips_from_its_dict():
    lesson = lesson_from_dict(base())
    assert lesson.name == "backprop-derivation" and lesson.order == 6
    assert lesson.sizes() == [2, 2, 1]
    ds = lesson.custom_dataset()
    assert ds.kind == "regression" and ds.X.tolist() == [[1.0, 0.5]]
    assert lesson.arrays["kind"] == "regression"
    assert [w.shape for w in lesson.weights] == [(2, 2), (1, 2)]
    assert lesson.data.train_fraction == 1.0 and lesson.train.batch_size == 1
    assert load_lesson("xor").custom_dataset() is None
