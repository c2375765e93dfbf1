"""ThreadedWriter and record_frames: overlap, errors, progress and cancelling."""

import threading
from pathlib import Path

import av
import numpy as np
import pytest

from mlpviz.record import (
    RecordCancelled,
    RecordError,
    ThreadedWriter,
    VideoWriter,
    record_frames,
)

W, H, N, FPS = 64, 48, 10, 30


def frame_for(i: int) -> np.ndarray:
    """Frame i: a 16x16 square at x = 3 i whose red channel is 20 i, on dark blue."""
    frame = np.empty((H, W, 3), np.uint8)
    frame[:] = (30, 60, 90)
    frame[8:24, 3 * i : 3 * i + 16] = (20 * i, 220, 40)
    return frame


def decode(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


class FailingWriter(VideoWriter):
    """A VideoWriter whose encoder breaks on the frame with index ``fail_at``."""

    fail_at = 2

    def write_prepared(self, rgb: np.ndarray) -> None:
        if self.frames_written == self.fail_at:
            raise RecordError("encoder broke")
        super().write_prepared(rgb)


def test_threaded_writer_gives_the_same_video_as_direct_writing(tmp_path):
    with VideoWriter(tmp_path / "direct.mp4", W, H, FPS) as direct:
        for i in range(N):
            direct.write(frame_for(i))
    with ThreadedWriter(VideoWriter(tmp_path / "threaded.mp4", W, H, FPS)) as threaded:
        for i in range(N):
            threaded.put(frame_for(i))
    assert threaded.frames_written == N
    expected, got = decode(tmp_path / "direct.mp4"), decode(tmp_path / "threaded.mp4")
    assert len(got) == N
    for a, b in zip(expected, got, strict=True):
        np.testing.assert_array_equal(a, b)


def test_threaded_writer_copies_the_frame_so_the_caller_may_reuse_it(tmp_path):
    buffer = np.empty((H, W, 3), np.uint8)
    with ThreadedWriter(VideoWriter(tmp_path / "out.gif", W, H, 25)) as writer:
        for i in range(N):
            buffer[:] = frame_for(i)
            writer.put(buffer)
    frames = decode(tmp_path / "out.gif")
    assert len(frames) == N
    for i, frame in enumerate(frames):
        np.testing.assert_array_equal(frame[16, 3 * i + 8], (20 * i, 220, 40))


def test_threaded_writer_rejects_a_bad_frame_in_the_callers_thread(tmp_path):
    writer = ThreadedWriter(VideoWriter(tmp_path / "out.mp4", W, H, FPS))
    writer.put(frame_for(0))
    with pytest.raises(RecordError, match="frame is 32x48"):
        writer.put(np.zeros((H, 32, 3), np.uint8))
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_threaded_writer_raises_the_encoder_error_and_leaves_no_file(tmp_path):
    writer = ThreadedWriter(FailingWriter(tmp_path / "out.mp4", W, H, FPS))
    with pytest.raises(RecordError, match="encoder broke"):
        for i in range(N):
            writer.put(frame_for(i))
        writer.close()
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_threaded_writer_close_raises_an_encoder_error_of_the_last_frames(tmp_path):
    writer = ThreadedWriter(FailingWriter(tmp_path / "out.mp4", W, H, FPS))
    for i in range(3):
        writer.put(frame_for(i))
    with pytest.raises(RecordError, match="encoder broke"):
        writer.close()
    assert list(tmp_path.iterdir()) == []


def test_threaded_writer_refuses_frames_after_close(tmp_path):
    writer = ThreadedWriter(VideoWriter(tmp_path / "out.mp4", W, H, FPS))
    writer.put(frame_for(0))
    writer.close()
    with pytest.raises(RecordError, match="writer is closed"):
        writer.put(frame_for(1))
    assert len(decode(tmp_path / "out.mp4")) == 1


def test_encoder_thread_ends_with_the_writer(tmp_path):
    before = threading.active_count()
    writer = ThreadedWriter(VideoWriter(tmp_path / "out.mp4", W, H, FPS))
    assert threading.active_count() == before + 1
    writer.put(frame_for(0))
    writer.abort()
    assert threading.active_count() == before


@pytest.mark.parametrize("threaded", [True, False])
def test_record_frames_writes_all_frames_and_reports_progress(tmp_path, threaded):
    calls = []
    path = record_frames(
        (frame_for(i) for i in range(N)),
        tmp_path / "out.webm",
        W,
        H,
        FPS,
        progress=lambda done, total: calls.append((done, total)),
        total=N,
        threaded=threaded,
    )
    assert path == tmp_path / "out.webm"
    assert calls == [(i, N) for i in range(1, N + 1)]
    frames = decode(path)
    assert len(frames) == N
    np.testing.assert_allclose(frames[5][16, 23], (100, 220, 40), atol=18)


@pytest.mark.parametrize("threaded", [True, False])
def test_record_frames_cancel_midway_leaves_no_file_and_renders_no_more(tmp_path, threaded):
    path = tmp_path / "out.mp4"
    path.write_bytes(b"the previous take")
    rendered = []

    def frames():
        for i in range(N):
            rendered.append(i)
            yield frame_for(i)

    with pytest.raises(RecordCancelled, match="cancelled after 4 frames"):
        record_frames(
            frames(), path, W, H, FPS, cancelled=lambda: len(rendered) == 4, threaded=threaded
        )
    assert rendered == [0, 1, 2, 3]
    assert path.read_bytes() == b"the previous take"
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("fmt", ["mp4", "gif"])
def test_record_frames_cancel_with_keep_partial_keeps_the_frames_so_far(tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    done = []
    with pytest.raises(RecordCancelled, match=r"after 6 frames; 6 frames kept in .*out"):
        record_frames(
            (frame_for(i) for i in range(N)),
            path,
            W,
            H,
            25,
            progress=lambda n, _total: done.append(n),
            cancelled=lambda: len(done) == 6,
            keep_partial=True,
        )
    frames = decode(path)
    assert len(frames) == 6
    np.testing.assert_allclose(frames[5][16, 23], (100, 220, 40), atol=18)
    assert list(tmp_path.iterdir()) == [path]


def test_record_frames_error_while_rendering_propagates_and_leaves_no_file(tmp_path):
    def frames():
        yield frame_for(0)
        yield frame_for(1)
        raise ValueError("renderer broke")

    with pytest.raises(ValueError, match="renderer broke"):
        record_frames(frames(), tmp_path / "out.mp4", W, H, FPS)
    assert list(tmp_path.iterdir()) == []


def test_record_frames_checks_the_path_before_rendering(tmp_path):
    rendered = []

    def frames():
        rendered.append(0)
        yield frame_for(0)

    with pytest.raises(RecordError, match="cannot write"):
        record_frames(frames(), tmp_path / "missing" / "out.mp4", W, H, FPS)
    assert rendered == []


@pytest.mark.parametrize("suffix", ["mp4", "gif"])
def test_repeating_a_frame_gives_the_video_of_putting_it_again(tmp_path, suffix):
    fps = 25
    with ThreadedWriter(VideoWriter(tmp_path / f"put.{suffix}", W, H, fps)) as put:
        for i in (0, 0, 0, 1, 1):
            put.put(frame_for(i))
    with ThreadedWriter(VideoWriter(tmp_path / f"repeat.{suffix}", W, H, fps)) as repeat:
        repeat.put(frame_for(0))
        repeat.repeat()
        repeat.repeat()
        repeat.put(frame_for(1))
        repeat.repeat()
    assert repeat.frames_written == 5
    want, got = decode(tmp_path / f"put.{suffix}"), decode(tmp_path / f"repeat.{suffix}")
    assert len(got) == 5
    for a, b in zip(want, got, strict=True):
        np.testing.assert_array_equal(a, b)


def test_nothing_to_repeat_before_the_first_frame(tmp_path):
    writer = VideoWriter(tmp_path / "x.mp4", W, H, FPS)
    with pytest.raises(RecordError, match="no frame to repeat"):
        writer.repeat()
    writer.abort()
    assert list(tmp_path.iterdir()) == []
