"""Specification of the input features (x1, x2, x1², x2², x1·x2, sin x1, sin x2)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlpviz.engine.features import (
    FEATURES,
    LABELS,
    FeatureError,
    apply_features,
    check_features,
)

X = np.array([[0.5, -2.0], [3.0, 0.25], [-1.5, 1.0]])


def test_feature_names_and_labels():
    assert FEATURES == ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
    assert LABELS["x1"] == "x₁" and LABELS["x1^2"] == "x₁²"
    assert LABELS["x1*x2"] == "x₁·x₂" and LABELS["sin(x2)"] == "sin x₂"
    assert set(LABELS) == set(FEATURES)


def test_all_features_against_hand_computed_values():
    out = apply_features(X, FEATURES)
    expected = [
        [0.5, -2.0, 0.25, 4.0, -1.0, math.sin(0.5), math.sin(-2.0)],
        [3.0, 0.25, 9.0, 0.0625, 0.75, math.sin(3.0), math.sin(0.25)],
        [-1.5, 1.0, 2.25, 1.0, -1.5, math.sin(-1.5), math.sin(1.0)],
    ]
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-15)
    assert out.shape == (3, 7) and out.dtype == np.float64


def test_columns_follow_the_requested_order():
    out = apply_features(X, ["sin(x2)", "x1*x2", "x2"])
    np.testing.assert_allclose(out[:, 0], np.sin(X[:, 1]), atol=0)
    np.testing.assert_array_equal(out[:, 1], [-1.0, 0.75, -1.5])
    np.testing.assert_array_equal(out[:, 2], [-2.0, 0.25, 1.0])


def test_float32_stays_float32_and_ints_become_float64():
    out32 = apply_features(X.astype(np.float32), ["x1^2", "sin(x1)"])
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32[:, 0], [0.25, 9.0, 2.25], rtol=1e-7)
    out_int = apply_features(np.array([[2, 3]]), ["x1*x2", "sin(x2)"])
    assert out_int.dtype == np.float64
    np.testing.assert_allclose(out_int, [[6.0, math.sin(3.0)]], atol=1e-15)


def test_input_is_not_modified_and_output_is_new_contiguous():
    before = X.copy()
    out = apply_features(X, ["x1", "x2"])
    np.testing.assert_array_equal(X, before)
    assert not np.shares_memory(out, X) and out.flags.c_contiguous


def test_works_on_a_full_grid_and_on_no_rows():
    g = np.linspace(-1.5, 1.5, 100)
    grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    out = apply_features(grid, FEATURES)
    assert out.shape == (10000, 7)
    np.testing.assert_allclose(out[:, 4], grid[:, 0] * grid[:, 1], atol=0)
    assert apply_features(np.zeros((0, 2)), ["x1"]).shape == (0, 1)


@pytest.mark.parametrize(
    ("names", "fragment"),
    [
        ([], "at least one"),
        (["x3"], "unknown feature 'x3'"),
        (["x1", "x2", "x1"], "more than once: x1"),
        ("x1", "not the string"),
    ],
)
def test_bad_feature_lists_raise_feature_error(names, fragment):
    with pytest.raises(FeatureError, match=fragment):
        apply_features(X, names)
    with pytest.raises(FeatureError, match=fragment):
        check_features(names)
    assert issubclass(FeatureError, ValueError)


def test_bad_input_shape_raises_feature_error():
    with pytest.raises(FeatureError, match=r"\(n, 2\)"):
        apply_features(np.zeros((4, 3)), ["x1"])
    with pytest.raises(FeatureError, match=r"\(n, 2\)"):
        apply_features(np.zeros(4), ["x1"])


def test_check_features_returns_a_tuple():
    assert check_features(["x2", "x1"]) == ("x2", "x1")
