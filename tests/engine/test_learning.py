"""the lecture's headline: a linear classifier fails on XOR, a multi-layer perceptron solves it.

The data are the four clean XOR points of {0, 1}². Accuracy thresholds the output at 0.5.
"""

import numpy as np
import pytest

from mlpviz.engine import MLP, optimizers

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def accuracy(net: MLP) -> float:
    return float(np.mean((net.predict(X) > 0.5) == (Y > 0.5)))


@pytest.mark.parametrize("seed", range(5))
def test_linear_classifier_cannot_fit_xor(seed):
    """No hidden layer, sigmoid output, BCE, 500 epochs of SGD: never above 3 of 4, and the
    loss never beats ln 2 — the best a linear model can do on XOR is to say 0.5 everywhere."""
    net = MLP([2, 1], ["sigmoid"], "bce", seed=seed, init="uniform", init_scale=1.0)
    sgd = optimizers.SGD(lr=1.0)
    rng = np.random.default_rng(seed)
    for _ in range(500):
        net.train_epoch(X, Y, sgd, batch_size=1, rng=rng)
        assert accuracy(net) <= 0.75
        assert net.evaluate(X, Y) >= np.log(2) - 1e-12


def test_linear_regression_on_xor_ends_at_the_constant_one_half():
    """A linear output with MSE converges to ŷ = 0.5 for every point (L = 0.25)."""
    net = MLP([2, 1], ["linear"], "mse", seed=0, init="uniform", init_scale=1.0)
    sgd = optimizers.SGD(lr=0.2)
    for _ in range(1000):
        net.train_epoch(X, Y, sgd, batch_size=4)
        assert net.evaluate(X, Y) >= 0.25 - 1e-12
    np.testing.assert_allclose(net.predict(X), 0.5, atol=1e-6)
    assert accuracy(net) <= 0.75


def epochs_to_solve(net: MLP, optimizer, batch_size: int, budget: int, seed: int) -> int | None:
    rng = np.random.default_rng(seed) if batch_size < len(X) else None
    for epoch in range(1, budget + 1):
        net.train_epoch(X, Y, optimizer, batch_size=batch_size, rng=rng)
        if accuracy(net) == 1.0:
            return epoch
    return None


@pytest.mark.parametrize("seed", range(6))
def test_2_2_1_sigmoid_mlp_solves_xor_within_500_epochs(seed):
    """2-2-1, sigmoid everywhere, BCE, uniform(±1) init, SGD lr 1.0 one sample at a time
    (shuffled): 100 % within 500 epochs. (Two hidden neurons are just enough for XOR; some
    other seeds end in a local minimum, which is a lesson of its own.)"""
    net = MLP([2, 2, 1], "sigmoid", "bce", seed=seed, init="uniform", init_scale=1.0)
    assert epochs_to_solve(net, optimizers.SGD(lr=1.0), 1, 500, seed) is not None


@pytest.mark.parametrize("seed", range(10))
def test_2_4_1_tanh_mlp_solves_xor_within_600_epochs(seed):
    """2-4-1, tanh hidden, sigmoid output, BCE, Xavier init, full-batch SGD lr 1.0:
    100 % within 600 epochs for every seed tried."""
    net = MLP([2, 4, 1], ["tanh", "sigmoid"], "bce", seed=seed)
    assert epochs_to_solve(net, optimizers.SGD(lr=1.0), 4, 600, seed) is not None


def test_hidden_layer_moves_xor_into_a_linearly_separable_space():
    """After training, the hidden activations of the four points can be split by the output
    neuron's line: the FC layer + activation transformed the space (docs/derivation.md)."""
    net = MLP([2, 4, 1], ["tanh", "sigmoid"], "bce", seed=0)
    assert epochs_to_solve(net, optimizers.SGD(lr=1.0), 4, 600, 0) is not None
    hidden = net.forward(X).layers[0].a
    side = hidden @ net.weights[1][0] + net.biases[1][0]
    np.testing.assert_array_equal(side > 0, Y[:, 0] > 0.5)
