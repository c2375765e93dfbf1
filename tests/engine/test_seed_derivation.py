"""the lecture's worked derivation, by hand, against the engine.

ŷ = W₂ σ(W₁x + b₁) + b₂ with L = (ŷ − y)² for one sample:
∂L/∂W₂ = 2(ŷ − y) h,  ∂L/∂h = 2(ŷ − y) W₂,  ∂L/∂z₁ = 2(ŷ − y) W₂ ⊙ h(1 − h),
∂L/∂W₁ = ∂L/∂z₁ xᵀ, and the biases get ∂L/∂b₂ = 2(ŷ − y), ∂L/∂b₁ = ∂L/∂z₁.

Everything agrees to 1e-14 relative. Sums that may cancel (z₁, ŷ, ∂L/∂x) are compared
relative to the size of the terms they add up, and y is drawn at least 0.5 away from ŷ so
that ŷ − y, which every gradient carries, is itself well conditioned.
"""

import numpy as np
import pytest

from mlpviz.engine import MLP

RTOL = 1e-14


def assert_same(engine: np.ndarray, by_hand: np.ndarray, terms: np.ndarray | None = None) -> None:
    """|engine − by_hand| ≤ 1e-14 · max|by_hand| (or max of ``terms``, the summed |terms|)."""
    engine = np.asarray(engine)
    assert engine.shape == by_hand.shape
    scale = np.abs(by_hand).max() if terms is None else np.max(terms)
    assert np.abs(engine - by_hand).max() <= RTOL * scale, (engine, by_hand)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("n_in, n_hidden", [(2, 2), (3, 4), (1, 5)])
def test_engine_reproduces_the_seed_derivation(seed, n_in, n_hidden):
    rng = np.random.default_rng(seed)
    W1 = rng.normal(size=(n_hidden, n_in))
    b1 = rng.normal(size=n_hidden)
    W2 = rng.normal(size=(1, n_hidden))
    b2 = rng.normal(size=1)
    x = rng.normal(size=n_in)

    # by hand, one sample, column vectors as in docs/derivation.md
    z1 = W1 @ x + b1
    h = 1.0 / (1.0 + np.exp(-z1))
    y_hat = (W2 @ h + b2)[0]
    y = y_hat + rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 2.0)
    L = (y_hat - y) ** 2
    dL_dyhat = 2 * (y_hat - y)
    dW2 = dL_dyhat * h[None, :]
    db2 = np.array([dL_dyhat])
    dL_dh = dL_dyhat * W2[0]
    dz1 = dL_dh * h * (1 - h)
    dW1 = np.outer(dz1, x)
    db1 = dz1
    dx = W1.T @ dz1

    net = MLP.from_params([W1, W2], [b1, b2], ["sigmoid", "linear"], loss="mse")
    trace = net.forward(x)
    grads = net.backward(trace, [y])

    assert_same(trace.layers[0].z[0], z1, terms=np.abs(W1) @ np.abs(x) + np.abs(b1))
    assert_same(trace.layers[0].a[0], h)
    assert_same(trace.output[0], np.array([y_hat]), terms=np.abs(W2) @ h + np.abs(b2))
    assert grads.loss == pytest.approx(L, rel=RTOL)
    out, hidden = grads.layers[1], grads.layers[0]
    assert_same(out.da[0], np.array([dL_dyhat]))
    assert_same(out.dz[0], np.array([dL_dyhat]))  # linear output: ∂L/∂z₂ = ∂L/∂ŷ
    assert_same(out.dW, dW2)
    assert_same(out.db, db2)
    assert_same(hidden.da[0], dL_dh)
    assert_same(hidden.dz[0], dz1)
    assert_same(hidden.dW, dW1)
    assert_same(hidden.db, db1)
    assert_same(grads.dx[0], dx, terms=np.abs(W1.T) @ np.abs(dz1))


def test_inspector_numbers_and_sgd_update_by_hand():
    W1 = np.array([[0.15, 0.20], [0.25, 0.30]])
    b1 = np.array([0.35, 0.35])
    W2 = np.array([[0.40, 0.45]])
    b2 = np.array([0.60])
    net = MLP.from_params([W1, W2], [b1, b2], ["sigmoid", "linear"], loss="mse")
    x, y = np.array([0.05, 0.10]), 0.01
    trace = net.forward(x)
    # z = Σⱼ wᵢⱼ xⱼ + bᵢ for the first hidden neuron: 0.15·0.05 + 0.20·0.10 + 0.35
    assert trace.layers[0].z[0, 0] == pytest.approx(0.3775, rel=1e-15)
    grads = net.backward(trace, [y])
    net.apply(grads, lr=0.5)
    assert_same(net.weights[0], W1 - 0.5 * grads.layers[0].dW)
    assert_same(net.biases[0], b1 - 0.5 * grads.layers[0].db)
    assert_same(net.weights[1], W2 - 0.5 * grads.layers[1].dW)
    assert_same(net.biases[1], b2 - 0.5 * grads.layers[1].db)
