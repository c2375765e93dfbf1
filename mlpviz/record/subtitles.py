"""Captions as SubRip subtitles (``.srt``) next to a video.

A cue is ``(start_s, end_s, text)`` in seconds of video time (for a script, from
:meth:`mlpviz.model.timeline.Timeline.cues`). Times are written to the millisecond, both
rounded up: a cue that starts where another ends meets it exactly (no overlap), and a cue
on screen for at least a whole number of milliseconds (as reading times are) keeps at
least that many.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from mlpviz.record.writer import RecordError


def subtitles_path(video: str | os.PathLike[str]) -> Path:
    """Where the subtitles of ``video`` go: the same name with ``.srt``."""
    return Path(video).with_suffix(".srt")


def srt_time(seconds: float, *, up: bool = False) -> str:
    """``3723.5`` → ``"01:02:03,500"``; whole milliseconds, rounded down (or ``up``)."""
    ms = (math.ceil if up else math.floor)(round(seconds * 1000, 6))
    ms = max(ms, 0)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def srt_text(cues: Iterable[tuple[float, float, str]]) -> str:
    """The SubRip text of ``cues``: numbered from 1, a blank line after each. Blank lines
    inside a caption would end its cue early, so runs of whitespace become one space."""
    blocks = []
    for number, (start, end, text) in enumerate(cues, start=1):
        line = " ".join(text.split())
        blocks.append(f"{number}\n{srt_time(start, up=True)} --> {srt_time(end, up=True)}\n"
                      f"{line}\n")
    return "\n".join(blocks)


def write_srt(path: str | os.PathLike[str], cues: Iterable[tuple[float, float, str]]) -> Path:
    """Write ``cues`` to ``path`` as UTF-8 SubRip, atomically: a temporary file beside it
    renamed into place, so a failure leaves no file and an old one intact. Raises
    :class:`RecordError` with a one-line message."""
    path = Path(path)
    data = srt_text(cues).encode("utf-8")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as err:
        raise RecordError(f"cannot write {path}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except OSError as err:
        Path(temp).unlink(missing_ok=True)
        raise RecordError(f"cannot write {path}: {err.strerror or err}") from None
    return path
