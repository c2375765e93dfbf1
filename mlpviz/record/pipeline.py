"""Encode in a background thread while the caller renders the next frame.

PyAV releases the GIL while it converts colours and encodes, so a worker thread that
encodes frame ``i`` overlaps the caller rendering frame ``i + 1``.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from mlpviz.record.writer import (
    CloseOrAbort,
    FramePatch,
    RecordCancelled,
    RecordError,
    VideoWriter,
)

_END = None  # queue marker: no more frames
_REPEAT = "repeat"  # queue marker: the last frame again


class ThreadedWriter(CloseOrAbort):
    """Feed a :class:`VideoWriter` from a worker thread through a bounded queue.

    :meth:`put` checks and copies the frame in the caller's thread (so the caller may
    reuse its buffer and bad frames fail at once), then queues it; it blocks only while
    ``queue_size`` frames are already waiting. An error raised by the encoder in the
    worker is raised again by the next :meth:`put` or by :meth:`close`.
    """

    def __init__(self, writer: VideoWriter, queue_size: int = 4) -> None:
        self.writer = writer
        self._queue: queue.Queue[np.ndarray | FramePatch | str | None] = queue.Queue(
            maxsize=queue_size)
        self._error: BaseException | None = None
        self._discarding = False
        self._finished = False
        self._thread = threading.Thread(target=self._run, name="mlpviz-encoder", daemon=True)
        self._thread.start()

    @property
    def path(self) -> Path:
        """Where the finished video will be."""
        return self.writer.path

    @property
    def frames_written(self) -> int:
        """Frames the encoder has taken so far (the queue may hold a few more)."""
        return self.writer.frames_written

    def _run(self) -> None:
        while True:
            prepared = self._queue.get()
            if prepared is _END:
                return
            if self._error is not None or self._discarding:
                continue
            try:
                if prepared is _REPEAT:
                    self.writer.repeat()
                else:
                    self.writer.write_prepared(prepared)
            except Exception as err:  # handed to the caller's thread by _raise_pending
                self._error = err

    def _raise_pending(self) -> None:
        if self._error is not None:
            raise self._error

    def put(self, frame: np.ndarray, region: tuple[int, int, int, int] | None = None) -> None:
        """Queue one ``(height, width, 3|4)`` uint8 frame for encoding; ``region``
        ``(x, y, width, height)``: only that part may differ from the frame put before
        (see :meth:`VideoWriter.prepare_frame`)."""
        self._raise_pending()
        if self._finished:
            raise RecordError(f"cannot write to {self.path}: the writer is closed")
        self._queue.put(self.writer.prepare_frame(frame, region))

    def repeat(self) -> None:
        """Queue the last frame put once more (cheaper than putting an equal frame: no
        copy, no colour conversion)."""
        self._raise_pending()
        if self._finished:
            raise RecordError(f"cannot write to {self.path}: the writer is closed")
        self._queue.put(_REPEAT)

    def _stop_worker(self) -> None:
        if not self._finished:
            self._finished = True
            self._queue.put(_END)
            self._thread.join()

    def close(self) -> None:
        """Wait for the queued frames, then close the writer (see :meth:`VideoWriter.close`).

        If the worker failed, the writer is aborted and the worker's error is raised.
        """
        self._stop_worker()
        if self._error is not None:
            self.writer.abort()
            raise self._error
        self.writer.close()

    def abort(self) -> None:
        """Drop the queued frames and abort the writer (see :meth:`VideoWriter.abort`)."""
        self._discarding = not self.writer.keep_partial
        self._stop_worker()
        self.writer.abort()



def record_frames(
    frames: Iterable[np.ndarray],
    path: str | os.PathLike[str],
    width: int,
    height: int,
    fps: int,
    fmt: str | None = None,
    *,
    progress: Callable[[int, int | None], None] | None = None,
    total: int | None = None,
    cancelled: Callable[[], bool] | None = None,
    keep_partial: bool = False,
    threaded: bool = True,
) -> Path:
    """Write every ``(height, width, 3|4)`` uint8 frame of ``frames`` to a video at ``path``.

    Before taking each frame from ``frames`` (i.e. before it is rendered), ``cancelled()``
    is asked; if it returns True the recording is aborted and :class:`RecordCancelled`
    raised (with ``keep_partial`` the frames so far are kept as a playable file). After
    each frame ``progress(done, total)`` is called, ``total`` as given. Any error, in
    the iterable or in encoding, aborts the recording and propagates. ``threaded``
    encodes in a worker thread (:class:`ThreadedWriter`). Returns the video's path.
    """
    writer = VideoWriter(path, width, height, fps, fmt, keep_partial=keep_partial)
    sink: VideoWriter | ThreadedWriter = ThreadedWriter(writer) if threaded else writer
    put = sink.put if isinstance(sink, ThreadedWriter) else sink.write
    done = 0
    try:
        iterator = iter(frames)
        while True:
            if cancelled is not None and cancelled():
                kept = f"; {done} frames kept in {writer.path}" if keep_partial and done else ""
                raise RecordCancelled(f"recording cancelled after {done} frames{kept}")
            try:
                frame = next(iterator)
            except StopIteration:
                break
            put(frame)
            done += 1
            if progress is not None:
                progress(done, total)
    except BaseException:
        sink.abort()
        raise
    sink.close()
    return writer.path
