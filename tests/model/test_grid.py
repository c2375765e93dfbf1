"""Specification of the neuron maps and the hidden-layer space."""

from __future__ import annotations

import numpy as np
import pytest

from mlpviz.engine.features import apply_features
from mlpviz.model.config import DataConfig, NetConfig, SettingsError, TrainConfig
from mlpviz.model.grid import grid_polylines, pca_basis
from mlpviz.model.session import Session


def _deep() -> Session:
    return Session(
        data=DataConfig(dataset="spiral", features=("x1", "x2", "x1^2", "sin(x2)")),
        net=NetConfig(hidden=(8, 8, 8), activation="tanh"),
        train=TrainConfig(learning_rate=0.03),
    )


def test_grid_maps_equal_per_point_forward_passes():
    s = _deep()
    s.train(3)
    g = s.grid(25, dtype=np.float64)
    assert len(g.layers) == 4
    for j, y in enumerate(g.ys):
        for i, x in enumerate(g.xs):
            inputs = apply_features(np.array([[x, y]]), s.feature_names)
            trace = s.net.forward(inputs)
            assert np.array_equal(g.inputs[j, i], inputs[0])
            for l, layer in enumerate(trace.layers):
                np.testing.assert_allclose(g.layers[l][j, i], layer.a[0], rtol=0, atol=1e-13)


def test_float32_maps_are_close_to_float64():
    s = _deep()
    g32, g64 = s.grid(40), s.grid(40, dtype=np.float64)
    assert g32.layers[-1].dtype == np.float32
    for a, b in zip(g32.layers, g64.layers, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=2e-5)


def test_grid_is_cached_until_the_weights_change():
    s = _deep()
    first = s.grid(30)
    assert s.grid(30) is first
    assert s.grid(31) is not first
    s.net.params[0] += 0.5  # e.g. a walkthrough update, done in place behind our back
    changed = s.grid(30)
    assert changed is not first and not np.array_equal(changed.layers[0], first.layers[0])
    s.train(1)
    assert s.grid(30) is not changed
    assert not first.layers[0].flags.writeable


def test_grid_rejects_absurd_resolutions():
    s = Session()
    for bad in (1, 0, 10_000, 2.5, True):
        with pytest.raises(SettingsError, match="resolution"):
            s.grid(bad)  # type: ignore[arg-type]


def test_hidden_space_of_a_two_neuron_layer_is_its_activations():
    s = Session()
    s.train(50)
    space = s.hidden_space(0, resolution=5)
    a = s.net.activations_of(s.X_train)[0]
    assert space.projection == "direct" and space.axes_labels == ("a₁", "a₂")
    np.testing.assert_array_equal(space.points, a)
    assert np.array_equal(space.labels, s.train_set.y)
    lines = grid_polylines(s.extent, 5)
    assert len(space.grid_lines) == 10 and space.grid_lines[0].shape == (17, 2)
    for warped, line in zip(space.grid_lines, lines, strict=True):
        np.testing.assert_allclose(warped, s.net.activations_of(line)[0], rtol=0, atol=1e-15)


def test_grid_lines_run_along_x_then_along_y():
    lines = grid_polylines((0.0, 1.0, -2.0, 2.0), 3)
    assert np.allclose(lines[0][:, 1], -2.0) and np.allclose(lines[2][:, 1], 2.0)
    assert np.allclose(lines[0][[0, -1], 0], [0.0, 1.0])
    assert np.allclose(lines[3][:, 0], 0.0) and np.allclose(lines[5][[0, -1], 1], [-2.0, 2.0])


def test_hidden_space_of_a_wide_layer_is_a_pca_projection():
    s = _deep()
    space = s.hidden_space(1)
    a = s.net.activations_of(s.X_train)[1]
    centred = a - a.mean(axis=0)
    var = np.linalg.svd(centred, compute_uv=False) ** 2
    assert space.projection == "pca"
    assert space.explained[0] == pytest.approx(var[0] / var.sum(), rel=1e-12)
    assert space.axes_labels[0].startswith("PC 1 (")
    cov = np.cov(space.points.T, bias=True)
    assert cov[0, 0] == pytest.approx(var[0] / len(a), rel=1e-10)
    assert cov[0, 1] == pytest.approx(0.0, abs=1e-12)
    assert len(space.grid_lines) == 42


def test_pca_projection_keeps_its_orientation_while_training():
    s = _deep()
    s.hidden_space(2)
    for _ in range(5):
        before = s._pca[2].copy()
        s.train(1)
        s.hidden_space(2)
        assert (np.sum(before * s._pca[2], axis=1) > 0).all()


def test_pca_basis_signs_follow_the_previous_basis():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(50, 4)) * np.array([3.0, 2.0, 0.5, 0.1])
    _, basis, _ = pca_basis(a, None)
    flipped = -basis[::-1]
    _, again, _ = pca_basis(a, flipped)
    assert np.allclose(again, flipped)


def test_hidden_space_of_a_one_neuron_layer_is_a_line():
    s = Session(net=NetConfig(hidden=(1,)))
    space = s.hidden_space(0)
    assert space.projection == "line" and np.all(space.points[:, 1] == 0.0)


def test_hidden_space_without_an_input_plane_has_no_grid_lines():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 5))
    s = Session.from_arrays(X, (X[:, 0] > 0).astype(float))
    space = s.hidden_space(0)
    assert space.points.shape == (30, 2) and space.grid_lines == []
    with pytest.raises(SettingsError, match="not 2-D points"):
        s.grid()


def test_hidden_space_rejects_layers_out_of_range():
    s = Session()
    for bad in (-1, 2, 1.0):
        with pytest.raises(SettingsError, match="layer must be"):
            s.hidden_space(bad)  # type: ignore[arg-type]
