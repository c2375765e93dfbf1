"""The pyqtgraph plots: map colours and points by pixel probes, loss curves, hidden space,
and the panel's offscreen rendering and SVG export."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from mlpviz.engine.datasets import Dataset
from mlpviz.ui.colors import DARK, LIGHT
from mlpviz.ui.plots import plot_style as ps
from mlpviz.ui.plots.contour import contour_segments
from mlpviz.ui.plots.hidden_space_plot import (
    HiddenSpacePanel,
    HiddenSpacePlot,
    join_polylines,
)
from mlpviz.ui.plots.loss_plot import LossPlot, round_up
from mlpviz.ui.plots.map_plot import RING_SIZE, MapPlot
from mlpviz.ui.plots.panel import PlotsPanel

EXTENT = (-1.0, 1.0, -1.0, 1.0)
NO_POINTS = (np.empty((0, 2)), np.empty(0))


def _rgb(c: QColor) -> np.ndarray:
    return np.array([c.red(), c.green(), c.blue()])


def _probe(plot, image, x: float, y: float, dx: float = 0.0) -> np.ndarray:
    """RGB of the grabbed ``image`` at data point (x, y), ``dx`` screen px to the right."""
    scene = plot.getPlotItem().vb.mapViewToScene(QPointF(x, y))
    p = plot.mapFromScene(scene)
    return _rgb(image.pixelColor(round(p.x() + dx), p.y()))


def _grab(plot):
    return plot.grab().toImage()


def _close(actual: np.ndarray, expected: np.ndarray, tol: int = 3) -> bool:
    return bool(np.all(np.abs(actual.astype(int) - np.asarray(expected[:3], dtype=int)) <= tol))


@pytest.fixture
def map_plot(qtbot):
    plot = MapPlot()
    qtbot.addWidget(plot)
    plot.resize(420, 400)
    return plot


def _halves(level_lo: float, level_hi: float, n: int = 40) -> np.ndarray:
    v = np.full((n, n), level_lo, dtype=np.float32)
    v[:, n // 2:] = level_hi
    return v


def test_binary_map_is_blue_where_positive_and_orange_where_negative(map_plot):
    map_plot.set_session_data(*NO_POINTS, None, None, "binary", 2, EXTENT)
    map_plot.set_map(_halves(0.0, 1.0), EXTENT)
    img = _grab(map_plot)
    lut = ps.map_lut(LIGHT)
    left, right = _probe(map_plot, img, -0.5, 0.3), _probe(map_plot, img, 0.5, 0.3)
    assert _close(left, lut[0]) and _close(right, lut[255])
    assert right[2] > right[0] + 60  # blue-ish
    assert left[0] > left[2] + 60  # orange-ish


def test_regression_map_uses_symmetric_scale_of_the_targets(map_plot):
    X = np.array([[0.9, 0.9], [-0.9, -0.9]])
    map_plot.set_session_data(X, np.array([1.7, -0.5]), None, None, "regression", 1, EXTENT)
    assert map_plot.levels == (-2.0, 2.0)  # max |y| 1.7 rounded up to a legend-friendly 2
    map_plot.set_map(_halves(-2.0, 1.0), EXTENT)
    img = _grab(map_plot)
    lut = ps.map_lut(LIGHT)
    assert _close(_probe(map_plot, img, -0.5, 0.0), lut[0])
    assert _close(_probe(map_plot, img, 0.5, 0.0), lut[ps.lut_index(1.0, -2.0, 2.0)])


def test_train_points_drawn_in_class_colour_and_test_points_toggle(map_plot):
    train_X, train_y = np.array([[0.5, 0.5], [-0.5, -0.5]]), np.array([0, 1])
    test_X, test_y = np.array([[-0.5, 0.5]]), np.array([1])
    map_plot.set_session_data(train_X, train_y, test_X, test_y, "binary", 2, EXTENT)
    map_plot.set_map(np.full((20, 20), 0.5, np.float32), EXTENT)
    img = _grab(map_plot)
    neg, pos = ps.rgba(LIGHT.neg), ps.rgba(LIGHT.pos)
    assert _close(_probe(map_plot, img, 0.5, 0.5), neg)
    assert _close(_probe(map_plot, img, -0.5, -0.5), pos)
    assert _close(_probe(map_plot, img, -0.5, 0.5), pos)
    map_plot.set_show_test(False)
    img = _grab(map_plot)
    assert _close(_probe(map_plot, img, -0.5, 0.5), ps.map_lut(LIGHT)[ps.lut_index(0.5, 0, 1)])
    assert _close(_probe(map_plot, img, 0.5, 0.5), neg)


def test_highlight_draws_a_ring_and_none_removes_it(map_plot):
    map_plot.set_session_data(*NO_POINTS, None, None, "binary", 2, EXTENT)
    map_plot.set_map(np.full((20, 20), 0.5, np.float32), EXTENT)
    background = _probe(map_plot, _grab(map_plot), 0.2, 0.1)
    r = RING_SIZE / 2
    map_plot.set_highlight(np.array([0.2, 0.1]))
    img = _grab(map_plot)
    fg = ps.rgba(LIGHT.foreground)

    def darkest(image, side: int) -> np.ndarray:  # darkest pixel where the ring should be
        row = [_probe(map_plot, image, 0.2, 0.1, side * (r + d)) for d in (-1.5, -0.5, 0.5)]
        return min(row, key=lambda c: int(c.sum()))

    for side in (-1, 1):
        assert _close(darkest(img, side), fg)
    assert _close(_probe(map_plot, img, 0.2, 0.1), background)  # the ring is hollow
    map_plot.set_highlight(None)
    assert _close(darkest(_grab(map_plot), 1), background)


def test_multiclass_map_takes_colour_of_the_confident_class(map_plot):
    map_plot.set_session_data(*NO_POINTS, None, None, "multiclass", 3, EXTENT)
    probs = np.zeros((20, 20, 3))
    probs[:, :10, 2] = 1.0  # certain class 2 on the left
    probs[:, 10:, :] = 1.0 / 3  # undecided on the right
    map_plot.set_map(probs, EXTENT)
    img = _grab(map_plot)
    class2 = ps.fade(ps.class_colors(LIGHT, 3), LIGHT.background, ps.MAP_FADE)[2]
    assert _close(_probe(map_plot, img, -0.5, 0.0), class2)
    assert _close(_probe(map_plot, img, 0.5, 0.0), ps.rgba(LIGHT.neutral))


def test_binary_boundary_follows_the_half_level(map_plot):
    map_plot.set_session_data(*NO_POINTS, None, None, "binary", 2, EXTENT)
    xs = np.linspace(-1, 1, 41)
    gx, _ = np.meshgrid(xs, xs)
    map_plot.set_map(0.5 + 0.4 * (gx - 0.3), EXTENT)
    x, y = map_plot.contour.getData()
    assert len(x) > 0
    np.testing.assert_allclose(x, 0.3, atol=1e-9)
    assert y.min() == pytest.approx(-1.0) and y.max() == pytest.approx(1.0)
    map_plot.set_show_contour(False)
    assert len(map_plot.contour.getData()[0]) == 0


def test_contour_of_a_radial_field_is_a_circle():
    xs = np.linspace(-1, 1, 81)
    gx, gy = np.meshgrid(xs, xs)
    seg = contour_segments(np.hypot(gx, gy), 0.6, xs, ys=xs)
    assert seg.shape[0] % 2 == 0 and seg.shape[0] > 100
    np.testing.assert_allclose(np.hypot(seg[:, 0], seg[:, 1]), 0.6, atol=2e-3)


def test_contour_saddle_gives_two_segments_and_rejects_bad_shapes():
    seg = contour_segments(np.array([[1.0, 0.0], [0.0, 1.0]]), 0.5, np.array([0.0, 1.0]),
                           np.array([0.0, 1.0]))
    assert seg.shape == (4, 2)
    with pytest.raises(ValueError, match="shape"):
        contour_segments(np.zeros((3, 4)), 0.5, np.arange(3), np.arange(3))


@pytest.mark.parametrize(("call", "match"), [
    (lambda p: p.set_session_data(*NO_POINTS, None, None, "ordinal", 2, EXTENT), "kind"),
    (lambda p: p.set_session_data(*NO_POINTS, None, None, "binary", 2, (1, 0, 0, 1)), "extent"),
    (lambda p: p.set_session_data(np.zeros((3, 3)), np.zeros(3), None, None, "binary", 2,
                                  EXTENT), r"train_X must have shape \(n, 2\)"),
    (lambda p: p.set_session_data(np.zeros((2, 2)), np.array([0, 2]), None, None, "binary", 2,
                                  EXTENT), "class labels"),
    (lambda p: p.set_map(np.zeros(10), EXTENT), "shape"),
    (lambda p: p.set_highlight([1.0, np.nan]), "highlight"),
])
def test_map_rejects_bad_input_with_clear_errors(map_plot, call, match):
    with pytest.raises(ValueError, match=match):
        call(map_plot)


def test_clear_map_removes_image_points_and_ring(map_plot):
    map_plot.set_session_data(np.array([[0.5, 0.5]]), np.array([1]), None, None, "binary", 2,
                              EXTENT)
    map_plot.set_map(_halves(0.0, 1.0), EXTENT)
    map_plot.set_highlight([0.5, 0.5])
    map_plot.clear_map()
    assert map_plot.image.image is None and len(map_plot.train_points.data) == 0
    assert len(map_plot.ring.data) == 0 and len(map_plot.contour.getData()[0]) == 0


# ---- loss plot --------------------------------------------------------------------------
@pytest.fixture
def loss_plot(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    return plot


def _n_points(curve) -> int:
    x, _ = curve.getData()
    return 0 if x is None else len(x)


def _history(n: int = 6) -> dict[str, np.ndarray]:
    e = np.arange(n, dtype=float)
    return {"epochs": e, "train_loss": 1.0 / (e + 1), "test_loss": 1.2 / (e + 1),
            "train_acc": np.linspace(0.5, 1.0, n), "test_acc": np.linspace(0.4, 0.9, n)}


def test_loss_curves_hold_the_history(loss_plot):
    h = _history()
    loss_plot.set_history(SimpleNamespace(**h))
    for name, curve in loss_plot.curves.items():
        x, y = curve.getData()
        np.testing.assert_array_equal(x, h["epochs"])
        np.testing.assert_array_equal(y, h[name])
    assert loss_plot.accuracy_shown


def _legend_centre_fraction(plot: LossPlot) -> float:
    """Height of the legend's centre in the loss view box, 0 at the top and 1 at the bottom."""
    vb = plot.loss_item.getViewBox()
    legend = plot.loss_item.legend
    return legend.mapRectToItem(vb, legend.boundingRect()).center().y() / vb.height()


@pytest.mark.parametrize("final, lower", [(0.95, True), (0.1, False)])
def test_loss_legend_moves_away_from_the_latest_loss(loss_plot, final, lower):
    loss_plot.resize(400, 300)
    loss_plot.show()
    e = np.arange(10, dtype=float)
    loss = np.linspace(1.0, final, 10)  # axis 0 .. 1: a plateau high, or a fall to 0.1
    loss_plot.set_history({"epochs": e, "train_loss": loss, "test_loss": loss})
    loss_plot.ci.layout.activate()
    fraction = _legend_centre_fraction(loss_plot)
    assert (fraction > 0.75) if lower else (fraction < 0.25)


def test_nan_and_none_entries_are_skipped(loss_plot):
    h = _history(5)
    h["test_loss"] = [0.9, None, 0.7, float("nan"), 0.5]
    h["test_acc"] = None
    loss_plot.set_history(h)
    x, y = loss_plot.test_loss.getData()
    np.testing.assert_array_equal(x, [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(y, [0.9, 0.7, 0.5])
    assert _n_points(loss_plot.test_acc) == 0


def test_log_toggle_switches_the_loss_axis_and_skips_zero_loss(loss_plot):
    h = _history(4)
    h["train_loss"] = np.array([1.0, 0.1, 0.0, 0.01])
    loss_plot.set_history(h)
    loss_plot.set_log(True)
    assert loss_plot.log and loss_plot.loss_item.getAxis("left").logMode
    x, y = loss_plot.train_loss.getData()
    np.testing.assert_array_equal(x, [0.0, 1.0, 3.0])
    np.testing.assert_allclose(y, [0.0, -1.0, -2.0])  # shown as log10
    loss_plot.set_log(False)
    assert not loss_plot.loss_item.getAxis("left").logMode
    assert _n_points(loss_plot.train_loss) == 4


def test_accuracy_plot_hides_without_accuracy_and_returns(loss_plot):
    loss_plot.resize(500, 500)
    loss_plot.set_history(_history())
    loss_plot.grab()
    height = loss_plot.acc_item.geometry().height()
    h = _history()
    h["train_acc"] = h["test_acc"] = np.full(6, np.nan)
    loss_plot.set_history(h)
    loss_plot.grab()
    assert not loss_plot.accuracy_shown and not loss_plot.acc_item.isVisible()
    assert loss_plot.acc_item.geometry().height() == 0
    assert loss_plot.loss_item.getAxis("bottom").isVisible()  # epochs now under the loss
    loss_plot.set_history(_history())
    assert loss_plot.accuracy_shown and loss_plot.acc_item.isVisible()
    loss_plot.grab()
    assert loss_plot.acc_item.geometry().height() == pytest.approx(height, abs=1)


def test_history_with_mismatched_lengths_is_rejected(loss_plot):
    h = _history()
    h["test_loss"] = h["test_loss"][:3]
    with pytest.raises(ValueError, match="test_loss"):
        loss_plot.set_history(h)


def test_ten_thousand_points_keep_the_same_curve_items(loss_plot):
    before = list(loss_plot.loss_item.listDataItems())
    h = _history(10_000)
    loss_plot.set_history(h)
    assert loss_plot.loss_item.listDataItems() == before
    x, y = loss_plot.train_loss.getOriginalDataset()
    np.testing.assert_array_equal(y, h["train_loss"])


@pytest.mark.parametrize(("value", "expected"), [
    (36, 40), (300, 300), (301, 350), (0.76, 0.8), (0.25, 0.25), (1.2, 1.5), (0, 1), (-3, 1),
])
def test_round_up_to_half_decades(value, expected):
    assert round_up(value) == pytest.approx(expected)


def test_loss_axes_move_in_round_steps(loss_plot):
    h = _history(37)
    loss_plot.set_history(h)
    (x0, x1), (y0, y1) = loss_plot.loss_item.vb.viewRange()
    assert x0 < 0 < 40 < x1 < 41  # epochs 0..36 shown on 0..40 (+2 % padding)
    assert y0 < 0 < 1.5 < y1 < 1.55  # largest loss 1.2 → 0..1.5
    loss_plot.set_log(True)
    (_, _), (y0, y1) = loss_plot.loss_item.vb.viewRange()
    assert -2.1 < y0 < -2 and 1 < y1 < 1.1  # 0.03 .. 1.2 → decades 10⁻² .. 10¹


# ---- hidden space -----------------------------------------------------------------------
def _space(shift: float = 0.0) -> SimpleNamespace:
    t = np.linspace(0, 1, 5)
    lines = [np.column_stack([t + shift, np.full(5, v) ** 2]) for v in (0.0, 0.5, 1.0)]
    return SimpleNamespace(points=np.array([[0.1, 0.2], [0.8, 0.9]]) + shift,
                           labels=np.array([0, 1]), grid_lines=lines,
                           axes_labels=("h₁", "h₂"))


def test_hidden_space_grid_curve_holds_the_warped_lines(qtbot):
    plot = HiddenSpacePlot()
    qtbot.addWidget(plot)
    space = _space()
    plot.set_space(space, "binary", 2)
    x, y = plot.grid.getData()
    assert np.isnan(x).sum() == 2  # one gap between each of the three lines
    keep = ~np.isnan(x)
    np.testing.assert_array_equal(np.column_stack([x[keep], y[keep]]),
                                  np.concatenate(space.grid_lines))
    np.testing.assert_array_equal(np.column_stack(plot.points.getData()), space.points)
    assert plot.getPlotItem().getAxis("bottom").labelText == "h₁"
    with pytest.raises(ValueError, match="grid line 0"):
        join_polylines([np.zeros((3, 3))])


class FakeSession:
    """What the plots read from a Session, with a record of hidden_space calls."""

    def __init__(self, kind: str = "binary", n: int = 40, seed: int = 0):
        rng = np.random.default_rng(seed)
        X = rng.uniform(-1, 1, (n, 2))
        y = (X[:, 0] * X[:, 1] > 0).astype(int)
        self.kind = kind
        self.train_set = Dataset(X[: n // 2], y[: n // 2], "binary", 2)
        self.test_set = Dataset(X[n // 2:], y[n // 2:], "binary", 2)
        self.extent = (-1.2, 1.2, -1.2, 1.2)
        self.threshold = 0.5
        act = SimpleNamespace(name="sigmoid")
        self.net = SimpleNamespace(sizes=[2, 2, 1], activations=[act, act], n_layers=2)
        e = np.arange(50.0)
        self.history = SimpleNamespace(epochs=e, train_loss=np.exp(-e / 20),
                                       test_loss=np.exp(-e / 25), train_acc=1 - np.exp(-e / 9),
                                       test_acc=1 - np.exp(-e / 12))
        self.hidden_calls: list[int] = []

    def grid(self, resolution: int = 100) -> SimpleNamespace:
        xs = np.linspace(*self.extent[:2], resolution)
        gx, gy = np.meshgrid(xs, xs)
        out = 1.0 / (1.0 + np.exp(-6.0 * gx * gy))
        return SimpleNamespace(xs=xs, ys=xs, layers=[out[:, :, None]] * 2)

    def hidden_space(self, layer: int, resolution: int = 21) -> SimpleNamespace:
        self.hidden_calls.append(layer)
        return _space(shift=float(layer))


def test_layer_chooser_changes_the_layer_shown(qtbot):
    panel = HiddenSpacePanel()
    qtbot.addWidget(panel)
    session = FakeSession()
    panel.update_from(session)
    assert panel.combo.count() == 2 and panel.layer == 0
    assert session.hidden_calls == [0]
    with qtbot.waitSignal(panel.layerChanged) as blocker:
        panel.combo.setCurrentIndex(1)
    assert blocker.args == [1] and session.hidden_calls == [0, 1]
    np.testing.assert_allclose(panel.plot.points.getData()[0], [1.1, 1.8])
    with pytest.raises(ValueError, match="layer"):
        panel.set_layer(5)


# ---- panel ------------------------------------------------------------------------------
@pytest.fixture
def panel(qtbot):
    p = PlotsPanel()
    qtbot.addWidget(p)
    return p


def test_panel_update_reads_the_session(panel):
    session = FakeSession()
    panel.update_from(session, highlight=session.train_set.X[0])
    assert panel.map_plot.image.image.shape == (100, 100)
    np.testing.assert_array_equal(panel.map_plot.ring.getData()[0], session.train_set.X[:1, 0])
    np.testing.assert_array_equal(panel.loss_plot.train_loss.getData()[1],
                                  session.history.train_loss)
    assert session.hidden_calls == []  # hidden tab not visible: not computed
    panel.tabs.setCurrentWidget(panel.hidden_panel)
    assert session.hidden_calls == [0]


def test_panel_shows_a_real_session(panel):
    from mlpviz.model.session import Session

    session = Session.from_lesson("xor")
    session.train(3)
    grid = session.grid(60)
    panel.update_from(session, grid, session.train_set.X[2])
    np.testing.assert_array_equal(panel.map_plot.image.image, grid.layers[-1][:, :, 0])
    assert len(panel.map_plot.train_points.data) == len(session.train_set.X)
    assert len(panel.map_plot.test_points.data) == len(session.test_set.X)
    np.testing.assert_array_equal(panel.loss_plot.train_loss.getOriginalDataset()[1],
                                  session.history.train_loss)
    panel.tabs.setCurrentWidget(panel.hidden_panel)
    space = session.hidden_space(0)
    np.testing.assert_allclose(np.column_stack(panel.hidden_panel.plot.points.getData()),
                               space.points)


def test_panel_copes_with_inputs_that_are_not_points_in_a_plane(panel):
    from mlpviz.model.session import Session

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    session = Session.from_arrays(X, (X[:, :1] > 0).astype(float))
    session.train(2)
    panel.update_from(FakeSession())
    panel.update_from(session)
    panel.tabs.setCurrentWidget(panel.hidden_panel)
    assert panel.map_plot.image.image is None and len(panel.map_plot.train_points.data) == 0
    np.testing.assert_array_equal(panel.loss_plot.train_loss.getOriginalDataset()[1],
                                  session.history.train_loss)


@pytest.mark.parametrize("theme", ["light", "dark", "colorblind"])
def test_render_image_has_exact_size_and_content(panel, theme):
    panel.set_theme(theme)
    panel.update_from(FakeSession(), highlight=None)
    image = panel.render_image(640, 360)
    assert (image.width(), image.height()) == (640, 360)
    colours = np.unique(_pixels(image).reshape(-1, 3), axis=0)
    assert len(colours) > 50
    with pytest.raises(ValueError, match="width"):
        panel.render_image(0, 100)


def test_dark_theme_renders_a_dark_background(panel):
    panel.update_from(FakeSession())
    panel.set_theme("dark")
    image = panel.render_image(400, 300)
    corner = _rgb(image.pixelColor(399, 299))
    assert _close(corner, ps.rgba(DARK.background), tol=12)
    with pytest.raises(ValueError, match="theme"):
        panel.set_theme("sepia")


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    return rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4)[:, :, :3]


def test_export_svg_draws_what_the_screen_shows(panel, tmp_path):
    out = tmp_path / "svg"
    out.mkdir()
    panel.update_from(FakeSession(), highlight=np.array([0.1, 0.2]))
    panel.resize(600, 700)
    for name, view in (("map", panel.map_plot), ("loss", panel.loss_plot)):
        screen = view.grab().toImage()
        path = out / f"{name}.svg"
        panel.export_svg(path, name)
        renderer = QSvgRenderer(str(path))
        assert renderer.isValid()
        drawn = QImage(screen.size(), QImage.Format.Format_RGB32)
        drawn.fill(QColor("white"))
        painter = QPainter(drawn)
        renderer.render(painter)
        painter.end()
        diff = np.abs(_pixels(drawn).astype(int) - _pixels(screen).astype(int))
        assert diff.mean() < 5 and (diff.max(axis=2) > 60).mean() < 0.03
    with pytest.raises(ValueError, match="plot"):
        panel.export_svg(out / "x.svg", "network")
    with pytest.raises(OSError):
        panel.export_svg(out / "missing" / "x.svg")
    assert sorted(p.name for p in out.iterdir()) == ["loss.svg", "map.svg"]  # no temp files


def test_loss_legend_lists_test_only_when_there_is_a_test_set(qtbot):
    from mlpviz.ui.plots.loss_plot import LossPlot

    plot = LossPlot()
    qtbot.addWidget(plot)
    nan = np.full(5, np.nan)
    epochs = np.arange(1.0, 6.0)
    plot.set_history({"epochs": epochs, "train_loss": 1 / epochs, "test_loss": nan,
                      "train_acc": nan, "test_acc": nan})
    labels = [label.text for _sample, label in plot.loss_item.legend.items]
    assert labels == ["train"]
    plot.set_history({"epochs": epochs, "train_loss": 1 / epochs, "test_loss": 2 / epochs,
                      "train_acc": nan, "test_acc": nan})
    labels = [label.text for _sample, label in plot.loss_item.legend.items]
    assert labels == ["train", "test"]


def test_plot_type_grows_with_the_presenter_font_scale(qtbot):
    from dataclasses import replace

    panel = PlotsPanel()
    qtbot.addWidget(panel)
    sizes = {}
    for scale in (1.0, 1.45):
        panel.set_theme(replace(LIGHT, font_scale=scale))
        item = panel.loss_plot.loss_item
        axis = item.getAxis("left")
        sizes[scale] = (axis.style["tickFont"].pixelSize(), axis.labelStyle.get("font-size"))
        assert panel.map_plot.getPlotItem().getAxis("bottom").style["tickFont"].pixelSize() \
            == sizes[scale][0]
    tick, label = ps.type_px(replace(LIGHT, font_scale=1.45))
    assert sizes[1.0][0] >= 13 and sizes[1.45] == (tick, f"{label}px") and tick >= 18
def test_plus_minus_one_targets_put_the_map_boundary_where_accuracy_counts(panel):
    from mlpviz.engine import MLP
    from mlpviz.model.session import Session

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (60, 2))
    y = np.where(X[:, 0] + 0.3 * X[:, 1] > 0.1, 1.0, -1.0)
    net = MLP.from_params([np.array([[2.0, 0.6]])], [np.array([-0.2])], ["tanh"], "mse")
    session = Session.from_arrays(X, y, net=net)
    assert session.kind == "binary" and session.threshold == 0.0
    panel.update_from(session)
    low, high = panel.map_plot.levels
    assert (low + high) / 2 == session.threshold  # the boundary (middle of the scale)
    out = net.forward(session.X_train).output[:, 0]
    predicted = (out >= (low + high) / 2).astype(int)  # what the map colours as class 1
    assert np.mean(predicted == session.train_set.y) == session.metrics()["train_acc"]
    assert "class 1 from 0" in panel.map_plot.colorbar.getAxis("left").labelText
