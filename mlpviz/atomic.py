"""Atomic file output: write a hidden temporary file beside the target, rename it onto the
target only when it is complete.

Every Qt-free writer (session files, videos) goes through :class:`AtomicFile` or
:func:`atomic_write`, so a failed, cancelled or interrupted write (Ctrl-C included) never
leaves a partial target or a stray temporary file, and never clobbers an existing target.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def os_error_text(path: str | os.PathLike[str], exc: OSError, verb: str = "write") -> str:
    """One line naming ``path`` and the reason: "cannot write out.mp4: No space left on
    device"."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"cannot {verb} {path}: {reason}"


class AtomicFile:
    """A new, empty temporary file :attr:`temp` beside ``path`` (hidden, named
    ``.NAME.RANDOM`` + ``suffix``), created at once; :meth:`commit` renames it onto
    ``path``, :meth:`discard` removes it. OSError (e.g. a missing or read-only folder)
    comes from the constructor; nothing is left behind then.
    """

    def __init__(self, path: str | os.PathLike[str], suffix: str = ".tmp") -> None:
        self.path = Path(path)
        self.temp = self.path.parent / f".{self.path.name}.{secrets.token_hex(4)}{suffix}"
        umask = os.umask(0)
        os.umask(umask)
        fd = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~umask)
        os.close(fd)
        self.done = False

    def commit(self) -> Path:
        """Move the finished temporary file onto :attr:`path` (removing it on failure)."""
        try:
            os.replace(self.temp, self.path)
        except BaseException:
            self.discard()
            raise
        self.done = True
        return self.path

    def discard(self) -> None:
        """Remove the temporary file (idempotent, never raises for a missing file)."""
        self.done = True
        try:
            self.temp.unlink(missing_ok=True)
        except OSError:
            pass


@contextmanager
def atomic_write(path: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[Path]:
    """``with atomic_write(path) as temp:`` write ``temp``; leaving the block normally puts
    it at ``path``, leaving it by any exception (KeyboardInterrupt too) removes it."""
    target = AtomicFile(path, suffix)
    try:
        yield target.temp
    except BaseException:
        target.discard()
        raise
    target.commit()
