"""Caption templates: live numbers in lesson captions, in the app's one number format.

The central check walks every built-in lesson's script event by event and, wherever a
caption is on screen for a while (a stage, a hold, the end of a training run), compares
every number the caption prints with the model value looked up independently here and
formatted by the app's number rule."""

from __future__ import annotations

import copy
import json
import re
from itertools import combinations

import numpy as np
import pytest

from mlpviz.model.captions import (
    UNKNOWN,
    CaptionError,
    Filled,
    best_line_accuracy,
    check_template,
    fill_caption,
    parse_template,
    render_caption,
)
from mlpviz.model.lessons import LessonError, lesson_from_dict, lesson_names, load_lesson
from mlpviz.model.notation.formulas import formulas_for
from mlpviz.model.notation.mathtext import fmt_percent, fmt_text
from mlpviz.model.script import ScriptError, ScriptRunner, parse_script, plan_events
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Walkthrough
from mlpviz.paths import lessons_dir

#: decimal numbers a caption may write literally: mathematical constants of the lecture
#: (σ′ ≤ 0.25, the boundary ŷ = 0.5) and the bias the perceptron lesson asks the user to type
CONSTANTS = {"0.25", "0.5", "1.5"}


def _brute_force_line_accuracy(X: np.ndarray, y: np.ndarray) -> float:
    """Every line through two data points, nudged to either side and both orientations."""
    best = 0.0
    n = len(y)
    for i, j in combinations(range(n), 2):
        d = X[j] - X[i]
        normal = np.array([-d[1], d[0]])
        if not normal.any():
            continue
        side = (X - X[i]) @ normal
        for eps in (-1e-9, 1e-9):
            pred = side > eps
            acc = max(np.mean(pred == y), np.mean(pred != y))
            best = max(best, acc)
    return float(best)


def expected(ref, session, wt, sample):
    """The model value a reference stands for, looked up without the captions module."""
    net, l = session.net, (ref.layer - 1 if ref.layer is not None else None)
    if ref.name in ("x", "y"):
        x, y = (wt.x, wt.y) if wt is not None else session.sample(sample)
        return (x if ref.name == "x" else y)[0]
    table = {
        "W": lambda: net.weights[l], "b": lambda: net.biases[l],
        "alpha": lambda: net.activations[l].params()["alpha"],
        "eta": lambda: session.optimizer.lr, "epoch": lambda: session.epoch,
        "batch": lambda: session.train_config.batch_size,
        "loss": lambda: session.metrics()["train_loss"],
        "acc": lambda: session.metrics()["train_acc"],
        "test_acc": lambda: session.metrics()["test_acc"],
        "line_acc": lambda: _brute_force_line_accuracy(session.train_set.X,
                                                        session.train_set.y),
    }
    if ref.name in table:
        return table[ref.name]()
    tr, g = wt.trace.layers, wt.grads.layers
    walk = {
        "z": lambda: tr[l].z[0], "h": lambda: tr[l].a[0], "yhat": lambda: wt.trace.output[0],
        "fprime": lambda: net.activations[l].df(tr[l].z[:1], tr[l].a[:1])[0],
        "L": lambda: wt.grads.loss, "dL_dyhat": lambda: g[-1].da[0],
        "delta": lambda: g[l].dz[0], "dh": lambda: g[l].da[0], "dW": lambda: g[l].dW,
        "db": lambda: g[l].db,
        "L_new": lambda: net.backward(net.forward(wt.x), wt.y).loss,
    }
    return walk[ref.name]()


def expected_text(ref, value) -> str:
    if ref.name in ("acc", "test_acc", "line_acc"):
        return fmt_percent(value)
    if ref.name in ("epoch", "batch"):
        return str(value)
    arr = np.asarray(value, dtype=float)
    if ref.index:
        return fmt_text(arr[tuple(k - 1 for k in ref.index)])
    if arr.ndim == 2 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim == 0 or arr.size == 1:
        return fmt_text(arr.ravel()[0])
    if arr.ndim == 1:
        return "(" + ", ".join(fmt_text(v) for v in arr) + ")"
    return "(" + ", ".join("(" + ", ".join(fmt_text(v) for v in row) + ")" for row in arr) + ")"


def shown_moments(name: str):
    """(session, runner) at every event a lesson's caption stays on screen for a while."""
    session = Session.from_lesson(name)
    runner = ScriptRunner(session, session.lesson.actions)
    while not runner.done:
        ev = runner.step()
        timed = ev.stage is not None or ev.action.kind == "hold" or (
            ev.action.kind == "train" and ev.epoch == ev.action.args[0])
        if timed and runner.caption:
            yield session, runner, ev


@pytest.mark.parametrize("name", lesson_names())
def test_every_number_a_caption_prints_equals_the_model_value(name):
    checked = 0
    for session, runner, ev in shown_moments(name):
        pieces = fill_caption(runner.caption, session, runner.walkthrough, runner.sample)
        for piece in pieces:
            if not isinstance(piece, Filled):
                continue
            where = f"{name} line {ev.action.line}: {piece.ref.text}"
            assert piece.text != UNKNOWN, f"{where} is not known when the caption is shown"
            value = expected(piece.ref, session, runner.walkthrough, runner.sample)
            assert piece.text == expected_text(piece.ref, value), where
            checked += 1
    assert checked, f"{name}: no caption quotes a live number"


@pytest.mark.parametrize("name", lesson_names())
def test_stage_hints_print_model_values_when_stepping_by_hand(name):
    session = Session.from_lesson(name)
    lesson = session.lesson
    wt = Walkthrough(session, sample=0)
    while not wt.done:
        wt.next()
        hint = lesson.caption_for(wt.stage)
        for piece in fill_caption(hint, session, wt, 0):
            if isinstance(piece, Filled):
                assert piece.text != UNKNOWN, (name, wt.stage, piece.ref.text)
                assert piece.text == expected_text(piece.ref, expected(piece.ref, session,
                                                                       wt, 0))


@pytest.mark.parametrize("name", lesson_names())
def test_no_caption_quotes_a_hard_coded_number(name):
    lesson = load_lesson(name)
    texts = [a.args[0] for a in lesson.actions if a.kind == "caption"]
    texts += list(lesson.captions.values())
    for text in texts:
        literal = "".join(p for p in parse_template(text) if isinstance(p, str))
        for number in re.findall(r"\d+\.\d+", literal):
            assert number in CONSTANTS, f"{name}: {number} in {text!r} can go stale"


def test_caption_values_agree_with_the_inspector_and_the_diagram_format():
    session = Session.from_lesson("backprop-derivation")
    wt = Walkthrough(session, sample=0)
    wt.finish()
    for i in range(2):
        caption = render_caption(f"{{h1[{i + 1}]}} {{delta1[{i + 1}]}}", session, wt)
        formulas = formulas_for(wt, ("neuron", 0, i))
        act = next(f for f in formulas if f.title == "Forward: activation")
        delta = next(f for f in formulas if "δ" in f.title)
        assert caption == f"{act.steps[-1]} {delta.steps[-1]}"


def test_values_not_revealed_yet_print_an_ellipsis():
    session = Session.from_lesson("xor")
    wt = Walkthrough(session, sample=0)
    assert render_caption("h = {h1}, L = {L}", session, wt) == f"h = {UNKNOWN}, L = {UNKNOWN}"
    wt.next()
    assert UNKNOWN not in render_caption("h = {h1}", session, wt)
    assert render_caption("{x[1]} {{not a ref}} {W1[2,1]}", session) == (
        f"{fmt_text(session.X_train[0, 0])} {{not a ref}} {fmt_text(session.net.weights[0][1, 0])}")


@pytest.mark.parametrize("template, message", [
    ("{h2}", "hidden layers are 1..1"),
    ("{h}", "needs a layer number"),
    ("{W3[1,1]}", "layers are 1..2"),
    ("{W1[3,1]}", "indices run 1..2"),
    ("{W1[1]}", "two indices"),
    ("{epoch[1]}", "no index"),
    ("{eta1}", "takes no layer number"),
    ("{hh1}", "unknown name"),
    ("{1+1}", "not a reference"),
    ("a } b", "lone '}'"),
    ("{alpha1}", "has no α"),
])
def test_bad_references_are_reported(template, message):
    session = Session.from_lesson("xor")
    with pytest.raises(CaptionError, match=re.escape(message)):
        check_template(template, session.net.sizes, session.net.activations)


def test_a_bad_reference_in_a_lesson_script_names_its_line():
    d = json.loads((lessons_dir() / "xor.json").read_text(encoding="utf-8"))
    bad = copy.deepcopy(d)
    bad["script"][5] = "caption Forward: h = {h3}"
    with pytest.raises(LessonError, match=r"script line 6: 'caption'.*\{h3\}"):
        lesson_from_dict(bad)
    bad = copy.deepcopy(d)
    bad["captions"]["loss"] = "L = {Loss}"
    with pytest.raises(LessonError, match=r"caption 'loss'.*unknown name \{Loss\}"):
        lesson_from_dict(bad)


def test_a_bad_reference_in_a_script_names_its_line():
    actions = parse_script("forward\ncaption z = {z9}")
    with pytest.raises(ScriptError, match=r"line 2: 'caption'"):
        plan_events(actions, [2, 2, 1])


def test_best_line_gets_three_corners_of_xor():
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    assert best_line_accuracy(corners, np.array([0, 1, 1, 0])) == 0.75
    assert best_line_accuracy(corners, np.array([0, 0, 0, 1])) == 1.0
    session = Session.from_lesson("linear-vs-xor")
    best = best_line_accuracy(session.train_set.X, session.train_set.y)
    assert best == _brute_force_line_accuracy(session.train_set.X, session.train_set.y)
    assert 0.74 <= best <= 0.82  # ~78 %: three corners of four, blurred by the noise


def test_linear_vs_xor_shows_the_run_and_the_best_line():
    texts, session = [], None
    for session, r, _ in shown_moments("linear-vs-xor"):
        texts.append(render_caption(r.caption, session, r.walkthrough, r.sample))
    acc = fmt_percent(session.metrics()["train_acc"])
    line = fmt_percent(best_line_accuracy(session.train_set.X, session.train_set.y))
    assert any(f"gets {acc} of the training points right" in t for t in texts)
    assert any(f"best straight line through these points gets only {line}" in t
               for t in texts)
    assert acc != line  # both facts are on screen: the stalled run and the best line


def test_step_at_zero_is_one_in_the_engine_and_in_the_perceptron_captions():
    lesson = load_lesson("perceptron")
    d = json.loads((lessons_dir() / "perceptron.json").read_text(encoding="utf-8"))
    d["biases"] = [[-1.0]]  # w = (1, 1), b = −1: the input (1, 0) sits exactly on z = 0
    session = Session(lesson.data, lesson.net, lesson.train,
                      (lesson.weights, [np.array([-1.0])]), dataset=lesson.custom_dataset())
    session.lesson = lesson_from_dict(d)
    wt = Walkthrough(session, sample=2)  # x = (1, 0)
    wt.next()
    assert wt.trace.layers[0].z[0, 0] == 0.0 and wt.trace.output[0, 0] == 1.0  # OR, not AND
    hint = render_caption(session.lesson.caption_for(wt.stage), session, wt)
    assert "z = w₁₁⁽¹⁾x₁ + w₁₂⁽¹⁾x₂ + b₁⁽¹⁾ = 0, and ŷ = step(z) = 1: 1 if z ≥ 0" in hint
    texts = [a.args[0] for a in lesson.actions if a.kind == "caption"]
    assert any("1 for z ≥ 0 and 0 for z < 0" in t for t in texts)
    assert not any("z > 0" in t for t in texts + list(lesson.captions.values()))


def test_xor_stuck_lesson_gets_stuck_and_shows_why():
    fprime, session = None, None
    for session, r, _ in shown_moments("xor-stuck"):
        if "saturated" in r.caption and fprime is None:
            tr = r.walkthrough.trace.layers[0]
            fprime = session.net.activations[0].df(tr.z[:1], tr.a[:1])[0]
    assert session.epoch == 1000 and session.metrics()["train_acc"] < 0.8
    assert (fprime < 0.01).all()  # both hidden sigmoids saturated at the corner (1, 1)
    xor = Session.from_lesson("xor")
    assert (xor.data_config, xor.train_config) == (session.data_config, session.train_config)
    assert xor.net_config.replace(seed=session.net_config.seed) == session.net_config


def test_subtitle_cues_take_the_text_shown_and_titles_drop_the_numbers():
    from mlpviz.model.captions import live_cues, without_numbers
    from mlpviz.model.timeline import caption_title

    cues = [(0.0, 1.0, "h = {h1}"), (1.0, 2.0, "plain"), (2.0, 2.5, "L = {L}")]
    shown = ["h = …"] * 5 + ["h = (0.5, 0.6)"] * 5 + ["plain"] * 10 + ["L = 0.25"] * 3
    assert live_cues(cues, shown, 10) == [(0.0, 1.0, "h = (0.5, 0.6)"), (1.0, 2.0, "plain"),
                                          (2.0, 2.5, "L = 0.25")]
    assert live_cues(cues, [], 10)[0][2] == f"h = {UNKNOWN}"
    assert without_numbers("After {epoch} epochs: {{x}}") == f"After {UNKNOWN} epochs: {{x}}"
    assert caption_title("After {epoch} epochs the accuracy is {acc}.") == (
        f"After {UNKNOWN} epochs the accuracy is {UNKNOWN}")


def test_each_subtitle_cue_takes_its_own_last_frame_even_where_float_times_round_up():
    from mlpviz.model.captions import live_cues

    fps = 30
    # 64.4 s · 30 is 1932.0000000000002: the cue ends at frame boundary 1932, so its last
    # frame is 1931, not the first frame of the next cue; 75.267 s is 2258/30 rounded up
    shown = ["first"] * 1932 + ["second"] * (2258 - 1932) + ["third"] * 10
    cues = [(0.0, 64.4, "first"), (64.4, 75.267, "second"), (75.267, 75.6, "third")]
    assert [text for _s, _e, text in live_cues(cues, shown, fps)] == [
        "first", "second", "third"]
