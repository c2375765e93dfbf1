"""Numbers students read must be right where the math is hard for floating point: the
sigmoid far from 0, and loss derivatives where the output saturates."""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np

from mlpviz.engine import MLP, activations, losses


def _exact_sigmoid(z: float) -> float:
    with localcontext() as ctx:
        ctx.prec = 50
        e = Decimal(z).exp()
        return float(e / (1 + e))


def test_sigmoid_matches_exp_over_one_plus_exp_to_1e13_relative_over_700():
    z = np.concatenate([np.linspace(-700, 700, 2801), [-37.5, -21.0, -30.0, 0.0, 1e-9]])
    got = activations.get("sigmoid").f(z)
    want = np.array([_exact_sigmoid(v) for v in z])
    rel = np.abs(got - want) / want
    assert rel.max() < 1e-13
    assert got[np.argmin(z)] > 0  # e^(−700) survives, it is not flushed to 0


def test_sigmoid_slope_is_accurate_where_sigma_rounds_to_one():
    sig = activations.get("sigmoid")
    z = np.array([[40.0, -40.0, 0.0]])
    slope = sig.df(z, sig.f(z))
    np.testing.assert_allclose(slope[0], [np.exp(-40.0), np.exp(-40.0), 0.25], rtol=1e-13)


def test_bce_output_gradient_is_finite_where_the_output_saturates():
    net = MLP.from_params([np.array([[50.0]])], [np.array([0.0])], ["sigmoid"], "bce")
    trace = net.forward(np.array([[1.0], [-1.0]]))
    grads = net.backward(trace, np.array([[1.0], [0.0]]))
    da = grads.layers[-1].da
    assert np.isfinite(da).all()
    # true values: −(1 + e⁻⁵⁰)/2 and (1 + e⁻⁵⁰)/2 for ŷ = σ(±50) against y = 1 and y = 0
    np.testing.assert_allclose(da[:, 0], [-0.5, 0.5], rtol=1e-13)


def test_bce_output_gradient_matches_the_plain_formula_where_that_is_accurate():
    z = np.array([[-2.0], [0.3], [1.5]])
    y = np.array([[1.0], [0.0], [0.4]])
    a = activations.get("sigmoid").f(z)
    plain = (a - y) / (a * (1 - a) * 3)
    np.testing.assert_allclose(losses.BCE.grad_from_z(z, y), plain, rtol=1e-12)


def test_cross_entropy_output_gradient_is_finite_where_the_probability_underflows():
    z = np.array([[0.0, 760.0, 0.0]])  # p₁ = e^(−760) underflows to 0
    y = np.array([[1.0, 0.0, 0.0]])
    da = losses.CrossEntropy.grad_from_z(z, y)
    p = activations.get("softmax").f(z)
    assert p[0, 0] == 0.0
    assert da[0, 0] == -np.inf or np.isfinite(da[0, 0])  # −e^760 overflows: the truth does too
    z = np.array([[0.0, 700.0, 0.0]])  # p₁ = e^(−700): −1/p₁ = −e^700 is finite
    da = losses.CrossEntropy.grad_from_z(z, y)
    np.testing.assert_allclose(da[0], [-np.exp(700.0), 0.0, 0.0], rtol=1e-12)


def test_every_layer_derivative_is_finite_for_a_saturated_sigmoid_network():
    net = MLP.from_params([np.array([[30.0, -30.0]]), np.array([[60.0]])],
                          [np.array([0.0]), np.array([-5.0])], ["sigmoid", "sigmoid"], "bce")
    trace = net.forward(np.array([[2.0, -2.0]]))
    grads = net.backward(trace, np.array([[0.0]]))
    for layer in grads.layers:
        for q in (layer.da, layer.dz, layer.dW, layer.db):
            assert np.isfinite(q).all()
    assert grads.layers[-1].da[0, 0] > 1e20  # (1 − 0)/(1 − ŷ) with 1 − ŷ ≈ e⁻⁵⁵
