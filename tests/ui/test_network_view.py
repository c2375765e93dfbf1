"""The network diagram widget: pixels, tooltips, selection, inline editing, big networks."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QHelpEvent, QImage, QMouseEvent
from PySide6.QtWidgets import QApplication, QToolTip

from mlpviz.engine import MLP
from mlpviz.model.notation.mathtext import fmt_text
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Stage, Walkthrough
from mlpviz.ui.colors import THEMES, diverging
from mlpviz.ui.diagram.network_view import EditError, NetworkView, parse_value

TOL = 20
W1 = np.array([[2.5, 0.1], [-0.1, -2.5]])
B1 = np.array([0.1, -0.1])
W2 = np.array([[1.0, -1.0]])
B2 = np.array([0.0])
X = np.array([[1.0, 0.5], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
Y = np.array([[1.0], [1.0], [0.0], [0.0]])


@pytest.fixture
def net():
    return MLP.from_params([W1, W2], [B1, B2], ["sigmoid", "sigmoid"], loss="mse")


@pytest.fixture
def session(net):
    return Session.from_arrays(X, Y, net=net, learning_rate=0.5)


@pytest.fixture
def view(qtbot, net):
    v = NetworkView()
    qtbot.addWidget(v)
    v.resize(900, 520)
    v.set_network(net, ["x1", "x2"], ["ŷ"])
    v.set_walkthrough(None, (X[:1], Y[:1]))
    v.show()
    qtbot.waitExposed(v)
    return v


def pixel_near(img: QImage, x: float, y: float, colour: QColor, tol: int = TOL) -> bool:
    """Whether some pixel within 1 px of (x, y) matches ``colour`` within tol per channel."""
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            c = img.pixelColor(round(x) + dx, round(y) + dy)
            if all(abs(a - b) <= tol for a, b in zip(c.getRgb()[:3], colour.getRgb()[:3],
                                                     strict=True)):
                return True
    return False


def grab(view: NetworkView) -> QImage:
    return view.grab().toImage()


def upper_inside(view: NetworkView, l: int, i: int) -> tuple[float, float]:
    """A point inside neuron i of layer l, away from its centred number and bias marker."""
    layout = view.diagram_layout()
    x, y = layout.pos(l, i)
    return x, y - 0.6 * layout.r


def test_strong_positive_and_negative_edges_show_the_two_scale_colours(view):
    th = THEMES["light"]
    layout = view.diagram_layout()
    assert view.scene(layout).escale == pytest.approx(2.5)
    img = grab(view)
    assert pixel_near(img, *layout.edge_midpoint(0, 0, 0), QColor(th.pos))
    assert pixel_near(img, *layout.edge_midpoint(0, 1, 1), QColor(th.neg))


def test_unknown_neuron_is_hollow_until_its_forward_stage_completes(view, session):
    th = THEMES["light"]
    wt = Walkthrough(session, sample=0)
    view.set_walkthrough(wt, (X[:1], Y[:1]))
    assert pixel_near(grab(view), *upper_inside(view, 0, 0), QColor(th.background))
    stage = wt.next()
    assert stage == Stage("forward", 0)
    view.set_frame(stage, 0.3)  # the fill grows from the centre: not there yet
    assert pixel_near(grab(view), *upper_inside(view, 0, 0), QColor(th.background))
    view.set_frame(stage, 1.0)
    a = float(wt.trace.layers[0].a[0, 0])
    scale = view.scene(view.diagram_layout()).scale
    assert pixel_near(grab(view), *upper_inside(view, 0, 0), diverging(a, scale, th))
    # the output layer is still unknown
    assert pixel_near(grab(view), *upper_inside(view, 1, 0), QColor(th.background))


def test_a_frame_of_another_stage_shows_the_current_stage_complete(view, session):
    wt = Walkthrough(session, sample=0)
    wt.next()
    view.set_walkthrough(wt, X[:1])
    view.set_frame(Stage("backward", 1), 0.2)
    a = float(wt.trace.layers[0].a[0, 0])
    colour = diverging(a, view.scene(view.diagram_layout()).scale, THEMES["light"])
    assert pixel_near(grab(view), *upper_inside(view, 0, 0), colour)


def test_backward_colours_edges_by_their_gradient(view, session):
    th = THEMES["light"]
    wt = Walkthrough(session, sample=0)
    while wt.stage != Stage("backward", 1):
        wt.next()
    view.set_walkthrough(wt, X[:1])
    view.set_frame(wt.stage, 1.0)
    layout = view.diagram_layout()
    scene = view.scene(layout)
    assert scene.eqty == "∂L/∂w" and scene.qty == "a"
    dW = float(wt.grads.layers[1].dW[0, 0])
    f = np.clip(dW / scene.escale, -1, 1)
    expected = diverging(np.sign(f) * abs(f) ** scene.egamma, 1.0, th)
    x0, y0, x1, y1 = scene.edges[1].segs[0]
    # a point on the edge, a third of the way in (the number sits further along)
    assert pixel_near(grab(view), x0 + (x1 - x0) * 0.3, y0 + (y1 - y0) * 0.3, expected)
    # the neuron keeps its activation; δ rings it
    a = float(wt.trace.layers[1].a[0, 0])
    assert pixel_near(grab(view), *upper_inside(view, 1, 0), diverging(a, scene.scale, th))
    # layer 0 is still unknown: no ring yet, and its input edges are dotted grey
    assert scene.badges[1].known.sum() == 0


def test_hover_tooltip_lists_the_neuron_values(view, session):
    wt = Walkthrough(session, sample=0)
    wt.next()
    view.set_walkthrough(wt, X[:1])
    layout = view.diagram_layout()
    x, y = layout.pos(0, 1)
    pos = QPoint(round(x), round(y))
    ev = QHelpEvent(QEvent.Type.ToolTip, pos, view.mapToGlobal(pos))
    view.event(ev)
    text = QToolTip.text()
    z = float(wt.trace.layers[0].z[0, 1])
    a = float(wt.trace.layers[0].a[0, 1])
    assert f"z₂⁽¹⁾ = {fmt_text(z)}" in text
    assert f"h₂⁽¹⁾ = {fmt_text(a)}" in text  # the app's notation: h for hidden activations
    assert "δ₂⁽¹⁾ = ∂L/∂z₂⁽¹⁾ = not computed yet" in text


def test_edge_tooltip_shows_weight_and_gradient(view):
    text = view.tooltip_text(("edge", 0, 1, 1))
    assert "w₂₂⁽¹⁾ = −2.5" in text and "∂L/∂w₂₂⁽¹⁾ = " in text
    assert "not computed" not in text and "of W⁽¹⁾" in text


def test_hover_emits_the_item_under_the_mouse(view, qtbot):
    # a move event straight to the view: another top-level window left under the
    # system cursor by an earlier test must not swallow it
    x, y = view.diagram_layout().pos(1, 0)
    with qtbot.waitSignal(view.hovered) as blocker:
        local = QPointF(round(x), round(y))
        QApplication.sendEvent(view, QMouseEvent(
            QEvent.Type.MouseMove, local, view.mapToGlobal(local), Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
    assert blocker.args == [("neuron", 1, 0)]


@pytest.mark.parametrize("item", [("neuron", 0, 1), ("neuron", -1, 0), ("edge", 0, 0, 0),
                                  ("bias", 0, 1)])
def test_click_selects_and_emits_the_item(view, qtbot, item):
    layout = view.diagram_layout()
    if item[0] == "neuron":
        x, y = layout.pos(item[1], item[2])
    elif item[0] == "edge":
        x, y = layout.edge_midpoint(item[1], item[2], item[3])
    else:
        bx, by, bw, bh = layout.bias_rect(item[1], item[2])
        x, y = bx + bw / 2, by + bh / 2
    with qtbot.waitSignal(view.selectionChanged) as blocker:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))
    assert blocker.args == [item]
    assert view.selection() == item


def test_selected_neuron_gets_an_accent_ring(view):
    layout = view.diagram_layout()
    view.set_selection(("neuron", 0, 0))
    x, y = layout.pos(0, 0)
    ring = layout.r + 4 * layout.s
    assert pixel_near(grab(view), x, y - ring, QColor(THEMES["light"].accent), tol=40)


def test_double_click_on_an_edge_and_typing_emits_weight_edited(view, qtbot):
    x, y = view.diagram_layout().edge_midpoint(1, 0, 1)
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))
    assert view.editor.isVisible()
    view.editor.selectAll()
    qtbot.keyClicks(view.editor, "0.75")
    with qtbot.waitSignal(view.weightEdited) as blocker:
        qtbot.keyClick(view.editor, Qt.Key.Key_Return)
    assert blocker.args == [1, 0, 1, 0.75]
    assert not view.editor.isVisible()


def test_double_click_on_a_neuron_edits_its_bias(view, qtbot):
    x, y = view.diagram_layout().pos(0, 1)
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))
    assert view.editor.text() == "-0.1"
    view.editor.selectAll()
    view.editor.insert("−1,5")  # a true minus and a decimal comma (QTest types ASCII only)
    with qtbot.waitSignal(view.biasEdited) as blocker:
        qtbot.keyClick(view.editor, Qt.Key.Key_Enter)
    assert blocker.args == [0, 1, -1.5]


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "", "1e9"])
def test_invalid_edits_are_refused_with_a_visible_message(view, qtbot, text):
    emitted = []
    view.weightEdited.connect(lambda *a: emitted.append(a))
    assert view.open_editor(("edge", 0, 0, 0))
    view.editor.selectAll()
    view.editor.del_()
    qtbot.keyClicks(view.editor, text)
    qtbot.keyClick(view.editor, Qt.Key.Key_Return)
    assert emitted == []
    assert view.edit_message.isVisible() and view.edit_message.text()
    assert view.editor.isVisible()
    qtbot.keyClick(view.editor, Qt.Key.Key_Escape)
    assert not view.editor.isVisible() and not view.edit_message.isVisible()


def test_inputs_hold_no_parameter_to_edit(view):
    assert not view.open_editor(("neuron", -1, 0))
    assert not view.editor.isVisible()


def test_parse_value_accepts_numbers_and_names_the_problem():
    assert parse_value(" 0.75 ") == 0.75
    assert parse_value("−2") == -2.0
    with pytest.raises(EditError, match="not a number"):
        parse_value("abc")
    with pytest.raises(EditError, match="NaN"):
        parse_value("nan")


def test_unknown_value_mode_is_an_error(view):
    with pytest.raises(ValueError, match="value mode"):
        view.set_value_mode("grad")


def test_wide_network_is_elided_and_paints(qtbot):
    net = MLP([784, 128, 64, 10], ["relu", "relu", "softmax"], loss="cross_entropy", seed=0)
    v = NetworkView()
    qtbot.addWidget(v)
    v.set_network(net, [f"p{i}" for i in range(784)], [f"class {k}" for k in range(10)])
    x = np.random.default_rng(0).random((1, 784))
    v.set_walkthrough(None, (x, np.eye(10)[[3]]))
    layout = v.diagram_layout(1280, 720)
    assert [c.more for c in layout.columns] == [769, 113, 49, 0]
    assert [c.shown.size for c in layout.columns] == [15, 15, 15, 10]
    scene = v.scene(layout)
    assert sum(e.i.size for e in scene.edges) == 15 * 15 * 2 + 15 * 10
    light = v.render_image(1280, 720)
    v.set_theme("dark")
    dark = v.render_image(1280, 720)
    assert light.size().width() == 1280 and dark.size().height() == 720
    assert light != dark
    assert pixel_near(dark, 3, 3, QColor(THEMES["dark"].background), tol=2)
    assert pixel_near(light, 3, 3, QColor(THEMES["light"].background), tol=2)
    # the "⋮ 769 more" label (dark text on a pill that hides the edges) sits in the gap
    col = layout.columns[0]
    row = [light.pixelColor(round(col.x) + dx, round(col.more_y)).lightness()
           for dx in range(-30, 31)]
    assert min(row) < 160


def test_render_image_needs_no_window_and_has_the_exact_size(qtbot, net):
    v = NetworkView()
    qtbot.addWidget(v)
    v.set_network(net, ["x1", "x2"], ["ŷ"])
    img = v.render_image(1920, 1080)
    assert (img.width(), img.height()) == (1920, 1080)
    assert not v.isVisible()


def test_svg_export_parses_and_holds_the_edges(view, tmp_path):
    path = tmp_path / "net.svg"
    view.svg(path, 1280, 720)
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    shapes = [el for el in root.iter() if el.tag.split("}")[-1] in ("polyline", "line", "path")]
    assert len(shapes) >= 6  # 6 edges plus circles and markers


def test_thumbnails_show_each_neurons_map_beside_it(view):
    maps = [np.zeros((8, 8, 2)), np.zeros((8, 8, 1))]
    maps[0][:, :, 0] = 1.0
    maps[0][:, :, 1] = -1.0
    view.set_thumbnails(maps)
    layout = view.diagram_layout()
    img = grab(view)
    th = THEMES["light"]
    for i, colour in ((0, th.pos), (1, th.neg)):
        x, y, w, h = layout.thumb_rect(0, i)
        assert pixel_near(img, x + w / 2, y + h / 2, QColor(colour))
    view.set_thumbnails(None)
    assert view.diagram_layout().thumb_rect(0, 0) is None


def test_colorblind_theme_draws_negative_edges_dashed(view):
    th = THEMES["colorblind"]
    view.set_theme(th)
    layout = view.diagram_layout()
    (x0, y0), (x1, _) = layout.pos(-1, 1), layout.pos(0, 1)
    img = grab(view)
    xs = np.linspace(x0 + 0.3 * (x1 - x0), x0 + 0.7 * (x1 - x0), 80)
    hits = [pixel_near(img, x, y0, QColor(th.neg)) for x in xs]
    gaps = [img.pixelColor(round(x), round(y0)) == QColor(th.background) for x in xs]
    assert any(hits) and any(gaps)
    (x0, y0), (x1, _) = layout.pos(-1, 0), layout.pos(0, 0)
    solid = [pixel_near(img, x0 + f * (x1 - x0), y0, QColor(th.pos))
             for f in np.linspace(0.3, 0.7, 80)]
    assert all(solid)


def test_refresh_after_an_edit_redraws_the_edge(view, net):
    th = THEMES["light"]
    layout = view.diagram_layout()
    mid = layout.edge_midpoint(0, 0, 0)
    assert pixel_near(grab(view), *mid, QColor(th.pos))
    net.weights[0][0, 0] = -2.5  # what the controller does on weightEdited
    view.refresh()
    assert pixel_near(grab(view), *mid, QColor(th.neg))


def test_loss_node_tooltip_names_the_loss_and_its_value(view, net):
    lx, ly, lw, lh = view.diagram_layout().loss_rect
    pos = QPoint(round(lx + lw / 2), round(ly + lh / 2))
    view.event(QHelpEvent(QEvent.Type.ToolTip, pos, view.mapToGlobal(pos)))
    loss = net.evaluate(X[:1], Y[:1])
    assert "Loss (mse)" in QToolTip.text() and f"L = {fmt_text(loss)}" in QToolTip.text()


@pytest.mark.parametrize("size", [(360, 400), (475, 649), (1920, 1080)])
def test_column_titles_never_overlap_and_shorten_when_narrow(qtbot, size):
    net = MLP([2, 8, 8, 8, 1], ["tanh", "tanh", "tanh", "sigmoid"], loss="bce", seed=0)
    v = NetworkView()
    qtbot.addWidget(v)
    v.set_network(net, ["x₁", "x₂"], ["ŷ"])
    v.set_walkthrough(None, (X[:1], Y[:1]))
    pr = v.painter_for(v.diagram_layout(*size))
    plan = pr.title_plan()
    assert len(plan) == 5 + (0 if pr.L.loss_below else 1)
    for (x0, w0, *_), (x1, w1, *_) in zip(plan, plan[1:], strict=False):
        assert x0 + w0 / 2 <= x1 - w1 / 2
    for _x, w, line1, line2, shrink in plan:
        fm1, fm2 = QFontMetricsF(pr.f_title), QFontMetricsF(pr.f_sub)
        assert fm1.horizontalAdvance(line1) * shrink <= w * 1.05
        assert fm2.horizontalAdvance(line2) * shrink <= w * 1.05
    hidden = plan[1][2:4]
    if size[0] >= 1920:
        assert hidden == ("Hidden 1 (tanh)", "8 neurons")
    else:
        assert hidden[1] == "tanh · 8" and hidden[0] in ("Hidden 1", "H1")


def test_thumbnails_are_thinned_to_their_drawn_size_with_plus_y_on_top():
    from mlpviz.ui.diagram.network_chrome import thumbnail_images

    m = np.zeros((100, 100, 2))
    m[:50, :, 0], m[50:, :, 0] = -3.0, 3.0  # rows 0..49 are the lower half of the plane
    m[:, :, 1] = np.nan
    th = THEMES["light"]
    first, nan_map = thumbnail_images([m], th, side=40)[0]
    assert (first.width(), first.height()) == (50, 50)
    assert pixel_near(first, 25, 3, QColor(th.pos), tol=2)
    assert pixel_near(first, 25, 46, QColor(th.neg), tol=2)
    assert pixel_near(nan_map, 25, 25, QColor(th.neutral), tol=2)
    full = thumbnail_images([m], th)[0][0]
    assert (full.width(), full.height()) == (100, 100)


def test_a_stage_title_too_wide_beside_the_legend_is_written_whole_below_it(qapp):
    """A narrow diagram (the window's network pane on a small screen) never cuts the
    stage's name to "Backw…": it goes under the legend when the neurons leave room."""
    from mlpviz.ui.controller import output_labels
    from mlpviz.ui.diagram.network_paint import title_lines

    s = Session.from_lesson("xor")
    wt = Walkthrough(s, sample=0)
    while wt.stage is None or wt.stage.kind != "backward":
        wt.next()
    v = NetworkView()
    v.set_network(s.net, list(s.input_labels), output_labels(s))
    v.set_walkthrough(wt)
    img = v.render_image(420, 560)
    pr = v.painter_for(v.diagram_layout(420, 560))
    below = pr.legend.rect().bottom()
    fg = QColor(THEMES["light"].foreground)

    def inked(x0, y0, x1, y1):
        return any(pixel_near(img, x, y, fg, 60) for x in range(int(x0), int(x1), 2)
                   for y in range(int(y0), int(y1), 2))

    assert not inked(18, 12, 60, 34)  # nothing squeezed in beside the legend
    assert inked(18, below + 4, 140, below + 26)  # the whole title under it
    # the fallback: two lines between words, nothing lost when they fit
    fm = QFontMetricsF(v.font())
    lines = title_lines("Backward: layer 1", fm, fm.horizontalAdvance("Backward: lay"))
    assert lines == ["Backward:", "layer 1"]
    assert title_lines("Loss", fm, 500) == ["Loss"]


def test_tiny_losses_and_errors_fit_their_places(qapp):
    """A trained network's loss (6.302 × 10⁻⁵) fits its box and "ŷ − y = …" stays clear
    of the output neuron and inside the view, in smaller type when it must."""
    from mlpviz.ui.controller import output_labels
    from mlpviz.ui.diagram.network_chrome import LossNode

    s = Session.from_lesson("spiral")
    s.train(200)
    wt = Walkthrough(s, sample=0)
    while wt.stage is None or wt.stage.kind != "backward":
        wt.next()
    v = NetworkView()
    v.set_network(s.net, list(s.input_labels), output_labels(s))
    v.set_walkthrough(wt)
    for w, h in ((900, 700), (640, 480), (1280, 720)):
        pr = v.painter_for(v.diagram_layout(w, h))
        L, col = pr.L, pr.L.columns[-1]
        label = pr.error_label(0)
        if w >= 900:  # written in full where there is room; left out where there is none
            assert label is not None
        if label is not None:
            text, f, rect = label
            assert "×" in text  # the scientific form this test is about
            assert rect.left() >= col.x + L.r and rect.right() <= w
            assert QFontMetricsF(f).horizontalAdvance(text) <= rect.width()
        box_w = L.loss_rect[2] - 8 * L.s
        loss = fmt_text(float(pr.S.loss))
        assert QFontMetricsF(LossNode(pr)._fitted(loss, box_w)).horizontalAdvance(loss) <= box_w
