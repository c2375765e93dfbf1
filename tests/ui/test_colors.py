"""The diverging colour scale and the themes."""

import numpy as np
import pytest
from PySide6.QtGui import QColor

from mlpviz.ui.colors import (
    THEMES,
    auto_scale,
    buckets,
    diverging,
    diverging_rgba,
    lut,
    nice_ceil,
    text_on,
)


def rgb(c: QColor) -> tuple[int, int, int]:
    return c.red(), c.green(), c.blue()


def test_light_scale_anchors_are_the_playground_colours():
    th = THEMES["light"]
    assert rgb(diverging(-2.0, 2.0, th)) == (0xF5, 0x93, 0x22)
    assert rgb(diverging(0.0, 2.0, th)) == (0xE8, 0xEA, 0xEB)
    assert rgb(diverging(2.0, 2.0, th)) == (0x08, 0x77, 0xBD)


def test_magnitudes_beyond_the_scale_are_clamped_and_nan_is_neutral():
    th = THEMES["light"]
    assert rgb(diverging(50.0, 1.0, th)) == rgb(diverging(1.0, 1.0, th))
    assert rgb(diverging(-np.inf, 1.0, th)) == rgb(diverging(-1.0, 1.0, th))
    assert rgb(diverging(float("nan"), 1.0, th)) == (0xE8, 0xEA, 0xEB)


def test_halfway_is_the_midpoint_between_neutral_and_end_colour():
    th = THEMES["light"]
    r, g, b = rgb(diverging(0.5, 1.0, th))
    assert (r, g, b) == (round((0xE8 + 0x08) / 2), round((0xEA + 0x77) / 2),
                         round((0xEB + 0xBD) / 2))


@pytest.mark.parametrize("name", sorted(THEMES))
def test_scalar_and_vectorized_colours_agree(name):
    th = THEMES[name]
    values = np.linspace(-3.0, 3.0, 101)
    rgba = diverging_rgba(values, 2.0, th)
    assert rgba.shape == (101, 4) and rgba.dtype == np.uint8
    assert (rgba[:, 3] == 255).all()
    for v, row in zip(values, rgba, strict=True):
        assert rgb(diverging(v, 2.0, th)) == tuple(int(c) for c in row[:3])


def test_vectorized_colours_keep_the_input_shape():
    out = diverging_rgba(np.zeros((5, 7, 3)), 1.0)
    assert out.shape == (5, 7, 3, 4)


def test_lut_runs_from_negative_through_neutral_to_positive():
    th = THEMES["dark"]
    table = lut(th, 257)
    assert table.shape == (257, 4) and table.dtype == np.uint8
    assert tuple(table[0, :3]) == rgb(QColor(th.neg))
    assert tuple(table[128, :3]) == rgb(QColor(th.neutral))
    assert tuple(table[-1, :3]) == rgb(QColor(th.pos))
    with pytest.raises(ValueError, match="at least 2"):
        lut(th, 1)


def test_themes_light_dark_and_colorblind():
    assert set(THEMES) == {"light", "dark", "colorblind"}
    assert not THEMES["light"].dark and THEMES["dark"].dark
    assert THEMES["dark"].neutral != THEMES["light"].neutral
    assert QColor(THEMES["dark"].neutral).lightness() < 90
    assert THEMES["colorblind"].dashed_negative
    assert not THEMES["light"].dashed_negative


def test_auto_scale_is_the_max_for_few_values_and_robust_for_many():
    assert auto_scale(np.array([0.2, -0.7, 0.1])) == pytest.approx(0.7)
    many = np.concatenate([np.linspace(-1, 1, 999), [1000.0]])
    assert auto_scale(many) < 1.5


@pytest.mark.parametrize("values", [np.zeros(4), np.array([]), np.array([np.nan, np.inf])])
def test_auto_scale_is_never_zero(values):
    assert auto_scale(values) == 1.0


@pytest.mark.parametrize(("x", "nice"), [(0.7, 1.0), (1.0, 1.0), (1.2, 2.0), (2.2, 2.5),
                                         (3.0, 5.0), (0.03, 0.05), (7.0, 10.0), (0.0, 1.0)])
def test_nice_ceil_rounds_up_to_a_legend_friendly_value(x, nice):
    assert nice_ceil(x) == pytest.approx(nice)


def test_buckets_keep_the_sign_of_every_nonzero_value():
    q = buckets(np.array([-5.0, -1e-9, 0.0, 1e-9, 0.5, 2.0]), 1.0, 12)
    assert q.tolist() == [-12, -1, 0, 1, 6, 12]


def test_text_on_a_fill_is_readable():
    assert text_on(QColor("#0877bd")).lightness() > 200
    assert text_on(QColor("#e8eaeb")).lightness() < 60
