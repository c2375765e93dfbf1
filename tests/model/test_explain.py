"""The explain handout: the engine's numbers at the printed precision, in three formats."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest

from mlpviz.engine import MLP
from mlpviz.model.notation.explain import ExplainError, explain, parse_select
from mlpviz.model.session import Session

W1 = np.array([[0.15, 0.2], [0.25, 0.3]])
B1 = np.array([0.35, 0.35])
W2 = np.array([[0.4, 0.45]])
B2 = np.array([0.6])
X = np.array([[0.05, 0.1]])
Y = np.array([[0.01]])
ETA = 0.5
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def seed_session() -> Session:
    net = MLP.from_params([W1, W2], [B1, B2], ["sigmoid", "linear"], "mse")
    return Session.from_arrays(X, Y, net=net, learning_rate=ETA, batch_size=1)


def engine_iteration() -> tuple[float, np.ndarray]:
    """(loss, W1 after one SGD step) straight from the engine."""
    net = MLP.from_params([W1, W2], [B1, B2], ["sigmoid", "linear"], "mse")
    grads = net.backward(net.forward(X), Y)
    net.apply(grads, ETA)
    return grads.loss, net.weights[0].copy()


def parse_number(text: str) -> float:
    """A number as printed in text form: "−0.25", "1.5 × 10⁻⁷"."""
    text = text.strip().replace("−", "-")
    if "×" in text:
        mantissa, power = text.split("× 10")
        return float(mantissa) * 10.0 ** int(power.translate(_SUPERSCRIPT))
    return float(text)


def block_result(text: str, symbolic_start: str) -> str:
    """The last "= …" line of the formula block whose symbolic line starts as given."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.strip().startswith(symbolic_start))
    result = None
    for line in lines[start + 1 :]:
        if not line.strip().startswith("="):
            break
        result = line.strip()[1:].strip()
    assert result is not None, f"no numbers after {symbolic_start}"
    return result


def rounded(value: float) -> float:
    return float(f"{value:.4g}")


def test_text_handout_prints_the_engines_loss_and_updated_weights():
    session = seed_session()
    text = explain(session)
    loss, w1_new = engine_iteration()
    assert parse_number(block_result(text, "L = (ŷ₁ − y₁)²")) == rounded(loss)
    for i in range(2):
        for j in range(2):
            sym = f"w{'₁₂'[i]}{'₁₂'[j]}⁽¹⁾ ←"
            assert parse_number(block_result(text, sym)) == rounded(w1_new[i, j])
    np.testing.assert_array_equal(session.net.weights[0], w1_new)  # the update ran
    assert "Traced training sample 0: x = (0.05, 0.1), y = (0.01)." in text
    assert "4 significant digits" in text and "not computed yet" not in text


def test_values_past_the_last_step_are_not_computed_yet():
    session = seed_session()
    text = explain(session, steps="forward; forward; loss")
    loss, _ = engine_iteration()
    assert parse_number(block_result(text, "L = (ŷ₁ − y₁)²")) == rounded(loss)
    assert block_result(text, "δ₁⁽¹⁾ =") == "not computed yet"
    assert block_result(text, "w₁₁⁽¹⁾ ←") == "not computed yet"
    assert 'up to "Loss"' in text
    np.testing.assert_array_equal(session.net.weights[0], W1)  # no update yet


def test_selection_prints_only_that_neuron_or_edge():
    text = explain(seed_session(), select=("neuron", "1:2"))
    assert "Neuron 2 of layer 1" in text and "z₂⁽¹⁾ = Σⱼ" in text
    assert "z₁⁽¹⁾" not in text and "Update" not in text
    edge = explain(seed_session(), select=("edge", "2:1:2"), fmt="markdown")
    assert "w_{12}^{(2)}" in edge and "\\leftarrow" in edge and "z_{1}^{(1)}" not in edge


def test_a_select_in_the_steps_is_used_when_none_is_given():
    text = explain(seed_session(), steps="forward\nselect neuron 0:1")
    assert "Input x1" in text and block_result(text, "x₁") == "0.05"


def balanced_braces(text: str) -> bool:
    depth = 0
    for c in re.sub(r"\\[{}$]", "", text):
        depth += (c == "{") - (c == "}")
        if depth < 0:
            return False
    return depth == 0


def test_markdown_has_headings_lists_and_balanced_math():
    md = explain(seed_session(), fmt="markdown")
    assert md.startswith("# Worked numbers")
    assert "\n## Forward: layer 1\n" in md and "\n- **Forward: pre-activation**: $" in md
    unescaped = re.sub(r"\\\$", "", md)
    for line in unescaped.splitlines():
        assert line.count("$") % 2 == 0, line
    assert balanced_braces(md)
    _, w1_new = engine_iteration()
    assert f"= {w1_new[0, 0]:.4g}$" in md


def test_latex_is_a_standalone_document_with_matching_environments():
    session = seed_session()
    session.lesson = SimpleNamespace(title="a_b & 50% $x$ #1 {σ}")
    tex = explain(session, fmt="latex")
    assert tex.startswith("\\documentclass{article}") and tex.rstrip().endswith("\\end{document}")
    assert balanced_braces(tex)
    stack = []
    for kind, name in re.findall(r"\\(begin|end)\{([a-z*]+)\}", tex):
        if kind == "begin":
            stack.append(name)
        else:
            assert stack.pop() == name
    assert stack == []
    assert tex.count("\\begin{align*}") > 20
    assert r"a\_b \& 50\% \$x\$ \#1 \{$\sigma$\}" in tex
    loss, _ = engine_iteration()
    assert f"&= {loss:.4g}" in tex


def test_unknown_values_read_not_computed_yet_in_every_format():
    for fmt in ("text", "markdown", "latex"):
        out = explain(seed_session(), steps="forward", fmt=fmt)
        assert "not computed yet" in out


@pytest.mark.parametrize("select, message", [
    (("weight", "1:1:1"), "unknown selection kind"),
    (("neuron", "3:1"), "layer 3 does not exist"),
    (("neuron", "1:0"), "neurons 1..2"),
    (("neuron", "1:2:1"), "L:I"),
    (("neuron", "a:b"), "whole numbers"),
    (("edge", "1:1"), "L:I:J"),
    (("edge", "0:1:1"), "layer 0 does not exist"),
    (("edge", "1:1:3"), "1..2"),
    (("bias", "2:2"), "neurons 1..1"),
    ("neuron 1:1", "a selection is (kind, index)"),
])
def test_bad_selections_give_a_clear_error(select, message):
    with pytest.raises(ExplainError, match=re.escape(message)):
        explain(seed_session(), select=select)


def test_bad_format_and_bad_steps_give_a_clear_error():
    with pytest.raises(ExplainError, match="unknown format 'html'"):
        explain(seed_session(), fmt="html")
    with pytest.raises(ExplainError, match="line 2"):
        explain(seed_session(), steps="forward\njump")
    with pytest.raises(ExplainError, match="select neuron 5:1"):
        explain(seed_session(), steps="select neuron 5:1")


def test_parse_select_maps_app_numbering_to_formula_keys():
    sizes = [2, 2, 1]
    assert parse_select(("neuron", "0:2"), sizes) == ("neuron", -1, 1)
    assert parse_select(("NEURON", "2:1"), sizes) == ("neuron", 1, 0)
    assert parse_select(("edge", "1:2:1"), sizes) == ("edge", 0, 1, 0)
    assert parse_select(("bias", "2:1"), sizes) == ("bias", 1, 0)
