"""File ▸ Record…: the dialog records with a progress bar that reaches 100 %, Cancel leaves
no file, and "record what I do next" writes a script that replays the take exactly."""

import av
import numpy as np
import pytest
from PySide6.QtCore import Qt

from mlpviz.model.script import ScriptRunner, parse_script
from mlpviz.model.session import Session
from mlpviz.model.timeline import Timeline
from mlpviz.ui.video.action_log import ActionLog, caption_line, selection_line
from mlpviz.ui.video.record_dialog import RecordDialog, show_record_dialog


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def dialog(qtbot, window, out):
    d = show_record_dialog(window)
    d.size_combo.setCurrentIndex(d.size_combo.count() - 1)  # custom
    d.width_spin.setValue(320)
    d.height_spin.setValue(180)
    d.fps_combo.setCurrentIndex(d.fps_combo.findData(25))
    d.view_combo.setCurrentIndex(d.view_combo.findData("network"))
    d.path_edit.setText(str(out / "take.mp4"))
    return d


def press(qtbot, window, key):
    qtbot.keyClick(window.network, key)


def test_dialog_records_and_progress_reaches_100(qtbot, dialog, out):
    dialog.script_edit.setPlainText("forward\nforward\nloss")
    values = []
    dialog.progress.valueChanged.connect(values.append)
    with qtbot.waitSignal(dialog.recorded, timeout=120_000) as done:
        assert dialog.start()
        assert dialog.recording and not dialog.record_button.isEnabled()
    assert done.args == [str(out / "take.mp4")]
    assert dialog.progress.value() == 100 and not dialog.recording
    assert values == sorted(values) and values[-1] == 100
    assert "Saved" in dialog.status.text()
    with av.open(str(out / "take.mp4")) as video:
        frames = sum(1 for _ in video.decode(video=0))
    assert frames == len(Timeline.from_actions(parse_script("forward;forward;loss"), 25,
                                               sizes=[2, 2, 1]))


def test_cancel_stops_and_leaves_no_file(qtbot, dialog, out):
    dialog.script_edit.setPlainText("train 50\nhold 20")
    assert dialog.start()
    qtbot.waitUntil(lambda: dialog._rec is not None and dialog._rec.done >= 2, timeout=60_000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.recording
    assert "Cancelled" in dialog.status.text()
    assert dialog.record_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert list(out.iterdir()) == []


def test_gif_offers_only_25_or_50_fps(dialog):
    dialog.fps_combo.setCurrentIndex(dialog.fps_combo.findData(30))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("gif"))
    assert dialog.fps == 50
    model = dialog.fps_combo.model()
    enabled = [dialog.fps_combo.itemData(r) for r in range(model.rowCount())
               if model.item(r).isEnabled()]
    assert enabled == [25, 50]
    assert dialog.path_edit.text().endswith("take.gif")


def test_bad_script_names_the_line_and_does_not_start(dialog, out):
    dialog.script_edit.setPlainText("forward\nfly")
    assert not dialog.start()
    assert "line 2" in dialog.status.text() and not dialog.recording
    assert list(out.iterdir()) == []


def test_file_menu_record_opens_the_dialog(window):
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    record = next(a for a in file_menu.actions() if a.text() == "&Record…")
    assert record.shortcut().toString() == "Ctrl+R"
    record.trigger()
    dialog = window.findChild(RecordDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.script_edit.toPlainText() == window.ctl.session.lesson.script
    dialog.close()


def test_a_take_replays_exactly_what_the_user_did(qtbot, window):
    window.ctl.set_sample(3)
    press(qtbot, window, Qt.Key.Key_Right)  # a take may begin mid-iteration
    dialog = show_record_dialog(window)
    dialog.begin_take()
    assert not dialog.isVisible() and window.banner.isVisible()
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Left):
        press(qtbot, window, key)
    window.ctl.select(("edge", 1, 0, 1))
    press(qtbot, window, Qt.Key.Key_F)  # finish the iteration
    window.ctl.train_epochs(4)
    window.ctl.train_epochs(2)
    window.ctl.set_sample(7)
    press(qtbot, window, Qt.Key.Key_Right)
    show_record_dialog(window)  # Ctrl+R during a take ends it
    assert dialog.isVisible() and not dialog.log.active
    script = dialog.script_edit.toPlainText()
    assert [ln for ln in script.splitlines() if not ln.startswith("#")] == [
        "sample 3", "forward", "forward", "select edge 2:1:2", "update", "train 6",
        "sample 7", "forward"]
    replay = Session.from_snapshot(dialog.log.start_snapshot)
    runner = ScriptRunner(replay, script)
    runner.run_all()
    live = window.ctl.session
    np.testing.assert_array_equal(replay.net.params, live.net.params)
    assert replay.epoch == live.epoch == 6
    assert runner.walkthrough.index == window.ctl.walkthrough.index == 0
    assert runner.sample == window.ctl.sample == 7


def test_a_take_stops_at_a_change_a_script_cannot_hold(qtbot, window):
    dialog = show_record_dialog(window)
    dialog.begin_take()
    press(qtbot, window, Qt.Key.Key_Right)
    window.ctl.set_train(learning_rate=0.123)
    assert not dialog.log.active and dialog.isVisible()
    assert "cannot be written in a script" in dialog.status.text()
    assert dialog.script_edit.toPlainText().splitlines()[1:] == ["forward"]


def test_log_compresses_whole_iterations_and_merges_training(qtbot, window):
    log = ActionLog(window.ctl)
    log.start("Look at the loss")
    press(qtbot, window, Qt.Key.Key_F)
    press(qtbot, window, Qt.Key.Key_F)
    window.ctl.select(("neuron", -1, 0))
    window.ctl.select(("bias", 0, 1))
    window.ctl.set_caption('Now; the "update"')
    log.stop()
    assert log.lines == ["caption Look at the loss", "iteration", "iteration",
                         "select neuron 1:2", 'caption "Now; the \\"update\\""']
    assert parse_script(log.script())[-1].args == ('Now; the "update"',)


def test_script_forms_of_selections_and_captions():
    assert selection_line(None) == "select none"
    assert selection_line(("neuron", -1, 1)) == "select neuron 0:2"
    assert selection_line(("edge", 0, 1, 0)) == "select edge 1:2:1"
    assert selection_line(("output",)) is None
    assert caption_line("") == "caption"
    assert caption_line(" padded") == 'caption " padded"'


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_take_keeps_the_rhythm_and_every_action(qtbot, window):
    clock = FakeClock()
    log = ActionLog(window.ctl, clock=clock)
    log.start()
    steps = ["forward", "forward", "loss", "backward", "backward", "update"]
    pauses = [0.0, 1.5, 0.2, 2.4, 0.9, 3.0]  # seconds the presenter waits after the stage
    for pause in pauses:
        press(qtbot, window, Qt.Key.Key_Right)
        clock.now += 0.6 + pause  # the stage itself, then the pause
    window.ctl.select(("neuron", 0, 1))
    clock.now += 1.0
    window.ctl.set_caption("Now training")
    clock.now += 0.1
    window.ctl.train_epochs(7)
    log.stop()
    lines = log.lines
    holds = [float(line.split()[1]) for line in lines if line.startswith("hold")]
    expected = [p for p in pauses if p > 0.3] + [1.0]
    assert len(holds) == len(expected)
    for got, want in zip(holds, expected, strict=True):
        assert abs(got - want) <= 0.1
    actions = [line for line in lines if not line.startswith("hold")]
    assert actions == [*steps, "select neuron 1:2", "caption Now training", "train 7"]
    runner_actions = parse_script(log.script())
    assert [a.kind for a in runner_actions if a.kind != "hold"] == [
        *steps, "select", "caption", "train"]


def test_videos_show_network_and_plots_unless_asked(qtbot, window):
    d = show_record_dialog(window)
    assert d.view_combo.currentData() == "network+plots"
    assert not d.subtitles_check.isChecked()


def test_subtitles_checkbox_writes_the_captions_next_to_the_video(qtbot, dialog, out):
    dialog.script_edit.setPlainText("caption Hello there\nforward")
    qtbot.mouseClick(dialog.subtitles_check, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.recorded, timeout=120_000):
        assert dialog.start()
    assert sorted(p.name for p in out.iterdir()) == ["take.mp4", "take.srt"]
    assert (out / "take.srt").read_text(encoding="utf-8") == (
        "1\n00:00:00,000 --> 00:00:02,520\nHello there\n")  # 63 frames at 25 fps
    assert dialog.status.text() == f"Saved {out / 'take.mp4'} and its subtitles take.srt"
    assert dialog.window_.settings.value("record/subtitles") == "true"
