"""README's five-minute tour, pressed key by key: the xor lesson's → beats are two
captions, forward 1, forward 2, loss, backward 2, backward 1, update, then 300 epochs."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_the_readme_tour_matches_what_the_keys_do(window, qtbot):
    window.load_lesson("xor")
    ctl = window.ctl
    assert len(ctl.session.X_train) + len(ctl.session.X_test) == 200
    seen = []
    for _ in range(8):
        qtbot.keyClick(window.network, Qt.Key.Key_Right)
        wt = ctl.walkthrough
        seen.append(wt.stage.label if wt is not None and wt.stage is not None else None)
    assert seen == [None, None, "Forward: layer 1", "Forward: layer 2", "Loss",
                    "Backward: layer 2", "Backward: layer 1", "Update weights"]
    qtbot.keyClick(window.network, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: ctl.session.epoch == 300, timeout=20000)
    qtbot.keyClick(window.network, Qt.Key.Key_Space)
    assert ctl.running
    qtbot.keyClick(window.network, Qt.Key.Key_Space)
    assert not ctl.running
