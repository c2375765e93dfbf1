"""The inspector shows the lecture's formulas with the engine's numbers, read back from its text."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from mlpviz.engine import MLP
from mlpviz.model.notation.formulas import layer_formulas
from mlpviz.model.notation.mathtext import fmt_text
from mlpviz.model.session import Session
from mlpviz.ui.colors import DARK, LIGHT
from mlpviz.ui.controller import Controller
from mlpviz.ui.shell.main_window import MainWindow
from mlpviz.ui.teaching.activation_inset import ActivationInset
from mlpviz.ui.teaching.formula_html import link_html

NUM = r"[−-]?[0-9]+(?:\.[0-9]+)?(?: × 10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?"
_SUPERS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
RTOL = 1e-3  # the inspector prints 4 significant digits


def num(text: str) -> float:
    text = text.replace("−", "-").strip("() ")
    if "×" in text:
        mantissa, power = text.split("× 10")
        return float(mantissa) * 10.0 ** int(power.translate(_SUPERS))
    return float(text)


def caps(title: str) -> str:
    return "".join(c.upper() if c.isascii() else c for c in title)


def card(inspector, title: str) -> str:
    found = [t for t in inspector.card_texts() if t.startswith(caps(title))]
    assert len(found) == 1, inspector.card_texts()
    return found[0]


def result(text: str) -> float:
    """The number on the last "= …" line of a card."""
    lines = [ln for ln in text.splitlines() if ln.startswith("= ")]
    return num(re.findall(NUM, lines[-1])[-1])


def last_number(line: str) -> float:
    return num(re.findall(NUM, line)[-1])


@pytest.fixture
def make_window(qtbot, settings):
    def make(session: Session, size=(1280, 720)) -> MainWindow:
        win = MainWindow(Controller(session), settings=settings, offer_autosave=False)
        win.player.enabled = False
        qtbot.addWidget(win)
        win.resize(*size)
        win.show()
        qtbot.waitExposed(win)
        win.show_inspector()
        return win

    return make


# the backprop-derivation lesson, the lecture's closed forms written out with NumPy
X = np.array([1.0, 0.5])
W1 = np.array([[0.4, -0.2], [0.3, 0.6]])
B1 = np.array([0.1, -0.1])
W2 = np.array([[0.5, -0.3]])
B2 = np.array([0.2])


def closed_form() -> dict:
    z1 = W1 @ X + B1
    h = 1 / (1 + np.exp(-z1))
    yhat = float((W2 @ h + B2)[0])
    dy = 2 * (yhat - 1.0)  # ∂L/∂ŷ = 2(ŷ − y)
    dh = dy * W2[0]  # ∂L/∂h = 2(ŷ − y) W2
    dz1 = dh * h * (1 - h)  # ⊙ σ′(z1) = h(1 − h)
    return {"z1": z1, "h": h, "yhat": yhat, "L": (yhat - 1) ** 2, "dy": dy, "dh": dh,
            "slope": h * (1 - h), "dz1": dz1, "dW1": np.outer(dz1, X), "dW2": dy * h,
            "W1_new": W1 - 0.1 * np.outer(dz1, X), "W2_new": W2[0] - 0.1 * dy * h}


def test_backprop_lesson_numbers_equal_engine_and_seed(make_window):
    win = make_window(Session.from_lesson("backprop-derivation"))
    ctl, ins = win.ctl, win.inspector
    cf = closed_form()
    for _ in range(5):  # forward, forward, loss, backward, backward
        assert ctl.step_forward()
    wt = ctl.walkthrough
    for i in range(2):
        ctl.select(("neuron", 0, i))
        z = card(ins, "Forward: pre-activation")
        assert result(z) == pytest.approx(cf["z1"][i], rel=RTOL)
        assert result(z) == pytest.approx(wt.trace.layers[0].z[0, i], rel=RTOL)
        assert f"= {W1[i, 0]:g} · 1" in z.replace("−", "-")
        assert result(card(ins, "Forward: activation")) == pytest.approx(cf["h"][i], rel=RTOL)
        delta = card(ins, "Backward: hidden δ").splitlines()
        total = next(ln for ln in delta if ln.startswith("Σ = ∂L/∂h"))
        slope = next(ln for ln in delta if ln.startswith("σ′(z"))
        final = [ln for ln in delta if ln.startswith("δ")][-1]  # δ = Σ · f′ = value
        assert last_number(total) == pytest.approx(cf["dh"][i], rel=RTOL)
        assert last_number(slope) == pytest.approx(cf["slope"][i], rel=RTOL)
        assert last_number(final) == pytest.approx(cf["dz1"][i], rel=RTOL)
        assert last_number(final) == pytest.approx(wt.grads.layers[0].dz[0, i], rel=RTOL)
    ctl.select(("neuron", 1, 0))
    assert result(card(ins, "Forward: activation")) == pytest.approx(cf["yhat"], rel=RTOL)
    loss = card(ins, "Loss")
    assert "L = (ŷ₁ − y₁)²" in loss
    assert result(loss) == pytest.approx(cf["L"], rel=RTOL)
    assert result(card(ins, "Backward: loss gradient")) == pytest.approx(cf["dy"], rel=RTOL)
    out = card(ins, "Backward: output δ")
    assert "δ₁⁽²⁾ = ∂L/∂ŷ₁ · f′(z₁⁽²⁾)" in out
    assert result(out) == pytest.approx(cf["dy"], rel=RTOL)
    for i in range(2):
        for j in range(2):
            ctl.select(("edge", 0, i, j))
            g = card(ins, "Backward: weight gradient")
            assert result(g) == pytest.approx(cf["dW1"][i, j], rel=RTOL)
            assert "not computed yet" in card(ins, "Update")
        ctl.select(("edge", 1, 0, i))
        assert result(card(ins, "Backward: weight gradient")) == pytest.approx(cf["dW2"][i],
                                                                              rel=RTOL)
    assert ctl.step_forward()  # the update
    for i in range(2):
        ctl.select(("edge", 1, 0, i))
        up = card(ins, "Update")
        assert result(up) == pytest.approx(cf["W2_new"][i], rel=RTOL)
        assert result(up) == pytest.approx(ctl.session.net.weights[1][0, i], rel=RTOL)
        assert "← w₁" in up and "η" in up


def deep_session(hidden: int = 3) -> Session:
    """2-3-hidden-1 tanh network on one sample, so layer-1 neurons have several successors."""
    rng = np.random.default_rng(3)
    sizes = [2, 3, hidden, 1]
    weights = [rng.normal(0, 0.8, (sizes[k + 1], sizes[k])) for k in range(3)]
    biases = [rng.normal(0, 0.3, sizes[k + 1]) for k in range(3)]
    net = MLP.from_params(weights, biases, ["tanh", "tanh", "linear"], "mse")
    return Session.from_arrays(np.array([[0.5, -1.0]]), np.array([[0.3]]), net=net,
                               batch_size=1)


ROW = re.compile(rf"(w\S+)\s+(δ\S+)\s*=\s*({NUM})\s*·\s*\(?({NUM})\)?\s*=\s*({NUM})")


def test_delta_contributions_are_shown_one_per_downstream_neuron_and_sum_to_delta(
        make_window):
    win = make_window(deep_session())
    ctl, ins = win.ctl, win.inspector
    ctl.finish_iteration()
    wt = ctl.walkthrough
    W2, d2 = wt.weights_before[1], wt.grads.layers[1].dz[0]
    for i in range(3):
        ctl.select(("neuron", 0, i))
        text = card(ins, "Backward: hidden δ")
        rows = ROW.findall(text)
        assert [r[0] for r in rows] == [f"w{s}{'₁₂₃'[i]}⁽²⁾" for s in "₁₂₃"]
        for k, (_w, _d, w, d, share) in enumerate(rows):
            assert num(w) == pytest.approx(W2[k, i], rel=RTOL)
            assert num(d) == pytest.approx(d2[k], rel=RTOL)
            assert num(share) == pytest.approx(num(w) * num(d), rel=RTOL, abs=1e-6)
        lines = text.splitlines()
        total = last_number(next(ln for ln in lines if ln.startswith("Σ = ")))
        slope = last_number(next(ln for ln in lines if ln.startswith("tanh′")))
        delta = last_number([ln for ln in lines if ln.startswith("δ")][-1])
        assert sum(num(r[4]) for r in rows) == pytest.approx(total, rel=RTOL, abs=3e-6)
        assert total * slope == pytest.approx(delta, rel=RTOL)
        assert delta == pytest.approx(wt.grads.layers[0].dz[0, i], rel=RTOL)
        assert total == pytest.approx(wt.grads.layers[0].da[0, i], rel=RTOL)


def test_long_sums_are_elided_and_shown_in_full_on_demand(make_window):
    win = make_window(deep_session(hidden=8))
    ctl, ins = win.ctl, win.inspector
    ctl.finish_iteration()
    ctl.select(("neuron", 0, 0))
    assert len(ROW.findall(card(ins, "Backward: hidden δ"))) == 6  # 4, "…", the last 2
    assert "… 2 more" in card(ins, "Backward: hidden δ")
    delta_card = next(c for c in ins.cards() if c.text().count("<tr>") >= 6)
    delta_card.linkActivated.emit("terms")
    assert len(ROW.findall(card(ins, "Backward: hidden δ"))) == 8
    ctl.select(("neuron", 2, 0))  # ŷ = Σ over 8 hidden neurons + bias: 9 terms
    z = card(ins, "Forward: pre-activation")
    assert "… 3 more" in z and "show all 9 terms" in z
    z_card = ins.cards()[0]
    z_card.linkActivated.emit("terms")
    z = card(ins, "Forward: pre-activation")
    assert "more" not in z.split("show fewer")[0] and "show fewer terms" in z
    assert len(re.findall(rf"{NUM} · \(?{NUM}\)?", z)) == 8


def test_values_read_not_computed_yet_until_their_stage(make_window):
    win = make_window(Session.from_lesson("backprop-derivation"))
    ctl, ins = win.ctl, win.inspector
    ctl.select(("neuron", 0, 0))
    # idle: the preview shows what the idle network shows (its hover text names δ and
    # ∂L/∂w), everything but the update
    assert ins.preview and "Not stepping" in ins.subtitle.text()
    assert result(card(ins, "Forward: activation")) == pytest.approx(closed_form()["h"][0],
                                                                    rel=RTOL)
    delta = fmt_text(closed_form()["dz1"][0])
    assert delta in card(ins, "Backward: hidden δ")
    win.panels.refresh_now()
    assert f"δ₁⁽¹⁾ = ∂L/∂z₁⁽¹⁾ = {delta}" in win.network.tooltip_text(("neuron", 0, 0))
    ctl.select(("edge", 0, 0, 0))
    assert "not computed yet" not in card(ins, "Backward: weight gradient")
    assert "= not computed yet" in card(ins, "Update")  # the network shows the old w
    ctl.select(("loss",))
    assert "not computed yet" not in card(ins, "Loss")
    ctl.select(("neuron", 0, 0))
    for expect_known in (False, False, False, False, True):  # f, f, loss, b(2), b(1)
        ctl.step_forward()
        shown = "not computed yet" not in card(ins, "Backward: hidden δ")
        assert shown == expect_known, ctl.walkthrough.stage
    ctl.select(("neuron", 1, 0))
    ctl.step_back()
    ctl.step_back()
    ctl.step_back()  # back before the loss
    assert "= not computed yet" in card(ins, "Loss")
    assert "= not computed yet" in card(ins, "Backward: loss gradient")
    assert "not computed yet" not in card(ins, "Forward: activation")


def test_no_selection_shows_the_output_with_a_hint_and_the_current_stage_outlined(make_window):
    win = make_window(Session.from_lesson("backprop-derivation"))
    ins = win.inspector
    assert ins.shown_key == ("neuron", 1, 0)
    assert "Output ŷ₁" in ins.text() and "Click a neuron" in ins.subtitle.text()
    assert not any(c.property("current") for c in ins.cards())  # idle: nothing is new
    assert len(ins.cards()) == 5
    win.ctl.select(("neuron", 0, 0))  # fewer cards: the extra ones must not stay painted
    painted = [w for w in ins.findChildren(QLabel, "formulaCard") if w.isVisible()]
    assert painted == ins.cards() and len(painted) == 3
    win.ctl.select(None)
    win.ctl.step_forward()
    win.ctl.step_forward()
    win.ctl.step_forward()  # the loss
    current = [c.property("current") for c in ins.cards()]
    titles = [t.splitlines()[0] for t in ins.card_texts()]
    assert [t for t, cur in zip(titles, current, strict=True) if cur] == [
        "LOSS", "BACKWARD: LOSS GRADIENT"]
    assert "Step 3 of 6: Loss" in ins.subtitle.text()


def test_idle_preview_leaves_the_session_untouched(make_window):
    ses = Session.from_lesson("xor")
    params, steps = ses.net.get_params(), ses.steps
    state = ses.rng.bit_generator.state
    win = make_window(ses)
    win.ctl.set_sample(None)  # the mini-batch
    win.ctl.select(("neuron", 0, 1))
    assert "mini-batch" in win.inspector.subtitle.text()
    np.testing.assert_array_equal(ses.net.params, params)
    assert ses.steps == steps and ses.rng.bit_generator.state == state
    assert win.ctl.walkthrough is None


def test_matrix_view_shows_shapes_wx_plus_b_and_the_highlighted_transpose(make_window):
    win = make_window(Session.from_lesson("backprop-derivation"))
    ctl, ins = win.ctl, win.inspector
    ctl.finish_iteration()
    ctl.select(("neuron", 0, 1))
    ins.matrix_button.click()
    assert ins.matrix
    titles = [t.splitlines()[0] for t in ins.card_texts()]
    assert titles == [caps(f.title) for f in layer_formulas(ctl.walkthrough, 0)]
    text = ins.text()
    assert "W⁽¹⁾ ∈ ℝ" in text and "z⁽¹⁾ = W⁽¹⁾ x + b⁽¹⁾" in text
    delta_html = next(h for h in ins.card_htmls() if "(MATRIX FORM)" in h and "⊙" in h)
    assert f'color:{LIGHT.accent}; font-weight:700">T</span>' in delta_html
    assert "0.09692" in text and "−0.1652" in text  # δ⁽¹⁾
    ins.matrix_button.click()
    assert not ins.matrix and card(ins, "Forward: pre-activation")


def test_dark_theme_colours_the_inspector(make_window):
    win = make_window(Session.from_lesson("backprop-derivation"))
    win.set_theme("dark")
    assert DARK.panel in win.inspector.styleSheet()
    img = win.inspector.grab().toImage()
    values = [img.pixelColor(x, y).lightness() for x in range(0, img.width(), 7)
              for y in range(0, img.height(), 7)]
    assert sum(values) / len(values) < 90


def test_teaching_layout_puts_plots_beside_the_network_and_the_inspector_on_the_right(
        qtbot, make_window):
    win = make_window(Session.from_lesson("xor"), size=(1920, 1080))
    qtbot.waitUntil(lambda: win.plots.isVisible() and win.inspector.isVisible())
    net, plots = win.network, win.plots
    assert plots.mapTo(win, plots.rect().topLeft()).x() > net.mapTo(win, net.rect().topLeft()).x()
    assert plots.height() >= 0.4 * win.panels.height()
    assert win.inspector_dock.x() > plots.mapTo(win, plots.rect().topLeft()).x()
    win.ctl.select(("neuron", 0, 0))
    qtbot.waitUntil(lambda: not win.inspector.visibleRegion().isEmpty())
    assert "Hidden neuron" in win.inspector.text()
    toggle = win.inspector_dock.toggleViewAction()
    assert toggle.shortcut().toString() == "I"
    toggle.trigger()
    assert win.inspector_dock.isHidden()


# ---- the activation inset ----------------------------------------------------------------
def test_inset_marks_z_on_the_curve_with_the_tangent(make_window):
    win = make_window(Session.from_lesson("backprop-derivation"))
    ins = win.inspector
    win.ctl.select(("neuron", 0, 1))
    inset = ins.inset
    assert inset.isVisible()
    z, a = 0.5, 1 / (1 + np.exp(-0.5))
    pos = inset.marker_pos()
    expected = inset.to_pixel(z, a)
    assert (pos.x(), pos.y()) == pytest.approx((expected.x(), expected.y()), abs=1e-9)
    lo, hi = inset.z_range()
    rect = inset.plot_rect()
    assert pos.x() == pytest.approx(rect.left() + (z - lo) / (hi - lo) * rect.width())
    img = inset.grab().toImage()
    dpr = img.devicePixelRatio()
    centre = img.pixelColor(QPoint(round(pos.x() * dpr), round(pos.y() * dpr)))
    assert centre.name() == inset.marker_colour().name()
    assert "z = 0.5" in inset.note() and "σ′(z) = 0.235" in inset.note()


def test_inset_before_z_is_known_has_no_marker(qtbot):
    inset = ActivationInset()
    qtbot.addWidget(inset)
    from mlpviz.engine.activations import get
    inset.set_activation(get("tanh"), "tanh")
    assert inset.marker_pos() is None and "not computed yet" in inset.note()


def test_step_activation_says_no_gradient_flows(make_window):
    ses = Session.from_lesson("backprop-derivation")
    ses.set_net(activation=("step",))
    win = make_window(ses)
    win.ctl.select(("neuron", 0, 0))
    note = win.inspector.inset.note()
    assert "step′(z) = 0" in note and "no gradient" in note
    win.ctl.finish_iteration()
    delta = card(win.inspector, "Backward: hidden δ")
    assert last_number([ln for ln in delta.splitlines() if ln.startswith("δ")][-1]) == 0.0
    assert "no gradient flows back" in delta


def test_saturated_sigmoid_is_called_flat(make_window):
    win = make_window(Session.from_lesson("backprop-derivation"))
    win.ctl.edit_weight(0, 0, 0, 9.0)  # z = 9 − 0.1 + 0.1: deep in saturation
    win.ctl.select(("neuron", 0, 0))
    inset = win.inspector.inset
    assert "flat" in inset.note()
    lo, hi = inset.z_range()
    assert lo < -9 and hi > 9  # the range widens to hold z


def test_softmax_layer_has_no_single_curve(make_window):
    ses = Session.from_lesson("softmax")
    assert ses.net.activations[-1].name == "softmax"
    win = make_window(ses)
    win.ctl.select(("neuron", ses.net.n_layers - 1, 0))
    assert not win.inspector.inset.isVisible()
    assert "softmax" in card(win.inspector, "Forward: activation").lower()


def test_clicking_a_neuron_in_the_view_updates_the_inspector(qtbot, make_window):
    win = make_window(Session.from_lesson("backprop-derivation"))
    x, y = win.network.diagram_layout().pos(0, 1)
    qtbot.mouseClick(win.network, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))
    assert win.ctl.selection == ("neuron", 0, 1)
    assert win.inspector.shown_key == ("neuron", 0, 1)
    assert "Hidden neuron h₂⁽¹⁾" in win.inspector.text()


@pytest.mark.parametrize("theme", [LIGHT, DARK])
def test_term_links_are_drawn_in_the_theme_accent(theme):
    html = link_html("… 3 <more>", theme, "font-size:9pt")
    assert html.startswith('<a href="terms" style="color:' + theme.accent + ";")
    assert "font-size:9pt" in html and "… 3 &lt;more&gt;</a>" in html
