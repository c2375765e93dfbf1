"""Data ▸ Import CSV… with more than three columns asks which columns are x₁, x₂ and the
label; text labels arrive as class names; cancelling changes nothing."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton

from mlpviz.ui.shell import controls, csv_columns_dialog

CONTENT = ("id;height;width;weight;kind\n"
           + "".join(f"{i};{i % 5},5;{i % 3};{i * 2};{'cat' if i % 2 else 'dog'}\n"
                     for i in range(20)))


def _click_import(window, qtbot, monkeypatch, path) -> None:
    monkeypatch.setattr(controls.QFileDialog, "getOpenFileName",
                        lambda *a, **k: (str(path), "CSV files (*.csv)"))
    (button,) = [b for b in window.findChildren(QPushButton) if b.text() == "Import CSV…"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _answer_with(qtbot, moves: list[int], ok: bool):
    """A stand-in for the modal exec(): press Down on each drop-down ``moves[i]`` times
    (keys on the real widgets), check that OK tracks validity, then click OK or Cancel."""
    seen = {}

    def fake_exec(dialog: QDialog) -> int:
        for box, n in zip(dialog.boxes, moves, strict=True):
            for _ in range(n):
                qtbot.keyClick(box, Qt.Key.Key_Down)
        ok_button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen["ok_enabled"] = ok_button.isEnabled()
        seen["labels"] = [box.currentText() for box in dialog.boxes]
        which = ok_button if ok else dialog.buttons.button(
            QDialogButtonBox.StandardButton.Cancel)
        qtbot.mouseClick(which, Qt.MouseButton.LeftButton)
        return dialog.result()

    return fake_exec, seen


def test_choosing_columns_imports_them_with_class_names(window, qtbot, monkeypatch, tmp_path):
    path = tmp_path / "animals.csv"
    path.write_text(CONTENT, encoding="utf-8")
    fake, seen = _answer_with(qtbot, [1, 2, 0], ok=True)  # height, weight; label kind (last)
    monkeypatch.setattr(csv_columns_dialog.ColumnsDialog, "exec", fake)
    _click_import(window, qtbot, monkeypatch, path)
    assert seen == {"ok_enabled": True,
                    "labels": ["2: height", "4: weight", "5: kind"]}
    s = window.ctl.session
    assert s.data_config.dataset == "custom" and s.kind == "binary"
    assert s.class_names == ("cat", "dog")
    everything = np.vstack([s.train_set.X, s.test_set.X])
    expected = np.array([[i % 5 + 0.5, i * 2] for i in range(20)])
    np.testing.assert_array_equal(np.sort(everything, axis=0), np.sort(expected, axis=0))


def test_same_column_twice_disables_ok_and_cancel_changes_nothing(window, qtbot, monkeypatch,
                                                                  tmp_path):
    path = tmp_path / "animals.csv"
    path.write_text(CONTENT, encoding="utf-8")
    fake, seen = _answer_with(qtbot, [1, 0, 0], ok=False)  # x₁ = x₂ = height
    monkeypatch.setattr(csv_columns_dialog.ColumnsDialog, "exec", fake)
    ctl = window.ctl
    undo_count, X = ctl.undo_stack.count(), ctl.session.X_train.copy()
    _click_import(window, qtbot, monkeypatch, path)
    assert seen["ok_enabled"] is False
    assert ctl.undo_stack.count() == undo_count
    np.testing.assert_array_equal(ctl.session.X_train, X)
    assert ctl.session.data_config.dataset == "xor"


def test_text_class_names_label_the_network_outputs(window, qtbot, monkeypatch, tmp_path):
    from mlpviz.ui.controller import output_labels

    path = tmp_path / "fruit.csv"
    names = ("apple", "fig", "a pear from France")
    rows = [f"{k % 3 + 0.1 * k},{(k * 7) % 5 * 0.2},{names[k % 3]}" for k in range(30)]
    path.write_text("x1,x2,fruit\n" + "\n".join(rows) + "\n", encoding="utf-8")
    _click_import(window, qtbot, monkeypatch, path)
    s = window.ctl.session
    assert s.kind == "multiclass" and s.net.sizes[-1] == 3
    assert output_labels(s) == ["a pear from Fra…", "apple", "fig"]
    window.panels.refresh_now()
    assert window.network._out_labels == ["a pear from Fra…", "apple", "fig"]


def _import_fruit(window, qtbot, monkeypatch, tmp_path, names) -> None:
    path = tmp_path / "fruit.csv"
    rows = [f"{k % 3 + 0.1 * k},{(k * 7) % 5 * 0.2},{names[k % len(names)]}"
            for k in range(30)]
    path.write_text("x1,x2,fruit\n" + "\n".join(rows) + "\n", encoding="utf-8")
    _click_import(window, qtbot, monkeypatch, path)
    window.panels.refresh_now()


def test_class_names_name_the_map_legend_and_the_classes_to_add(window, qtbot, monkeypatch,
                                                                 tmp_path):
    _import_fruit(window, qtbot, monkeypatch, tmp_path,
                  ("apple", "fig", "a pear from France"))
    plots = window.panels.plots
    ticks = [label for _pos, label in plots.map_plot.colorbar.axis._tickLevels[0]]
    assert ticks == ["a pear from…", "apple", "fig"]
    choices = [plots.edit_class.itemText(i) for i in range(plots.edit_class.count())]
    assert choices == ["a pear from France", "apple", "fig"]
    # a point added on the map keeps the names
    window.ctl.session.add_point((0.5, 0.5), 2)
    assert window.ctl.session.class_names == ("a pear from France", "apple", "fig")


def test_binary_class_names_name_the_output_probability(window, qtbot, monkeypatch, tmp_path):
    _import_fruit(window, qtbot, monkeypatch, tmp_path, ("no", "yes"))
    label = window.panels.plots.map_plot.colorbar.getAxis("left").labelText
    assert label == "output ŷ (class yes prob.)"
