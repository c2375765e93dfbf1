"""The backward pass and the update as pictures: gradient edges clearly coloured on the
stage's own scale, δ beside the activation, numbers on edges that never overlap, and an
update whose first and last frames differ on every edge that moved."""

import numpy as np
import pytest
from PySide6.QtGui import QImage

from mlpviz.engine import MLP
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Stage, Walkthrough
from mlpviz.ui.colors import THEMES
from mlpviz.ui.diagram.network_view import NetworkView

SIZE = (1280, 720)
CLEAR = 40  # a channel this far from both the neutral and the background is "coloured"


def rgb(img: QImage, x: float, y: float) -> np.ndarray:
    c = img.pixelColor(int(round(x)), int(round(y)))
    return np.array(c.getRgb()[:3], dtype=int)


def hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[k:k + 2], 16) for k in (1, 3, 5)])


def in_rects(x: float, y: float, rects, margin: float = 3.0) -> bool:
    return any(r[0] - margin <= x <= r[0] + r[2] + margin and
               r[1] - margin <= y <= r[1] + r[3] + margin for r in rects)


def edge_points(seg, r: float, n: int = 24) -> np.ndarray:
    """Points (n, 2) along an edge from rim to rim (a margin off each neuron)."""
    x0, y0, x1, y1 = (float(v) for v in seg)
    length = np.hypot(x1 - x0, y1 - y0)
    f = np.linspace((r + 6) / length, 1 - (r + 6) / length, n)
    return np.c_[x0 + (x1 - x0) * f, y0 + (y1 - y0) * f]


def session_at(name_or_session, stage: Stage) -> tuple[Session, Walkthrough]:
    session = name_or_session if isinstance(name_or_session, Session) \
        else Session.from_lesson(name_or_session)
    wt = Walkthrough(session, sample=0)
    while wt.stage != stage:
        wt.next()
    return session, wt


def view_of(qtbot, session: Session, wt: Walkthrough, theme: str) -> NetworkView:
    view = NetworkView()
    qtbot.addWidget(view)
    view.set_theme(theme)
    view.set_network(session.net, list(session.input_labels), ["ŷ"] * session.net.sizes[-1])
    view.set_walkthrough(wt, session.sample(0))
    return view


def wide_session() -> Session:
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, (8, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    net = MLP([2, 8, 8, 1], ["tanh", "tanh", "sigmoid"], seed=2)
    return Session.from_arrays(X, Y, net=net, learning_rate=0.5)


CASES = [("backprop-derivation", Stage("backward", 0)), ("backprop-derivation",
         Stage("backward", 1)), ("xor", Stage("backward", 0)), ("wide", Stage("backward", 1)),
         ("wide", Stage("backward", 0))]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(("source", "stage"), CASES)
def test_every_edge_with_a_tenth_of_the_stage_maximum_is_clearly_coloured(
        qtbot, source, stage, theme):
    session, wt = session_at(wide_session() if source == "wide" else source, stage)
    view = view_of(qtbot, session, wt, theme)
    img = view.render_image(*SIZE)
    layout = view.diagram_layout(*SIZE)
    pr = view.painter_for(layout)
    sc = pr.S
    assert sc.ekind == "grad"
    th = THEMES[theme]
    neutral, bg = hex_rgb(th.neutral), hex_rgb(th.background)
    covered = [rect for _, rect in pr.label_spots()] + [rect for _, rect in pr.badge_spots()]
    e = sc.edges[stage.layer]
    g = np.abs(e.val)
    assert g.max() > 0
    checked = 0
    for k in np.flatnonzero(g >= 0.1 * g.max()):
        pts = [pt for pt in edge_points(e.segs[k], layout.r) if not in_rects(*pt, covered)]
        coloured = 0
        for x, y in pts:
            # the most coloured pixel within 1 px of the line
            best = max((rgb(img, x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)),
                       key=lambda c: min(np.abs(c - neutral).max(), np.abs(c - bg).max()))
            coloured += min(np.abs(best - neutral).max(), np.abs(best - bg).max()) >= CLEAR
        assert len(pts) >= 6 and coloured >= 0.8 * len(pts), (k, float(e.val[k]), coloured,
                                                             len(pts))
        checked += 1
    assert checked >= 2


@pytest.mark.parametrize("source", ["backprop-derivation", "xor", "wide"])
def test_edge_numbers_and_badges_never_overlap(qtbot, source):
    session, wt = session_at(wide_session() if source == "wide" else source,
                             Stage("backward", 0))
    for size in ((1280, 720), (1920, 1080), (640, 400)):
        view = view_of(qtbot, session, wt, "light")
        pr = view.painter_for(view.diagram_layout(*size))
        rects = [rect for _, rect in pr.label_spots()] + [rect for _, rect in pr.badge_spots()]
        if source != "wide" and size != (640, 400):
            n_edges = sum(e.i.size for e in pr.S.edges)
            assert len(pr.label_spots()) == n_edges  # every gradient has its number
        for k, a in enumerate(rects):
            for b in rects[k + 1:]:
                assert not (a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and
                            a[1] < b[1] + b[3] and b[1] < a[1] + a[3]), (a, b)
        if source == "wide":
            assert pr.S.labels == []  # too many edges: hover and selection show values


def test_delta_sits_beside_the_activation_in_its_gradient_colour(qtbot):
    session, wt = session_at("backprop-derivation", Stage("backward", 0))
    view = view_of(qtbot, session, wt, "light")
    img = view.render_image(*SIZE)
    layout = view.diagram_layout(*SIZE)
    pr = view.painter_for(layout)
    texts = [spot[2] for spot, _ in pr.badge_spots()]
    assert texts == ["δ −0.1652", "δ 0.09692", "δ −1.375"]  # the app's number format
    x, y = layout.pos(0, 0)
    ring = rgb(img, x + layout.r + 0.5 * max(3.0 * layout.s, 0.14 * layout.r) + 1.5 * layout.s,
               y)
    assert ring[0] > 200 and ring[2] < 120  # orange: δ < 0
    inside = rgb(img, x, y - 0.6 * layout.r)
    assert inside[2] > inside[0]  # blue: a = 0.599 > 0 still fills the neuron


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("source", ["backprop-derivation", "xor", "wide"])
def test_update_first_and_last_frames_differ_on_every_changed_edge(qtbot, source, theme):
    session, wt = session_at(wide_session() if source == "wide" else source,
                             Stage("update"))
    view = view_of(qtbot, session, wt, theme)
    view.set_frame(wt.stage, 0.0)
    first = view.render_image(*SIZE)
    layout = view.diagram_layout(*SIZE)
    view.set_frame(wt.stage, 1.0)
    last = view.render_image(*SIZE)
    sc = view.scene(layout)
    assert sc.ekind == "update" and sc.anim is None
    changed = 0
    for e in sc.edges:
        for k in np.flatnonzero(e.val != e.before):
            diff = max(int(np.abs(rgb(first, x, y) - rgb(last, x, y)).max())
                       for px, py in edge_points(e.segs[k], layout.r, 40)
                       for x, y in ((px + dx, py + dy) for dx in range(-5, 6, 2)
                                    for dy in range(-5, 6, 2)))
            assert diff >= 30, (k, float(e.val[k] - e.before[k]))
            changed += 1
    assert changed >= 6
    # the loss box reads the loss before, then before → after
    lx, ly, lw, lh = layout.loss_rect
    box0 = first.copy(int(lx), int(ly), int(lw), int(lh))
    box1 = last.copy(int(lx), int(ly), int(lw), int(lh))
    assert box0 != box1
    assert sc.loss_after == pytest.approx(session.net.evaluate(wt.x, wt.y))
    assert sc.loss_after < sc.loss or source == "wide"


def test_backprop_derivation_update_reads_the_lessons_numbers(qtbot):
    session, wt = session_at("backprop-derivation", Stage("update"))
    view = view_of(qtbot, session, wt, "light")
    sc = view.scene(view.diagram_layout(*SIZE))
    assert f"{sc.loss:.4f} → {sc.loss_after:.4f}" == "0.4725 → 0.1946"
    texts = {lab.text for lab in sc.labels}
    assert "Δ +0.08231" in texts and "Δ +0.08557" in texts  # W₂ moves by −0.1 ∂L/∂W₂


def test_gradient_scale_lock_is_a_view_setting(qtbot):
    session, wt = session_at("backprop-derivation", Stage("backward", 0))
    view = view_of(qtbot, session, wt, "light")
    layout = view.diagram_layout(*SIZE)
    own = view.scene(layout).escale
    view.set_gradient_scale_locked(True)
    assert view.gradient_scale_locked()
    locked = view.scene(layout)
    assert locked.escale > own and locked.legend[1].note == "one scale, all stages"
    view.set_gradient_scale_locked(False)
    assert view.scene(layout).escale == own


def test_weight_scale_survives_edits_and_rescales_on_request(qtbot):
    session = Session.from_lesson("xor")
    view = NetworkView()
    qtbot.addWidget(view)
    view.set_network(session.net, ["x1", "x2"], ["ŷ"])
    layout = view.diagram_layout(*SIZE)
    before = view.scene(layout).escale
    session.net.weights[0][0, 0] = 0.9 * before
    view.refresh()
    assert view.scene(layout).escale == before
    session.net.weights[0][:] = 0.01
    session.net.weights[1][:] = 0.01
    session.net.biases[0][:] = 0.0
    session.net.biases[1][:] = 0.0
    view.refresh()
    assert view.scene(layout).escale == before  # never shrinks by itself
    assert view.rescale_weight_colours() < before
    sc = view.scene(layout)
    assert sc.escale < before and sc.legend[1].note.startswith(f"scale ±{before:g} → ")


def test_edge_tooltip_and_selection_show_the_value_on_big_networks(qtbot):
    session, wt = session_at(wide_session(), Stage("update"))
    view = view_of(qtbot, session, wt, "light")
    text = view.tooltip_text(("edge", 1, 0, 0))
    old, new = wt.weights_before[1][0, 0], session.net.weights[1][0, 0]
    assert "→" in text and "Δw = " in text
    assert f"{new - old:+.3g}".replace("-", "−") in text
    # no numbers on the 88 edges, but the selected one gets its own
    layout = view.diagram_layout(*SIZE)
    assert view.painter_for(layout).S.labels == []
    plain = view.render_image(*SIZE)
    view.set_selection(("edge", 1, 0, 0))
    picked = view.render_image(*SIZE)
    x, y = layout.edge_midpoint(1, 0, 0)
    box = (int(x) - 20, int(y) - 6, 40, 12)
    assert plain.copy(*box) != picked.copy(*box)
