"""Partial colour conversion: a frame given with the region that changed is encoded from
exactly the yuv420p planes the whole frame converts to (lossless H.264 shows them)."""

from pathlib import Path

import av
import numpy as np
import pytest

from mlpviz.record import RecordError, ThreadedWriter, VideoWriter
from mlpviz.record.writer import FramePatch


def decode_planes(path: Path) -> list[np.ndarray]:
    """Every frame of the video as its (1.5 height, width) yuv420p samples."""
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="yuv420p") for f in container.decode(video=0)]


def random_frame(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    return rng.integers(0, 256, (height, width, 4), np.uint8)


def ui_frame(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Something like the app's pictures: flat panels, thin lines, a soft disc, a ramp."""
    frame = np.empty((height, width, 4), np.uint8)
    frame[:] = (245, 240, 235, 255)
    frame[height // 5 : height // 2, width // 7 : width // 2] = (40, 90, 200, 255)
    frame[:, 2 * width // 3] = (20, 20, 20, 255)
    frame[3 * height // 4, :] = (200, 30, 60, 255)
    yy, xx = np.mgrid[:height, :width]
    cx, cy = rng.integers(0, width), rng.integers(0, height)
    disc = np.clip(1.5 - np.hypot(xx - cx, yy - cy) / 6, 0, 1)[..., None]
    frame[..., :3] = (frame[..., :3] * (1 - disc) + np.array([250, 150, 30]) * disc).astype(
        np.uint8)
    frame[-height // 6 :, :, 1] = np.linspace(0, 255, width, dtype=np.uint8)
    return frame


def changed(before: np.ndarray, after_part: np.ndarray, region) -> np.ndarray:
    """``before`` with the pixels of ``region`` (x, y, w, h) taken from ``after_part``."""
    x, y, w, h = region
    frame = before.copy()
    frame[y : y + h, x : x + w] = after_part[y : y + h, x : x + w]
    return frame


def as_format(frame: np.ndarray, pixel_format: str) -> np.ndarray:
    return frame if pixel_format == "bgra" else frame[..., 2::-1].copy()


def record_pair(path: Path, frames: list[np.ndarray], regions: list, pixel_format: str,
                size: tuple[int, int]) -> list[np.ndarray]:
    """Write ``frames`` losslessly, each with its region, and decode the planes."""
    with VideoWriter(path, *size, fps=10, crf=0, preset="ultrafast",
                     pixel_format=pixel_format) as writer:
        for frame, region in zip(frames, regions, strict=True):
            writer.write(as_format(frame, pixel_format), region)
    return decode_planes(path)


# (x, y, w, h) on a 99x67 frame: odd offsets and sizes, every border, one pixel, all of it
REGIONS_99x67 = [
    (13, 7, 21, 17),
    (0, 0, 1, 1),
    (98, 66, 1, 1),
    (40, 0, 59, 9),
    (0, 30, 99, 37),
    (1, 1, 97, 65),
    (0, 0, 99, 67),
    (57, 21, 3, 40),
]


@pytest.mark.parametrize("pixel_format", ["bgra", "rgb"])
@pytest.mark.parametrize("picture", [random_frame, ui_frame])
@pytest.mark.parametrize("size, regions", [
    ((99, 67), REGIONS_99x67),
    ((320, 180), [(37, 11, 101, 150), (0, 0, 178, 180), (201, 93, 119, 87), (150, 0, 5, 180)]),
])
def test_a_region_gives_the_planes_of_the_whole_frame(tmp_path, pixel_format, picture, size,
                                                      regions):
    rng = np.random.default_rng(len(regions))
    width, height = size
    frames, given = [picture(rng, width, height)], [None]
    for region in regions:  # each frame changes every pixel of its region and no other
        frames.append(changed(frames[-1], 255 - frames[-1], region))
        given.append(region)
    whole = record_pair(tmp_path / "whole.mp4", frames, [None] * len(frames), pixel_format,
                        size)
    parts = record_pair(tmp_path / "parts.mp4", frames, given, pixel_format, size)
    assert len(whole) == len(parts) == len(frames)
    for index, (a, b) in enumerate(zip(whole, parts, strict=True)):
        assert np.array_equal(a, b), f"frame {index}, region {given[index]}"
    # lossless: the decoded planes are each frame's conversion, which changes every time
    assert all(not np.array_equal(a, b) for a, b in zip(whole, whole[1:], strict=False))


def test_only_the_region_and_a_margin_are_copied(tmp_path):
    writer = VideoWriter(tmp_path / "x.mp4", 640, 360, pixel_format="bgra")
    frame = np.zeros((360, 640, 4), np.uint8)
    first = writer.prepare_frame(frame, (10, 10, 50, 50))
    assert isinstance(first, np.ndarray) and first.shape == (360, 640, 4)  # nothing before
    patch = writer.prepare_frame(frame, (101, 51, 200, 100))
    assert isinstance(patch, FramePatch)
    x0, y0, x1, y1 = patch.box
    assert x0 <= 101 and y0 <= 51 and x1 >= 301 and y1 >= 151
    assert all(v % 2 == 0 for v in patch.box)
    assert patch.pixels.shape[0] * patch.pixels.shape[1] < 0.2 * 640 * 360
    writer.abort()


def test_an_empty_region_repeats_the_frame_and_a_bad_one_is_a_record_error(tmp_path):
    rng = np.random.default_rng(1)
    frame = random_frame(rng, 64, 48)
    path = tmp_path / "x.mp4"
    with VideoWriter(path, 64, 48, crf=0, preset="ultrafast", pixel_format="bgra") as writer:
        writer.write(frame)
        writer.write(random_frame(rng, 64, 48), (70, 0, 5, 5))  # outside: nothing changed
        writer.write(frame, (3, 3, 0, 9))
        for bad in [(1, 2, 3), "abc", (1.5, 0, 2, 2), None.__class__]:
            with pytest.raises(RecordError, match="region|must be an integer"):
                writer.write(frame, bad)
    planes = decode_planes(path)
    assert len(planes) == 3
    assert np.array_equal(planes[0], planes[1]) and np.array_equal(planes[0], planes[2])


def test_the_threaded_writer_passes_regions_and_the_caller_may_reuse_its_buffer(tmp_path):
    rng = np.random.default_rng(2)
    frames = [ui_frame(rng, 160, 90)]
    regions = [None, (20, 10, 40, 30), (100, 50, 60, 40), (0, 0, 7, 90)]
    for region in regions[1:]:
        frames.append(changed(frames[-1], 255 - frames[-1], region))
    buffer = np.empty_like(frames[0])
    with ThreadedWriter(VideoWriter(tmp_path / "t.mp4", 160, 90, crf=0, preset="ultrafast",
                                    pixel_format="bgra")) as threaded:
        for frame, region in zip(frames, regions, strict=True):
            buffer[:] = frame
            threaded.put(buffer, region)
            buffer[:] = 0  # the queued copy is the caller's no longer
    direct = record_pair(tmp_path / "d.mp4", frames, [None] * 4, "bgra", (160, 90))
    got = decode_planes(tmp_path / "t.mp4")
    assert len(got) == 4
    for a, b in zip(direct, got, strict=True):
        assert np.array_equal(a, b)


def test_a_gif_ignores_regions(tmp_path):
    rng = np.random.default_rng(3)
    a, b = ui_frame(rng, 48, 32)[..., :3], ui_frame(rng, 48, 32)[..., :3]
    with VideoWriter(tmp_path / "x.gif", 48, 32, fps=25) as writer:
        writer.write(a)
        prepared = writer.prepare_frame(b, (0, 0, 4, 4))
        assert isinstance(prepared, np.ndarray) and prepared.shape == (32, 48, 3)
        writer.write_prepared(prepared)
    with av.open(str(tmp_path / "x.gif")) as container:
        assert sum(1 for _ in container.decode(video=0)) == 2
