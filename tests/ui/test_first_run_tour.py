"""README's five-minute tour from a first run: empty settings, the lessons browser opens
over the window with the xor lesson highlighted, → starts it, and the tour's key presses
do what README says, step by step."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from mlpviz.ui.teaching.lesson_browser import LessonCard

README = Path(__file__).resolve().parents[2] / "README.md"


def tour_text() -> str:
    text = README.read_text(encoding="utf-8")
    return re.search(r"## Five-minute tour\n(.*?)\n## ", text, re.S).group(1)


def first_run_window(qtbot, settings):
    from mlpviz.ui.shell.main_window import MainWindow

    assert settings.allKeys() == []  # a first run: nothing remembered
    win = MainWindow(settings=settings, offer_autosave=True)  # a start without a source
    win.player.enabled = False
    qtbot.addWidget(win)
    win.resize(1280, 720)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.lesson_browser is not None and win.lesson_browser.isVisible())
    return win


def press(qtbot, key) -> None:
    """A key press where the keyboard is: the focused widget of the active window."""
    target = QApplication.focusWidget() or QApplication.activeWindow()
    assert target is not None
    qtbot.keyClick(target, key)
    QApplication.processEvents()


def test_readme_says_how_the_tour_starts_from_the_lessons_browser():
    tour = tour_text()
    assert "lessons browser" in tour.lower() and "**→**" in tour.split("\n2.")[0]


def test_first_run_tour_works_key_by_key(qtbot, settings):
    win = first_run_window(qtbot, settings)
    browser = win.lesson_browser
    browser.activateWindow()
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), LessonCard))
    assert browser.highlighted().lesson.name == "xor"
    # step 1: → in the browser starts the highlighted lesson
    press(qtbot, Qt.Key.Key_Right)
    assert win.lesson_browser is None or not win.lesson_browser.isVisible()
    ctl = win.ctl
    assert win.lesson.active and win.lesson.lesson.name == "xor"
    assert len(ctl.session.X_train) + len(ctl.session.X_test) == 200
    assert ctl.session.net.sizes == [2, 2, 1]
    # the window is active again with the keyboard on the network, as after any dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    assert QApplication.focusWidget() is win.network
    seen = []
    for _ in range(8):  # steps 2-4: two captions, forward 1, forward 2, loss, backward, update
        press(qtbot, Qt.Key.Key_Right)
        wt = ctl.walkthrough
        seen.append(wt.stage.label if wt is not None and wt.stage is not None else None)
    assert seen == [None, None, "Forward: layer 1", "Forward: layer 2", "Loss",
                    "Backward: layer 2", "Backward: layer 1", "Update weights"]
    press(qtbot, Qt.Key.Key_Right)  # "the press after that trains 300 epochs"
    qtbot.waitUntil(lambda: ctl.session.epoch == 300, timeout=20000)
    press(qtbot, Qt.Key.Key_Space)  # step 5
    assert ctl.running
    press(qtbot, Qt.Key.Key_Space)
    assert not ctl.running


def test_up_down_move_the_highlight_and_enter_starts_it(qtbot, settings):
    win = first_run_window(qtbot, settings)
    browser = win.lesson_browser
    browser.activateWindow()
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), LessonCard))
    press(qtbot, Qt.Key.Key_Down)
    second = list(browser.cards)[1]
    assert browser.highlighted().lesson.name == second
    press(qtbot, Qt.Key.Key_Return)
    assert win.lesson.lesson.name == second
