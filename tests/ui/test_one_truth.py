"""Everything on screen says the same thing: no file outside the repo is named to users,
activation parameters and class numbers agree across the views, and the caption bar
prints the numbers the network and the inspector show."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from mlpviz import cli
from mlpviz.model.captions import render_caption
from mlpviz.model.lessons import lesson_names, load_lesson
from mlpviz.model.notation.explain import explain
from mlpviz.model.notation.formulas import worked_iteration
from mlpviz.model.notation.mathtext import fmt_text
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Walkthrough
from mlpviz.paths import lessons_dir
from mlpviz.ui.controller import output_labels

OUTSIDE = re.compile(r"SEED\.md", re.IGNORECASE)
PACKAGE = Path(cli.__file__).parent


def test_no_source_file_or_lesson_names_the_lecture_file():
    files = [*PACKAGE.rglob("*.py"), *lessons_dir().glob("*.json")]
    assert len(files) > 20
    for path in files:
        assert not OUTSIDE.search(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize("name", lesson_names())
def test_explain_inspector_formulas_and_captions_never_name_the_lecture_file(name):
    session = Session.from_lesson(name)
    for fmt in ("text", "markdown", "latex"):
        assert not OUTSIDE.search(explain(session, fmt=fmt))
    wt = Walkthrough(Session.from_lesson(name), sample=0)
    wt.finish()
    for section in worked_iteration(wt):
        for f in section.formulas:
            assert not OUTSIDE.search(f.to_html() + f.note_text)
    lesson = load_lesson(name)
    templates = [a.args[0] for a in lesson.actions if a.kind == "caption"]
    for template in [*templates, *lesson.captions.values()]:
        assert not OUTSIDE.search(render_caption(template, wt.session, wt))


def test_cli_help_never_names_the_lecture_file(capsys):
    parsers = [cli.build_parser(), cli.build_gui_parser()]
    texts = [p.format_help() for p in parsers]
    for action in parsers[0]._subparsers._group_actions:  # every subcommand's help
        texts += [p.format_help() for p in action.choices.values()]
    assert len(texts) >= 6
    for text in texts:
        assert not OUTSIDE.search(text)


def test_the_inspector_and_the_window_text_never_name_the_lecture_file(shown_window):
    win = shown_window(Session.from_lesson("backprop-derivation"))
    for key in (("neuron", 0, 0), ("neuron", 1, 0), ("edge", 0, 1, 0), None):
        win.ctl.select(key)
        win.inspector.refresh()
        assert not OUTSIDE.search(win.inspector.text())
    for _ in range(12):
        win.ctl.step_forward()
        win.inspector.refresh()
        assert not OUTSIDE.search(win.inspector.text() + win.caption.text())


def test_leaky_relu_alpha_agrees_across_gallery_network_inspector_and_caption(shown_window):
    win = shown_window()
    win.load_lesson("activations")
    net = win.ctl.session.net
    alpha = net.activations[3].params()["alpha"]
    shown = f"α = {fmt_text(alpha)}"
    win.gallery_dock.show()
    win.gallery_dock._follow()
    assert shown in win.gallery_dock.gallery.cell("leaky_relu").title.text()
    win.ctl.select(("neuron", 3, 0))
    win.inspector.refresh()
    assert shown in win.inspector.text()
    lesson = load_lesson("activations")
    wt = Walkthrough(win.ctl.session, sample=0)
    while wt.stage is None or wt.stage.layer != 3:
        wt.next()
    assert shown in render_caption(lesson.caption_for(wt.stage), win.ctl.session, wt)
    elu = net.activations[4].params()["alpha"]
    assert f"α = {fmt_text(elu)}" in win.gallery_dock.gallery.cell("elu").title.text()


def test_softmax_classes_are_numbered_from_one_in_the_colour_bar_and_the_network(
        shown_window):
    win = shown_window(Session.from_lesson("softmax"))
    win.panels.refresh_now()
    ticks = win.plots.map_plot.colorbar.axis._tickLevels[0]
    labels = [text for _, text in ticks]
    assert labels == ["1", "2", "3"]
    assert output_labels(win.ctl.session) == ["class 1", "class 2", "class 3"]


def test_the_caption_bar_prints_the_numbers_the_network_shows(shown_window):
    win = shown_window()
    win.load_lesson("backprop-derivation")
    for _ in range(2):  # → (the step action): the opening caption, then forward layer 1
        win.transport.step_action.trigger()
    wt = win.ctl.walkthrough
    h = wt.trace.layers[0].a[0]
    caption = win.caption.text()
    for i in range(2):
        value = fmt_text(h[i])
        assert value in caption
        assert f"h{'₁₂'[i]}⁽¹⁾ = {value}" in win.network.tooltip_text(("neuron", 0, i))
    win.ctl.select(("neuron", 0, 0))
    win.inspector.refresh()
    assert f"= {fmt_text(h[0])}" in win.inspector.text()


def test_idle_diagram_and_inspector_read_one_walkthrough(window, qtbot):
    """With no walkthrough running, the diagram and the inspector show the traced sample
    from the same idle walkthrough (every stage but the update taken), made again when
    the weights or the traced sample change — never a second forward/backward."""
    ctl, net_view = window.ctl, window.network
    window.panels.refresh_now()
    idle = ctl.idle_walkthrough()
    assert idle is not None and ctl.walkthrough is None
    assert net_view._wt is idle and window.inspector.walkthrough() is idle
    assert idle.loss_known and not idle.updated
    assert idle.stages[idle.index + 1].kind == "update"
    # the diagram names no stage and draws the weights, but every value is known
    values = net_view._values()
    assert values.stage is None and values.loss == pytest.approx(idle.loss)
    assert all(k["dW"] is True or k["dW"].all() for k in values.known)
    before = idle.loss
    ctl.train_epochs(5)
    window.panels.refresh_now()
    fresh = ctl.idle_walkthrough()
    assert fresh is not idle and net_view._wt is fresh and fresh.loss != before
    assert ctl.idle_walkthrough() is fresh  # nothing changed: the same object
    ctl.set_sample(3)
    assert ctl.idle_walkthrough() is not fresh
    assert ctl.idle_walkthrough().sample_index == 3


def test_idle_walkthrough_follows_a_new_activation_with_the_same_initial_weights(window):
    """Rebuilding the network from the same seed with another activation keeps the
    weights equal: the idle values must still be those of the new network."""
    ctl = window.ctl
    ctl.session.set_net(activation="tanh")
    first = ctl.idle_walkthrough()
    ctl.session.set_net(activation="relu")
    second = ctl.idle_walkthrough()
    assert second is not first
    assert second.net is ctl.session.net
    a = second.trace.layers[0].a
    assert np.allclose(a, np.maximum(second.trace.layers[0].z, 0.0))
