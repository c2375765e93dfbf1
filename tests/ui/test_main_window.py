"""The main window driven like a user would: keys, controls, menus."""

import numpy as np
from PySide6.QtCore import Qt

from mlpviz.model.session import Session
from mlpviz.ui.shell.main_window import MainWindow


def press(qtbot, window, key):
    qtbot.keyClick(window.network, key)


def test_window_opens_on_the_xor_lesson(window):
    s = window.ctl.session
    assert s.lesson is not None and s.lesson.name == "xor"
    assert s.net.sizes == [2, 2, 1]
    assert window.ctl.walkthrough is None


def test_right_arrow_steps_through_every_stage_and_view_agrees(qtbot, window):
    press(qtbot, window, Qt.Key.Key_Right)
    wt = window.ctl.walkthrough
    assert wt is not None and wt.index == 0
    kinds = [wt.stage.kind]
    for _ in range(len(wt.stages) - 1):
        press(qtbot, window, Qt.Key.Key_Right)
        assert window.network._wt is wt  # the view shows the model's walkthrough
        kinds.append(wt.stage.kind)
    assert kinds == [s.kind for s in wt.stages]
    assert kinds == ["forward", "forward", "loss", "backward", "backward", "update"]
    assert wt.done
    assert "Update" in window.stage_label.text()


def test_left_arrow_undoes_the_update_exactly(qtbot, window):
    before = window.ctl.session.net.get_params()
    for _ in range(6):
        press(qtbot, window, Qt.Key.Key_Right)
    assert not np.array_equal(window.ctl.session.net.params, before)
    press(qtbot, window, Qt.Key.Key_Left)
    np.testing.assert_array_equal(window.ctl.session.net.params, before)
    assert window.ctl.walkthrough.stage.kind == "backward"


def test_space_starts_and_stops_the_run(qtbot, window):
    press(qtbot, window, Qt.Key.Key_Space)
    assert window.ctl.running
    qtbot.waitUntil(lambda: window.ctl.session.epoch >= 3, timeout=5000)
    press(qtbot, window, Qt.Key.Key_Space)
    assert not window.ctl.running
    epoch = window.ctl.session.epoch
    qtbot.wait(60)
    assert window.ctl.session.epoch == epoch
    assert len(window.ctl.session.history.train_loss) == epoch


def test_finish_key_runs_one_training_step(qtbot, window):
    ses = window.ctl.session
    x, y = ses.sample(0)
    net = ses.net.copy()
    trace = net.forward(x)
    grads = net.backward(trace, y)
    net.apply(grads, ses.train_config.learning_rate)
    press(qtbot, window, Qt.Key.Key_F)
    np.testing.assert_allclose(ses.net.params, net.params, rtol=0, atol=1e-15)


def test_adding_a_neuron_and_a_layer_rebuilds_network_and_view(qtbot, window):
    controls = window.controls
    qtbot.mouseClick(controls._rows[0].plus, Qt.MouseButton.LeftButton)
    assert window.ctl.session.net.sizes == [2, 3, 1]
    qtbot.mouseClick(controls.layers_plus, Qt.MouseButton.LeftButton)
    assert window.ctl.session.net.sizes == [2, 3, 3, 1]
    assert window.network._net is window.ctl.session.net
    assert controls.layers_count.text() == "2"
    qtbot.mouseClick(controls.layers_minus, Qt.MouseButton.LeftButton)
    assert window.ctl.session.net.sizes == [2, 3, 1]


def test_learning_rate_change_keeps_weights(qtbot, window):
    before = window.ctl.session.net.get_params()
    box = window.controls.lr
    box.setCurrentIndex(box.findData(0.1))
    box.activated.emit(box.currentIndex())
    assert window.ctl.session.train_config.learning_rate == 0.1
    np.testing.assert_array_equal(window.ctl.session.net.params, before)


def test_undo_redo_of_a_setting(qtbot, window):
    qtbot.mouseClick(window.controls._rows[0].plus, Qt.MouseButton.LeftButton)
    assert window.ctl.session.net.sizes == [2, 3, 1]
    window.ctl.undo_stack.undo()
    assert window.ctl.session.net.sizes == [2, 2, 1]
    assert window.controls._rows[0].count.text() == "2"
    window.ctl.undo_stack.redo()
    assert window.ctl.session.net.sizes == [2, 3, 1]


def test_divergence_pauses_shows_banner_and_keeps_finite_weights(qtbot, window):
    window.ctl.set_data(dataset="plane")
    window.ctl.set_net(hidden=(4,), activation=("relu",), output="linear", loss="mse")
    window.ctl.set_train(learning_rate=1e6)
    press(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.ctl.running, timeout=10000)
    assert window.banner.isVisible()
    assert "diverged" in window.banner.text().lower()
    assert np.isfinite(window.ctl.session.net.params).all()


def test_weight_edit_from_the_view_changes_the_model_and_undoes(qtbot, window):
    window.network.weightEdited.emit(0, 1, 0, 0.75)
    assert window.ctl.session.net.weights[0][1, 0] == 0.75
    window.ctl.undo_stack.undo()
    assert window.ctl.session.net.weights[0][1, 0] != 0.75


def test_bad_settings_give_a_message_and_keep_the_session(qtbot, window):
    before = window.ctl.session.net.get_params()
    assert not window.ctl.set_train(learning_rate=-1.0)
    assert window.banner.isVisible()
    np.testing.assert_array_equal(window.ctl.session.net.params, before)
    assert window.ctl.session.train_config.learning_rate > 0


def test_settings_and_autosave_survive_a_restart(qtbot, settings, private_data_dir):
    win = MainWindow(settings=settings, offer_autosave=False)
    qtbot.addWidget(win)
    win.show()
    win.set_theme("dark")
    win.ctl.set_net(hidden=(5,), activation=("tanh",))
    win.ctl.train_epochs(7)
    params = win.ctl.session.net.get_params()
    win.close()
    assert (private_data_dir / "autosave.mlpviz").exists()

    again = MainWindow(settings=settings, offer_autosave=True)
    qtbot.addWidget(again)
    again.show()
    assert again.theme_name == "dark"
    assert again.banner.isVisible()
    qtbot.mouseClick(again.banner.action_button, Qt.MouseButton.LeftButton)
    ses = again.ctl.session
    assert ses.net.sizes == [2, 5, 1]
    assert ses.epoch == 7
    np.testing.assert_array_equal(ses.net.params, params)


def test_open_damaged_file_keeps_the_session(qtbot, window, tmp_path):
    bad = tmp_path / "bad.mlpviz"
    bad.write_bytes(b"not a zip at all")
    before = window.ctl.session
    assert not window.files.open(bad)
    assert window.ctl.session is before
    assert "bad.mlpviz" in window.banner.text()


def test_save_and_open_round_trip(qtbot, window, tmp_path):
    window.ctl.train_epochs(3)
    path = tmp_path / "s.mlpviz"
    assert window.files.save_to(path)
    params = window.ctl.session.net.get_params()
    window.files.new()
    assert window.files.open(path)
    np.testing.assert_array_equal(window.ctl.session.net.params, params)
    assert str(path) in window.files.recent()


def mean_lightness(image):
    xs = range(0, image.width(), 17)
    ys = range(0, image.height(), 13)
    values = [image.pixelColor(x, y).lightness() for x in xs for y in ys]
    return sum(values) / len(values)


def test_dark_theme_darkens_the_whole_window(qtbot, window):
    light = mean_lightness(window.grab().toImage())
    window.set_theme("dark")
    dark = mean_lightness(window.grab().toImage())
    assert light > 180
    assert dark < 100


def test_session_from_file_source_opens(qtbot, settings, tmp_path):
    ses = Session.from_lesson("xor")
    ses.train(2)
    path = tmp_path / "x.mlpviz"
    ses.save(path)
    from mlpviz.ui.controller import Controller

    win = MainWindow(Controller(Session.load(path)), settings=settings, offer_autosave=False)
    qtbot.addWidget(win)
    assert win.ctl.session.epoch == 2


def test_hidden_plots_are_not_redrawn_until_they_show_again(qtbot, window):
    def plotted_epochs() -> int:
        x = window.plots.loss_plot.curves["train_loss"].getData()[0]
        return 0 if x is None else len(x)

    window.ctl.train_epochs(3)
    qtbot.waitUntil(lambda: plotted_epochs() == 3)
    window.plots_action.trigger()  # View ▸ Plots beside the network: off
    assert window.panels.view == "network" and not window.plots.isVisible()
    window.ctl.train_epochs(2)
    qtbot.waitUntil(lambda: "Epoch 5" in window.epoch_label.text())
    qtbot.wait(20)
    assert plotted_epochs() == 3  # hidden plots cost nothing per frame
    window.plots_action.trigger()
    assert window.panels.view == "network+plots"
    qtbot.waitUntil(lambda: plotted_epochs() == 5)


def test_switching_to_regression_or_three_classes_fits_the_output_layer(qtbot, window):
    box = window.controls.dataset
    box.setCurrentIndex(box.findData("plane"))
    box.activated.emit(box.currentIndex())
    n = window.ctl.session.net_config
    assert (n.output, n.loss) == ("linear", "mse")
    assert window.ctl.session.Y_train.min() < 0  # targets a sigmoid could never reach
    box.setCurrentIndex(box.findData("blobs3"))
    box.activated.emit(box.currentIndex())
    n = window.ctl.session.net_config
    assert (n.output, n.loss) == ("softmax", "cross_entropy")
    assert window.ctl.session.net.sizes[-1] == 3
    box.setCurrentIndex(box.findData("xor"))
    box.activated.emit(box.currentIndex())
    n = window.ctl.session.net_config
    assert n.output == "sigmoid" and n.loss != "cross_entropy"
    assert window.ctl.session.net.sizes[-1] == 1
    window.ctl.undo_stack.undo()
    assert window.ctl.session.net_config.output == "softmax"


def test_a_1280x720_window_puts_the_plots_under_the_network(qtbot, window):
    """Between the two docks of a 1280×720 window the centre is narrow: beside the
    network the map would be a sliver, so the plots go under it, map and loss side by
    side; a wide window, a video or a snapshot keeps them beside the network."""
    from PySide6.QtCore import Qt

    window.resize(1280, 720)
    qtbot.wait(50)
    panels, plots = window.panels, window.panels.plots
    assert panels.width() < panels.height() * 1.05
    assert panels.splitter.orientation() == Qt.Orientation.Vertical
    assert plots.map_plot.width() >= 200 and plots.map_plot.height() >= 150
    assert plots.loss_plot.x() > plots.map_plot.x()  # side by side under the network
    frame_panels_sizes = panels.render_frame(1280, 720)  # as a video: beside again
    assert frame_panels_sizes.width() == 1280
    window.resize(2200, 1000)
    qtbot.wait(50)
    assert panels.splitter.orientation() == Qt.Orientation.Horizontal
    assert plots.map_plot.width() >= 300
