"""Walkthrough: stage order, what is known when, exact undo and exact finish."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from mlpviz.engine import MLP, DivergenceError
from mlpviz.model.config import DataConfig, NetConfig, TrainConfig
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import (
    QUANTITIES,
    Stage,
    Walkthrough,
    WalkthroughError,
    net_stages,
    stage_list,
)


def make_session(sizes=(2, 3, 1), acts=None, optimizer="sgd", lr=0.5, seed=3,
                 output="sigmoid") -> Session:
    """A real Session whose network has layer ``sizes`` (3 inputs use the x1·x2 feature,
    3 outputs the 3-class blobs)."""
    features = ("x1", "x2", "x1*x2")[: sizes[0]]
    data = DataConfig(dataset="blobs3" if sizes[-1] == 3 else "xor", n=60, features=features)
    net = NetConfig(hidden=tuple(sizes[1:-1]), activation=acts or "tanh", output=output,
                    seed=seed)
    session = Session(data, net, TrainConfig(learning_rate=lr, batch_size=4, optimizer=optimizer))
    assert session.net.sizes == list(sizes)
    return session


def warm_up(session: Session, steps: int = 3) -> None:
    """Give the optimizer some state (momentum, Adam moments) before the walkthrough."""
    for k in range(steps):
        x, y = session.sample(k + 5)
        session.net.step(session.net.backward(session.net.forward(x), y), session.optimizer)


SIZES = {1: [2, 1], 2: [2, 3, 1], 3: [2, 4, 3, 1], 4: [3, 2, 4, 2, 3]}


@pytest.mark.parametrize("n_layers", [1, 2, 3, 4])
def test_layer_stages_run_forward_up_loss_backward_down_update(n_layers):
    session = make_session(SIZES[n_layers])
    wt = Walkthrough(session)
    expected = (
        [Stage("forward", l) for l in range(n_layers)]
        + [Stage("loss")]
        + [Stage("backward", l) for l in reversed(range(n_layers))]
        + [Stage("update")]
    )
    assert wt.stages == expected
    taken = []
    while (stage := wt.next()) is not None:
        taken.append(stage)
        assert wt.stage == stage
    assert taken == expected
    assert wt.done and wt.next() is None


@pytest.mark.parametrize("n_layers", [1, 2, 3, 4])
def test_neuron_stages_go_neuron_by_neuron_in_each_layer(n_layers):
    sizes = SIZES[n_layers]
    wt = Walkthrough(make_session(sizes), granularity="neuron")
    expected = [Stage("forward", l, i) for l in range(n_layers) for i in range(sizes[l + 1])]
    expected.append(Stage("loss"))
    expected += [
        Stage("backward", l, i) for l in reversed(range(n_layers)) for i in range(sizes[l + 1])
    ]
    expected.append(Stage("update"))
    assert wt.stages == expected


def test_softmax_layer_stays_one_stage_in_neuron_granularity():
    net = MLP([2, 2, 3], ["relu", "softmax"], loss="cross_entropy", seed=0)
    stages = net_stages(net, "neuron")
    assert Stage("forward", 1) in stages and Stage("backward", 1) in stages
    assert [s for s in stages if s.layer == 0 and s.kind == "forward"] == [
        Stage("forward", 0, 0), Stage("forward", 0, 1)
    ]
    assert len(stages) == 2 + 1 + 1 + 1 + 2 + 1


def test_stage_labels_are_one_based():
    assert Stage("forward", 0).label == "Forward: layer 1"
    assert Stage("backward", 0, 1).label == "Backward: neuron 2 of layer 1"
    assert Stage("loss").label == "Loss"
    assert Stage("update").label == "Update weights"


def test_unknown_granularity_is_rejected():
    with pytest.raises(WalkthroughError, match="granularity"):
        Walkthrough(make_session(), granularity="edge")


def expected_known(stages, upto, n_layers):
    """What should be known after taking stages[0..upto] in layer granularity."""
    known = [dict.fromkeys(QUANTITIES, False) for _ in range(n_layers)]
    for stage in stages[: upto + 1]:
        if stage.kind == "forward":
            known[stage.layer].update(z=True, a=True)
        elif stage.kind == "loss":
            known[-1]["da"] = True
        elif stage.kind == "backward":
            known[stage.layer].update(da=True, dz=True, dW=True, db=True)
    return known


@pytest.mark.parametrize("n_layers", [1, 2, 3])
def test_known_grows_stage_by_stage_and_shrinks_on_prev(n_layers):
    wt = Walkthrough(make_session(SIZES[n_layers]))
    assert wt.at_start and wt.stage is None
    assert wt.known == [dict.fromkeys(QUANTITIES, False)] * n_layers
    assert not wt.loss_known and not wt.updated
    for i in range(len(wt.stages)):
        wt.next()
        assert wt.known == expected_known(wt.stages, i, n_layers)
        assert wt.loss_known == (i >= n_layers)
        assert wt.updated == (i == len(wt.stages) - 1)
    for i in range(len(wt.stages) - 2, -2, -1):
        wt.prev()
        assert wt.index == i
        assert wt.known == expected_known(wt.stages, i, n_layers)
    assert wt.prev() is None and wt.at_start


def test_forward_of_layer_two_knows_only_layers_up_to_two():
    wt = Walkthrough(make_session([2, 3, 3, 1]))
    wt.next()
    wt.next()
    assert wt.is_known("a", 1) and not wt.is_known("a", 2)
    assert not wt.is_known("dz", 0) and not wt.is_known("da", 2)
    wt.next()
    wt.next()  # loss: ∂L/∂ŷ of the output layer is known, δ not yet
    assert wt.is_known("da", 2) and not wt.is_known("dz", 2)


def test_neuron_granularity_known_per_neuron():
    wt = Walkthrough(make_session([2, 3, 1]), granularity="neuron")
    wt.next()
    wt.next()  # forward: neurons 1 and 2 of layer 1
    np.testing.assert_array_equal(wt.known[0]["z"], [True, True, False])
    assert wt.is_known("a", 0, 1) and not wt.is_known("a", 0, 2) and not wt.is_known("a", 0)
    assert not wt.known[1]["z"].any()
    while wt.stage != Stage("backward", 0, 0):
        wt.next()
    np.testing.assert_array_equal(wt.known[0]["dW"], [True, False, False])
    np.testing.assert_array_equal(wt.known[1]["dz"], [True])
    with pytest.raises(WalkthroughError, match="quantity"):
        wt.is_known("delta", 0)


def test_nothing_changes_in_the_network_before_update():
    session = make_session([2, 3, 1])
    before = session.net.get_params()
    wt = Walkthrough(session)
    while wt.stages[wt.index + 1].kind != "update":
        wt.next()
    np.testing.assert_array_equal(session.net.params, before)
    assert session.steps == 0


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("granularity", ["layer", "neuron"])
def test_next_all_then_prev_all_restores_weights_and_optimizer_bit_identically(
    optimizer, granularity
):
    session = make_session([2, 4, 3, 1], optimizer=optimizer, lr=0.3)
    warm_up(session)
    params = session.net.get_params()
    state = copy.deepcopy(session.optimizer.state_dict())
    wt = Walkthrough(session, sample=2, granularity=granularity)
    for _ in wt.stages:
        wt.next()
    assert not np.array_equal(session.net.params, params)
    assert session.steps == 1
    for _ in wt.stages:
        wt.prev()
    assert wt.at_start
    assert session.net.params.tobytes() == params.tobytes()
    assert session.steps == 0
    restored = session.optimizer.state_dict()
    assert restored.keys() == state.keys()
    for key in state:
        assert np.asarray(restored[key]).tobytes() == np.asarray(state[key]).tobytes()


def direct_step(session: Session, x, y) -> np.ndarray:
    net = session.net.copy()
    opt = copy.deepcopy(session.optimizer)
    net.step(net.backward(net.forward(x), y), opt)
    return net.get_params()


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("batch", [False, True])
def test_finish_equals_one_direct_engine_step(optimizer, batch):
    session = make_session([2, 4, 3, 1], optimizer=optimizer, lr=0.2)
    warm_up(session)
    x, y = session.minibatch() if batch else session.sample(3)
    expected = direct_step(session, x, y)
    wt = Walkthrough(session, sample=3, batch=batch)
    wt.finish()
    assert session.net.params.tobytes() == expected.tobytes()
    # and the same again after stepping back and forth over the update
    wt.prev()
    wt.next()
    assert session.net.params.tobytes() == expected.tobytes()


def test_finish_then_second_iteration_matches_two_direct_steps_with_adam():
    session = make_session([2, 3, 1], optimizer="adam", lr=0.05)
    reference = make_session([2, 3, 1], optimizer="adam", lr=0.05)
    for k in (0, 1):
        Walkthrough(session, sample=k).finish()
        x, y = reference.sample(k)
        net = reference.net
        net.step(net.backward(net.forward(x), y), reference.optimizer)
    assert session.net.params.tobytes() == reference.net.params.tobytes()
    assert session.steps == 2


def test_values_are_those_of_the_engine():
    session = make_session([2, 3, 1])
    wt = Walkthrough(session, sample=4)
    x, y = session.sample(4)
    trace = session.net.forward(x)
    grads = session.net.backward(trace, y)
    np.testing.assert_array_equal(wt.x, x)
    np.testing.assert_array_equal(wt.y, y)
    assert wt.loss == grads.loss
    for l in range(2):
        np.testing.assert_array_equal(wt.trace.layers[l].a, trace.layers[l].a)
        np.testing.assert_array_equal(wt.grads.layers[l].dW, grads.layers[l].dW)
    assert wt.sample_index == 4


def test_weights_after_preview_equals_the_applied_update():
    session = make_session([2, 3, 1], optimizer="momentum", lr=0.4)
    warm_up(session)
    wt = Walkthrough(session)
    preview_w, preview_b = wt.weights_after, wt.biases_after
    before_w = [w.copy() for w in session.net.weights]
    before_b = [b.copy() for b in session.net.biases]
    for l in range(2):
        np.testing.assert_array_equal(wt.weights_before[l], before_w[l])
        np.testing.assert_array_equal(wt.biases_before[l], before_b[l])
    wt.finish()
    for l in range(2):
        assert preview_w[l].tobytes() == session.net.weights[l].tobytes()
        assert preview_b[l].tobytes() == session.net.biases[l].tobytes()
        assert wt.weights_after[l].tobytes() == session.net.weights[l].tobytes()
        np.testing.assert_array_equal(wt.weights_before[l], before_w[l])
    # the preview did not advance the real optimizer: one step only
    assert session.steps == 1


def test_divergent_update_leaves_network_optimizer_and_stage_unchanged():
    session = make_session([2, 3, 1], acts="linear", optimizer="adam", lr=1.0, output="linear")
    warm_up(session)
    session.net.params[...] = 1e200  # the loss and the gradients overflow to infinity
    params = session.net.get_params()
    t_before = session.optimizer.t
    with np.errstate(over="ignore", invalid="ignore"):
        wt = Walkthrough(session, sample=0)
    while wt.stages[wt.index + 1].kind != "update":
        wt.next()
    index = wt.index
    with pytest.raises(DivergenceError):
        wt.next()
    assert wt.index == index and not wt.updated
    assert session.net.params.tobytes() == params.tobytes()
    assert session.optimizer.t == t_before
    assert session.steps == 0


def test_rewind_goes_back_to_the_start():
    session = make_session()
    params = session.net.get_params()
    wt = Walkthrough(session)
    wt.finish()
    wt.rewind()
    assert wt.at_start and session.net.params.tobytes() == params.tobytes()


def test_stage_list_without_split_is_layer_granularity():
    assert stage_list(2) == [
        Stage("forward", 0), Stage("forward", 1), Stage("loss"),
        Stage("backward", 1), Stage("backward", 0), Stage("update"),
    ]


def test_loss_after_is_the_traced_sample_loss_with_the_updated_weights():
    session = Session.from_lesson("backprop-derivation")
    wt = Walkthrough(session, sample=0)
    while not wt.done:
        assert wt.loss_after is None  # not before the update is taken
        wt.next()
    assert wt.loss == pytest.approx(0.4725, abs=1e-4)
    assert wt.loss_after == pytest.approx(0.1946, abs=1e-4)
    assert wt.loss_after == pytest.approx(session.net.evaluate(wt.x, wt.y))
    wt.prev()
    assert wt.loss_after is None
