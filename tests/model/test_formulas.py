"""Worked formulas: the lecture's numbers, exactly as the engine computes them."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from mlpviz.engine import MLP
from mlpviz.model.notation import mathtext
from mlpviz.model.notation.formulas import (
    MAX_FULL_NEURONS,
    FormulaError,
    formulas_for,
    layer_formulas,
    worked_iteration,
)
from mlpviz.model.notation.mathtext import MathTextError, fmt_tex, fmt_text, tex_to_text
from mlpviz.model.script import Selection
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Walkthrough

TOL = 1e-12
W1 = np.array([[0.15, 0.2], [0.25, 0.3]])
B1 = np.array([0.35, 0.35])
W2 = np.array([[0.4, 0.45]])
B2 = np.array([0.6])
X = np.array([0.05, 0.1])
Y = np.array([0.01])
ETA = 0.5


def seed_session() -> Session:
    """the lecture's example: ŷ = W2 σ(W1 x + b1) + b2, L = (ŷ − y)², one sample."""
    net = MLP.from_params([W1, W2], [B1, B2], ["sigmoid", "linear"], "mse")
    return Session.from_arrays(X[None, :], Y[None, :], net=net, learning_rate=ETA,
                               batch_size=1)


def seed_closed_form() -> dict[str, np.ndarray]:
    """the lecture's derivation, written out with NumPy (no engine)."""
    z1 = W1 @ X + B1
    h = 1.0 / (1.0 + np.exp(-z1))
    yhat = W2 @ h + B2
    dyhat = 2.0 * (yhat - Y)  # ∂L/∂ŷ = 2(ŷ − y)
    dW2 = dyhat[:, None] * h[None, :]  # 2(ŷ − y) h
    dh = dyhat[0] * W2[0]  # 2(ŷ − y) W2
    dz1 = dh * h * (1.0 - h)  # 2(ŷ − y) W2 ⊙ h(1 − h)
    dW1 = dz1[:, None] * X[None, :]  # ∂L/∂z1 xᵀ
    return {"z1": z1, "h": h, "yhat": yhat, "L": (yhat - Y) ** 2, "dyhat": dyhat,
            "dW2": dW2, "dh": dh, "dz1": dz1, "dW1": dW1, "db1": dz1, "db2": dyhat}


@pytest.fixture
def done() -> Walkthrough:
    wt = Walkthrough(seed_session())
    wt.finish()
    return wt


def by_title(formulas, title):
    found = [f for f in formulas if f.title.startswith(title)]
    assert len(found) == 1, [f.title for f in formulas]
    return found[0]


# ---- the lecture's example -----------------------------------------------------------------
def test_seed_forward_terms_are_weight_times_input_plus_bias(done):
    cf = seed_closed_form()
    for i in range(2):
        z = by_title(formulas_for(done, ("neuron", 0, i)), "Forward: pre-activation")
        assert z.result == pytest.approx(cf["z1"][i], abs=TOL)
        assert z.result == done.trace.layers[0].z[0, i]
        assert [t.value for t in z.terms] == pytest.approx(
            [W1[i, 0] * X[0], W1[i, 1] * X[1], B1[i]], abs=TOL)
        assert [[f.value for f in t.factors] for t in z.terms[:2]] == [[W1[i, 0], X[0]],
                                                                       [W1[i, 1], X[1]]]
        assert sum(t.value for t in z.terms) == pytest.approx(z.result, abs=TOL)
        a = by_title(formulas_for(done, ("neuron", 0, i)), "Forward: activation")
        assert a.result == pytest.approx(cf["h"][i], abs=TOL)
        assert "σ" in a.symbolic and "e^(−z" in a.symbolic


def test_seed_loss_and_output_delta_are_closed_forms(done):
    cf = seed_closed_form()
    out = formulas_for(done, ("neuron", 1, 0))
    assert by_title(out, "Forward: pre-activation").result == pytest.approx(cf["yhat"][0],
                                                                            abs=TOL)
    loss = by_title(out, "Loss")
    assert loss.symbolic == "L = (ŷ₁ − y₁)²"
    assert loss.result == pytest.approx(cf["L"][0], abs=TOL) and loss.result == done.loss
    grad = by_title(out, "Backward: loss gradient")
    assert grad.result == pytest.approx(cf["dyhat"][0], abs=TOL)
    assert "2(ŷ₁ − y₁)" in grad.symbolic
    delta = by_title(out, "Backward: output δ")
    assert delta.result == pytest.approx(cf["dyhat"][0], abs=TOL)
    assert delta.multiplier is not None and delta.multiplier.value == 1.0  # linear: f′ = 1


def test_seed_hidden_delta_terms_times_fprime_sum_to_delta(done):
    cf = seed_closed_form()
    for i in range(2):
        d = by_title(formulas_for(done, ("neuron", 0, i)), "Backward: hidden δ")
        engine = done.grads.layers[0].dz[0, i]
        assert d.result == engine
        assert d.result == pytest.approx(cf["dz1"][i], abs=TOL)
        # one term per downstream neuron: w_ki δ_k with both factors
        assert len(d.terms) == 1
        assert [f.value for f in d.terms[0].factors] == pytest.approx(
            [W2[0, i], cf["dyhat"][0]], abs=TOL)
        assert d.subtotal == pytest.approx(cf["dh"][i], abs=TOL)
        assert d.multiplier.value == pytest.approx(cf["h"][i] * (1 - cf["h"][i]), abs=TOL)
        assert sum(t.value for t in d.terms) * d.multiplier.value == pytest.approx(engine,
                                                                                   abs=TOL)


def test_seed_weight_and_bias_gradients_are_closed_forms(done):
    cf = seed_closed_form()
    for (l, i, j), key in [((1, 0, 0), "dW2"), ((1, 0, 1), "dW2"), ((0, 0, 0), "dW1"),
                           ((0, 0, 1), "dW1"), ((0, 1, 0), "dW1"), ((0, 1, 1), "dW1")]:
        g = by_title(formulas_for(done, ("edge", l, i, j)), "Backward: weight gradient")
        assert g.result == pytest.approx(cf[key][i, j], abs=TOL)
        assert g.result == done.grads.layers[l].dW[i, j]
        assert g.terms[0].value == pytest.approx(g.result, abs=TOL)
    for l, i, key in [(1, 0, "db2"), (0, 0, "db1"), (0, 1, "db1")]:
        g = by_title(formulas_for(done, ("bias", l, i)), "Backward: bias gradient")
        assert g.result == pytest.approx(cf[key][i], abs=TOL)


def test_seed_update_is_old_minus_eta_times_gradient(done):
    cf = seed_closed_form()
    u = by_title(formulas_for(done, ("edge", 0, 1, 0)), "Update")
    assert u.result == pytest.approx(W1[1, 0] - ETA * cf["dW1"][1, 0], abs=TOL)
    assert u.result == done.net.weights[0][1, 0]
    assert [t.value for t in u.terms] == pytest.approx([W1[1, 0], -ETA * cf["dW1"][1, 0]],
                                                       abs=TOL)
    assert u.symbolic == "w₂₁⁽¹⁾ ← w₂₁⁽¹⁾ − η ∂L/∂w₂₁⁽¹⁾"
    assert u.steps == ["0.25 − 0.5 · 0.01187", "0.2441"]
    b = by_title(formulas_for(done, ("bias", 1, 0)), "Update")
    assert b.result == pytest.approx(B2[0] - ETA * cf["db2"][0], abs=TOL)


def test_seed_matrix_form_marks_the_transpose_and_matches_the_derivation(done):
    cf = seed_closed_form()
    forms = layer_formulas(done, 0)
    shapes = by_title(forms, "Layer 1: shapes")
    assert shapes.symbolic.startswith("W⁽¹⁾ ∈ ℝ²ˣ²")
    fwd = by_title(forms, "Forward (matrix form)")
    assert [m.label for m in fwd.matrices] == ["W⁽¹⁾", "x", "b⁽¹⁾", "z⁽¹⁾"]
    np.testing.assert_allclose(fwd.matrices[3].values[:, 0], cf["z1"], atol=TOL)
    delta = by_title(forms, "Backward: δ")
    assert "W⁽²⁾ᵀ δ⁽²⁾" in delta.symbolic and "⊙" in delta.symbolic
    wt_, d2, fprime, d1 = (m.values for m in delta.matrices)
    np.testing.assert_array_equal(wt_, W2.T)
    np.testing.assert_allclose((wt_ @ d2)[:, 0] * fprime[:, 0], cf["dz1"], atol=TOL)
    np.testing.assert_allclose(d1[:, 0], cf["dz1"], atol=TOL)
    grads = by_title(forms, "Backward: gradients")
    np.testing.assert_allclose(grads.matrices[2].values, cf["dW1"], atol=TOL)
    upd = by_title(forms, "Update (matrix form)")
    np.testing.assert_allclose(upd.matrices[2].values, W1 - ETA * cf["dW1"], atol=TOL)


# ---- what is known when ----------------------------------------------------------------
def known_titles(wt, key):
    return {f.title: f.known for f in formulas_for(wt, key)}


def test_numbers_are_unknown_before_the_stage_that_computes_them():
    wt = Walkthrough(seed_session())
    assert not any(known_titles(wt, ("neuron", 0, 0)).values())
    assert not any(f.steps for f in formulas_for(wt, ("neuron", 0, 0)))
    wt.next()  # forward(0)
    k = known_titles(wt, ("neuron", 0, 0))
    assert k["Forward: pre-activation"] and k["Forward: activation"]
    assert not k["Backward: hidden δ"]
    assert not any(known_titles(wt, ("neuron", 1, 0)).values())
    wt.next()  # forward(1)
    k = known_titles(wt, ("neuron", 1, 0))
    assert k["Forward: activation"] and not k["Loss"] and not k["Backward: loss gradient"]
    wt.next()  # loss
    k = known_titles(wt, ("neuron", 1, 0))
    assert k["Loss"] and k["Backward: loss gradient"] and not k["Backward: output δ"]
    wt.next()  # backward(1)
    assert known_titles(wt, ("neuron", 1, 0))["Backward: output δ"]
    assert not known_titles(wt, ("neuron", 0, 1))["Backward: hidden δ"]
    k = known_titles(wt, ("edge", 1, 0, 1))
    assert k["Backward: weight gradient"] and not k["Update"]
    assert not known_titles(wt, ("edge", 0, 0, 1))["Backward: weight gradient"]
    wt.next()  # backward(0)
    assert known_titles(wt, ("neuron", 0, 1))["Backward: hidden δ"]
    assert not known_titles(wt, ("bias", 0, 1))["Update"]
    update = by_title(formulas_for(wt, ("edge", 0, 0, 0)), "Update")
    assert not update.known and update.steps == []
    wt.next()  # update
    assert known_titles(wt, ("edge", 0, 0, 0))["Update"]
    wt.prev()  # stepping back over the update forgets the new weight again
    assert not known_titles(wt, ("edge", 0, 0, 0))["Update"]


def test_neuron_granularity_reveals_one_neuron_at_a_time():
    wt = Walkthrough(seed_session(), granularity="neuron")
    wt.next()  # forward: neuron 1 of layer 1
    assert known_titles(wt, ("neuron", 0, 0))["Forward: pre-activation"]
    assert not known_titles(wt, ("neuron", 0, 1))["Forward: pre-activation"]


# ---- invariants over many networks -----------------------------------------------------
NETWORKS = [
    (["tanh"], "linear", "mse", "sgd"),
    (["relu", "sigmoid"], "sigmoid", "bce", "momentum"),
    (["leaky_relu"], "softmax", "cross_entropy", "adam"),
    (["elu"], "softmax", "mse", "sgd"),
    (["step"], "tanh", "mse_half", "sgd"),
]


def random_session(hidden, output, loss, optimizer, batch_size=1, n_in=3, width=4):
    rng = np.random.default_rng(7)
    X_ = rng.normal(size=(8, n_in))
    n_out = 3 if output == "softmax" else 1
    if n_out == 3:
        Y_ = np.eye(3)[rng.integers(0, 3, 8)]
    elif loss == "bce":
        Y_ = rng.integers(0, 2, (8, 1)).astype(float)
    else:
        Y_ = rng.normal(size=(8, 1))
    sizes = [n_in] + [width] * len(hidden) + [n_out]
    net = MLP(sizes, [*hidden, output], loss, seed=3, init="uniform", init_scale=1.0)
    return Session.from_arrays(X_, Y_, net=net, learning_rate=0.3, batch_size=batch_size,
                               optimizer=optimizer)


@pytest.mark.parametrize("hidden, output, loss, optimizer", NETWORKS)
@pytest.mark.parametrize("batch", [False, True])
def test_terms_and_multiplier_reproduce_every_engine_number(hidden, output, loss, optimizer,
                                                            batch):
    session = random_session(hidden, output, loss, optimizer, batch_size=4)
    wt = Walkthrough(session, batch=batch)
    wt.finish()
    formulas = [f for s in worked_iteration(wt) for f in s.formulas]
    checked = 0
    for f in formulas:
        assert f.known
        if not f.terms:
            continue
        total = sum(t.value for t in f.terms)
        if f.multiplier is not None:
            total *= f.multiplier.value
        assert total == pytest.approx(f.result, rel=1e-9, abs=1e-12), f.symbolic
        for t in f.terms:
            if t.factors and t.pattern is None:
                assert t.value == pytest.approx(np.prod([x.value for x in t.factors]),
                                                rel=1e-12, abs=1e-15)
        checked += 1
    assert checked > 20
    g = wt.grads
    deltas = [f for f in formulas if not f.matrices
              and f.title.startswith(("Backward: hidden δ", "Backward: output δ"))]
    engine = [g.layers[l].dz[0, i] for l in range(wt.net.n_layers - 1, -1, -1)
              for i in range(wt.net.sizes[l + 1])]
    assert [f.result for f in deltas] == engine


def test_mini_batch_sums_gradients_over_its_samples_and_shows_sample_0():
    session = random_session(["tanh"], "linear", "mse", "sgd", batch_size=4)
    wt = Walkthrough(session, batch=True)
    wt.finish()
    g = by_title(formulas_for(wt, ("edge", 0, 2, 1)), "Backward: weight gradient")
    assert len(g.terms) == 4 and "Σₛ" in g.symbolic and "mini-batch" in g.note
    dz, x = wt.grads.layers[0].dz[:, 2], wt.x[:, 1]
    assert [t.value for t in g.terms] == pytest.approx(list(dz * x), abs=TOL)
    assert g.result == wt.grads.layers[0].dW[2, 1]
    z = by_title(formulas_for(wt, ("neuron", 0, 2)), "Forward: pre-activation")
    assert z.result == wt.trace.layers[0].z[0, 2] and "sample 0" in z.note
    loss = formulas_for(wt, ("loss",))[0]
    assert loss.multiplier.value == 0.25 and loss.result == wt.loss


def test_wide_sums_are_elided_but_keep_every_term():
    session = random_session(["tanh"], "linear", "mse", "sgd", n_in=10)
    wt = Walkthrough(session)
    wt.finish()
    z = by_title(formulas_for(wt, ("neuron", 0, 0)), "Forward: pre-activation")
    assert len(z.terms) == 11 and z.elided
    shown = z.shown_terms()
    assert shown.count(None) == 1 and len(shown) == 7 and shown[-1] is z.terms[-1]
    assert "… (5 more)" in z.steps[0]


def test_big_networks_are_elided_in_the_worked_iteration():
    session = random_session(["tanh", "tanh"], "linear", "mse", "sgd", width=30)
    wt = Walkthrough(session)
    wt.finish()
    assert sum(wt.net.sizes) > MAX_FULL_NEURONS
    sections = worked_iteration(wt)
    forward = sections[0]
    assert len(forward.formulas) == 6 and "first 3" in forward.note
    n_formulas = sum(len(s.formulas) for s in sections)
    assert n_formulas < 120


def test_activation_notes_explain_step_and_saturation():
    net = MLP.from_params([np.array([[30.0]]), np.array([[1.0]])], [np.zeros(1), np.zeros(1)],
                          ["sigmoid", "linear"], "mse")
    session = Session.from_arrays(np.array([[1.0]]), np.array([[0.0]]), net=net)
    wt = Walkthrough(session)
    wt.finish()
    d = by_title(formulas_for(wt, ("neuron", 0, 0)), "Backward: hidden δ")
    assert "saturated" in d.note
    step = random_session(["step"], "linear", "mse", "sgd")
    wt = Walkthrough(step)
    wt.finish()
    d = by_title(formulas_for(wt, ("neuron", 0, 0)), "Backward: hidden δ")
    assert d.result == 0.0 and "no gradient flows back" in d.note


def test_bad_selections_raise_formula_error(done):
    for key in [("neuron", 2, 0), ("neuron", -2, 0), ("neuron", 0, 2), ("edge", 0, 0, 2),
                ("edge", 0, 0), ("bias", 1, 1), ("weight", 0, 0), (), ("neuron", 0, 0.5),
                ("layer", 2)]:
        with pytest.raises(FormulaError):
            formulas_for(done, key)


def test_script_selections_become_zero_based_keys_and_back():
    assert Selection("neuron", 0, 2).key == ("neuron", -1, 1)
    assert Selection("edge", 2, 1, 3).key == ("edge", 1, 0, 2)
    assert Selection.from_key(("edge", 1, 0, 2)) == Selection("edge", 2, 1, 3)
    assert Selection.from_key(("bias", 0, 1)) == Selection("neuron", 1, 2)


# ---- formula text ----------------------------------------------------------------------
def test_tex_reads_as_unicode():
    assert tex_to_text(r"z_1^{(1)} = \sum_j w_{1j}^{(1)} x_j + b_1^{(1)}") == \
        "z₁⁽¹⁾ = Σⱼ w₁ⱼ⁽¹⁾ xⱼ + b₁⁽¹⁾"
    assert tex_to_text(r"\frac{\partial L}{\partial \hat{y}} = 2(\hat{y} - y)") == \
        "∂L/∂ŷ = 2(ŷ − y)"
    assert tex_to_text(r"W^{(2)\top} \odot \sigma'(z)") == "W⁽²⁾ᵀ ⊙ σ′(z)"
    assert tex_to_text(r"w_{1,12}") == "w_(1,12)"
    for bad in [r"\unknown", "{a", "a}", "x_"]:
        with pytest.raises(MathTextError):
            tex_to_text(bad)


def test_numbers_have_four_significant_digits():
    assert fmt_tex(0.123456789) == "0.1235"
    assert fmt_tex(0.5987) == "0.5987" and fmt_tex(0.15) == "0.15"
    assert fmt_tex(-2.0) == "-2" and fmt_tex(-0.0) == "0"
    assert fmt_tex(1.5e-7) == r"1.5 \times 10^{-7}"
    assert fmt_text(-1.5e-7) == "−1.5 × 10⁻⁷"


def evaluate_tex(tex: str) -> float:
    """Evaluate the numeric TeX of a formula's first step (the subset formulas use)."""
    s = tex.replace(r"\left(", "(").replace(r"\right)", ")")
    s = s.replace(r"\left[", "(").replace(r"\right]", ")")
    s = re.sub(r"(\d) \\times 10\^\{(-?\d+)\}", r"\1e\2", s)
    previous = None
    while previous != s:
        previous = s
        s = re.sub(r"e\^\{([^{}]*)\}", r"exp(\1)", s)
        s = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", s)
    s = (s.replace(r"\cdot", "*").replace("^2", "**2").replace(r"\log", "log")
         .replace(r"\tanh", "tanh").replace(r"\max", "max").replace(r"\mathrm{step}", "step"))
    s = re.sub(r"log\s+([0-9.e+-]+)", r"log(\1)", s)
    s = re.sub(r"([0-9)])\s*(\(|log|exp)", r"\1*\2", s)
    assert "\\" not in s and "{" not in s, s
    namespace = {"exp": math.exp, "log": math.log, "tanh": math.tanh, "max": max,
                 "step": lambda z: 1.0 if z >= 0 else 0.0}
    return eval(s, {"__builtins__": {}}, namespace)


@pytest.mark.parametrize("hidden, output, loss, optimizer", NETWORKS)
def test_printed_expansions_evaluate_to_the_result(hidden, output, loss, optimizer,
                                                    monkeypatch):
    """With full precision the numeric line of every formula, read as arithmetic, gives
    its result: the printed expressions have the right operators and parentheses."""
    monkeypatch.setattr(mathtext, "PRECISION", 17)
    session = random_session(hidden, output, loss, optimizer, batch_size=4)
    wt = Walkthrough(session, batch=True)
    wt.finish()
    checked = 0
    for section in worked_iteration(wt):
        for f in section.formulas:
            if not f.terms or f.elided or "ReLU" in f.steps_tex()[0] or "ELU" in f.tex:
                continue
            value = evaluate_tex(f.steps_tex()[0])
            assert value == pytest.approx(f.result, rel=1e-9, abs=1e-12), f.steps_tex()[0]
            checked += 1
    assert checked > 20


def test_tanh_slope_is_parenthesized_in_the_product():
    session = random_session(["tanh", "tanh"], "linear", "mse", "sgd")
    wt = Walkthrough(session)
    wt.finish()
    d = by_title(formulas_for(wt, ("neuron", 0, 0)), "Backward: hidden δ")
    assert re.search(r"\) · \(1 − \S+²\)$", d.steps[0]), d.steps[0]


def test_backprop_derivation_lesson_matches_its_closed_form():
    session = Session.from_lesson("backprop-derivation")
    w1, w2 = session.lesson.weights
    b1, b2 = session.lesson.biases
    x, y = session.sample(0)
    wt = Walkthrough(session)
    wt.finish()
    h = 1.0 / (1.0 + np.exp(-(w1 @ x[0] + b1)))
    yhat = w2 @ h + b2
    dz1 = 2.0 * (yhat[0] - y[0, 0]) * w2[0] * h * (1.0 - h)
    assert formulas_for(wt, ("loss",))[0].result == pytest.approx((yhat[0] - y[0, 0]) ** 2,
                                                                 abs=TOL)
    for i in range(2):
        d = by_title(formulas_for(wt, ("neuron", 0, i)), "Backward: hidden δ")
        assert d.result == pytest.approx(dz1[i], abs=TOL)
        for j in range(2):
            g = by_title(formulas_for(wt, ("edge", 0, i, j)), "Backward: weight gradient")
            assert g.result == pytest.approx(dz1[i] * x[0, j], abs=TOL)


def test_html_fragment_shows_numbers_only_when_known():
    wt = Walkthrough(seed_session())
    update = by_title(formulas_for(wt, ("edge", 0, 1, 0)), "Update")
    html = update.to_html()
    assert html.startswith("<b>Update</b><br>w₂₁⁽¹⁾ ← w₂₁⁽¹⁾ − η ∂L/∂w₂₁⁽¹⁾")
    assert "not computed yet" in html and "0.244067" not in html
    wt.finish()
    html = by_title(formulas_for(wt, ("edge", 0, 1, 0)), "Update").to_html()
    assert "= 0.25 − 0.5 · 0.01187<br>&nbsp;&nbsp;= 0.2441" in html
    assert "not computed yet" not in html and "<i>Gradient descent" in html
    matrix = by_title(layer_formulas(wt, 0), "Forward (matrix form)").to_html()
    assert matrix.count("<table") == 4 and '<td align="right">0.3775</td>' in matrix


def test_fmt_text_fast_path_reads_like_the_tex_reader():
    """fmt_text skips the TeX reader for plain numbers: the text must be the same."""
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.normal(size=300) * 10.0 ** rng.integers(-9, 9, 300),
                             [0.0, -0.0, 1.0, -1.0, 1e-5, -1e-5, 12345.678, 0.5, np.nan,
                              np.inf, -np.inf, 1e300, -9.9995e-5]])
    for v in values:
        assert fmt_text(v) == tex_to_text(fmt_tex(v)), v
    assert fmt_text(-0.25) == "−0.25"
