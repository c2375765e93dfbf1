"""Lessons in the window: the browser, → playing a lesson's script with captions, ← taking
beats back, hints when stepping by hand, and the start page."""

import re

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import Qt

from mlpviz.model.captions import UNKNOWN, parse_template, render_caption
from mlpviz.model.lessons import lesson_names, list_lessons, load_lesson
from mlpviz.model.notation.mathtext import fmt_text
from mlpviz.model.script import ScriptRunner
from mlpviz.model.session import Session
from mlpviz.ui.shell.main_window import MainWindow

MAX_PRESSES = 200


def right(qtbot, window):
    qtbot.keyClick(window.network, Qt.Key.Key_Right)


def left(qtbot, window):
    qtbot.keyClick(window.network, Qt.Key.Key_Left)


def play_to_end(qtbot, window):
    """Press → until the script is over; returns the caption after each press."""
    captions = []
    for _ in range(MAX_PRESSES):
        if not window.lesson.scripted:
            return captions
        right(qtbot, window)
        captions.append(window.caption.text() if window.caption.isVisible() else "")
    raise AssertionError("the script did not end")


def script_captions(name):
    return [a.args[0] for a in load_lesson(name).actions if a.kind == "caption"]


def live(window, template):
    """A caption template as the window must show it now (numbers filled in live)."""
    ctl = window.ctl
    return render_caption(template, ctl.session, ctl.walkthrough, ctl.sample)


def shape(template):
    """A pattern matching the template with any numbers in place of its references."""
    parts = [re.escape(p) if isinstance(p, str) else ".+?" for p in parse_template(template)]
    return re.compile("".join(parts))


def test_browser_lists_every_lesson_with_title_and_summary(qtbot, window):
    browser = window.show_lessons()
    assert not browser.isModal()
    lessons = list_lessons()
    assert list(browser.cards) == [lesson.name for lesson in lessons]
    for lesson in lessons:
        card = browser.cards[lesson.name]
        assert lesson.title in card.title_label.text()
        assert any(lesson.summary == label.text() for label in card.findChildren(type(
            card.title_label)))


def test_clicking_each_card_loads_that_lesson(qtbot, window):
    for name in lesson_names():
        browser = window.show_lessons()
        qtbot.waitExposed(browser)
        qtbot.mouseClick(browser.cards[name], Qt.MouseButton.LeftButton)
        assert window.ctl.session.lesson.name == name
        assert window.lesson.active and window.lesson.lesson.name == name
        assert not browser.isVisible()
        expected = Session.from_lesson(name)
        assert window.ctl.session.net.sizes == expected.net.sizes
        np.testing.assert_array_equal(window.ctl.session.net.params, expected.net.params)
        assert window.caption.text() == live(window, load_lesson(name).caption_for(None))
        assert "{" not in window.caption.text()


def test_opening_the_browser_again_replaces_the_first(qtbot, window):
    first = window.show_lessons()
    second = window.show_lessons()
    qtbot.wait(10)  # the first one is deleted on close
    assert window.lesson_browser is second and second.isVisible()
    assert not shiboken6.isValid(first)
    second.reject()
    assert window.lesson_browser is None


def test_ctrl_l_opens_the_browser_and_enter_chooses_the_focused_card(qtbot, window):
    qtbot.keyClick(window.network, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    browser = window.lesson_browser
    assert browser is not None and browser.isVisible()
    card = browser.cards["softmax"]
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_Return)
    assert window.ctl.session.lesson.name == "softmax"


def test_right_arrow_shows_the_xor_scripts_captions_in_order(qtbot, window):
    window.load_lesson("xor")
    intro = load_lesson("xor").caption_for(None)
    assert window.caption.isVisible() and window.caption.text() == intro
    shown = play_to_end(qtbot, window)
    distinct = [c for k, c in enumerate(shown) if k == 0 or c != shown[k - 1]]
    templates = script_captions("xor")
    assert len(distinct) == len(templates)
    for text, template in zip(distinct, templates, strict=True):
        assert shape(template).fullmatch(text), (text, template)
        assert UNKNOWN not in text
    assert window.ctl.session.epoch == 300


def test_the_gui_plays_the_script_exactly_like_the_headless_runner(qtbot, window):
    window.load_lesson("backprop-derivation")
    play_to_end(qtbot, window)
    reference = Session.from_lesson("backprop-derivation")
    ScriptRunner(reference, load_lesson("backprop-derivation").actions).run_all()
    np.testing.assert_array_equal(window.ctl.session.net.params, reference.net.params)
    assert window.ctl.session.steps == reference.steps


def test_each_beat_animates_one_stage_and_training_moves_the_epoch(qtbot, window):
    window.load_lesson("xor")
    kinds = []
    for _ in range(MAX_PRESSES):
        if window.ctl.session.epoch > 0 or not window.lesson.scripted:
            break
        before = window.ctl.walkthrough.index if window.ctl.walkthrough else None
        right(qtbot, window)
        wt = window.ctl.walkthrough
        if wt is not None and wt.stage is not None and wt.index != before:
            assert window.network._wt is wt
            kinds.append(wt.stage.kind)
    assert kinds == ["forward", "forward", "loss", "backward", "backward", "update"]
    qtbot.waitUntil(lambda: not window.lesson.training, timeout=20000)
    assert window.ctl.session.epoch == 300


def test_left_arrow_takes_back_the_update_and_its_caption(qtbot, window):
    window.load_lesson("xor")
    start = window.ctl.session.net.get_params()
    while window.ctl.walkthrough is None or window.ctl.walkthrough.stage is None \
            or window.ctl.walkthrough.stage.kind != "backward" \
            or window.ctl.walkthrough.index != 4:
        right(qtbot, window)
    caption_before = window.caption.text()
    right(qtbot, window)
    assert window.ctl.walkthrough.stage.kind == "update"
    assert not np.array_equal(window.ctl.session.net.params, start)
    assert window.caption.text() != caption_before
    left(qtbot, window)
    np.testing.assert_array_equal(window.ctl.session.net.params, start)
    assert window.ctl.walkthrough.stage.kind == "backward"
    assert window.caption.text() == caption_before
    right(qtbot, window)
    assert window.ctl.walkthrough.stage.kind == "update"


def test_left_arrow_takes_back_a_whole_training_beat(qtbot, window):
    window.load_lesson("linear-vs-xor")
    while window.ctl.session.epoch == 0:
        right(qtbot, window)
    window.lesson.complete()
    assert window.ctl.session.epoch == 100
    left(qtbot, window)
    ses = window.ctl.session
    assert ses.epoch == 0 and len(ses.history.train_loss) == 0
    right(qtbot, window)
    window.lesson.complete()
    trained = ses.net.get_params()
    reference = Session.from_lesson("linear-vs-xor")
    runner = ScriptRunner(reference, load_lesson("linear-vs-xor").actions)
    while reference.epoch < 100:
        runner.step()
    np.testing.assert_array_equal(trained, reference.net.params)


def test_after_the_script_right_arrow_steps_by_hand_with_stage_hints(qtbot, window):
    window.load_lesson("xor")
    play_to_end(qtbot, window)
    lesson = load_lesson("xor")
    right(qtbot, window)
    wt = window.ctl.walkthrough
    assert wt.stage.kind == "forward" and wt.index == 0
    assert window.caption.text() == live(window, lesson.caption_for(wt.stage))
    h = wt.trace.layers[0].a[0]
    assert f"h⁽¹⁾ = ({fmt_text(h[0])}, {fmt_text(h[1])})" in window.caption.text()
    right(qtbot, window)
    right(qtbot, window)
    assert window.ctl.walkthrough.stage.kind == "loss"
    assert window.caption.text() == live(window, lesson.caption_for(window.ctl.walkthrough.stage))
    assert f"L = (ŷ − y)² = {fmt_text(window.ctl.walkthrough.loss)}" in window.caption.text()


def test_script_select_selects_in_the_view(qtbot, window):
    window.load_lesson("activations")
    right(qtbot, window)  # the opening caption
    right(qtbot, window)  # select neuron 1:1, its caption, forward through layer 1
    assert window.ctl.selection == ("neuron", 0, 0)
    assert window.network.selection() == ("neuron", 0, 0)
    assert window.ctl.walkthrough.stage.kind == "forward"
    right(qtbot, window)  # select neuron 2:1 (0-based layer 1)
    assert window.network.selection() == ("neuron", 1, 0)


def test_user_steps_between_beats_and_the_script_carries_on(qtbot, window):
    window.load_lesson("xor")
    for _ in range(3):
        right(qtbot, window)  # intro captions, then forward layer 1
    assert window.ctl.walkthrough.index == 0
    qtbot.keyClick(window.network, Qt.Key.Key_F)  # the user finishes the iteration
    assert window.ctl.walkthrough.done and window.ctl.session.steps == 1
    assert not window.lesson.can_go_back
    right(qtbot, window)  # the script's "forward, layer 2" on the current weights
    wt = window.ctl.walkthrough
    assert wt.stage.kind == "forward" and wt.stage.layer == 1 and not wt.done
    np.testing.assert_array_equal(wt.x, window.ctl.session.sample(0)[0])
    assert window.caption.text() == live(window, script_captions("xor")[3])
    assert f"ŷ = {fmt_text(wt.trace.output[0, 0])}" in window.caption.text()
    shown = play_to_end(qtbot, window)
    assert shown[-1] == live(window, script_captions("xor")[-1])


def test_another_session_ends_the_lesson_and_hides_the_caption(qtbot, window):
    window.load_lesson("softmax")
    assert window.caption.isVisible()
    window.files.new()
    assert not window.lesson.active
    assert not window.caption.isVisible()
    right(qtbot, window)
    assert window.ctl.walkthrough.index == 0  # plain stepping again


def test_changing_the_network_ends_the_lesson(qtbot, window):
    window.load_lesson("xor")
    window.ctl.set_net(hidden=(3,), activation=("sigmoid",))
    assert not window.lesson.active


def test_linear_vs_xor_ends_with_a_straight_boundary_and_the_failure_caption(qtbot, window):
    window.load_lesson("linear-vs-xor")
    play_to_end(qtbot, window)
    window.panels.refresh_now()
    assert "failure" in window.caption.text() and window.caption.isVisible()
    assert window.plots.isVisible()
    ses = window.ctl.session
    assert ses.epoch == 200
    assert ses.metrics()["train_acc"] <= 0.8
    x, y = window.plots.map_plot.contour.getData()
    pts = np.column_stack([x, y])
    pts = pts[np.isfinite(pts).all(axis=1)]
    assert len(pts) >= 4  # the boundary crosses the plot
    centred = pts - pts.mean(axis=0)
    straightness = np.linalg.svd(centred, compute_uv=False)
    assert straightness[1] < 1e-3 * straightness[0]  # every boundary point on one line


def test_perceptron_script_shows_the_zero_gradient(qtbot, window):
    window.load_lesson("perceptron")
    while window.ctl.walkthrough is None or window.ctl.walkthrough.stage is None \
            or window.ctl.walkthrough.stage.kind != "backward":
        right(qtbot, window)
    wt = window.ctl.walkthrough
    assert "every gradient is zero" in window.caption.text()
    assert all(np.all(g.dW == 0) and np.all(g.db == 0) for g in wt.grads.layers)


def test_activations_lesson_opens_the_gallery_and_another_lesson_closes_it(qtbot, window):
    assert not window.gallery_dock.isVisible()
    window.load_lesson("activations")
    assert window.gallery_dock.isVisible()
    window.load_lesson("xor")
    assert not window.gallery_dock.isVisible()


@pytest.fixture
def started(qtbot, settings):
    """A window as ``mlpviz`` without a source opens it."""
    win = MainWindow(settings=settings, offer_autosave=True)
    win.player.enabled = False
    qtbot.addWidget(win)
    win.show()
    return win


def test_start_page_is_offered_without_blocking(qtbot, started):
    qtbot.waitUntil(lambda: started.lesson_browser is not None
                    and started.lesson_browser.isVisible(), timeout=5000)
    browser = started.lesson_browser
    assert not browser.isModal()
    assert started.ctl.session.lesson.name == "xor"  # the default lesson waits behind
    assert not started.lesson.active
    started.transport.step_action.trigger()
    assert started.ctl.walkthrough.index == 0
    qtbot.mouseClick(browser.cards["spiral"], Qt.MouseButton.LeftButton)
    assert started.ctl.session.lesson.name == "spiral"


def test_start_page_can_be_switched_off(qtbot, started, settings):
    qtbot.waitUntil(lambda: started.lesson_browser is not None, timeout=5000)
    started.lesson_browser.show_at_start.setChecked(False)
    qtbot.mouseClick(started.lesson_browser.close_button, Qt.MouseButton.LeftButton)
    again = MainWindow(settings=settings, offer_autosave=True)
    qtbot.addWidget(again)
    again.show()
    qtbot.wait(20)
    assert again.lesson_browser is None


def test_a_window_view_render_never_shows_the_browser(qtbot):
    from mlpviz.ui.video.frame_renderer import FrameRenderer

    renderer = FrameRenderer(Session.from_lesson("xor"), "", (640, 360), view="window")
    try:
        renderer.still()
        qtbot.wait(20)
        assert renderer.panels.window().lesson_browser is None
        assert renderer.panels.caption.text() == ""
    finally:
        renderer.close()


def test_a_damaged_lesson_file_does_not_hide_the_others(qtbot, tmp_path, monkeypatch):
    import shutil

    from mlpviz.model import lessons as lessons_module
    from mlpviz.paths import lessons_dir
    from mlpviz.ui.teaching.lesson_browser import LessonBrowser

    for name in ("xor", "spiral"):
        shutil.copy(lessons_dir() / f"{name}.json", tmp_path / f"{name}.json")
    (tmp_path / "broken.json").write_text("{ not json", encoding="utf-8")
    monkeypatch.setattr(lessons_module, "lessons_dir", lambda: tmp_path)
    browser = LessonBrowser()
    qtbot.addWidget(browser)
    assert list(browser.cards) == ["xor", "spiral"]
    texts = [label.text() for label in browser.findChildren(type(browser.cards["xor"].title_label))]
    assert any("broken.json" in t for t in texts)
