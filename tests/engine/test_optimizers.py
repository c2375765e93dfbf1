"""Optimizers against hand-computed steps; regularization; state round trips; validation."""

import numpy as np
import pytest

from mlpviz.engine import MLP
from mlpviz.engine import optimizers as opt
from mlpviz.engine.optimizers import OptimizerError

P = np.array([1.0, -2.0, 0.5, 0.25])
G1 = np.array([0.1, 0.2, -0.4, 0.3])
G2 = np.array([-0.3, 0.05, 0.2, -0.1])
ALL_WEIGHTS = np.ones(4)
LAST_IS_BIAS = np.array([1.0, 1.0, 1.0, 0.0])


def run(optimizer, grads, mask=ALL_WEIGHTS, params=P):
    p = params.copy()
    for g in grads:
        optimizer.step(p, g.copy(), mask)
    return p


def test_sgd_step_is_w_minus_lr_times_g():
    np.testing.assert_allclose(run(opt.SGD(lr=0.5), [G1]), P - 0.5 * G1, rtol=0, atol=1e-16)


def test_momentum_accumulates_velocity():
    v1 = G1
    p1 = P - 0.1 * v1
    v2 = 0.9 * v1 + G2
    p2 = p1 - 0.1 * v2
    np.testing.assert_allclose(run(opt.make("momentum", lr=0.1), [G1]), p1, atol=1e-16)
    np.testing.assert_allclose(run(opt.SGD(lr=0.1, momentum=0.9), [G1, G2]), p2, atol=1e-16)


def test_adam_first_step_moves_each_weight_by_about_lr():
    # m̂ = g and v̂ = g² after one step, so w ← w − η g / (|g| + ε)
    expected = P - 0.01 * G1 / (np.abs(G1) + 1e-8)
    np.testing.assert_allclose(run(opt.Adam(lr=0.01), [G1]), expected, rtol=0, atol=1e-16)


def test_adam_two_steps_by_hand():
    b1, b2, eps, lr = 0.8, 0.99, 1e-6, 0.05
    m = (1 - b1) * G1
    v = (1 - b2) * G1**2
    p = P - lr * (m / (1 - b1)) / (np.sqrt(v / (1 - b2)) + eps)
    m = b1 * m + (1 - b1) * G2
    v = b2 * v + (1 - b2) * G2**2
    p = p - lr * (m / (1 - b1**2)) / (np.sqrt(v / (1 - b2**2)) + eps)
    adam = opt.Adam(lr=lr, beta1=b1, beta2=b2, eps=eps)
    np.testing.assert_allclose(run(adam, [G1, G2]), p, rtol=1e-15, atol=1e-16)
    assert adam.t == 2


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_l2_decays_weights_but_not_biases(name):
    optimizer = opt.make(name, lr=0.1, regularization="l2", reg_rate=0.5)
    p = run(optimizer, [np.zeros(4)], mask=LAST_IS_BIAS)
    assert p[3] == P[3]
    assert np.all(np.abs(p[:3]) < np.abs(P[:3]))
    if name == "sgd":  # g = λ w → w ← w − η λ w
        np.testing.assert_allclose(p[:3], P[:3] * (1 - 0.1 * 0.5), atol=1e-16)


def test_l1_pulls_weights_towards_zero_by_a_constant():
    optimizer = opt.SGD(lr=0.1, regularization="l1", reg_rate=0.5)
    p = run(optimizer, [np.zeros(4)], mask=LAST_IS_BIAS)
    np.testing.assert_allclose(p, [0.95, -1.95, 0.45, 0.25], atol=1e-16)


def test_regularization_adds_to_the_data_gradient():
    p = run(opt.SGD(lr=1.0, regularization="l2", reg_rate=0.1), [G1], mask=LAST_IS_BIAS)
    np.testing.assert_allclose(p, P - G1 - 0.1 * P * LAST_IS_BIAS, atol=1e-16)


def test_penalty_counts_weights_only():
    l1 = opt.SGD(regularization="l1", reg_rate=0.5)
    l2 = opt.SGD(regularization="l2", reg_rate=0.5)
    assert l1.penalty(P, LAST_IS_BIAS) == pytest.approx(0.5 * 3.5)
    assert l2.penalty(P, LAST_IS_BIAS) == pytest.approx(0.25 * (1 + 4 + 0.25))
    assert opt.SGD().penalty(P, LAST_IS_BIAS) == 0.0


def test_regularization_leaves_network_biases_alone():
    net = MLP([2, 3, 1], "tanh", seed=0, init="uniform")
    before = [b.copy() for b in net.biases]
    weights_before = [w.copy() for w in net.weights]
    adam = opt.Adam(lr=0.01, regularization="l1", reg_rate=0.1)
    adam.step(net.params, np.zeros(net.n_params), net.weight_mask)
    for b, b0 in zip(net.biases, before, strict=True):
        np.testing.assert_array_equal(b, b0)
    for w, w0 in zip(net.weights, weights_before, strict=True):
        assert np.all(np.abs(w) < np.abs(w0))


@pytest.mark.parametrize(
    "name, settings",
    [("sgd", {}), ("momentum", {"momentum": 0.7}), ("adam", {"beta1": 0.85})],
)
def test_state_dict_round_trip_continues_bit_identically(name, settings):
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=4) for _ in range(6)]
    first = opt.make(name, lr=0.05, regularization="l2", reg_rate=0.01, **settings)
    p = run(first, grads[:3])
    second = opt.from_config(first.config())
    second.load_state_dict(
        {k: np.array(v) for k, v in first.state_dict().items()}, size=4
    )
    assert second.config() == first.config()
    np.testing.assert_array_equal(run(first, grads[3:], params=p), run(second, grads[3:], params=p))


def test_state_dict_is_a_copy_and_reset_forgets():
    adam = opt.Adam(lr=0.1)
    run(adam, [G1])
    state = adam.state_dict()
    state["m"][:] = 99.0
    assert np.abs(adam.state_dict()["m"]).max() < 1.0
    adam.reset()
    assert adam.t == 0 and "m" not in adam.state_dict()
    np.testing.assert_allclose(run(adam, [G1]), run(opt.Adam(lr=0.1), [G1]), atol=0)


@pytest.mark.parametrize("lr", [-0.1, float("nan"), float("inf"), None, "0.1", True])
def test_invalid_learning_rates_raise(lr):
    with pytest.raises(OptimizerError, match="learning rate"):
        opt.SGD(lr=lr)
    adam = opt.Adam()
    with pytest.raises(OptimizerError, match="learning rate"):
        adam.lr = lr
    assert adam.lr == 0.01


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: opt.make("rmsprop"), "unknown optimizer 'rmsprop'"),
        (lambda: opt.make("sgd", nesterov=True), "bad settings"),
        (lambda: opt.make("adam", momentum=0.9), "bad settings"),
        (lambda: opt.SGD(momentum=1.0), "momentum"),
        (lambda: opt.SGD(momentum=-0.1), "momentum"),
        (lambda: opt.Adam(beta1=1.0), "beta1"),
        (lambda: opt.Adam(beta2=float("nan")), "beta2"),
        (lambda: opt.Adam(eps=0.0), "eps"),
        (lambda: opt.SGD(regularization="l3"), "unknown regularization 'l3'"),
        (lambda: opt.SGD(regularization="l2", reg_rate=-1.0), "regularization rate"),
        (lambda: opt.from_config({"name": "lbfgs"}), "unknown optimizer"),
    ],
)
def test_invalid_settings_raise_optimizer_error(call, message):
    with pytest.raises(OptimizerError, match=message):
        call()


@pytest.mark.parametrize(
    "optimizer, state, message",
    [
        (opt.SGD(momentum=0.5), {"v": np.zeros(3)}, "expected 4"),
        (opt.SGD(momentum=0.5), {"v": np.array(["a"] * 4)}, "expected 4 floats"),
        (opt.Adam(), {"t": np.array(2), "m": np.zeros(4)}, "only one of the moments"),
        (opt.Adam(), {"t": np.array(-1)}, "step count"),
        (opt.Adam(), {"t": np.array(1.5)}, "step count"),
    ],
)
def test_bad_saved_state_raises_optimizer_error(optimizer, state, message):
    with pytest.raises(OptimizerError, match=message):
        optimizer.load_state_dict(state, size=4)


def test_make_names_match_config_names():
    assert opt.make("sgd").config()["name"] == "sgd"
    assert opt.make("momentum").config() == {
        "name": "momentum", "lr": 0.1, "regularization": "none", "reg_rate": 0.0,
        "momentum": 0.9,
    }
    assert opt.make("adam", lr=0.002).config()["lr"] == 0.002
    for name in opt.NAMES:
        assert opt.from_config(opt.make(name, lr=0.3).config()).config() == opt.make(
            name, lr=0.3
        ).config()
