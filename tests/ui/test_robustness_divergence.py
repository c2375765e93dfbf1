"""Training that diverges, in every path of the window: Space (run), → (step), F (finish)
and the menu's train. The run pauses, a banner explains, the last good weights stay, and
the window keeps working (undo, reset, redraw)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from mlpviz.model.config import DataConfig, NetConfig, TrainConfig
from mlpviz.model.session import Session


def _exploding_session() -> Session:
    """A ReLU/linear regression net at η = 10⁶: the first epoch overflows."""
    return Session(DataConfig(dataset="plane"),
                   NetConfig(hidden=(8,), activation="relu", output="linear"),
                   TrainConfig(learning_rate=1e6))


def test_running_into_divergence_pauses_with_a_banner_and_keeps_the_weights(window, qtbot):
    ctl = window.ctl
    ctl.set_session(_exploding_session())
    params = ctl.session.net.get_params()
    qtbot.keyClick(window.network, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not ctl.running, timeout=5000)
    assert window.banner.isVisible() and window.banner.level == "diverged"
    assert "lower the learning rate" in window.banner.text().lower()
    np.testing.assert_array_equal(ctl.session.net.params, params)
    assert ctl.session.epoch == 0
    window.panels.refresh_now()
    assert ctl.set_train(learning_rate=0.01)
    assert ctl.train_epochs(3) and ctl.session.epoch == 3
    train_loss, test_loss = ctl.session.history.to_arrays()["latest"][:2]
    assert np.isfinite(train_loss) and np.isfinite(test_loss)


def test_stepping_into_divergence_reports_and_the_window_stays_usable(window, qtbot):
    ctl = window.ctl
    ctl.set_session(_exploding_session())
    diverged_at = None
    for k in range(60):
        ctl.set_sample(k % 10)
        before = ctl.session.net.get_params()
        ctl.finish_iteration()
        window.panels.refresh_now()
        if window.banner.isVisible():
            diverged_at = k
            break
    assert diverged_at is not None, "η = 10⁶ should blow this network up within 60 steps"
    assert "not finite" in window.banner.text() and "press R" in window.banner.text()
    np.testing.assert_array_equal(ctl.session.net.params, before)
    assert np.isfinite(ctl.session.net.params).all()
    # ← and → within the stuck iteration work; only the update reports again
    window.banner.hide()
    wt = ctl.walkthrough
    assert wt.index == len(wt.stages) - 2  # every stage but the update was taken
    for _ in range(2):
        qtbot.keyClick(window.network, Qt.Key.Key_Left)
    assert wt.index == len(wt.stages) - 4
    for _ in range(2):
        assert ctl.step_forward()
        window.panels.refresh_now()
    assert not ctl.step_forward()
    assert window.banner.isVisible()
    qtbot.keyClick(window.network, Qt.Key.Key_R)
    assert ctl.session.epoch == 0 and np.isfinite(ctl.session.net.params).all()
    ctl.undo_stack.undo()
    window.panels.refresh_now()
