"""Recording a script to a video file: :class:`Recording` (a frame at a time, for an event
loop), :func:`record` (all at once) and ``mlpviz record`` (:func:`record_cli`, with a
terminal progress bar).

Frames come from :class:`~mlpviz.ui.video.frame_renderer.FrameRenderer` (offline,
deterministic, never by wall clock).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlpviz.model.cancel import JOB
from mlpviz.model.captions import live_cues, render_caption
from mlpviz.model.session import Session
from mlpviz.record import RecordCancelled, RecordError, ThreadedWriter, VideoWriter
from mlpviz.record.pipeline import ProcessWriter, process_writer_available
from mlpviz.record.subtitles import subtitles_path, write_srt
from mlpviz.record.writer import format_for_path, legal_fps
from mlpviz.ui.video.frame_renderer import DEFAULT_VIEW, FrameRenderer

X264_PRESET = "veryfast"  # for UI pictures as small as "fast" makes them, at 3x the speed
# Cheaper per frame for these pictures, measured on the 300 frames of the recording
# benchmark (crf 20; x264's CPU per frame, colour conversion not included):
# - threads=1: total CPU is what counts (the renderer keeps the other core busy), and
#   x264's own threads cost ~25 % more CPU in all;
# - bframes=0: ~20 % less CPU, for files ~20 % larger;
# - me=dia:subme=0:weightp=0: little use for motion search on UI pictures;
# - no-deblock, 8x8dct=0, scenecut=0: little visible use on flat panels and text.
# With all of them a still frame (a third of a lesson's frames) costs ~2.0 ms instead of
# ~3.1 ms at 1280x720.
# 1280x720: 3.4-3.9 ms instead of 5.3-5.6 (default threads, me=dia:subme=1), 1776 kB
# instead of 1457 kB, luma PSNR 44.2 dB instead of 43.8; 1920x1080: 7.9-8.1 ms instead
# of 11.7-12.0, 3252 kB instead of 2584 kB, 45.4 dB instead of 44.9.
X264_PARAMS = ("threads=1:bframes=0:me=dia:subme=0:weightp=0:no-deblock=1:8x8dct=0:"
               "scenecut=0")


class Recording:
    """One recording in progress, a frame at a time, so an event loop can drive it.

    ``options`` are :class:`FrameRenderer`'s (size, fps, view, theme, captions,
    thumbnails, value_mode; the view defaults to :data:`DEFAULT_VIEW`); the video goes to
    ``path`` in the format of its suffix (or ``fmt``), H.264 with x264's ``preset``.
    A GIF records at the legal frame rate nearest the ``fps`` asked (25 or 50) and
    :attr:`note` says so (else it is ""). The script's beats become the video's chapters
    (MP4, WebM); ``subtitles`` also writes its captions, with the times they are on
    screen, to :attr:`subtitles` (the video's name with ``.srt``) when the video is
    finished. :meth:`step` renders the next frame and
    queues it for the encoder thread; :meth:`finish` waits for the encoder and puts the
    file in place; :meth:`abort` (also called when a step fails) removes the partial
    file. Errors: ScriptError, RecordError, and whatever the script's training raises.
    """

    def __init__(self, session: Session, path: str | os.PathLike[str],
                 script: str | None = None, *, fmt: str | None = None,
                 preset: str = X264_PRESET, subtitles: bool = False,
                 **options: Any) -> None:
        # the renderer's RGB32 pictures go to the encoder as they are in memory
        options.setdefault("pixel_format", "bgra" if sys.byteorder == "little" else "rgb")
        self.note = ""
        asked = options.get("fps", 30)
        fps = legal_fps(format_for_path(path) if fmt is None else fmt.lower(), asked)
        if fps != asked:
            options["fps"] = fps
            self.note = (f"GIF frame delays are whole 1/100 s: recording at {fps} fps "
                         f"instead of {asked}")
        self.renderer = FrameRenderer(session, script, **options)
        if len(self.renderer) == 0:
            raise RecordError("the script makes no frames; add a stage, 'train N' or 'hold S'")
        timeline = self.renderer.timeline
        args = (path, *self.renderer.size, self.renderer.fps, fmt)
        kwargs = {"preset": preset,
                  "x264_params": X264_PARAMS if preset == X264_PRESET else "",
                  "chapters": [(beat.start_s, beat.title) for beat in timeline.beats()],
                  "pixel_format": self.renderer.pixel_format}
        # encoding in a process of its own runs beside the rendering for real (a thread
        # waits for the GIL that Qt's painting holds); a thread where there is no fork
        self._sink: ProcessWriter | ThreadedWriter = (
            ProcessWriter(*args, **kwargs) if process_writer_available()
            else ThreadedWriter(VideoWriter(*args, **kwargs)))
        self.path = self._sink.path
        self.subtitles = subtitles_path(self.path) if subtitles else None
        self._cues = timeline.cues()
        self._shown: list[str] = []  # each frame's caption as rendered, for the subtitles
        self._frames = iter(self.renderer)
        self.done = 0
        self.total = len(self.renderer)
        self.finished = False

    def step(self) -> bool:
        """Render and queue the next frame; False when every frame is queued."""
        if self.done >= self.total:
            return False
        try:
            frame = next(self._frames)
            ctl = self.renderer.ctl
            self._shown.append(render_caption(self.renderer.timeline[self.done].caption,
                                              ctl.session, ctl.walkthrough, ctl.sample))
            if self.done and self.renderer.repeated:  # a still: no copy, no conversion
                self._sink.repeat()
            else:
                self._sink.put(frame, self.renderer.changed)  # converts only that part
        except BaseException:
            self.abort()
            raise
        self.done += 1
        return self.done < self.total

    def finish(self) -> Path:
        """Render what is left, wait for the encoder and return the finished video's path."""
        while self.step():
            pass
        self.renderer.close()
        return self.finish_encoding()

    def finish_encoding(self) -> Path:
        """Once every frame is queued: wait for the encoder, put the file in place and
        return its path. Touches no Qt object, so it may run in another thread."""
        try:
            self._sink.close()
        finally:
            self.finished = True
        if self.subtitles is not None:
            write_srt(self.subtitles, live_cues(self._cues, self._shown, self.renderer.fps))
        return self.path

    def abort(self) -> None:
        """Stop: drop queued frames, remove the partial file (idempotent)."""
        if not self.finished:
            self.finished = True
            self._sink.abort()
            self.renderer.close()


def record(
    session: Session,
    path: str | os.PathLike[str],
    script: str | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    note: Callable[[str], None] | None = None,
    **options: Any,
) -> Path:
    """Render ``script`` into a video at ``path`` (.mp4, .webm or .gif); ``options`` are
    :class:`Recording`'s. ``note(text)`` gets :attr:`Recording.note` first if there is
    one; ``progress(done, total)`` after each frame, ``cancelled()`` before each (True
    aborts with RecordCancelled). No file is left behind on any error or on Ctrl-C.
    Returns the video's path."""
    rec = Recording(session, path, script, **options)
    if rec.note and note is not None:
        note(rec.note)
    try:
        while rec.done < rec.total:
            if cancelled is not None and cancelled():
                raise RecordCancelled(f"recording cancelled after {rec.done} frames")
            rec.step()
            if progress is not None:
                progress(rec.done, rec.total)
        return rec.finish()
    except BaseException:
        rec.abort()
        raise


def progress_text(done: int, total: int, rate: float | None) -> str:
    """"120/300 frames · 28.5 fps · 0:06 left" (``rate`` in frames per wall second)."""
    text = f"{done}/{total} frames"
    if rate:
        text += f" · {rate:.1f} fps"
        if done < total:
            left = round((total - done) / rate)
            text += f" · {left // 60}:{left % 60:02d} left"
    return text


class FrameRate:
    """Frames per wall second from the first frame on (setting up takes a while)."""

    def __init__(self) -> None:
        self._first: tuple[int, float] | None = None

    def __call__(self, done: int) -> float | None:
        now = time.perf_counter()
        if self._first is None or done <= self._first[0]:
            self._first = (done, now)
            return None
        return (done - self._first[0]) / max(now - self._first[1], 1e-9)


class _TextProgress:
    """A one-line progress bar on a terminal stream, redrawn at most 10 times a second."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.rate = FrameRate()
        self._shown = 0.0
        self.active = False

    def __call__(self, done: int, total: int) -> None:
        rate = self.rate(done)
        now = time.perf_counter()
        if now - self._shown < 0.1 and done < total:
            return
        self._shown = now
        filled = 30 * done // max(total, 1)
        bar = "#" * filled + "-" * (30 - filled)
        self.stream.write(f"\r[{bar}] {progress_text(done, total, rate)}\x1b[K")
        self.stream.flush()
        self.active = True

    def end(self) -> None:
        if self.active:
            self.stream.write("\n")
            self.stream.flush()
            self.active = False


def _print_note(text: str) -> None:
    print(f"mlpviz: {text}", file=sys.stderr, flush=True)


def record_cli(
    session: Session,
    output: str | os.PathLike[str],
    size: tuple[int, int] = (1280, 720),
    fps: int = 30,
    steps: str | None = None,
    view: str = DEFAULT_VIEW,
    theme: str = "light",
    captions: bool = True,
    subtitles: bool = False,
) -> Path:
    """``mlpviz record``: render headless with a progress bar on stderr when it is a
    terminal; a note (a GIF's frame rate) is one line on stderr. ``subtitles`` writes
    OUT.srt too. Errors propagate (mlpviz.cli turns them into one line); no file is left."""
    bar = _TextProgress(sys.stderr) if sys.stderr.isatty() else None
    # Ctrl-C and SIGTERM set cancel.JOB (mlpviz.cli installs the handlers): asked here
    # before every frame, and by training and the script runner inside one
    try:
        return record(session, output, steps, size=size, fps=fps, view=view, theme=theme,
                      captions=captions, subtitles=subtitles, progress=bar,
                      cancelled=JOB.requested, note=_print_note)
    finally:
        if bar is not None:
            bar.end()
