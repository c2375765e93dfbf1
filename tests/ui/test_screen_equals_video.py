"""What is recorded is what the screen showed: a lesson played in the window through the
player and the same lesson rendered to video give the same raw RGB frames (a video leaves
out what is there to click — the plots' tabs and checkboxes, the splitter grips — so the
window's panels are compared with those hidden too)."""

import numpy as np
from PySide6.QtGui import QImage

from mlpviz.model.session import Session
from mlpviz.ui.video.frame_renderer import FrameRenderer

SIZE = (1280, 720)


def rgb(image: QImage) -> np.ndarray:
    img = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), np.uint8, count=bpl * h)
    return buf.reshape(h, bpl)[:, : 3 * w].reshape(h, w, 3).copy()


def test_a_lesson_on_screen_and_its_video_have_identical_frames(qtbot, window):
    window.player.enabled = True
    window.player.set_speed("normal")
    window.load_lesson("xor")
    window.panels.set_controls_visible(False)
    lesson = window.lesson
    playback = lesson.playback
    wanted: dict[int, str] = {}  # timeline frame -> what it shows
    screen: dict[int, np.ndarray] = {}
    caption = window.caption.text()
    while lesson.scripted and len({*wanted.values()} & {"forward", "backward", "update",
                                                         "train"}) < 4:
        window.player.step()
        frames = lesson._frames[lesson._next - 1]
        if not frames:
            continue
        kind = "train" if playback.frame(frames[0]).epoch else playback.frame(frames[0]).stage.kind
        picks = [len(frames) // 2] if kind in wanted.values() else [0, len(frames) // 2]
        for j in picks:
            window.player.seek(j)
            k = frames[j]
            screen[k] = rgb(window.panels.render_frame(*SIZE))
            label = kind
            if window.caption.text() != caption:
                label, caption = f"{kind} (new caption)", window.caption.text()
            wanted.setdefault(k, label)
        window.player.complete()
    shown = set(wanted.values())
    assert {"forward", "backward", "update", "train"} <= {s.split()[0] for s in shown}
    assert any("new caption" in s for s in shown)
    assert len(screen) >= 6

    renderer = FrameRenderer(Session.from_lesson("xor"), None, SIZE, fps=30,
                             view="network+plots", theme="light")
    assert len(renderer) == len(playback.timeline)
    try:
        for k in sorted(screen):
            video = renderer.frame(k)
            same = np.array_equal(video, screen[k])
            assert same, (f"frame {k} ({wanted[k]}): "
                          f"{int((video != screen[k]).any(axis=2).sum())} pixels differ")
    finally:
        renderer.close()


def test_a_video_shows_no_controls(qapp):
    renderer = FrameRenderer(Session.from_lesson("xor"), "forward", SIZE, fps=30)
    renderer.frame(0)
    try:
        plots = renderer.panels.plots
        assert plots.controls_bar.isHidden() and plots.tabs.tabBar().isHidden()
        assert plots.splitter.quiet and renderer.panels.splitter.quiet
        assert not plots.test_check.isVisibleTo(renderer.panels)
    finally:
        renderer.close()
