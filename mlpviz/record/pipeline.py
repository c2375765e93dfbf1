"""Encode in the background while the caller renders the next frame.

:class:`ThreadedWriter` encodes in a worker thread: PyAV releases the GIL while it
converts colours and encodes. But Qt painting holds the GIL for the length of each call
(a frame of the app is tens of them), and the worker needs the GIL back between its
steps, so next to a renderer it spends much of its time waiting. :class:`ProcessWriter`
encodes in a child process instead (on Linux): frames go through shared
memory, and the two really run side by side.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from mlpviz.record.writer import (
    CloseOrAbort,
    FramePatch,
    FramePreparer,
    RecordCancelled,
    RecordError,
    VideoWriter,
    format_for_path,
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



#: shared memory for frames on their way to the encoder process: enough for the renderer
#: to run ahead through a stretch of cheap frames while the encoder catches up on a
#: stretch of dear ones (and the other way round), at least PROCESS_MIN_FRAMES whole frames
PROCESS_BUFFER_BYTES = 160 * 2**20
PROCESS_MIN_FRAMES = 3
#: seconds a child process gets to finish or clean up before it is stopped
CHILD_GRACE_S = 30.0


def process_writer_available() -> bool:
    """Whether :class:`ProcessWriter` runs here: on Linux. It forks a process that may
    have a GUI loaded, which is safe on Linux but not with macOS's system frameworks."""
    return sys.platform.startswith("linux") and \
        "fork" in multiprocessing.get_all_start_methods()


def _encoder_process(conn: Connection, memory: mmap.mmap, args: tuple,
                     kwargs: dict[str, Any]) -> None:
    """The child: a VideoWriter fed from ``conn`` and the shared ``memory``."""
    # Ctrl-C reaches the whole process group: the parent decides, and says "abort"
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def stop(_signum: int, _frame: object) -> None:
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, stop)
    writer = None
    try:
        try:
            writer = VideoWriter(*args, **kwargs)
        except RecordError as err:
            conn.send(("error", str(err)))
            return
        conn.send(("ready", str(writer.temp_path)))
        failed = False
        while True:
            message = conn.recv()  # EOFError when the parent is gone
            kind = message[0]
            if kind == "close" and not failed:
                try:
                    writer.close()
                except RecordError as err:
                    conn.send(("close-failed", str(err)))
                    return
                conn.send(("closed", writer.frames_written))
                return
            if kind in ("close", "abort"):
                writer.abort()
                conn.send(("aborted", None))
                return
            if failed:
                if kind == "frame":
                    conn.send(("free", message[1]))
                continue
            try:
                if kind == "repeat":
                    writer.repeat()
                else:
                    _, offset, shape, patch = message
                    count = int(np.prod(shape))
                    pixels = np.frombuffer(memory, np.uint8, count, offset)
                    pixels = pixels.reshape(shape)
                    if writer.format == "gif":  # a GIF keeps its last frame: a copy
                        pixels = pixels.copy()
                    writer.write_prepared(FramePatch(pixels, *patch) if patch else pixels)
                    conn.send(("free", offset))
            except Exception as err:  # the parent raises it, in one line
                failed = True
                text = str(err) if isinstance(err, RecordError) else \
                    f"encoding {writer.path} failed: {err}"
                conn.send(("error", text))
                if kind == "frame":
                    conn.send(("free", message[1]))
    except (EOFError, OSError, SystemExit, KeyboardInterrupt):
        pass  # the parent is gone or told us to stop: leave nothing behind
    finally:
        if writer is not None:
            writer.abort()  # does nothing once the file is closed


class ProcessWriter(CloseOrAbort):
    """A :class:`VideoWriter` in a child process, fed through shared memory.

    Takes :class:`VideoWriter`'s arguments; the writer is made in the child, and an
    error doing so (a bad size, an unwritable folder) is raised here as RecordError.
    :meth:`put` checks the frame and copies what the encoder needs (like
    :meth:`VideoWriter.prepare_frame`) into a ring of shared memory
    (:data:`PROCESS_BUFFER_BYTES`), waiting only while it is full. An encoder error is
    raised by the next :meth:`put` or by :meth:`close`. The child ignores Ctrl-C (the
    caller stops it with :meth:`abort`) and removes its partial file when told to stop,
    on SIGTERM, or when this process goes away. Needs ``fork``
    (see :func:`process_writer_available`).
    """

    def __init__(self, path: str | os.PathLike[str], width: int, height: int, fps: int = 30,
                 fmt: str | None = None, **kwargs: Any) -> None:
        self.path = Path(path)
        fmt = format_for_path(path) if fmt is None else fmt.lower()
        pixel_format = kwargs.get("pixel_format", "rgb")
        # checks the size before the shared memory is sized by it
        self._preparer = FramePreparer(width, height, pixel_format, gif=fmt == "gif")
        out_w, out_h = self._preparer.output_size
        frame_bytes = out_w * out_h * self._preparer.channels
        self._capacity = max(PROCESS_BUFFER_BYTES, PROCESS_MIN_FRAMES * frame_bytes + 64)
        self._memory = mmap.mmap(-1, self._capacity)
        self._in_flight: deque[tuple[int, int]] = deque()  # (offset, bytes), oldest first
        self._head = 0  # where the next frame's bytes go
        self._error: str | None = None
        self._finished = False
        self.frames_written = 0
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_encoder_process, name="mlpviz-encoder", daemon=True,
            args=(child, self._memory, (path, width, height, fps, fmt), kwargs))
        self._process.start()
        child.close()
        self._temp: Path | None = None  # the child's partial file, until it is done
        self._done = False  # the child finished the file
        self._gone = False  # the pipe to the child reached its end
        kind, detail = self._receive()
        if kind != "ready":
            self._end()
            raise RecordError(detail or "the encoder process did not start")
        self._temp = Path(detail)

    def _receive(self) -> tuple[str, Any]:
        if not self._gone:
            try:
                return self._conn.recv()
            except (EOFError, OSError):
                self._gone = True
        return ("error", f"encoding {self.path} stopped: the encoder process ended")

    def _take(self, message: tuple[str, Any]) -> None:
        kind, detail = message
        if kind == "free":  # frames are taken in order
            self._in_flight.popleft()
        elif kind == "error" and self._error is None:
            self._error = detail

    def _raise_pending(self) -> None:
        while not self._gone and self._conn.poll():
            self._take(self._receive())
        if self._error is not None:
            raise RecordError(self._error)

    def _send(self, message: tuple) -> None:
        try:
            self._conn.send(message)
        except (BrokenPipeError, OSError) as err:
            raise RecordError(f"encoding {self.path} stopped: the encoder process "
                              "ended") from err

    def put(self, frame: np.ndarray, region: tuple[int, int, int, int] | None = None) -> None:
        """Hand one ``(height, width, 3|4)`` uint8 frame to the encoder; ``region``: see
        :meth:`VideoWriter.prepare_frame`."""
        self._raise_pending()
        if self._finished:
            raise RecordError(f"cannot write to {self.path}: the writer is closed")
        taken: list[int] = []

        def alloc(shape: tuple[int, ...]) -> np.ndarray:
            count = int(np.prod(shape))
            offset = self._place(count)
            taken.append(offset)
            self._in_flight.append((offset, count))
            self._head = offset + count
            return np.frombuffer(self._memory, np.uint8, count, offset).reshape(shape)

        head = self._head
        try:
            prepared = self._preparer.prepare(frame, region, alloc)
        except BaseException:
            for _ in taken:  # never sent: the place goes back
                self._in_flight.pop()
            self._head = head
            raise
        if not taken:  # an empty patch: no bytes, but a place in the order all the same
            taken.append(self._head)
            self._in_flight.append((self._head, 0))
        if isinstance(prepared, FramePatch):  # (an empty one copied nothing)
            shape = prepared.pixels.shape
            patch: tuple | None = (prepared.x, prepared.y, prepared.box)
        else:
            shape, patch = prepared.shape, None
        self._send(("frame", taken[0], tuple(shape), patch))
        self.frames_written += 1

    def _place(self, count: int) -> int:
        """The offset of ``count`` free bytes in the ring, once there are (frames leave
        it in the order they came)."""
        while True:
            if not self._in_flight:
                return 0
            tail, head = self._in_flight[0][0], self._head
            if head >= tail:  # free: head..end, then 0..tail
                if head + count <= self._capacity:
                    return head
                if count < tail:
                    return 0
            elif head + count < tail:  # free: head..tail
                return head
            self._take(self._receive())  # full: wait for the encoder
            if self._error is not None:
                raise RecordError(self._error)

    def repeat(self) -> None:
        """The last frame once more."""
        self._raise_pending()
        if self._finished:
            raise RecordError(f"cannot write to {self.path}: the writer is closed")
        self._send(("repeat",))
        self.frames_written += 1

    def _finish(self, command: str) -> tuple[str, Any]:
        """Send ``command`` ("close" or "abort") and wait for the child's last word:
        ("closed", frames), ("close-failed", message) or ("aborted", None)."""
        self._finished = True
        try:
            self._conn.send((command,))
        except (BrokenPipeError, OSError):
            return ("close-failed", f"encoding {self.path} stopped: the encoder process "
                                    "ended")
        while True:
            if not self._conn.poll(CHILD_GRACE_S):
                return ("close-failed", f"encoding {self.path} did not finish in time")
            message = self._receive()
            if message[0] in ("closed", "close-failed", "aborted"):
                return message
            if self._gone:  # the child ended without its last word
                return ("close-failed", message[1])
            self._take(message)

    def _end(self) -> None:
        self._process.join(CHILD_GRACE_S)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5.0)
        self._conn.close()
        self._memory.close()
        if self._temp is not None and not self._done:  # a child killed before it cleaned up
            try:
                self._temp.unlink(missing_ok=True)
            except OSError:
                pass

    def close(self) -> None:
        """Wait for the encoder to take every frame and finish the file; raises the
        encoder's error (and leaves no file) if it failed. Calling it again does nothing."""
        if self._finished:
            return
        try:
            kind, detail = self._finish("close")
            self._done = kind == "closed"
        finally:
            self._end()
        if self._error is not None:
            raise RecordError(self._error)
        if kind != "closed":
            raise RecordError(detail or f"encoding {self.path} failed")

    def abort(self) -> None:
        """Stop: the child drops what is left and removes the partial file (idempotent)."""
        if self._finished:
            return
        try:
            self._finish("abort")
        finally:
            self._end()


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
