"""The activation gallery: the lecture's six functions with their derivatives, drawn from the
engine's own activations, and the selected neuron's z marked on its curve."""

import numpy as np
import pytest
from PySide6.QtGui import QColor

from mlpviz.engine import activations
from mlpviz.ui.colors import THEMES
from mlpviz.ui.teaching.activation_gallery import (
    ENTRIES,
    Y_RANGE,
    ActivationGallery,
    curves,
    selected_activation,
)

SIX = ["step", "sigmoid", "tanh", "relu", "leaky_relu", "elu"]


@pytest.fixture
def gallery(qtbot):
    g = ActivationGallery()
    qtbot.addWidget(g)
    g.resize(1500, 260)
    g.show()
    qtbot.waitExposed(g)
    return g


def test_the_gallery_shows_the_six_functions_of_the_seed(gallery):
    assert gallery.names() == SIX
    assert [c.title.text().split(" ")[0] for c in gallery.cells] == [
        "Step", "Sigmoid", "tanh", "ReLU", "LeakyReLU", "ELU"]
    assert all(c.isVisible() and c.plot.width() > 100 for c in gallery.cells)
    formulas = {c.entry.name: c.formulas.text() for c in gallery.cells}
    assert "1 / (1 + e<sup>−z</sup>)" in formulas["sigmoid"]
    assert "σ(z)(1 − σ(z))" in formulas["sigmoid"]
    assert "1 − tanh²(z)" in formulas["tanh"]
    assert "max(0, z)" in formulas["relu"]
    assert "f(z) = 1&nbsp; if z ≥ 0" in formulas["step"]
    assert "αz" in formulas["leaky_relu"]
    assert "α(e<sup>z</sup> − 1)" in formulas["elu"]


def test_curves_are_the_engines_f_and_derivative(gallery):
    z = np.linspace(-3, 3, 241)
    expected = {
        "step": ((z >= 0).astype(float), np.zeros_like(z)),
        "sigmoid": (1 / (1 + np.exp(-z)), np.exp(-z) / (1 + np.exp(-z)) ** 2),
        "tanh": (np.tanh(z), 1 - np.tanh(z) ** 2),
        "relu": (np.maximum(z, 0), (z > 0).astype(float)),
        "leaky_relu": (np.where(z > 0, z, 0.01 * z), np.where(z > 0, 1.0, 0.01)),
        "elu": (np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
                np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))),
    }
    for entry in ENTRIES:
        zz, f, df = curves(entry)
        np.testing.assert_allclose(zz, z, atol=1e-12)
        np.testing.assert_allclose(f, expected[entry.name][0], atol=1e-12)
        np.testing.assert_allclose(df, expected[entry.name][1], atol=1e-12)
        assert entry.activation() == activations.get(entry.name, **(
            {"alpha": entry.alpha} if entry.alpha is not None else {}))


def near_colour(image, x, y, colour, tol=40, radius=2):
    target = QColor(colour)
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            c = image.pixelColor(round(x) + dx, round(y) + dy)
            if max(abs(c.red() - target.red()), abs(c.green() - target.green()),
                   abs(c.blue() - target.blue())) <= tol:
                return True
    return False


def test_each_panel_draws_f_solid_and_its_derivative(gallery):
    theme = THEMES["light"]
    for cell in gallery.cells:
        image = cell.plot.grab().toImage()
        for z in (-2.2, -1.1, 1.3, 2.4):
            k = int(np.argmin(np.abs(cell.plot.z - z)))
            zk, f, df = cell.plot.z[k], cell.plot.f[k], cell.plot.df[k]
            if Y_RANGE[0] < f < Y_RANGE[1]:
                pt = cell.plot.to_pixel(zk, f)
                assert near_colour(image, pt.x(), pt.y(), theme.pos), (cell.entry.name, z)
            if abs(df - f) > 0.15:  # where the curves overlap the solid f is on top
                pt = cell.plot.to_pixel(zk, df)
                dash = any(near_colour(image, cell.plot.to_pixel(cell.plot.z[k + d], df).x(),
                                       pt.y(), theme.neg) for d in (-3, 0, 3))
                assert dash, (cell.entry.name, z)


def test_marker_outlines_the_selected_neurons_function(qtbot, window):
    window.load_lesson("activations")
    window.ctl.select(("neuron", 2, 1))  # hidden layer 3: ReLU
    name, z = selected_activation(window.ctl)
    assert name == "relu"
    x, _ = window.ctl.session.sample(window.ctl.sample)
    expected = window.ctl.session.net.forward(np.atleast_2d(x)).layers[2].z[0, 1]
    assert z == pytest.approx(expected, abs=1e-12)
    gallery = window.gallery_dock.gallery
    assert [c.plot.highlighted for c in gallery.cells] == [n == "relu" for n in SIX]
    assert gallery.cell("relu").plot.marker == pytest.approx(expected, abs=1e-12)
    window.ctl.select(None)
    assert not any(c.plot.highlighted for c in gallery.cells)


def test_marker_waits_until_the_walkthrough_computed_z(qtbot, window):
    window.load_lesson("activations")
    window.ctl.select(("neuron", 1, 0))  # hidden layer 2: tanh
    window.ctl.step_forward()  # forward through layer 1 only
    assert selected_activation(window.ctl) == ("tanh", None)
    window.ctl.step_forward()
    name, z = selected_activation(window.ctl)
    assert name == "tanh"
    assert z == pytest.approx(window.ctl.walkthrough.trace.layers[1].z[0, 0], abs=1e-12)


def test_view_menu_opens_the_gallery_for_any_session(qtbot, window):
    assert not window.gallery_dock.isVisible()
    window.gallery_dock.toggleViewAction().trigger()
    assert window.gallery_dock.isVisible()
    assert window.gallery_dock.gallery.names() == SIX
    window.gallery_dock.toggleViewAction().trigger()
    assert not window.gallery_dock.isVisible()


def test_unknown_activation_name_is_a_clear_error(gallery):
    with pytest.raises(KeyError, match="softmax"):
        gallery.cell("softmax")
