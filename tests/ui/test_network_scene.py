"""What the diagram shows per frame: values, known masks, what a stage reveals, scales."""

import numpy as np
import pytest

from mlpviz.engine import MLP
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Stage, Walkthrough
from mlpviz.ui.diagram.network_layout import NetworkLayout
from mlpviz.ui.diagram.network_scene import (
    LABEL_EDGES,
    WeightScale,
    build_scene,
    choose_edges,
    edge_labels,
    gradient_scale,
    place_labels,
    robust_max,
    round_up,
    values_from_sample,
    values_from_walkthrough,
)

X = np.array([[1.0, 0.5], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
Y = np.array([[1.0], [1.0], [0.0], [0.0]])


@pytest.fixture
def session():
    net = MLP([2, 3, 1], ["tanh", "sigmoid"], seed=1, init_scale=1.0)
    return Session.from_arrays(X, Y, net=net, learning_rate=0.5)


def scene_of(session, wt=None, mode="a", animating=False, sample=(X[:1], Y[:1]),
             wscale=None, locked=False):
    net = session.net
    layout = NetworkLayout(net.sizes, 900, 520)
    if wt is not None:
        v = values_from_walkthrough(net, wt, animating)
    else:
        v = values_from_sample(net, *sample) if sample is not None else None
    return build_scene(net, layout, v, mode, choose_edges(net, layout), wscale, locked)


def test_idle_scene_shows_the_traced_sample_forward_values(session):
    sc = scene_of(session)
    tr = session.net.forward(X[:1])
    assert sc.qty == "a" and sc.eqty == "w" and sc.anim is None
    assert np.allclose(sc.cols[1].val, tr.layers[0].a[0]) and sc.cols[1].known.all()
    assert np.allclose(sc.cols[0].val, X[0])
    assert sc.loss == pytest.approx(session.net.evaluate(X[:1], Y[:1]))
    assert sc.target.tolist() == [1.0]


def test_without_a_target_there_is_no_loss_and_without_a_sample_nothing_is_known(session):
    sc = scene_of(session, sample=(X[:1], None))
    assert sc.loss is None and sc.target is None and sc.cols[1].known.all()
    sc = scene_of(session, sample=None)
    assert not any(c.known.any() for c in sc.cols)
    assert all(e.known.all() for e in sc.edges)  # the weights are always known


def test_at_the_start_of_a_walkthrough_only_the_inputs_are_known(session):
    sc = scene_of(session, Walkthrough(session, sample=0))
    assert sc.cols[0].known.all()
    assert not sc.cols[1].known.any() and not sc.cols[2].known.any()
    assert sc.loss is None and not sc.yhat_known.any()


def test_an_animated_forward_stage_reveals_its_layer_and_pulses_its_edges(session):
    wt = Walkthrough(session, sample=0)
    wt.next()
    sc = scene_of(session, wt, animating=True)
    assert sc.anim == ("forward", 0, None)
    assert sc.cols[1].new.all() and sc.cols[1].known.all()
    w, x = session.net.weights[0], X[0]
    e = sc.edges[0]
    assert np.allclose(e.pulse, w[e.i, e.j] * x[e.j])
    assert not sc.edges[1].pulse.any()
    assert not scene_of(session, wt, animating=False).cols[1].new.any()


def test_neuron_granularity_animates_only_that_neurons_edges(session):
    wt = Walkthrough(session, sample=0, granularity="neuron")
    wt.next()
    wt.next()
    assert wt.stage == Stage("forward", 0, 1)
    sc = scene_of(session, wt, animating=True)
    assert sc.cols[1].known.tolist() == [True, True, False]
    assert sc.cols[1].new.tolist() == [False, True, False]
    e = sc.edges[0]
    assert (e.pulse[e.i != 1] == 0).all() and (e.pulse[e.i == 1] != 0).all()


def test_backward_keeps_a_on_neurons_adds_delta_badges_and_gradients_where_computed(session):
    wt = Walkthrough(session, sample=0)
    while wt.stage != Stage("backward", 1):
        wt.next()
    sc = scene_of(session, wt, animating=True)
    assert sc.qty == "a" and sc.eqty == "∂L/∂w" and sc.ekind == "grad"
    # the activation stays on the neuron, δ is beside it
    assert np.allclose(sc.cols[2].val, wt.trace.layers[1].a[0]) and sc.cols[2].known.all()
    assert not sc.cols[2].new.any()
    assert np.allclose(sc.badges[2].val, wt.grads.layers[1].dz[0])
    assert sc.badges[2].new.all() and not sc.badges[1].known.any()
    assert sc.edges[1].known.all() and sc.edges[1].new.all()
    assert not sc.edges[0].known.any()
    assert np.allclose(sc.edges[1].val, wt.grads.layers[1].dW[sc.edges[1].i, sc.edges[1].j])
    assert sc.biases[1].known.all() and not sc.biases[0].known.any()


def test_update_morphs_from_the_old_to_the_new_weights(session):
    wt = Walkthrough(session, sample=0)
    wt.finish()
    sc = scene_of(session, wt, animating=True)
    assert sc.anim == ("update", None, None) and sc.eqty == "w" and sc.ekind == "update"
    assert sc.loss == pytest.approx(wt.loss)
    assert sc.loss_after == pytest.approx(session.net.evaluate(wt.x, wt.y))
    e = sc.edges[0]
    assert np.allclose(e.before, wt.weights_before[0][e.i, e.j])
    assert np.allclose(e.val, wt.weights_after[0][e.i, e.j])
    assert e.new.all() and not np.allclose(e.before, e.val)
    assert np.allclose(sc.biases[0].before, wt.biases_before[0])


def test_delta_mode_fills_neurons_with_delta_and_needs_no_badges(session):
    wt = Walkthrough(session, sample=0)
    while wt.stage != Stage("backward", 1):
        wt.next()
    sc = scene_of(session, wt, mode="delta")
    assert sc.qty == "δ" and sc.badges is None
    assert np.allclose(sc.cols[2].val, wt.grads.layers[1].dz[0])


@pytest.mark.parametrize(("mode", "qty"), [("z", "z"), ("delta", "δ"), ("none", "a")])
def test_value_modes_choose_the_quantity_on_neurons(session, mode, qty):
    sc = scene_of(session, mode=mode)
    assert sc.qty == qty and sc.show_values == (mode != "none")
    tr = session.net.forward(X[:1])
    gr = session.net.backward(tr, Y[:1])
    expected = {"z": tr.layers[0].z, "δ": gr.layers[0].dz, "a": tr.layers[0].a}[qty]
    assert np.allclose(sc.cols[1].val, expected[0])


def test_a_batch_walkthrough_shows_batch_means(session):
    wt = Walkthrough(session, batch=True)
    wt.next()
    sc = scene_of(session, wt)
    assert sc.batch == wt.x.shape[0] > 1
    assert np.allclose(sc.cols[1].val, wt.trace.layers[0].a.mean(axis=0))


def test_past_the_edge_budget_the_strongest_edges_are_drawn():
    net = MLP([16, 16, 16], "tanh", seed=0)
    layout = NetworkLayout(net.sizes, 1280, 720)
    chosen = choose_edges(net, layout, budget=100)
    for l, (i, j, segs) in enumerate(chosen):
        assert i.size == 50 and segs.shape == (50, 4)
        w = np.abs(net.weights[l])
        assert np.abs(w[i, j]).min() >= np.sort(w.ravel())[-50]
    assert sum(c[0].size for c in choose_edges(net, layout)) == 512


def test_scales_cover_the_values_and_round_up_to_legend_values(session):
    sc = scene_of(session)
    assert sc.scale == sc.ascale == 1.0  # |x|, |a| and y are at most 1 here
    p95 = robust_max(session.net.weights + session.net.biases)
    assert p95 <= sc.escale <= 2 * p95
    assert sc.escale in (0.5, 1.0, 2.0, 2.5, 5.0)


def test_robust_max_and_round_up():
    assert robust_max([np.array([0.0, 1.0, -2.0])]) == pytest.approx(1.9)
    assert robust_max([np.r_[np.ones(99), 1000.0]]) < 60  # one outlier does not count
    assert robust_max([np.array([np.nan, np.inf])]) == 0.0
    assert round_up(0.1652) == pytest.approx(0.17)
    assert round_up(1.37) == pytest.approx(1.4) and round_up(0.17) == pytest.approx(0.17)
    assert round_up(0.0) == 1.0 and round_up(float("nan")) == 1.0


def test_each_backward_stage_gets_a_scale_of_its_own_gradients_or_one_locked_scale():
    session = Session.from_lesson("backprop-derivation")
    wt = Walkthrough(session, sample=0)
    scales = {}
    while not wt.done:
        wt.next()
        if wt.stage.kind == "backward":
            v = values_from_walkthrough(session.net, wt, False)
            sc = scene_of(session, wt)
            g = wt.grads.layers[wt.stage.layer]
            p95 = robust_max([g.dW])
            assert p95 <= sc.escale <= 1.1 * p95
            assert sc.escale == gradient_scale(v, wt.stage, locked=False)
            locked = scene_of(session, wt, locked=True)
            assert locked.escale == gradient_scale(v, wt.stage, locked=True)
            scales[wt.stage.layer] = (sc.escale, locked.escale)
            assert "this stage" in sc.legend[1].note and "all stages" in locked.legend[1].note
    # layer 1's gradients (0.05 … 0.17) are far smaller than layer 2's (0.82, 0.86):
    # own scales differ, the locked scale is one for both
    assert scales[0][0] == pytest.approx(0.16) and scales[1][0] == pytest.approx(0.86)
    assert scales[0][1] == scales[1][1] > 4 * scales[0][0]


def test_weight_scale_is_fixed_grows_with_headroom_only_when_outgrown_and_rescales_on_request():
    ws = WeightScale()
    assert ws.observe([np.array([0.4, -0.2, 0.3, 0.6])]) == 1.0 and ws.note == ""
    # weights shrink, or grow within the scale: it stays
    assert ws.observe([np.array([0.01, 0.02])]) == 1.0
    assert ws.observe([np.array([0.9, -0.95, 0.5])]) == 1.0 and ws.previous is None
    # outgrown: it grows to a nice number with headroom, and says so
    assert ws.observe([np.array([1.9, -1.7, 0.3])]) == 2.5
    assert ws.note == "scale ±1 → ±2.5"
    # one huge outlier among many weights does not grow it
    assert ws.observe([np.r_[np.full(200, 0.5), 40.0]]) == 2.5
    # never shrinks by itself; on request it fits the weights now
    assert ws.observe([np.array([0.1])]) == 2.5
    assert ws.rescale([np.array([0.1, -0.2])]) == 0.2 and ws.note == "scale ±2.5 → ±0.2"
    ws.reset()
    assert ws.scale is None and ws.observe([np.array([3.0])]) == 5.0 and ws.note == ""


def test_one_weight_edit_does_not_change_the_weight_scale(session):
    ws = WeightScale()
    first = scene_of(session, wscale=ws).escale
    session.net.weights[0][0, 0] = 0.9 * first  # large, but inside the scale
    assert scene_of(session, wscale=ws).escale == first
    session.net.weights[0][0, 0] = 50 * first  # one outlier among 13 values: p95 grows
    grown = scene_of(session, wscale=ws)
    assert grown.escale > first and f"±{first:g} → " in grown.legend[1].note


def test_small_networks_get_numbers_on_edges_in_backward_and_update_only(session):
    wt = Walkthrough(session, sample=0)
    while wt.stage != Stage("backward", 1):
        wt.next()
    sc = scene_of(session, wt)
    e = sc.edges[1]
    labels = {(lab.layer, lab.k): lab for lab in sc.labels}
    assert set(labels) == {(1, k) for k in range(e.i.size)}  # only the known gradients
    assert [abs(lab.value) for lab in sc.labels] == sorted(
        (abs(lab.value) for lab in sc.labels), reverse=True)
    wt.finish()
    sc = scene_of(session, wt)
    assert sc.ekind == "update" and len(sc.labels) == sum(e.i.size for e in sc.edges)
    lab = sc.labels[0]
    d = sc.edges[lab.layer].val[lab.k] - sc.edges[lab.layer].before[lab.k]
    assert lab.value == pytest.approx(d) and lab.text.startswith("Δ ")
    assert scene_of(session).labels == []  # forward / idle: no numbers on edges
    big = MLP([6, 8, 1], "tanh", seed=0)
    layout = NetworkLayout(big.sizes, 900, 520)
    v = values_from_sample(big, np.ones((1, 6)), np.ones((1, 1)))
    v.stage, v.dW = Stage("backward", 0), v.dW
    edges = choose_edges(big, layout)
    assert sum(e[0].size for e in edges) > LABEL_EDGES
    assert edge_labels(build_scene(big, layout, v, "a", edges).edges, "grad") == []


def test_placed_labels_never_overlap_each_other_or_obstacles():
    rng = np.random.default_rng(0)
    segs = np.c_[np.full(30, 0.0), rng.uniform(0, 400, 30), np.full(30, 300.0),
                 rng.uniform(0, 400, 30)]
    sizes = np.c_[rng.uniform(30, 60, 30), np.full(30, 18.0)]
    obstacles = np.array([[140.0, 180.0, 40.0, 40.0]])
    rects = place_labels(segs, sizes, obstacles)
    placed = [r for r in rects if r is not None]
    assert len(placed) >= 10

    def overlap(a, b):
        return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and \
            b[1] < a[1] + a[3]

    for k, a in enumerate(placed):
        assert not overlap(a, obstacles[0])
        assert not any(overlap(a, b) for b in placed[k + 1:])
    # each sits on its own edge, centred on a point of the segment
    for (x0, y0, x1, y1), r in zip(segs, rects, strict=True):
        if r is not None:
            cx, cy = r[0] + r[2] / 2, r[1] + r[3] / 2
            f = (cx - x0) / (x1 - x0)
            assert 0 < f < 1 and cy == pytest.approx(y0 + (y1 - y0) * f)


def test_labels_keep_off_the_crossing_of_other_edges():
    # an X: both edges cross at (100, 100); a number there would belong to either
    segs = np.array([[0.0, 0.0, 200.0, 200.0], [0.0, 200.0, 200.0, 0.0]])
    rects = place_labels(segs, np.array([[40.0, 16.0], [40.0, 16.0]]),
                         fractions=(0.5, 0.3, 0.7))
    for r, other in zip(rects, segs[::-1], strict=True):
        x, y, w, h = r
        assert not (x <= 100 <= x + w and y <= 100 <= y + h)
        # the other edge does not pass through the label
        t = np.linspace(0, 1, 400)
        px, py = other[0] + (other[2] - other[0]) * t, other[1] + (other[3] - other[1]) * t
        assert not ((px > x) & (px < x + w) & (py > y) & (py < y + h)).any()


def test_robust_max_of_a_big_network_is_estimated_from_a_sample_with_the_same_result():
    rng = np.random.default_rng(1)
    weights = [rng.uniform(-3, 3, (128, 784)), rng.uniform(-3, 3, (64, 128)), np.zeros(64)]
    exact = robust_max(weights, most=10**9)
    assert robust_max(weights) == pytest.approx(exact, rel=0.01)
    ws = WeightScale()
    assert ws.observe(weights) == 5.0


def test_a_neuron_stage_is_scaled_by_its_own_row():
    session = Session.from_lesson("backprop-derivation")
    wt = Walkthrough(session, sample=0, granularity="neuron")
    while wt.stage != Stage("backward", 0, 1):
        wt.next()
    v = values_from_walkthrough(session.net, wt, True)
    row = wt.grads.layers[0].dW[1]
    assert gradient_scale(v, wt.stage, locked=False) == round_up(robust_max([row]))
    sc = scene_of(session, wt, animating=True)
    assert sc.badges[1].new.tolist() == [False, True]  # only this neuron's δ fades in
    assert sc.badges[1].known.tolist() == [True, True]
