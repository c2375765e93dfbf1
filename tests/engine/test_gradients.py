"""Backpropagation against central finite differences.

For every activation (but step, whose derivative is 0) and every loss it pairs with, random
networks of 1–4 weight layers: the engine's ∂L/∂W, ∂L/∂b, ∂L/∂z, ∂L/∂a of every layer and
∂L/∂x must agree with (L(v + ε) − L(v − ε)) / 2ε to 1e-6 relative (ε = 1e-6, float64).
The loss of a perturbed value is computed by a reference forward pass written here from the
formulas of docs/derivation.md, independent of the engine's forward code.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from mlpviz.engine import MLP, activations

EPS = 1e-6
RTOL = 1e-6
BATCH = 3

# name → (engine activation, reference f written from the lecture's formulas)
REFERENCE: dict[str, tuple[activations.Activation, Callable[[np.ndarray], np.ndarray]]] = {
    "sigmoid": (activations.get("sigmoid"), lambda z: 1.0 / (1.0 + np.exp(-z))),
    "tanh": (
        activations.get("tanh"),
        lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    ),
    "relu": (activations.get("relu"), lambda z: np.maximum(0.0, z)),
    "leaky_relu": (
        activations.get("leaky_relu", alpha=0.1),
        lambda z: np.where(z > 0, z, 0.1 * z),
    ),
    "elu": (
        activations.get("elu", alpha=0.3),
        lambda z: np.where(z > 0, z, 0.3 * (np.exp(np.minimum(z, 0.0)) - 1.0)),
    ),
    "linear": (activations.get("linear"), lambda z: z),
    "softmax": (
        activations.get("softmax"),
        lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True),
    ),
}
HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "linear"]
KINKED = {"relu", "leaky_relu", "elu"}
PAIRS = [(out, loss) for loss in ("mse", "mse_half") for out in [*HIDDEN, "softmax"]] + [
    ("sigmoid", "bce"),
    ("softmax", "cross_entropy"),
]


def reference_loss(name: str, a: np.ndarray, y: np.ndarray) -> float:
    """Batch-mean losses as functions of the output a (B, n_out)."""
    b = a.shape[0]
    if name == "mse":
        return float(np.sum((a - y) ** 2) / b)
    if name == "mse_half":
        return float(0.5 * np.sum((a - y) ** 2) / b)
    if name == "bce":
        return float(-np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)) / b)
    assert name == "cross_entropy"
    return float(-np.sum(y * np.log(a)) / b)


class Case:
    """A random network (float64) with inputs and targets, plus a reference forward pass."""

    def __init__(self, sizes: list[int], acts: list[str], loss: str, seed: int):
        rng = np.random.default_rng(seed)
        self.acts, self.loss = acts, loss
        for _ in range(200):
            self.ws = [
                rng.normal(0.0, 1.2 / np.sqrt(n_in), (n_out, n_in))
                for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
            ]
            self.bs = [rng.normal(0.0, 0.3, n) for n in sizes[1:]]
            self.x = rng.normal(0.0, 1.0, (BATCH, sizes[0]))
            zs, _ = self.forward_from(0, self.x)
            # keep kinked activations' inputs well away from the kink at 0
            if all(np.abs(z).min() > 1e-2 for z, f in zip(zs, acts, strict=True) if f in KINKED):
                break
        else:
            raise AssertionError("no random network kept z away from 0")
        n_out = sizes[-1]
        if loss == "bce":
            self.y = rng.integers(0, 2, (BATCH, n_out)).astype(float)
        elif loss == "cross_entropy":
            self.y = np.eye(n_out)[rng.integers(0, n_out, BATCH)]
        else:
            self.y = rng.normal(0.0, 1.0, (BATCH, n_out))
        self.net = MLP.from_params(
            [w.copy() for w in self.ws],
            [b.copy() for b in self.bs],
            [REFERENCE[a][0] for a in acts],
            loss,
        )

    def forward_from(self, start: int, a: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """Run weight layers start..L-1 on a; returns their z and the output."""
        zs = []
        for l in range(start, len(self.ws)):
            z = a @ self.ws[l].T + self.bs[l]
            a = REFERENCE[self.acts[l]][1](z)
            zs.append(z)
        return zs, a

    def tail_loss(self, start: int, a: np.ndarray) -> float:
        """L as a function of the input a of weight layer ``start`` (start = L: the output)."""
        return reference_loss(self.loss, self.forward_from(start, a)[1], self.y)


def numeric_grad(value: np.ndarray, loss_of: Callable[[], float]) -> np.ndarray:
    """Central differences of loss_of() with respect to each entry of ``value`` (in place)."""
    grad = np.zeros_like(value)
    for idx in np.ndindex(value.shape):
        keep = value[idx]
        value[idx] = keep + EPS
        up = loss_of()
        value[idx] = keep - EPS
        down = loss_of()
        value[idx] = keep
        grad[idx] = (up - down) / (2 * EPS)
    return grad


def assert_grad(analytic: np.ndarray, numeric: np.ndarray, what: str) -> None:
    assert analytic.shape == numeric.shape, what
    scale = max(np.abs(numeric).max(), np.abs(analytic).max())
    err = np.abs(analytic - numeric).max()
    assert err <= RTOL * scale + 1e-12, f"{what}: max error {err:.3g} at scale {scale:.3g}"


def check_case(case: Case) -> None:
    trace = case.net.forward(case.x)
    grads = case.net.backward(trace, case.y)
    zs, out = case.forward_from(0, case.x)
    np.testing.assert_allclose(trace.output, out, rtol=1e-12, atol=1e-14)
    assert grads.loss == pytest.approx(reference_loss(case.loss, out, case.y), rel=1e-12)
    n = len(case.ws)
    for l in range(n):
        g = grads.layers[l]
        whole = lambda: case.tail_loss(0, case.x)  # noqa: E731
        num_w = numeric_grad(case.ws[l], whole)
        num_b = numeric_grad(case.bs[l], whole)
        assert_grad(g.dW, num_w, f"dW{l + 1}")
        assert_grad(g.db, num_b, f"db{l + 1}")
        z = zs[l].copy()
        f = REFERENCE[case.acts[l]][1]
        num_z = numeric_grad(z, lambda l=l, z=z, f=f: case.tail_loss(l + 1, f(z)))
        assert_grad(g.dz, num_z, f"dz{l + 1}")
        a = f(zs[l])
        num_a = numeric_grad(a, lambda l=l, a=a: case.tail_loss(l + 1, a))
        assert_grad(g.da, num_a, f"da{l + 1}")
    x = case.x.copy()
    assert_grad(grads.dx, numeric_grad(x, lambda: case.tail_loss(0, x)), "dx")


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output, loss", PAIRS)
def test_every_activation_with_every_loss(hidden, output, loss):
    seed = 1000 * HIDDEN.index(hidden) + PAIRS.index((output, loss))
    check_case(Case([3, 4, 4, 3], [hidden, hidden, output], loss, seed))


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("output, loss", PAIRS)
def test_every_depth_with_mixed_hidden_activations(depth, output, loss):
    k = PAIRS.index((output, loss))
    sizes = [2, 5, 3, 4, 3][:depth] + [3]
    hidden = [HIDDEN[(k + i) % len(HIDDEN)] for i in range(depth - 1)]
    check_case(Case(sizes, [*hidden, output], loss, seed=50 * depth + k))


def test_step_passes_no_gradient_below_it():
    rng = np.random.default_rng(3)
    net = MLP.from_params(
        [rng.normal(size=(3, 2)), rng.normal(size=(3, 3)), rng.normal(size=(1, 3))],
        [rng.normal(size=3), rng.normal(size=3), rng.normal(size=1)],
        ["tanh", "step", "sigmoid"],
        "mse",
    )
    x = rng.normal(size=(4, 2))
    trace = net.forward(x)
    z = trace.layers[1].z
    np.testing.assert_array_equal(trace.layers[1].a, (z >= 0).astype(float))
    grads = net.backward(trace, rng.normal(size=(4, 1)))
    bottom, stepped, top = grads.layers
    assert np.abs(top.dW).max() > 0
    assert np.abs(stepped.da).max() > 0  # the signal arrives at the step...
    for g in (stepped, bottom):  # ...and stops there
        assert not g.dz.any() and not g.dW.any() and not g.db.any()
    assert not bottom.da.any()
    assert not grads.dx.any()


def test_step_output_layer_gives_all_zero_gradients():
    net = MLP([2, 2, 1], ["tanh", "step"], "mse", seed=0)
    x = np.array([[0.5, -1.0], [2.0, 0.3]])
    trace = net.forward(x)
    grads = net.backward(trace, 1.0 - trace.output)  # every prediction wrong by 1
    assert grads.loss == 1.0
    assert np.abs(grads.layers[-1].da).max() > 0
    for g in grads.layers:
        assert not g.dz.any() and not g.dW.any() and not g.db.any()
