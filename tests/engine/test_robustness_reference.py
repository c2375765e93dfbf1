"""The engine against an outside reference written here, one sample and one neuron at a time.

The reference uses plain Python loops over samples and neurons and explicit Jacobians
(never the engine's vectorised code), and the losses exactly as DESIGN.md §3 defines them:
mse = (1/B) Σ_b Σ_k (ŷ − y)², mse_half = half of that, bce on a sigmoid output,
cross_entropy on a softmax output with dL/dz = (p − y)/B. Forward values, every layer's
dL/da, dL/dz, dL/dW, dL/db, the loss and one SGD step must agree to 1e-10 relative.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from mlpviz.engine import MLP, activations, datasets

RTOL = 1e-10
ATOL = 1e-12


def f_scalar(name: str, z: float, alpha: float) -> float:
    if name == "sigmoid":
        return 1.0 / (1.0 + math.exp(-z))
    if name == "tanh":
        return math.tanh(z)
    if name == "relu":
        return z if z > 0 else 0.0
    if name == "leaky_relu":
        return z if z > 0 else alpha * z
    if name == "elu":
        return z if z > 0 else alpha * (math.exp(z) - 1.0)
    if name == "linear":
        return z
    if name == "step":
        return 1.0 if z >= 0 else 0.0
    raise AssertionError(name)


def df_scalar(name: str, z: float, alpha: float) -> float:
    if name == "sigmoid":
        s = 1.0 / (1.0 + math.exp(-z))
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 - math.tanh(z) ** 2
    if name == "relu":
        return 1.0 if z > 0 else 0.0
    if name == "leaky_relu":
        return 1.0 if z > 0 else alpha
    if name == "elu":
        return 1.0 if z > 0 else alpha * math.exp(z)
    if name in ("linear",):
        return 1.0
    if name == "step":
        return 0.0
    raise AssertionError(name)


def layer_forward(name: str, z: list[float], alpha: float) -> list[float]:
    if name == "softmax":
        m = max(z)
        e = [math.exp(v - m) for v in z]
        s = sum(e)
        return [v / s for v in e]
    return [f_scalar(name, v, alpha) for v in z]


def jacobian(name: str, z: list[float], a: list[float], alpha: float) -> list[list[float]]:
    """J[k][j] = ∂a_k/∂z_j for one sample."""
    n = len(z)
    if name == "softmax":
        return [[a[k] * ((1.0 if k == j else 0.0) - a[j]) for j in range(n)] for k in range(n)]
    return [[df_scalar(name, z[k], alpha) if k == j else 0.0 for j in range(n)] for k in range(n)]


def loss_and_grad(loss: str, a: list[float], y: list[float], batch: int):
    """This sample's share of the batch loss and its dL/da (both already divided by B)."""
    if loss == "mse":
        return sum((p - t) ** 2 for p, t in zip(a, y, strict=True)) / batch, [
            2.0 * (p - t) / batch for p, t in zip(a, y, strict=True)
        ]
    if loss == "mse_half":
        return 0.5 * sum((p - t) ** 2 for p, t in zip(a, y, strict=True)) / batch, [
            (p - t) / batch for p, t in zip(a, y, strict=True)
        ]
    if loss == "bce":
        value = -sum(t * math.log(p) + (1 - t) * math.log(1 - p) for p, t in zip(a, y, strict=True))
        grad = [(-t / p + (1 - t) / (1 - p)) / batch for p, t in zip(a, y, strict=True)]
        return value / batch, grad
    if loss == "cross_entropy":
        value = -sum(t * math.log(p) for p, t in zip(a, y, strict=True) if t != 0)
        grad = [(-t / p) / batch if t != 0 else 0.0 for p, t in zip(a, y, strict=True)]
        return value / batch, grad
    raise AssertionError(loss)


def reference(ws, bs, names, alpha, loss, X, Y):
    """Loss, per-layer (z, a) and (da, dz, dW, db) from loops over samples and neurons."""
    batch = len(X)
    L = len(ws)
    zs = [[None] * batch for _ in range(L)]
    as_ = [[None] * batch for _ in range(L)]
    total = 0.0
    das = [np.zeros((batch, w.shape[0])) for w in ws]
    dzs = [np.zeros((batch, w.shape[0])) for w in ws]
    dWs = [np.zeros_like(w) for w in ws]
    dbs = [np.zeros_like(b) for b in bs]
    for s in range(batch):
        a_prev = list(X[s])
        for l in range(L):
            w, b = ws[l], bs[l]
            z = [sum(w[i, j] * a_prev[j] for j in range(w.shape[1])) + b[i]
                 for i in range(w.shape[0])]
            a = layer_forward(names[l], z, alpha)
            zs[l][s], as_[l][s] = z, a
            a_prev = a
        value, da = loss_and_grad(loss, as_[-1][s], list(Y[s]), batch)
        total += value
        for l in range(L - 1, -1, -1):
            J = jacobian(names[l], zs[l][s], as_[l][s], alpha)
            n = len(da)
            dz = [sum(da[k] * J[k][j] for k in range(n)) for j in range(n)]
            das[l][s], dzs[l][s] = da, dz
            a_in = list(X[s]) if l == 0 else as_[l - 1][s]
            for i in range(n):
                dbs[l][i] += dz[i]
                for j in range(len(a_in)):
                    dWs[l][i, j] += dz[i] * a_in[j]
            w = ws[l]
            da = [sum(w[i, j] * dz[i] for i in range(n)) for j in range(w.shape[1])]
    Z = [np.array(zs[l]) for l in range(L)]
    A = [np.array(as_[l]) for l in range(L)]
    return total, Z, A, das, dzs, dWs, dbs


CASES = [
    ([2, 2, 1], ["sigmoid", "sigmoid"], "mse", 1),
    ([2, 2, 1], ["sigmoid", "linear"], "mse", 4),
    ([3, 4, 2], ["tanh", "linear"], "mse_half", 5),
    ([2, 5, 3, 1], ["relu", "leaky_relu", "sigmoid"], "bce", 6),
    ([2, 3, 3, 3], ["elu", "tanh", "softmax"], "cross_entropy", 7),
    ([4, 6, 5, 4, 2], ["leaky_relu", "elu", "relu", "softmax"], "mse", 3),
    ([2, 3, 1], ["step", "linear"], "mse", 4),
]


def _targets(rng, loss, batch, n_out):
    if loss == "cross_entropy" or n_out > 2:
        return np.eye(n_out)[rng.integers(0, n_out, batch)]
    if loss == "bce":
        return rng.integers(0, 2, (batch, n_out)).astype(float)
    return rng.normal(size=(batch, n_out))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("sizes", "names", "loss", "batch"), CASES)
def test_forward_backward_apply_equal_the_loop_reference(sizes, names, loss, batch, seed):
    rng = np.random.default_rng(seed)
    alpha = 0.5
    ws = [rng.normal(0, 0.8, (sizes[l + 1], sizes[l])) for l in range(len(sizes) - 1)]
    bs = [rng.normal(0, 0.5, sizes[l + 1]) for l in range(len(sizes) - 1)]
    acts = [
        activations.get(n, alpha=alpha) if n in ("leaky_relu", "elu") else n for n in names
    ]
    net = MLP.from_params(weights=ws, biases=bs, activations=acts, loss=loss)
    X = rng.normal(0, 1.0, (batch, sizes[0]))
    Y = _targets(rng, loss, batch, sizes[-1])

    trace = net.forward(X)
    grads = net.backward(trace, Y)
    total, Z, A, das, dzs, dWs, dbs = reference(ws, bs, names, alpha, loss, X, Y)

    assert len(trace.layers) == len(grads.layers) == len(ws)
    np.testing.assert_array_equal(trace.output, trace.layers[-1].a)
    assert grads.loss == pytest.approx(total, rel=RTOL, abs=ATOL)
    for l in range(len(ws)):
        np.testing.assert_allclose(trace.layers[l].z, Z[l], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(trace.layers[l].a, A[l], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(grads.layers[l].da, das[l], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(grads.layers[l].dz, dzs[l], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(grads.layers[l].dW, dWs[l], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(grads.layers[l].db, dbs[l], rtol=RTOL, atol=ATOL)
        assert grads.layers[l].dW.shape == ws[l].shape
        assert grads.layers[l].db.shape == bs[l].shape

    net.apply(grads, lr=0.1)
    for l in range(len(ws)):
        np.testing.assert_allclose(net.weights[l], ws[l] - 0.1 * dWs[l], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(net.biases[l], bs[l] - 0.1 * dbs[l], rtol=RTOL, atol=ATOL)


def test_cross_entropy_dz_is_p_minus_y_over_batch():
    rng = np.random.default_rng(3)
    net = MLP([2, 4, 3], ["tanh", "softmax"], loss="cross_entropy", seed=1)
    X = rng.normal(size=(5, 2))
    Y = np.eye(3)[[0, 2, 1, 1, 0]]
    trace = net.forward(X)
    grads = net.backward(trace, Y)
    p = trace.output
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(grads.layers[-1].dz, (p - Y) / 5, rtol=1e-14, atol=1e-16)
    assert grads.loss == pytest.approx(-np.mean(np.log(p[Y == 1])), rel=1e-14)


def test_the_contract_constructor_and_elu_alpha():
    net = MLP(sizes=[2, 2, 1], activations=["sigmoid", "sigmoid"], loss="mse", seed=0)
    assert [w.shape for w in net.weights] == [(2, 2), (1, 2)]
    assert [b.shape for b in net.biases] == [(2,), (1,)]
    again = MLP(sizes=[2, 2, 1], activations=["sigmoid", "sigmoid"], loss="mse", seed=0)
    np.testing.assert_array_equal(net.get_params(), again.get_params())
    elu = activations.get("elu", alpha=0.5)
    z = np.array([[-2.0, -0.5, 0.0, 1.5]])
    np.testing.assert_allclose(elu.f(z), [[0.5 * np.expm1(-2), 0.5 * np.expm1(-0.5), 0, 1.5]],
                               rtol=1e-15)
    np.testing.assert_allclose(elu.df(z, elu.f(z)), [[0.5 * np.exp(-2), 0.5 * np.exp(-0.5),
                                                      0.5, 1.0]], rtol=1e-15)


@pytest.mark.parametrize("name", datasets.NAMES)
def test_every_contract_dataset_is_made_deterministically(name):
    a = datasets.make(name, 60, 0.1, 5)
    b = datasets.make(name, 60, 0.1, 5)
    c = datasets.make(name, 60, 0.1, 6)
    assert a.X.shape == (60, 2) and a.y.shape == (60,)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)
    assert np.isfinite(a.X).all() and np.isfinite(a.y).all()
    expected = {"spiral3": 3, "blobs3": 3, "plane": 1, "multigauss": 1}.get(name, 2)
    assert a.n_classes == expected
    if expected > 1:
        assert sorted(np.unique(a.y)) == list(range(expected))


def test_overflowing_forward_passes_give_inf_without_numpy_warnings():
    """Huge but finite weights (after a diverging walkthrough) overflow quietly: the CLI's
    stderr must hold only its one error line, never NumPy RuntimeWarnings."""
    net = MLP.from_params([np.full((3, 2), 1e200), np.full((1, 3), 1e200)],
                          [np.zeros(3), np.zeros(1)], ["relu", "linear"], loss="mse")
    x = np.array([[1e200, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = net.forward(x).output
        maps = net.activations_of(np.array([[1e30, 1e30]]), dtype=np.float32)
        loss = net.evaluate(x, np.array([[0.0]]))
    assert np.isinf(out).all() and np.isinf(maps[-1]).all() and np.isinf(loss)
