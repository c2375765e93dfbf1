"""Offline recording: frames walk the Timeline, videos decode to what the Timeline says,
renders are repeatable, and failures or cancels leave no file behind."""

from fractions import Fraction

import av
import numpy as np
import pytest
from PySide6.QtCore import Qt

import mlpviz.ui.video.recording as recording_module
from mlpviz.model.script import ScriptError, parse_script
from mlpviz.model.session import Session
from mlpviz.model.timeline import Timeline
from mlpviz.record import RecordCancelled, RecordError
from mlpviz.ui.video.frame_renderer import (
    SECONDS_PER_STAGE,
    FrameRenderer,
    default_script,
)
from mlpviz.ui.video.recording import Recording, progress_text, record

SCRIPT = "forward; forward; loss; backward; backward; update"
SIZE = (320, 180)
CODECS = {"mp4": "h264", "webm": "vp9", "gif": "gif"}


@pytest.fixture
def out(tmp_path):
    """An empty folder for the videos (tmp_path also holds the redirected data folder)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def expected_frames(script: str, fps: int, sizes=(2, 2, 1)) -> int:
    """The frame count the model's Timeline gives, computed without the renderer."""
    return len(Timeline.from_actions(parse_script(script), fps, SECONDS_PER_STAGE,
                                     sizes=list(sizes)))


def decode(path):
    """(codec name, (width, height), frame rate, frames as (h, w, 3) uint8 arrays)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames, times = [], []
        for frame in container.decode(stream):
            frames.append(frame.to_ndarray(format="rgb24"))
            times.append(frame.time)
        steps = np.diff(times)
        rate = Fraction(1 / float(np.median(steps))).limit_denominator(1000)
        ctx = stream.codec_context
        return ctx.name, (ctx.width, ctx.height), rate, frames


def stage_ends(script: str, fps: int) -> list[int]:
    """Index of the last frame of every segment of the script's timeline."""
    tl = Timeline.from_actions(parse_script(script), fps, SECONDS_PER_STAGE, sizes=[2, 2, 1])
    return [tl.start_of(s + 1) - 1 for s in range(tl.n_segments - 1)] + [len(tl) - 1]


@pytest.mark.parametrize("fmt, fps", [("mp4", 10), ("webm", 10), ("gif", 25)])
def test_video_decodes_to_the_timeline(qapp, out, fmt, fps):
    path = out / f"take.{fmt}"
    record(Session.from_lesson("xor"), path, SCRIPT, size=SIZE, fps=fps, view="network")
    codec, size, rate, frames = decode(path)
    assert codec == CODECS[fmt]
    assert size == SIZE
    assert rate == fps
    assert len(frames) == expected_frames(SCRIPT, fps) == 6 * round(fps * SECONDS_PER_STAGE)
    ends = [frames[i].astype(int) for i in stage_ends(SCRIPT, fps)]
    for a, b in zip(ends, ends[1:], strict=False):  # every stage changes the picture
        assert np.abs(a - b).mean() > 0.2


def test_two_renders_of_a_script_give_identical_frames(qapp):
    session = Session.from_lesson("xor")
    first = [f.copy() for f in FrameRenderer(session, SCRIPT, SIZE, 10, "window")]
    second = [f.copy() for f in FrameRenderer(session, SCRIPT, SIZE, 10, "window")]
    assert len(first) == len(second) == expected_frames(SCRIPT, 10)
    assert all(a.shape == (180, 320, 3) and a.dtype == np.uint8 for a in first)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    ends = [first[i] for i in stage_ends(SCRIPT, 10)]
    assert len({e.tobytes() for e in ends}) == len(ends)


def test_two_mp4_recordings_decode_to_the_same_frames(qapp, out):
    session = Session.from_lesson("xor")
    for name in ("a.mp4", "b.mp4"):
        record(session, out / name, "forward; forward; loss", size=SIZE, fps=10,
               view="network")
    _, _, _, a = decode(out / "a.mp4")
    _, _, _, b = decode(out / "b.mp4")
    assert len(a) == len(b) == expected_frames("forward; forward; loss", 10)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


def test_stage_animation_moves_only_the_network(qapp):
    """Within a stage the network animates; the plots change only when the model does."""
    script = "forward; forward"
    net = [f.copy() for f in FrameRenderer(Session.from_lesson("xor"), script, SIZE, 10,
                                           "network")]
    plots = [f.copy() for f in FrameRenderer(Session.from_lesson("xor"), script, SIZE, 10,
                                             "plots")]
    assert len(net) == len(plots) == 12
    assert not np.array_equal(net[1], net[3])  # mid-stage frames differ
    assert all(np.array_equal(plots[0], p) for p in plots)


def test_recording_leaves_the_given_session_unchanged(qapp):
    session = Session.from_lesson("xor")
    before = session.net.get_params()
    for _ in FrameRenderer(session, "iteration; train 3", SIZE, 10, "network"):
        pass
    np.testing.assert_array_equal(session.net.params, before)
    assert session.epoch == 0


def test_odd_size_is_padded_to_even(qapp, out):
    path = out / "odd.mp4"
    frames = list(f.shape for f in FrameRenderer(Session.from_lesson("xor"), "forward",
                                                  (321, 181), 10, "network"))
    assert frames and all(shape == (181, 321, 3) for shape in frames)
    record(Session.from_lesson("xor"), path, "forward", size=(321, 181), fps=10,
           view="network")
    _, size, _, decoded = decode(path)
    assert size == (322, 182)
    assert len(decoded) == expected_frames("forward", 10)


def test_cancel_midway_leaves_no_file(qapp, out, private_data_dir):
    path = out / "cancelled.mp4"
    seen = []
    with pytest.raises(RecordCancelled):
        record(Session.from_lesson("xor"), path, SCRIPT, size=SIZE, fps=10, view="network",
               progress=lambda done, total: seen.append((done, total)),
               cancelled=lambda: len(seen) >= 5)
    assert seen == [(k, 36) for k in range(1, 6)]
    assert list(out.iterdir()) == []
    assert not (private_data_dir / "autosave.mlpviz").exists()  # the user's session is safe


def test_unwritable_path_is_a_record_error_and_no_file(qapp, out):
    with pytest.raises(RecordError, match="does not exist"):
        record(Session.from_lesson("xor"), out / "missing" / "x.mp4", SCRIPT,
               size=SIZE, fps=10)
    with pytest.raises(RecordError, match="format"):
        record(Session.from_lesson("xor"), out / "x.avi", SCRIPT, size=SIZE, fps=10)
    with pytest.raises(RecordError, match="fps"):
        record(Session.from_lesson("xor"), out / "x.gif", SCRIPT, size=SIZE, fps=0)
    assert list(out.iterdir()) == []


def test_a_gif_records_at_the_legal_rate_nearest_the_one_asked_and_says_so(qapp, out):
    notes = []
    path = record(Session.from_lesson("xor"), out / "x.gif", "forward", size=SIZE, fps=40,
                  note=notes.append)
    assert notes == ["GIF frame delays are whole 1/100 s: recording at 50 fps instead of 40"]
    with av.open(str(path)) as container:
        assert {f.duration for f in container.decode(video=0)} == {2}  # centiseconds
    notes.clear()
    record(Session.from_lesson("xor"), out / "y.gif", "forward", size=SIZE, fps=25,
           note=notes.append)
    assert notes == []


def test_script_error_names_the_line_before_anything_is_written(qapp, out):
    with pytest.raises(ScriptError, match="line 2") as info:
        record(Session.from_lesson("xor"), out / "x.mp4", "forward\nfly away",
               size=SIZE, fps=10)
    assert info.value.line == 2
    assert list(out.iterdir()) == []


def test_bad_settings_are_record_errors(qapp):
    session = Session.from_lesson("xor")
    for kwargs, message in (({"view": "sky"}, "view"), ({"theme": "neon"}, "theme"),
                            ({"size": (8, 8)}, "out of range"), ({"fps": 0}, "fps")):
        with pytest.raises(RecordError, match=message):
            FrameRenderer(session, "forward", **kwargs)
    with pytest.raises(RecordError, match="no frames"):  # (a caption alone gets its reading time)
        Recording(session, "unused.mp4", "reading off; caption hello")


def test_captions_are_burned_into_a_strip_below_the_network(qapp):
    script = 'caption "Forward: z = W x + b"; forward'
    on = FrameRenderer(Session.from_lesson("xor"), script, SIZE, 10, "network")
    off = FrameRenderer(Session.from_lesson("xor"), script, SIZE, 10, "network",
                        captions=False)
    with_caption, without = next(iter(on)), next(iter(off))  # views: keep the renderers
    bottom = with_caption[-4:].reshape(-1, 3).astype(int)
    strip_colour = np.array([0x20, 0x26, 0x2C])
    assert np.median(np.abs(bottom - strip_colour).sum(axis=1)) == 0
    assert (with_caption[-40:] != with_caption[-1, 0]).any()  # the text
    assert np.abs(without[-4:].astype(int) - 255).sum(axis=2).mean() < 10  # white background


def test_window_view_shows_the_caption_bar(qapp):
    renderer = FrameRenderer(Session.from_lesson("xor"), "caption Hello; forward", (1280, 720),
                             10, "window")
    frames = iter(renderer)
    next(frames)
    window = renderer.panels.window()
    assert window.caption.isVisible() and window.caption.text() == "Hello"
    assert window.testAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)  # never on screen
    renderer.close()


def test_a_closed_renderer_leaves_no_half_deleted_widgets(qtbot):
    renderer = FrameRenderer(Session.from_lesson("xor"), "forward", SIZE, 10, "network+plots")
    frames = iter(renderer)
    next(frames)
    panels = renderer.panels
    assert panels.isWindow()  # the panels alone, no main window around them
    assert panels.testAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    assert (panels.width(), panels.height()) == SIZE
    renderer.ctl.modelChanged.emit()  # a refresh is pending when the renderer closes
    renderer.close()
    qtbot.wait(20)  # pytest-qt fails the test if the pending refresh raises


def test_default_script_is_the_lessons_or_one_iteration():
    lesson = Session.from_lesson("spiral")
    assert default_script(lesson) == lesson.lesson.script
    assert "train" in default_script(lesson)
    plain = Session.from_lesson("xor")
    plain.lesson = None
    assert default_script(plain) == "iteration"


def test_progress_text_reports_rate_and_time_left():
    assert progress_text(1, 300, None) == "1/300 frames"
    assert progress_text(60, 300, 30.0) == "60/300 frames · 30.0 fps · 0:08 left"
    assert progress_text(60, 3000, 2.0) == "60/3000 frames · 2.0 fps · 24:30 left"
    assert progress_text(300, 300, 30.0) == "300/300 frames · 30.0 fps"


def test_plots_follow_training(qapp):
    renderer = FrameRenderer(Session.from_lesson("xor"), "train 20", SIZE, 10, "plots")
    frames = [f.copy() for f in renderer]
    assert len(frames) == 20
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 0.5


def test_bgra_frames_are_the_rgb_frames_in_qt_memory_order(qapp):
    script = 'caption "Forward"; forward'
    rgb = [f.copy() for f in FrameRenderer(Session.from_lesson("xor"), script, SIZE, 10)]
    bgra = [f.copy() for f in FrameRenderer(Session.from_lesson("xor"), script, SIZE, 10,
                                            pixel_format="bgra")]
    assert len(rgb) == len(bgra) and bgra[0].shape == (*rgb[0].shape[:2], 4)
    for a, b in zip(rgb, bgra, strict=True):
        np.testing.assert_array_equal(a, b[..., 2::-1])
        assert (b[..., 3] == 255).all()


def test_still_frames_are_repeated_not_reencoded_and_the_video_shows_every_frame(qapp, out):
    script = "forward; hold 1; caption Now; train 3"
    renderer = FrameRenderer(Session.from_lesson("xor"), script, SIZE, 10, "network")
    raw, repeated = [], []
    for frame in renderer:
        raw.append(frame.copy())
        repeated.append(renderer.repeated)
    # 6 forward frames, then the hold: painted once (nothing animating), then repeated
    assert not any(repeated[:7]) and all(repeated[7:16])
    path = record(Session.from_lesson("xor"), out / "x.mp4", script, size=SIZE, fps=10,
                  view="network")
    _, _, _, frames = decode(path)
    assert len(frames) == len(raw)
    for got, want in zip(frames, raw, strict=True):  # each frame is its picture (H.264 noise)
        assert np.abs(got.astype(int) - want.astype(int)).mean() < 3


def test_a_recording_converting_only_the_changed_part_equals_one_converting_all(
        qapp, out, monkeypatch):
    from mlpviz.record import ThreadedWriter, VideoWriter

    script = "forward; backward; hold 0.3; train 2"
    session = Session.from_lesson("xor")
    encoded: dict[str, list[np.ndarray]] = {"parts.mp4": [], "whole.mp4": []}
    encode = VideoWriter._encode

    def keep(self, frame, index):  # the yuv420p planes handed to the encoder
        if frame is not None:
            encoded[self.path.name].append(frame.to_ndarray(format="yuv420p"))
        encode(self, frame, index)

    # the encoder in this process, where the hooks see it
    monkeypatch.setattr(recording_module, "process_writer_available", lambda: False)
    monkeypatch.setattr(VideoWriter, "_encode", keep)
    record(session, out / "parts.mp4", script, size=(322, 182), fps=10, view="network+plots")
    regions = []
    put = ThreadedWriter.put

    def whole(self, frame, region=None):  # what the writer did before regions existed
        regions.append(region)
        put(self, frame)

    monkeypatch.setattr(ThreadedWriter, "put", whole)
    record(session, out / "whole.mp4", script, size=(322, 182), fps=10, view="network+plots")
    assert sum(r is not None for r in regions) >= 5  # the stages animate only the network
    assert len(encoded["parts.mp4"]) == len(encoded["whole.mp4"]) == expected_frames(script, 10)
    for x, y in zip(encoded["parts.mp4"], encoded["whole.mp4"], strict=True):
        np.testing.assert_array_equal(x, y)
    with av.open(str(out / "parts.mp4")) as a, av.open(str(out / "whole.mp4")) as b:
        got = [f.to_ndarray(format="yuv420p") for f in a.decode(video=0)]
        want = [f.to_ndarray(format="yuv420p") for f in b.decode(video=0)]
    assert len(got) == len(want) == expected_frames(script, 10)
    for x, y in zip(got, want, strict=True):
        np.testing.assert_array_equal(x, y)
