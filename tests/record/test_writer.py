"""VideoWriter: formats, sizes, timing, colours, and never leaving broken files behind."""

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from mlpviz.record import FORMATS, RecordError, VideoWriter, format_for_path
from mlpviz.record.writer import legal_fps

W, H, N = 64, 48, 10
BACKGROUND = (30, 60, 90)
COLOURS = [(250, 20, 20), (20, 200, 40), (245, 147, 34), (8, 119, 189), (232, 234, 235)]
FPS = {"mp4": 30, "webm": 30, "gif": 25}
# Largest per-channel error at the centre of the moving 16x16 square. H.264 at crf 20 and
# VP9 at its matching crf reach 16 on this tiny, fast clip (chroma is quantized hardest);
# the five colours differ by >= 100 in some channel, so a wrong frame still fails.
# The GIF palette holds every colour of the clip exactly.
TOLERANCE = {"mp4": 18, "webm": 18, "gif": 0}


def square_frame(i: int, width: int = W, height: int = H, channels: int = 3) -> np.ndarray:
    """Frame i: a 16x16 square of COLOURS[i % 5] at x = 3 i, y = 8, on BACKGROUND."""
    frame = np.empty((height, width, channels), np.uint8)
    frame[..., :3] = BACKGROUND
    if channels == 4:
        frame[..., 3] = 255
    frame[8:24, 3 * i : 3 * i + 16, :3] = COLOURS[i % len(COLOURS)]
    return frame


def square_centre(i: int) -> tuple[int, int]:
    return 16, 3 * i + 8


def decode(path: Path) -> tuple[av.video.stream.VideoStream, list[np.ndarray], list]:
    """(stream, RGB frames, frame times in seconds) of the only video stream in path."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames, times = [], []
        for frame in container.decode(stream):
            frames.append(frame.to_ndarray(format="rgb24"))
            times.append(frame.pts * frame.time_base)
        return stream, frames, times


def write_squares(path: Path, count: int = N, **kwargs) -> VideoWriter:
    fmt = kwargs.get("fmt") or format_for_path(path)
    kwargs.setdefault("fps", FPS[fmt])
    with VideoWriter(path, W, H, **kwargs) as writer:
        for i in range(count):
            writer.write(square_frame(i))
    return writer


def test_format_for_path_reads_suffix_in_any_case():
    assert format_for_path("a/b.MP4") == "mp4"
    assert format_for_path(Path("clip.webm")) == "webm"
    assert format_for_path("x.Gif") == "gif"


@pytest.mark.parametrize("name", ["clip.avi", "clip", "clip.mp4.tmp"])
def test_format_for_path_rejects_other_suffixes_naming_the_allowed_ones(name):
    with pytest.raises(RecordError, match=r"\.mp4, \.webm, \.gif"):
        format_for_path(name)


@pytest.mark.parametrize("fmt", FORMATS)
def test_video_decodes_with_codec_size_count_rate_and_colours(tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    writer = write_squares(path)
    assert writer.frames_written == N
    stream, frames, times = decode(path)
    assert stream.codec_context.name == {"mp4": "h264", "webm": "vp9", "gif": "gif"}[fmt]
    assert (stream.width, stream.height) == (W, H)
    assert stream.average_rate == FPS[fmt]
    assert len(frames) == N
    # frame i at i / fps seconds; WebM stores milliseconds, hence the 1 ms slack
    assert np.allclose([float(t) for t in times], np.arange(N) / FPS[fmt], rtol=0, atol=1e-3)
    tol = TOLERANCE[fmt]
    for i, frame in enumerate(frames):
        assert frame.shape == (H, W, 3)
        y, x = square_centre(i)
        np.testing.assert_allclose(frame[y, x], COLOURS[i % 5], atol=tol)
        np.testing.assert_allclose(frame[40, 60], BACKGROUND, atol=tol)
    for earlier, later in zip(frames, frames[1:], strict=False):
        assert np.abs(earlier.astype(int) - later.astype(int)).max() > 100


@pytest.mark.parametrize(("fps", "centiseconds"), [(25, 4), (50, 2)])
def test_gif_frame_delay_is_whole_centiseconds(tmp_path, fps, centiseconds):
    path = tmp_path / "out.gif"
    write_squares(path, fps=fps)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.time_base == Fraction(1, 100)
        durations = [p.duration for p in container.demux(stream) if p.size]
    assert durations == [centiseconds] * N


@pytest.mark.parametrize("fps", [24, 30, 60])
def test_gif_rejects_fps_other_than_25_or_50(tmp_path, fps):
    with pytest.raises(RecordError, match="25 or 50"):
        VideoWriter(tmp_path / "out.gif", W, H, fps)
    assert list(tmp_path.iterdir()) == []


def test_mp4_puts_index_before_media_for_streaming(tmp_path):
    path = tmp_path / "out.mp4"
    write_squares(path)
    data = path.read_bytes()
    assert 0 < data.index(b"moov") < data.index(b"mdat")


def test_explicit_format_overrides_suffix(tmp_path):
    path = tmp_path / "clip.video"
    write_squares(path, fmt="webm")
    stream, frames, _ = decode(path)
    assert stream.codec_context.name == "vp9"
    assert len(frames) == N


def test_odd_size_is_padded_to_even_by_repeating_edge_pixels(tmp_path):
    path = tmp_path / "odd.mp4"
    width, height = 65, 47
    frame = np.zeros((height, width, 3), np.uint8)
    frame[:, :32] = (240, 240, 240)
    frame[:, 32:] = (200, 40, 40)
    with VideoWriter(path, width, height) as writer:
        assert writer.output_size == (66, 48)
        writer.write(frame)
        assert writer.prepare_frame(frame).shape == (48, 66, 3)
    stream, frames, _ = decode(path)
    assert (stream.width, stream.height) == (66, 48)
    np.testing.assert_allclose(frames[0][47, 65], (200, 40, 40), atol=8)
    np.testing.assert_allclose(frames[0][47, 0], (240, 240, 240), atol=8)


def test_rgba_frames_drop_alpha(tmp_path):
    rgba = square_frame(2, channels=4)
    rgba[..., 3] = 0
    with VideoWriter(tmp_path / "a.mp4", W, H) as writer:
        np.testing.assert_array_equal(writer.prepare_frame(rgba), square_frame(2))
        writer.write(rgba)
    _, frames, _ = decode(tmp_path / "a.mp4")
    np.testing.assert_allclose(frames[0][square_centre(2)], COLOURS[2], atol=TOLERANCE["mp4"])


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (np.zeros((H, W + 2, 3), np.uint8), "frame is 66x48 but the video is 64x48"),
        (np.zeros((H + 1, W, 3), np.uint8), "frame is 64x49 but the video is 64x48"),
        (np.zeros((H, W, 3), np.float32), "uint8"),
        (np.zeros((H, W), np.uint8), "uint8"),
        (np.zeros((H, W, 2), np.uint8), "uint8"),
    ],
)
def test_bad_frame_raises_record_error_and_leaves_no_file(tmp_path, frame, message):
    path = tmp_path / "out.mp4"
    with pytest.raises(RecordError, match=message), VideoWriter(path, W, H) as writer:
        writer.write(square_frame(0))
        writer.write(frame)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"width": 15}, "width must be between 16 and 7680"),
        ({"height": 7681}, "height must be between 16 and 7680"),
        ({"width": 64.0}, "width must be an integer"),
        ({"fps": 0}, "fps must be between 1 and 120"),
        ({"fps": 121}, "fps must be between 1 and 120"),
        ({"fmt": "avi"}, "unknown video format"),
        ({"crf": 52}, "crf must be between 0 and 51"),
        ({"preset": "fastest"}, "unknown preset"),
    ],
)
def test_bad_settings_raise_before_any_file_is_created(tmp_path, kwargs, message):
    args = {"width": W, "height": H} | kwargs
    with pytest.raises(RecordError, match=message):
        VideoWriter(tmp_path / "out.mp4", **args)
    assert list(tmp_path.iterdir()) == []


def test_missing_directory_raises_cannot_write(tmp_path):
    path = tmp_path / "nowhere" / "out.mp4"
    with pytest.raises(RecordError, match=r"cannot write .*out\.mp4: directory .* does not exist"):
        VideoWriter(path, W, H)
    assert not path.parent.exists()


def test_path_under_a_regular_file_raises_cannot_write(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a directory")
    with pytest.raises(RecordError, match=r"cannot write .*: .*file\.txt is not a directory"):
        VideoWriter(blocker / "out.mp4", W, H)
    assert sorted(tmp_path.iterdir()) == [blocker]
    assert blocker.read_text() == "not a directory"


def test_path_that_is_a_directory_raises_cannot_write(tmp_path):
    target = tmp_path / "out.mp4"
    target.mkdir()
    with pytest.raises(RecordError, match="it is a directory"):
        VideoWriter(target, W, H)
    assert sorted(tmp_path.iterdir()) == [target]


def test_exception_inside_with_block_leaves_no_file(tmp_path):
    with pytest.raises(ZeroDivisionError), VideoWriter(tmp_path / "out.mp4", W, H) as writer:
        writer.write(square_frame(0))
        writer.write(square_frame(1))
        _ = 1 / 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_existing_file_survives_an_aborted_recording(tmp_path, fmt):
    path = tmp_path / f"lecture.{fmt}"
    path.write_bytes(b"the previous take")
    writer = VideoWriter(path, W, H, FPS[fmt])
    for i in range(3):
        writer.write(square_frame(i))
    writer.abort()
    assert path.read_bytes() == b"the previous take"
    assert list(tmp_path.iterdir()) == [path]


def test_successful_recording_replaces_existing_file(tmp_path):
    path = tmp_path / "lecture.mp4"
    path.write_bytes(b"the previous take")
    write_squares(path)
    assert len(decode(path)[1]) == N
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("fmt", FORMATS)
def test_keep_partial_abort_keeps_the_frames_written(tmp_path, fmt):
    path = tmp_path / f"partial.{fmt}"
    writer = VideoWriter(path, W, H, FPS[fmt], keep_partial=True)
    for i in range(4):
        writer.write(square_frame(i))
    writer.abort()
    _, frames, _ = decode(path)
    assert len(frames) == 4
    y, x = square_centre(3)
    np.testing.assert_allclose(frames[3][y, x], COLOURS[3], atol=TOLERANCE[fmt])
    assert list(tmp_path.iterdir()) == [path]


def test_keep_partial_without_frames_leaves_nothing(tmp_path):
    VideoWriter(tmp_path / "out.mp4", W, H, keep_partial=True).abort()
    assert list(tmp_path.iterdir()) == []


def test_close_without_frames_raises_and_leaves_no_file(tmp_path):
    writer = VideoWriter(tmp_path / "out.mp4", W, H)
    with pytest.raises(RecordError, match="no frames were written"):
        writer.close()
    assert list(tmp_path.iterdir()) == []


def test_write_after_close_raises(tmp_path):
    writer = write_squares(tmp_path / "out.mp4", count=1)
    with pytest.raises(RecordError, match="writer is closed"):
        writer.write(square_frame(1))
    writer.close()
    writer.abort()
    assert len(decode(tmp_path / "out.mp4")[1]) == 1


def test_h264_encoding_is_deterministic(tmp_path):
    # x264 stays deterministic with its default frame threads (it only drops that
    # guarantee when asked with --non-deterministic), so decoded frames must match exactly.
    write_squares(tmp_path / "a.mp4")
    write_squares(tmp_path / "b.mp4")
    _, first, _ = decode(tmp_path / "a.mp4")
    _, second, _ = decode(tmp_path / "b.mp4")
    assert len(first) == len(second) == N
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


# ---- chapters and legal frame rates --------------------------------------------------
@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_chapters_are_stored_and_end_where_the_next_starts(tmp_path, fmt):
    path = tmp_path / f"chapters.{fmt}"
    # 10 frames at 10 fps: 1 s; a chapter from 1.5 s on is past the end and is dropped
    with VideoWriter(path, W, H, 10, chapters=[(0.0, "Intro"), (0.45, "Forward, layer 1"),
                                               (1.5, "Late")]) as writer:
        for i in range(N):
            writer.write(square_frame(i))
    with av.open(str(path)) as container:
        chapters = container.chapters()
        assert sum(1 for _ in container.decode(video=0)) == N  # the video is intact
    got = [(c["metadata"]["title"], c["start"] * c["time_base"], c["end"] * c["time_base"])
           for c in chapters]
    assert got == [("Intro", 0, Fraction(45, 100)), ("Forward, layer 1", Fraction(45, 100), 1)]


def test_gif_ignores_chapters(tmp_path):
    path = tmp_path / "x.gif"
    with VideoWriter(path, W, H, 25, chapters=[(0.0, "Intro")]) as writer:
        writer.write(square_frame(0))
    with av.open(str(path)) as container:
        assert container.chapters() == []


@pytest.mark.parametrize(("fps", "legal"), [(1, 25), (25, 25), (30, 25), (37, 25), (38, 50),
                                            (60, 50), (120, 50)])
def test_gif_takes_the_nearest_legal_frame_rate(fps, legal):
    assert legal_fps("gif", fps) == legal
    assert legal_fps("mp4", fps) == legal_fps("webm", fps) == fps


def test_legal_fps_leaves_invalid_rates_to_the_writer():
    assert legal_fps("gif", 0) == 0 and legal_fps("gif", 500) == 500


@pytest.mark.parametrize("fmt", FORMATS)
def test_bgra_frames_give_the_same_video_as_rgb(tmp_path, fmt):
    fps = FPS[fmt]
    with VideoWriter(tmp_path / f"rgb.{fmt}", W + 1, H, fps) as rgb_writer, \
            VideoWriter(tmp_path / f"bgra.{fmt}", W + 1, H, fps,
                        pixel_format="bgra") as bgra_writer:
        for i in range(N):
            rgb = square_frame(i, W + 1)  # odd width: padded the same way
            bgra = np.empty((H, W + 1, 4), np.uint8)
            bgra[..., :3], bgra[..., 3] = rgb[..., ::-1], 255
            rgb_writer.write(rgb)
            bgra_writer.write(bgra)
    _, want, _ = decode(tmp_path / f"rgb.{fmt}")
    _, got, _ = decode(tmp_path / f"bgra.{fmt}")
    assert len(got) == N
    for a, b in zip(want, got, strict=True):  # the same colours; H.264 rounds the same way
        np.testing.assert_allclose(a.astype(int), b.astype(int), atol=2)


def test_a_bgra_writer_takes_only_four_channels(tmp_path):
    with pytest.raises(RecordError, match="unknown pixel format"):
        VideoWriter(tmp_path / "x.mp4", W, H, pixel_format="argb")
    writer = VideoWriter(tmp_path / "x.mp4", W, H, pixel_format="bgra")
    with pytest.raises(RecordError, match=r"\(height, width, 4\) uint8"):
        writer.write(square_frame(0))
    writer.abort()
    assert list(tmp_path.iterdir()) == []
