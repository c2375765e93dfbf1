"""The step perceptron: the rule, AND/OR convergence, and XOR's failure."""

import numpy as np
import pytest

from mlpviz.engine.perceptron import Perceptron, PerceptronError

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
AND = np.array([0, 0, 0, 1])
OR = np.array([0, 1, 1, 1])
XOR = np.array([0, 1, 1, 0])


def test_predict_is_step_of_net_input_with_zero_on_the_positive_side():
    # Step(s) = 1 for s ≥ 0, as the step activation and docs/derivation.md define it
    p = Perceptron(2, w=[1.0, -1.0], b=0.0)
    np.testing.assert_array_equal(p.net_input(X), [0.0, -1.0, 1.0, 0.0])
    np.testing.assert_array_equal(p.predict(X), [1, 0, 1, 1])
    np.testing.assert_array_equal(p.predict([3.0, 1.0]), [1])


def test_update_follows_the_perceptron_rule():
    p = Perceptron(2, lr=0.5, w=[0.2, -0.4], b=0.1)
    # s = 0.2·1 − 0.4·1 + 0.1 = −0.1 → ŷ = 0, y = 1: w += 0.5·(1 − 0)·x, b += 0.5
    assert p.update([1.0, 1.0], 1) is True
    np.testing.assert_allclose(p.w, [0.7, 0.1], rtol=0, atol=1e-15)
    assert p.b == pytest.approx(0.6, abs=1e-15)
    # s = 0.7·2 + 0.6 > 0 → ŷ = 1, y = 0: w −= 0.5·x, b −= 0.5
    assert p.update([2.0, 0.0], 0) is True
    np.testing.assert_allclose(p.w, [-0.3, 0.1], rtol=0, atol=1e-15)
    assert p.b == pytest.approx(0.1, abs=1e-15)


def test_update_leaves_weights_alone_when_the_sample_is_right():
    p = Perceptron(2, w=[1.0, 1.0], b=-1.5)
    assert p.update([1.0, 1.0], 1) is False
    assert p.update([0.0, 1.0], 0) is False
    np.testing.assert_array_equal(p.w, [1.0, 1.0])
    assert p.b == -1.5


def test_epoch_counts_the_misclassified_samples():
    p = Perceptron(2, w=[0.0, 0.0], b=0.0)
    # All four predict 1 at the start (s = 0). (0, 0) is wrong for AND: b becomes −1; then
    # (0, 1) and (1, 0) are right and (1, 1) is wrong: w = [1, 1], b = 0.
    assert p.epoch(X, AND) == 2
    np.testing.assert_array_equal(p.w, [1.0, 1.0])
    assert p.b == 0.0


@pytest.mark.parametrize("name, y", [("and", AND), ("or", OR)])
@pytest.mark.parametrize("seed", range(5))
def test_learns_linearly_separable_truth_tables(name, y, seed):
    p = Perceptron(2, lr=1.0, seed=seed)
    result = p.fit(X, y, max_epochs=100)
    assert result.converged
    assert result.errors_per_epoch[-1] == 0
    assert all(e > 0 for e in result.errors_per_epoch[:-1])
    assert len(result.errors_per_epoch) == result.epochs
    assert len(result.history) == result.epochs + 1
    np.testing.assert_array_equal(p.predict(X), y)
    w, b = result.history[-1]
    np.testing.assert_array_equal(w, p.w)
    assert b == p.b


@pytest.mark.parametrize("seed", range(5))
def test_never_converges_on_xor(seed):
    p = Perceptron(2, lr=1.0, seed=seed)
    result = p.fit(X, XOR, max_epochs=1000)
    assert not result.converged
    assert result.epochs == 1000
    assert min(result.errors_per_epoch) >= 1
    assert p.accuracy(X, XOR) <= 0.75
    for w, b in result.history:
        assert np.mean(((X @ w + b) > 0).astype(int) == XOR) <= 0.75


def test_history_starts_with_the_initial_weights():
    p = Perceptron(2, w=[0.25, -0.5], b=0.5)
    result = p.fit(X, OR)
    w0, b0 = result.history[0]
    np.testing.assert_array_equal(w0, [0.25, -0.5])
    assert b0 == 0.5


def test_seed_draws_reproducible_weights():
    np.testing.assert_array_equal(Perceptron(3, seed=7).w, Perceptron(3, seed=7).w)
    assert not np.array_equal(Perceptron(3, seed=7).w, Perceptron(3, seed=8).w)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_in": 0},
        {"n_in": 2.5},
        {"n_in": 2, "lr": 0.0},
        {"n_in": 2, "lr": float("nan")},
        {"n_in": 2, "w": [1.0]},
        {"n_in": 2, "w": [1.0, float("inf")]},
        {"n_in": 2, "w": ["a", "b"]},
        {"n_in": 2, "b": float("nan")},
    ],
)
def test_bad_construction_raises_perceptron_error(kwargs):
    with pytest.raises(PerceptronError):
        Perceptron(**kwargs)


def test_bad_data_raises_perceptron_error():
    p = Perceptron(2)
    with pytest.raises(PerceptronError, match="shape"):
        p.fit(np.zeros((4, 3)), AND)
    with pytest.raises(PerceptronError, match="0 or 1"):
        p.fit(X, [0, 2, 1, 0])
    with pytest.raises(PerceptronError, match="4 values"):
        p.fit(X, [0, 1])
    with pytest.raises(PerceptronError, match="NaN"):
        p.predict([[np.nan, 0.0]])
    with pytest.raises(PerceptronError, match="max_epochs"):
        p.fit(X, AND, max_epochs=0)
