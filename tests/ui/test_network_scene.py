"""What the diagram shows per frame: values, known masks, what a stage reveals, scales."""

import numpy as np
import pytest

from mlpviz.engine import MLP
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Stage, Walkthrough
from mlpviz.ui.colors import auto_scale, nice_ceil
from mlpviz.ui.diagram.network_layout import NetworkLayout
from mlpviz.ui.diagram.network_scene import (
    build_scene,
    choose_edges,
    edge_scale,
    values_from_sample,
    values_from_walkthrough,
)

X = np.array([[1.0, 0.5], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
Y = np.array([[1.0], [1.0], [0.0], [0.0]])


@pytest.fixture
def session():
    net = MLP([2, 3, 1], ["tanh", "sigmoid"], seed=1, init_scale=1.0)
    return Session.from_arrays(X, Y, net=net, learning_rate=0.5)


def scene_of(session, wt=None, mode="a", animating=False, sample=(X[:1], Y[:1])):
    net = session.net
    layout = NetworkLayout(net.sizes, 900, 520)
    if wt is not None:
        v = values_from_walkthrough(net, wt, animating)
    else:
        v = values_from_sample(net, *sample) if sample is not None else None
    return build_scene(net, layout, v, mode, choose_edges(net, layout))


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


def test_backward_shows_delta_and_gradients_where_computed(session):
    wt = Walkthrough(session, sample=0)
    while wt.stage != Stage("backward", 1):
        wt.next()
    sc = scene_of(session, wt, animating=True)
    assert sc.qty == "δ" and sc.eqty == "∂L/∂w"
    assert np.allclose(sc.cols[2].val, wt.grads.layers[1].dz[0])
    assert sc.cols[2].new.all() and not sc.cols[1].known.any()
    assert sc.edges[1].known.all() and sc.edges[1].new.all()
    assert not sc.edges[0].known.any()
    assert np.allclose(sc.edges[1].val, wt.grads.layers[1].dW[sc.edges[1].i, sc.edges[1].j])
    assert sc.biases[1].known.all() and not sc.biases[0].known.any()


def test_update_morphs_from_the_old_to_the_new_weights(session):
    wt = Walkthrough(session, sample=0)
    wt.finish()
    sc = scene_of(session, wt, animating=True)
    assert sc.anim == ("update", None, None) and sc.eqty == "w"
    e = sc.edges[0]
    assert np.allclose(e.before, wt.weights_before[0][e.i, e.j])
    assert np.allclose(e.val, wt.weights_after[0][e.i, e.j])
    assert e.new.all() and not np.allclose(e.before, e.val)
    assert np.allclose(sc.biases[0].before, wt.biases_before[0])


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
    m = max(np.abs(p).max() for p in session.net.weights + session.net.biases)
    assert m <= sc.escale <= 2 * m
    assert sc.escale in (0.5, 1.0, 2.0, 2.5, 5.0)


def test_edge_scale_of_a_big_network_is_estimated_from_a_sample_with_the_same_result():
    rng = np.random.default_rng(1)
    weights = [rng.uniform(-3, 3, (128, 784)), rng.uniform(-3, 3, (64, 128)), np.zeros(64)]
    exact = nice_ceil(auto_scale(np.concatenate([w.ravel() for w in weights])))
    assert edge_scale(weights) == exact == 5.0
    assert edge_scale([np.array([0.3, -1.7])]) == 2.0  # small: every value counts
