"""A desktop app's manners: files dropped on the window open, the theme follows the
system's colour scheme, and an unexpected error leaves a report (log and dialog) while
the session stays open."""

import json
import sys

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from mlpviz.model.lessons import load_lesson
from mlpviz.model.session import Session
from mlpviz.paths import lessons_dir
from mlpviz.ui.shell.crash import LOG_NAME, CrashReporter


def drop(window, path) -> bool:
    """Drag ``path`` over the window and drop it; True if the window accepted the drag."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPoint(window.width() // 2, window.height() // 2)
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(pos.toPointF(), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, event)
    return True


def test_dropping_a_session_file_opens_it(window, tmp_path):
    session = Session.from_lesson("spiral")
    session.train(3)
    path = tmp_path / "mine.mlpviz"
    session.save(path)
    assert drop(window, path)
    assert window.ctl.session.epoch == 3 and window.files.path == path
    assert "mine.mlpviz" in window.windowTitle()


def test_dropping_a_lesson_file_plays_it(window, tmp_path):
    data = json.loads((lessons_dir() / "xor.json").read_text(encoding="utf-8"))
    data["name"], data["title"] = "my-xor", "My own XOR lesson"
    path = tmp_path / "my-xor.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert drop(window, path)
    assert window.lesson.active and window.lesson.lesson.title == "My own XOR lesson"
    assert window.caption.text() == load_lesson("xor").caption_for(None)
    window.player.step()
    assert window.caption.text() == data["script"][1].removeprefix("caption ")


def test_dropping_a_csv_imports_its_points_undoably(window, tmp_path):
    path = tmp_path / "points.csv"
    rows = ["x1,x2,label"] + [f"{i % 5},{i % 7},{i % 2}" for i in range(40)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = window.ctl.session.X_train.copy()
    assert drop(window, path)
    assert len(window.ctl.session.X_train) + len(window.ctl.session.X_test) == 40
    window.ctl.undo_stack.undo()
    np.testing.assert_array_equal(window.ctl.session.X_train, before)


def test_other_files_are_not_taken(window, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    assert not drop(window, path)
    broken = tmp_path / "broken.mlpviz"
    broken.write_bytes(b"not a zip")
    epoch = window.ctl.session.epoch
    assert drop(window, broken)
    assert window.banner.isVisible() and "broken.mlpviz" in window.banner.text()
    assert window.ctl.session.epoch == epoch


@pytest.fixture
def system_scheme(monkeypatch):
    """Stand in for the desktop's colour scheme (the offscreen platform has none):
    ``set(scheme)`` changes it and tells the app, as a desktop does."""
    from mlpviz.ui.shell import main_window

    current = [Qt.ColorScheme.Unknown]
    monkeypatch.setattr(main_window, "system_color_scheme", lambda: current[0])

    def set_scheme(scheme):
        current[0] = scheme
        QGuiApplication.styleHints().colorSchemeChanged.emit(scheme)
        QApplication.processEvents()

    return set_scheme


def test_auto_theme_follows_the_system_colour_scheme(shown_window, system_scheme):
    window = shown_window()
    assert window.theme_name == "auto" and window.theme_key == "light"
    system_scheme(Qt.ColorScheme.Dark)
    assert window.theme_key == "dark"
    assert window.palette().window().color().lightness() < 100
    system_scheme(Qt.ColorScheme.Light)
    assert window.theme_key == "light"
    assert window.palette().window().color().lightness() > 150
    window.set_theme("dark")  # a chosen theme stays, whatever the system does
    system_scheme(Qt.ColorScheme.Light)
    assert window.theme_key == "dark"
    window.set_theme("light")


def test_an_unexpected_error_is_logged_and_shown_and_the_session_stays(
        qtbot, window, private_data_dir, monkeypatch):
    reporter = CrashReporter()
    monkeypatch.setattr(sys, "excepthook", reporter)
    monkeypatch.setattr(sys, "stderr", open(private_data_dir / "stderr.txt", "w"))  # noqa: SIM115

    try:
        raise RuntimeError("a bug in a slot")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    log = (private_data_dir / LOG_NAME).read_text(encoding="utf-8")
    assert "RuntimeError: a bug in a slot" in log and "mlpviz" in log.splitlines()[1]
    assert "a bug in a slot" in reporter.dialog.text()
    assert "Traceback" in reporter.dialog.detailedText()
    assert reporter.dialog.isVisible() and not reporter.dialog.isModal()
    window.player.step()  # the window still works
    assert window.ctl.walkthrough is not None
    reporter.dialog.close()


def test_every_control_has_an_accessible_name(window):
    from PySide6.QtWidgets import QAbstractButton, QWidget

    from mlpviz.ui.shell.accessibility import FIELDS, _is_internal

    window.ctl.set_net(hidden=(3, 2), activation=("tanh", "relu"))
    QApplication.processEvents()
    unnamed = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, FIELDS) or not widget.isVisible() or _is_internal(widget):
            continue
        own_text = isinstance(widget, QAbstractButton) and any(c.isalnum() for c in widget.text())
        if not (widget.accessibleName() or own_text):
            unnamed.append(f"{type(widget).__name__} {widget.toolTip()!r}")
    assert unnamed == []
    assert window.network.accessibleName() == "Network diagram"
    window.ctl.select(("neuron", 0, 1))
    assert "neuron" in window.network.accessibleDescription().lower()


def _map_pos(map_plot, x, y):
    """Viewport pixel of the data point (x, y) on the map."""
    from PySide6.QtCore import QPointF

    vb = map_plot.getPlotItem().vb
    scene = vb.mapViewToScene(QPointF(x, y))
    return map_plot.mapFromScene(scene)


def test_clicks_on_the_map_add_and_remove_points_undoably(qtbot, window):
    plots = window.plots
    qtbot.waitUntil(lambda: plots.map_plot.isVisible() and plots.edit_check.isEnabled())
    n = len(window.ctl.session.X_train)
    qtbot.mouseClick(plots.edit_check, Qt.MouseButton.LeftButton)
    assert plots.edit_check.isChecked() and plots.edit_class.isEnabled()
    plots.edit_class.setCurrentIndex(0)
    view = plots.map_plot.viewport()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=_map_pos(plots.map_plot, 0.5, 0.5))
    s = window.ctl.session
    assert len(s.X_train) == n + 1
    np.testing.assert_allclose(s.train_set.X[-1], (0.5, 0.5), atol=0.03)
    assert s.train_set.y[-1] == 0
    qtbot.waitUntil(lambda: len(plots.map_plot.train_points.data) == n + 1)
    qtbot.mouseClick(view, Qt.MouseButton.RightButton, pos=_map_pos(plots.map_plot, 0.51, 0.5))
    assert len(window.ctl.session.X_train) == n
    assert not np.any(np.all(np.abs(window.ctl.session.train_set.X - 0.5) < 0.03, axis=1))
    window.ctl.undo_stack.undo()  # the removal
    assert len(window.ctl.session.X_train) == n + 1
    window.ctl.undo_stack.undo()  # the addition
    assert len(window.ctl.session.X_train) == n
    qtbot.mouseClick(plots.edit_check, Qt.MouseButton.LeftButton)  # off: clicks do nothing
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=_map_pos(plots.map_plot, 0.5, 0.5))
    assert len(window.ctl.session.X_train) == n
