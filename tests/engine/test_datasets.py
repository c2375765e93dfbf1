"""Specification of the toy datasets, the train/test split and the truth tables."""

from __future__ import annotations

import numpy as np
import pytest

from mlpviz.engine.datasets import (
    CLASSIFICATION,
    NAMES,
    REGRESSION,
    TITLES,
    Dataset,
    DatasetError,
    make,
    train_test_split,
    truth_table,
)

SHAPES = {
    "xor": ("binary", 2), "circle": ("binary", 2), "gaussian": ("binary", 2),
    "spiral": ("binary", 2), "moons": ("binary", 2), "linear": ("binary", 2),
    "spiral3": ("multiclass", 3), "blobs3": ("multiclass", 3),
    "plane": ("regression", 1), "multigauss": ("regression", 1),
}


def test_names_are_the_contract():
    assert NAMES == tuple(SHAPES)
    assert CLASSIFICATION + REGRESSION == NAMES
    assert REGRESSION == ("plane", "multigauss")
    assert set(TITLES) == set(NAMES) and all(TITLES.values())


@pytest.mark.parametrize("name", NAMES)
def test_shapes_dtypes_and_kind(name):
    ds = make(name, 101, 0.1, 3)
    kind, k = SHAPES[name]
    assert (ds.kind, ds.n_classes, ds.name) == (kind, k, name)
    assert ds.X.shape == (101, 2) and ds.X.dtype == np.float64
    assert ds.y.shape == (101,)
    assert ds.y.dtype == (np.float64 if kind == "regression" else np.int64)
    assert len(ds) == 101
    assert ds.n_out == (3 if kind == "multiclass" else 1)
    assert ds.Y.shape == (101, ds.n_out) and ds.Y.dtype == np.float64


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data_other_seed_other_data(name):
    a, b = make(name, 60, 0.2, 7), make(name, 60, 0.2, 7)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    c = make(name, 60, 0.2, 8)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_rows_come_shuffled_not_grouped_by_class(name):
    y = make(name, 200, 0.0, 0).y
    assert len(set(y[:50].tolist())) == SHAPES[name][1]
    assert np.count_nonzero(np.diff(y)) > 50


def test_generator_seed_is_used_and_advanced():
    rng = np.random.default_rng(5)
    first, second = make("spiral", 50, 0.0, rng), make("spiral", 50, 0.0, rng)
    assert not np.array_equal(first.X, second.X)
    np.testing.assert_array_equal(first.X, make("spiral", 50, 0.0, np.random.default_rng(5)).X)


def test_no_global_random_state_used():
    np.random.seed(1)
    a = make("circle", 40, 0.1, 2)
    np.random.seed(2)
    np.testing.assert_array_equal(a.X, make("circle", 40, 0.1, 2).X)


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("n", [4, 7, 200, 301])
def test_classes_are_balanced(name, n):
    counts = np.bincount(make(name, n, 0.0, 1).y, minlength=SHAPES[name][1])
    assert counts.sum() == n
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", [nm for nm in NAMES if nm != "xor"])
def test_noise_free_inputs_lie_within_1_2(name):
    X = make(name, 2000, 0.0, 4).X
    assert np.abs(X).max() <= 1.2 + 1e-12
    assert np.abs(X).max() > 0.8  # fills the plane, not a dot


@pytest.mark.parametrize("name", NAMES)
def test_moderate_noise_stays_roughly_in_range(name):
    X = make(name, 500, 0.1, 9).X
    lo, hi = (-0.5, 1.5) if name == "xor" else (-1.5, 1.5)
    assert lo <= X.min() and X.max() <= hi


def test_xor_without_noise_is_exactly_the_four_corners():
    ds = make("xor", 202, 0.0, 3)
    corners = {(0.0, 0.0): 0, (1.0, 1.0): 0, (0.0, 1.0): 1, (1.0, 0.0): 1}
    seen = {}
    for (x1, x2), label in zip(ds.X.tolist(), ds.y.tolist(), strict=True):
        assert corners[(x1, x2)] == label
        seen[(x1, x2)] = seen.get((x1, x2), 0) + 1
    assert sorted(seen.values()) == [50, 50, 51, 51]


def test_noise_is_std_of_jitter_in_data_units():
    jitter = make("xor", 20000, 0.3, 0).X - make("xor", 20000, 0.0, 0).X
    assert abs(jitter.std() - 0.3) < 0.006
    assert abs(jitter.mean()) < 0.006


def test_noise_keeps_labels_of_the_clean_points():
    clean, noisy = make("plane", 300, 0.0, 2), make("plane", 300, 0.4, 2)
    np.testing.assert_array_equal(clean.y, noisy.y)
    assert not np.array_equal(clean.X, noisy.X)


def test_circle_inner_disk_is_class_1_with_a_gap():
    ds = make("circle", 1000, 0.0, 0)
    r = np.hypot(ds.X[:, 0], ds.X[:, 1])
    assert r[ds.y == 1].max() <= 0.5
    assert r[ds.y == 0].min() >= 0.8


def test_gaussian_blobs_sit_on_opposite_diagonal_corners():
    ds = make("gaussian", 4000, 0.0, 0)
    np.testing.assert_allclose(ds.X[ds.y == 0].mean(axis=0), [-0.6, -0.6], atol=0.02)
    np.testing.assert_allclose(ds.X[ds.y == 1].mean(axis=0), [0.6, 0.6], atol=0.02)


def test_linear_classes_are_separated_by_a_tilted_line_with_margin():
    ds = make("linear", 1000, 0.0, 0)
    side = ds.X @ np.array([-0.5, np.sqrt(3) / 2])
    assert side[ds.y == 1].min() > 0.15
    assert side[ds.y == 0].max() < -0.15


def test_spiral_arms_interleave_around_the_origin():
    ds = make("spiral", 2000, 0.0, 0)
    r = np.hypot(ds.X[:, 0], ds.X[:, 1])
    theta = np.arctan2(ds.X[:, 1], ds.X[:, 0])
    for c, offset in ((0, 0.0), (1, np.pi)):
        pts = ds.y == c
        expected = 2 * np.pi * 1.5 * r[pts] / 1.2 + offset
        wrapped = np.angle(np.exp(1j * (theta[pts] - expected)))
        assert np.abs(wrapped).max() < 1e-9
    assert r.max() > 1.15 and r.min() < 0.25


def test_three_class_sets_use_all_three_classes_in_separate_places():
    for name in ("spiral3", "blobs3"):
        ds = make(name, 900, 0.0, 0)
        assert set(ds.y.tolist()) == {0, 1, 2}
    blobs = make("blobs3", 900, 0.0, 0)
    centres = np.array([blobs.X[blobs.y == c].mean(axis=0) for c in range(3)])
    np.testing.assert_allclose(np.hypot(centres[:, 0], centres[:, 1]), 0.7, atol=0.03)


def test_moons_are_two_half_circles():
    ds = make("moons", 500, 0.0, 0)
    top = ds.X[ds.y == 0] / 0.8 + [0.5, 0.25]
    bottom = ds.X[ds.y == 1] / 0.8 - [0.5, 0.25]
    np.testing.assert_allclose(np.hypot(top[:, 0], top[:, 1]), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(bottom[:, 0], bottom[:, 1]), 1.0, atol=1e-12)
    assert top[:, 1].min() >= -1e-12 and bottom[:, 1].max() <= 1e-12


def test_plane_target_is_linear_in_the_inputs():
    ds = make("plane", 400, 0.0, 1)
    np.testing.assert_allclose(ds.y, 0.5 * ds.X[:, 0] + 0.3 * ds.X[:, 1], atol=1e-15)
    assert -1.0 <= ds.y.min() < -0.7 and 0.7 < ds.y.max() <= 1.0


def test_multigauss_has_signed_bumps_within_unit_range():
    ds = make("multigauss", 5000, 0.0, 1)
    assert -1.05 <= ds.y.min() < -0.9 and 0.9 < ds.y.max() <= 1.05
    near = np.hypot(ds.X[:, 0] + 0.6, ds.X[:, 1] - 0.6) < 0.1
    assert ds.y[near].min() > 0.9


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("nope",), "choose one of: xor, circle"),
        (("xor", 3), "4..100000"),
        (("xor", 100001), "4..100000"),
        (("xor", 10.0), "integer"),
        (("xor", True), "integer"),
        (("xor", 10, -0.1), ">= 0"),
        (("xor", 10, float("nan")), "finite"),
        (("xor", 10, float("inf")), "finite"),
        (("xor", 10, 0.1, -1), "seed"),
        (("xor", 10, 0.1, 1.5), "seed"),
    ],
)
def test_bad_requests_raise_dataset_error(args, fragment):
    with pytest.raises(DatasetError, match=fragment):
        make(*args)
    assert issubclass(DatasetError, ValueError)


def test_Y_targets_per_kind():
    binary = Dataset(np.zeros((3, 2)), np.array([1, 0, 1]), "binary", 2)
    np.testing.assert_array_equal(binary.Y, [[1.0], [0.0], [1.0]])
    multi = Dataset(np.zeros((3, 2)), np.array([2, 0, 1]), "multiclass", 3)
    np.testing.assert_array_equal(multi.Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    reg = Dataset(np.zeros((2, 2)), np.array([0.25, -1.5]), "regression", 1)
    np.testing.assert_array_equal(reg.Y, [[0.25], [-1.5]])


def test_dataset_arrays_are_read_only_copies():
    X = np.zeros((2, 2))
    ds = Dataset(X, np.array([0, 1]), "binary", 2)
    X[0, 0] = 5.0
    assert ds.X[0, 0] == 0.0
    with pytest.raises(ValueError):
        ds.X[0, 0] = 1.0


@pytest.mark.parametrize(
    ("X", "y", "kind", "k", "fragment"),
    [
        (np.zeros((3, 3)), np.zeros(3), "regression", 1, "shape"),
        (np.zeros(4), np.zeros(4), "regression", 1, "shape"),
        (np.zeros((3, 2)), np.zeros(2), "regression", 1, "shape"),
        (np.array([[0.0, np.nan]]), np.zeros(1), "regression", 1, "NaN"),
        (np.zeros((1, 2)), np.array([np.inf]), "regression", 1, "NaN"),
        (np.zeros((2, 2)), np.array([0, 2]), "binary", 2, "0..1"),
        (np.zeros((2, 2)), np.array([0.5, 1]), "binary", 2, "integers"),
        (np.zeros((2, 2)), np.array([0, 1]), "binary", 3, "binary needs"),
        (np.zeros((2, 2)), np.array([0, 1]), "multiclass", 2, ">= 3"),
        (np.zeros((2, 2)), np.array([0, 1]), "regression", 2, "n_classes 1"),
        (np.zeros((2, 2)), np.array([0, 1]), "ordinal", 2, "kind"),
        (np.zeros((2, 2)), np.array(["a", "b"]), "binary", 2, "numeric"),
    ],
)
def test_invalid_dataset_is_rejected(X, y, kind, k, fragment):
    with pytest.raises(DatasetError, match=fragment):
        Dataset(X, y, kind, k)


def test_subset_by_indices_and_mask():
    ds = make("blobs3", 9, 0.0, 0)
    part = ds.subset([4, 0])
    np.testing.assert_array_equal(part.X, ds.X[[4, 0]])
    np.testing.assert_array_equal(part.y, ds.y[[4, 0]])
    assert (part.kind, part.n_classes, part.name) == ("multiclass", 3, "blobs3")
    mask = ds.y == 2
    assert len(ds.subset(mask)) == 3
    assert ds.subset([]).X.shape == (0, 2)
    with pytest.raises(DatasetError):
        ds.subset([9])
    with pytest.raises(DatasetError):
        ds.subset(np.ones(3, dtype=bool))


@pytest.mark.parametrize("name", ["spiral3", "circle", "xor"])
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.8])
def test_split_is_stratified_and_follows_the_fraction(name, fraction):
    ds = make(name, 301, 0.1, 0)
    train, test = train_test_split(ds, fraction, seed=1)
    assert len(train) == round(fraction * 301) and len(train) + len(test) == 301
    for c in range(ds.n_classes):
        assert abs((train.y == c).sum() - fraction * (ds.y == c).sum()) <= 1
        assert (test.y == c).sum() > 0
    rows = {tuple(r) for r in np.column_stack([ds.X, ds.y])}
    assert {tuple(r) for r in np.column_stack([train.X, train.y])} | {
        tuple(r) for r in np.column_stack([test.X, test.y])} == rows


def test_split_keeps_every_class_in_both_parts_even_when_tiny():
    ds = make("spiral3", 6, 0.0, 0)
    for fraction in (0.05, 0.95):
        train, test = train_test_split(ds, fraction)
        assert set(train.y.tolist()) == set(test.y.tolist()) == {0, 1, 2}


def test_split_is_seeded_and_keeps_row_order():
    ds = make("plane", 50, 0.1, 0)
    a, _ = train_test_split(ds, 0.6, seed=3)
    b, _ = train_test_split(ds, 0.6, seed=3)
    c, _ = train_test_split(ds, 0.6, seed=4)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)
    rows = [int(np.flatnonzero((ds.X == x).all(axis=1))[0]) for x in a.X]
    assert rows == sorted(rows) and len(a) == 30


def test_split_with_fraction_one_gives_empty_test_set():
    ds = make("spiral3", 30, 0.0, 0)
    train, test = train_test_split(ds, 1.0)
    assert len(train) == 30
    assert test.X.shape == (0, 2) and test.y.shape == (0,) and test.Y.shape == (0, 3)
    assert test.y.dtype == np.int64


@pytest.mark.parametrize("fraction", [0.0, -0.5, 1.01, float("nan"), True])
def test_split_rejects_bad_fraction(fraction):
    with pytest.raises(DatasetError, match="train_fraction"):
        train_test_split(make("xor", 8), fraction)


@pytest.mark.parametrize(
    ("gate", "outputs"),
    [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("xor", [0, 1, 1, 0]), ("nand", [1, 1, 1, 0])],
)
def test_truth_tables(gate, outputs):
    ds = truth_table(gate)
    np.testing.assert_array_equal(ds.X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(ds.y, outputs)
    assert (ds.kind, ds.n_classes, ds.name) == ("binary", 2, gate)


def test_unknown_truth_table():
    with pytest.raises(DatasetError, match="and, or, xor, nand"):
        truth_table("nor")


def test_noise_scales_one_jitter_pattern_per_seed():
    clean = make("moons", 100, 0.0, 6).X
    small, large = make("moons", 100, 0.1, 6).X, make("moons", 100, 0.3, 6).X
    np.testing.assert_allclose(large - clean, 3 * (small - clean), atol=1e-12)
