"""A frame of a run: the controller's unpaced run, labels that keep their size while the
epoch changes every frame, the inspector catching up when paused, and the loss plot's
thinned curves."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFont

from mlpviz.model.notation.mathtext import fmt_text
from mlpviz.ui.plots.loss_plot import LossPlot, peak_thin
from mlpviz.ui.shell.steady_label import SteadyLabel


class LayoutRequests(QObject):
    """Counts LayoutRequest events of the watched widgets."""

    def __init__(self, widgets):
        super().__init__()
        self.count = 0
        for w in widgets:
            w.installEventFilter(self)

    def eventFilter(self, _obj, event):  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_an_unpaced_run_is_running_but_only_tick_trains(qtbot, window):
    ctl = window.ctl
    ctl.set_speed("slow")
    with qtbot.waitSignal(ctl.runningChanged) as sig:
        ctl.run(paced=False)
    assert sig.args == [True] and ctl.running
    epoch = ctl.session.epoch
    qtbot.wait(80)  # five intervals of the run timer: it is not running
    assert ctl.session.epoch == epoch
    ctl.tick()
    assert ctl.session.epoch == epoch + 1
    assert window.stage_label.text().startswith("Training")
    ctl.pause()
    assert not ctl.running


def test_status_and_epoch_counter_stay_put_while_running_yet_show_each_epoch(qtbot, window):
    ctl = window.ctl
    ctl.set_speed("slow")
    ctl.run(paced=False)
    for _ in range(12):  # past epoch 10, and the widest loss texts of the start
        ctl.tick()
        qtbot.wait(1)
    status, counter = window.epoch_label, window.transport.epoch
    watched = LayoutRequests([window, window.statusBar(), window.transport])
    widths = {(status.width(), counter.width())}
    for _ in range(8):
        ctl.tick()
        qtbot.wait(1)  # the coalesced refresh and any posted layout requests
        s = ctl.session
        assert f"Epoch {s.epoch}" in status.text()
        assert fmt_text(s.history.last["train_loss"]) in status.text()
        assert f"Epoch {s.epoch:,}" in counter.text()
        for label in (status, counter):  # nothing clipped
            assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())
        widths.add((status.width(), counter.width()))
    # a relayout only when a label had to widen for a longer text
    assert watched.count <= len(widths) - 1
    ctl.pause()
    # paused, the labels fit their text exactly again (the status shows exact metrics)
    for label in (status, counter):
        assert label.width() == label.text_width(label.text())


def test_steady_label_widens_never_clips_and_refits_to_a_bigger_font(qtbot):
    label = SteadyLabel("Epoch 9")
    qtbot.addWidget(label)
    narrow = label.width()
    label.setText("Epoch 10   train loss 0.6832")
    wide = label.width()
    assert wide > narrow and wide >= label.text_width(label.text())
    label.setText("Epoch 11")  # shorter: the size stays
    assert label.width() == wide and label.minimumWidth() == label.maximumWidth()
    label.fit()
    assert label.width() == label.text_width("Epoch 11") < wide
    big = QFont(label.font())
    big.setPixelSize(40)  # presenter-sized type
    label.setFont(big)
    assert label.width() >= label.fontMetrics().horizontalAdvance("Epoch 11")
    assert label.height() >= label.fontMetrics().height()


def test_inspector_shows_the_current_numbers_as_soon_as_a_run_pauses(qtbot, window):
    ctl, inspector = window.ctl, window.inspector
    window.show_inspector()
    ctl.set_speed("slow")
    start = inspector.text()
    ctl.run(paced=False)
    for _ in range(3):  # within one throttle interval: the inspector is left behind
        ctl.tick()
    ctl.pause()
    shown = inspector.text()
    assert shown != start
    inspector.refresh()  # what it would show if rebuilt now
    assert inspector.text() == shown


def test_peak_thin_keeps_each_bins_extremes():
    x = np.arange(1000, dtype=float)
    y = np.sin(x / 30.0)
    y[503] = 5.0  # a spike
    xs, ys = peak_thin(x, y, 100)
    assert xs.size == ys.size <= 200
    assert ys.max() == 5.0 and ys.min() == pytest.approx(y.min())
    assert np.all(np.diff(xs) >= 0)
    small_x, small_y = peak_thin(x[:150], y[:150], 100)
    np.testing.assert_array_equal(small_y, y[:150])  # few points: drawn as they are
    np.testing.assert_array_equal(small_x, x[:150])


def test_loss_curves_draw_at_most_two_points_per_pixel_column(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(400, 300)
    plot.show()
    qtbot.waitExposed(plot)
    n = 10_000
    e = np.arange(n, dtype=float)
    plot.set_history({"epochs": e, "train_loss": 1.0 / (e + 1), "test_loss": 1.2 / (e + 1),
                      "train_acc": np.linspace(0.5, 1.0, n), "test_acc": np.linspace(0.4, 0.9, n)})
    columns = int(plot.loss_item.vb.width())
    for curve in plot.curves.values():
        assert len(curve.getData()[0]) <= 2 * columns
        assert len(curve.getOriginalDataset()[0]) == n
    assert plot.train_loss.getData()[1].max() == 1.0  # the first epoch's loss is kept
    plot.resize(800, 300)  # wider: thinned again for the new width
    plot.ci.layout.activate()
    qtbot.waitUntil(lambda: int(plot.loss_item.vb.width()) > columns)
    wider = int(plot.loss_item.vb.width())
    assert 2 * columns < len(plot.train_loss.getData()[0]) <= 2 * wider


def test_an_unchanged_traced_sample_does_not_redraw_its_ring(qtbot):
    from mlpviz.ui.plots.map_plot import MapPlot

    plot = MapPlot()
    qtbot.addWidget(plot)
    calls = []
    original = plot.ring.setData
    plot.ring.setData = lambda *a, **k: (calls.append(a or k), original(*a, **k))
    plot.set_highlight(np.array([0.2, 0.1]))
    plot.set_highlight(np.array([0.2, 0.1]))
    assert len(calls) == 1
    plot.set_highlight(np.array([0.3, 0.1]))
    plot.set_highlight(None)
    plot.set_highlight(None)
    assert len(calls) == 3
    assert plot.highlight is None and len(plot.ring.data) == 0


def test_plots_cached_for_the_screen_still_export_as_vectors(qtbot, tmp_path):
    import xml.etree.ElementTree as ET

    from mlpviz.model.config import DataConfig, NetConfig, TrainConfig
    from mlpviz.model.session import Session
    from mlpviz.ui.plots.panel import PlotsPanel

    session = Session(DataConfig(dataset="circle", n=200, train_fraction=0.5),
                      NetConfig(hidden=(4,)), TrainConfig())
    session.train(2)
    panel = PlotsPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    qtbot.waitExposed(panel)
    panel.update_from(session)
    panel.grab()  # the cached items have their pixmaps now
    cached = panel.map_plot.train_points.cacheMode()
    panel.export_svg(tmp_path / "map.svg", "map")
    tags = [e.tag.rsplit("}", 1)[-1] for e in ET.parse(tmp_path / "map.svg").getroot().iter()]
    assert tags.count("path") >= 200  # every data point a vector path
    assert tags.count("text") >= 10  # tick labels as text
    assert tags.count("image") <= 2  # the map and its colour bar, nothing else
    assert panel.map_plot.train_points.cacheMode() == cached  # restored after the export
