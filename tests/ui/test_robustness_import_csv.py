"""Data ▸ Import CSV…: the button loads the file through the controller; a bad file is
refused with its line in the banner and the session untouched; a good one replaces the data
as one undoable change."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from mlpviz.ui.shell import controls


def _click_import(window, qtbot, monkeypatch, path) -> None:
    monkeypatch.setattr(controls.QFileDialog, "getOpenFileName",
                        lambda *a, **k: (str(path), "CSV files (*.csv)"))
    (button,) = [b for b in window.findChildren(QPushButton) if b.text() == "Import CSV…"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


BAD = {
    "nan.csv": ("x1,x2,label\n0,0,0\nnan,1,1\n", "line 3"),
    "inf.csv": ("x1,x2,label\n0,0,0\n1,inf,1\n", "line 3"),
    "ragged.csv": ("x1,x2,label\n0,0,0\n1,1\n", "line 3"),
    "one_class.csv": ("x1,x2,label\n0,0,1\n1,1,1\n2,0,1\n", "two classes"),
    "empty.csv": ("", "empty"),
    "header_only.csv": ("x1,x2,label\n", "no data rows"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_csv_is_refused_with_its_line_and_the_session_stays(window, qtbot, monkeypatch,
                                                                  tmp_path, name):
    text, expected = BAD[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    ctl = window.ctl
    session, params = ctl.session, ctl.session.net.get_params()
    X = ctl.session.X_train.copy()
    undo_count = ctl.undo_stack.count()
    _click_import(window, qtbot, monkeypatch, path)
    assert ctl.session is session
    np.testing.assert_array_equal(ctl.session.X_train, X)
    np.testing.assert_array_equal(ctl.session.net.params, params)
    assert ctl.undo_stack.count() == undo_count
    assert window.banner.isVisible()
    assert expected in window.banner.text() and name in window.banner.text()


def test_a_good_csv_replaces_the_data_and_undo_brings_the_old_data_back(window, qtbot,
                                                                        monkeypatch, tmp_path):
    rng = np.random.default_rng(0)
    pts = rng.uniform(-1, 1, (40, 2))
    labels = (pts[:, 0] * pts[:, 1] > 0).astype(int) + 5  # classes 5 and 6 → 0 and 1
    path = tmp_path / "quadrants.csv"
    path.write_text("a,b,label\n" + "".join(f"{x:.6f},{y:.6f},{c}\n" for (x, y), c in
                                            zip(pts, labels, strict=True)), encoding="utf-8")
    ctl = window.ctl
    old_X = ctl.session.X_train.copy()
    _click_import(window, qtbot, monkeypatch, path)
    s = ctl.session
    assert s.data_config.dataset == "custom" and s.kind == "binary"
    assert len(s.X_train) + len(s.X_test) == 40
    everything = np.vstack([s.train_set.X, s.test_set.X])
    np.testing.assert_allclose(np.sort(everything, axis=0), np.sort(pts, axis=0), atol=1e-6)
    assert set(np.concatenate([s.train_set.y, s.test_set.y]).tolist()) == {0, 1}
    assert s.epoch == 0
    ctl.undo_stack.undo()
    assert ctl.session.data_config.dataset == "xor"
    np.testing.assert_array_equal(ctl.session.X_train, old_X)
    ctl.undo_stack.redo()
    assert ctl.session.data_config.dataset == "custom"


def test_a_csv_with_three_classes_rebuilds_the_output_layer(window, qtbot, monkeypatch,
                                                             tmp_path):
    path = tmp_path / "three.csv"
    rows = [f"{k % 3 + 0.1 * k},{(k * 7) % 5 * 0.2},{k % 3}" for k in range(30)]
    path.write_text("x1,x2,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    _click_import(window, qtbot, monkeypatch, path)
    s = window.ctl.session
    assert s.kind == "multiclass" and s.net.sizes[-1] == 3
    window.panels.refresh_now()
    assert window.ctl.step_forward()
