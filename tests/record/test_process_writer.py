"""The encoder in a process of its own: the same video as the writer in this process, errors
raised here in one line, and no file left behind when it fails, is stopped or is killed."""

import multiprocessing.context
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from mlpviz.record import RecordError, VideoWriter, pipeline
from mlpviz.record.pipeline import ProcessWriter, process_writer_available

from .test_partial_frames import changed, decode_planes, ui_frame

pytestmark = pytest.mark.skipif(not process_writer_available(), reason="needs fork")

SIZE = (99, 67)  # odd: the padding column and row too


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def sequence(rng: np.random.Generator) -> list[tuple[str, np.ndarray | None, tuple | None]]:
    """Whole frames, changed parts, an empty part and repeats, as a recording sends them."""
    w, h = SIZE
    first = ui_frame(rng, w, h)
    steps: list[tuple[str, np.ndarray | None, tuple | None]] = [("put", first, None)]
    frame = first
    for region in [(10, 5, 30, 20), (0, 0, 1, 1), (60, 40, 39, 27), (31, 17, 2, 50)]:
        frame = changed(frame, ui_frame(rng, w, h), region)
        steps.append(("put", frame, region))
        steps.append(("repeat", None, None))
    steps.append(("put", frame, (5, 5, 0, 0)))  # nothing changed
    steps.append(("put", ui_frame(rng, w, h), None))
    return steps


def play(writer, steps) -> None:
    for kind, frame, region in steps:
        if kind == "repeat":
            writer.repeat()
        elif isinstance(writer, VideoWriter):
            writer.write(frame, region)
        else:
            writer.put(frame, region)


@pytest.mark.parametrize("buffer", [None, 1])  # the default ring, and one that wraps
def test_the_child_makes_the_same_video_as_a_writer_here(tmp_path, monkeypatch, buffer):
    if buffer is not None:  # at least three whole frames: it fills and wraps many times
        monkeypatch.setattr(pipeline, "PROCESS_BUFFER_BYTES", buffer)
    steps = sequence(np.random.default_rng(3))
    options = {"fps": 10, "crf": 0, "preset": "ultrafast", "pixel_format": "bgra"}
    with VideoWriter(tmp_path / "here.mp4", *SIZE, **options) as writer:
        play(writer, steps)
    child = ProcessWriter(tmp_path / "child.mp4", *SIZE, **options)
    play(child, steps * 3)
    child.close()
    here, there = decode_planes(tmp_path / "here.mp4"), decode_planes(tmp_path / "child.mp4")
    assert len(there) == 3 * len(here) == 3 * len(steps)
    for a, b in zip(here * 3, there, strict=True):
        np.testing.assert_array_equal(a, b)
    assert leftovers(tmp_path) == ["child.mp4", "here.mp4"]


def test_a_gif_made_in_the_child_repeats_its_frames_too(tmp_path):
    rng = np.random.default_rng(1)
    writer = ProcessWriter(tmp_path / "x.gif", *SIZE, fps=25)
    for _ in range(3):
        writer.put(ui_frame(rng, *SIZE)[..., :3].copy())
        writer.repeat()
    writer.close()
    assert len(decode_planes(tmp_path / "x.gif")) == 6


def test_errors_are_one_line_and_leave_nothing(tmp_path):
    with pytest.raises(RecordError, match="does not exist"):
        ProcessWriter(tmp_path / "missing" / "x.mp4", *SIZE)
    with pytest.raises(RecordError, match="fps"):
        ProcessWriter(tmp_path / "x.mp4", *SIZE, fps=1000)
    writer = ProcessWriter(tmp_path / "x.mp4", *SIZE)
    with pytest.raises(RecordError, match="frame is"):
        writer.put(np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(RecordError, match="must be"):
        writer.put(np.zeros((SIZE[1], SIZE[0], 3), np.uint8))
        writer.put(np.zeros((SIZE[1], SIZE[0], 3), np.uint8), ("a", 1, 2, 3))
    writer.put(np.zeros((SIZE[1], SIZE[0], 3), np.uint8))  # still usable
    writer.abort()
    assert leftovers(tmp_path) == []


def test_abort_removes_the_partial_file(tmp_path):
    writer = ProcessWriter(tmp_path / "x.mp4", *SIZE)
    for _ in range(5):
        writer.put(np.full((SIZE[1], SIZE[0], 3), 90, np.uint8))
    assert any(name.endswith(".part") for name in leftovers(tmp_path))
    writer.abort()
    writer.abort()  # idempotent
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_child_stopped_from_outside_leaves_no_file(tmp_path, sig):
    """SIGTERM: the child cleans up itself; SIGKILL: this side removes what it left."""
    writer = ProcessWriter(tmp_path / "x.mp4", *SIZE)
    frame = np.full((SIZE[1], SIZE[0], 3), 90, np.uint8)
    writer.put(frame)
    os.kill(writer._process.pid, sig)
    writer._process.join(10)
    with pytest.raises(RecordError, match="encod"):
        for _ in range(50):  # the next put or the close says so
            writer.put(frame)
            time.sleep(0.01)
        writer.close()
    writer.abort()
    assert leftovers(tmp_path) == []


def test_ctrl_c_does_not_stop_the_child(tmp_path):
    """Ctrl-C reaches the whole process group; the caller decides (and aborts)."""
    writer = ProcessWriter(tmp_path / "x.mp4", *SIZE)
    writer.put(np.full((SIZE[1], SIZE[0], 3), 90, np.uint8))
    os.kill(writer._process.pid, signal.SIGINT)
    time.sleep(0.2)
    assert writer._process.is_alive()
    writer.repeat()
    writer.close()
    assert leftovers(tmp_path) == ["x.mp4"]


@pytest.mark.parametrize("width, message", [(10**9, "width"), ("wide", "width")])
def test_an_absurd_size_is_refused_before_any_memory_or_process(tmp_path, monkeypatch,
                                                               width, message):
    """The size is checked before it sizes the shared memory or a child is forked."""
    started = []
    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start",
                        lambda self: started.append(self))
    with pytest.raises(RecordError, match=message):
        ProcessWriter(tmp_path / "x.mp4", width, 32)
    assert started == [] and leftovers(tmp_path) == []
