"""Atomic output: a temporary file beside the target becomes the target only when complete;
any failure, Ctrl-C included, removes it; a full disk is one line naming path and reason."""

from __future__ import annotations

import errno
import os

import av
import numpy as np
import pytest

from mlpviz.atomic import AtomicFile, atomic_write, os_error_text
from mlpviz.record import RecordError, VideoWriter

NO_SPACE = os.strerror(errno.ENOSPC)


def test_atomic_write_puts_the_file_in_place_only_at_the_end(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with atomic_write(target) as temp:
        temp.write_bytes(b"new")
        assert target.read_bytes() == b"old" and temp.parent == tmp_path
        assert temp.name.startswith(".out.bin.") and temp.name.endswith(".tmp")
    assert target.read_bytes() == b"new" and os.listdir(tmp_path) == ["out.bin"]


@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit, OSError, ValueError])
def test_any_exception_in_the_block_removes_the_temporary_file(tmp_path, exc):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(exc), atomic_write(target) as temp:
        temp.write_bytes(b"half")
        raise exc
    assert os.listdir(tmp_path) == ["out.bin"] and target.read_bytes() == b"old"


def test_a_failed_rename_removes_the_temporary_file(tmp_path, monkeypatch):
    target = AtomicFile(tmp_path / "out.bin", ".part")

    def refuse(*_args):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        target.commit()
    assert os.listdir(tmp_path) == []


def test_os_error_text_is_one_line_with_path_and_reason(tmp_path):
    exc = OSError(errno.ENOSPC, NO_SPACE, str(tmp_path / ".x.tmp"))
    assert os_error_text(tmp_path / "x.mp4", exc) == f"cannot write {tmp_path / 'x.mp4'}: " \
                                                      f"{NO_SPACE}"


def test_a_full_disk_while_opening_a_video_names_path_and_reason(tmp_path, monkeypatch):
    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, NO_SPACE)

    monkeypatch.setattr(av, "open", full)
    target = tmp_path / "take.mp4"
    with pytest.raises(RecordError) as info:
        VideoWriter(target, 32, 32, 10)
    assert str(info.value) == f"cannot write {target}: {NO_SPACE}"
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("fmt", ["mp4", "gif"])
@pytest.mark.parametrize("when", ["writing", "finishing"])
def test_a_full_disk_while_encoding_names_path_and_reason(tmp_path, monkeypatch, fmt, when):
    target = tmp_path / f"take.{fmt}"
    writer = VideoWriter(target, 32, 32, 25)
    if when == "finishing":
        writer.write(np.zeros((32, 32, 3), np.uint8))

    def full(*_args):
        raise OSError(errno.ENOSPC, NO_SPACE)

    monkeypatch.setattr(writer, "_encode", full)
    if fmt == "gif":
        monkeypatch.setattr(writer._gif, "add", full)
    with pytest.raises(RecordError) as info:
        if when == "writing":
            writer.write(np.zeros((32, 32, 3), np.uint8))
        else:
            writer.close()
    assert str(info.value) == f"cannot write {target}: {NO_SPACE}"
    writer.abort()
    assert os.listdir(tmp_path) == []


def test_ctrl_c_while_finishing_a_video_leaves_no_part_file(tmp_path, monkeypatch):
    writer = VideoWriter(tmp_path / "take.mp4", 32, 32, 25)
    writer.write(np.zeros((32, 32, 3), np.uint8))

    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(writer, "_encode", interrupted)
    with pytest.raises(KeyboardInterrupt):
        writer.close()
    assert os.listdir(tmp_path) == []
