"""Cooperative cancellation of long jobs (training, script runs, recordings).

A :class:`CancelToken` is a flag that a signal handler or another thread sets and long loops
poll; :data:`JOB` is the process's own, which the command line's SIGINT and SIGTERM handlers
set. :meth:`Session.train <mlpviz.model.session.Session.train>` asks it between mini-batches
and :class:`~mlpviz.model.script.ScriptRunner` before every event, so a job stops within one
mini-batch of the request with the state of a finished epoch, raising
:class:`~mlpviz.engine.Cancelled`.
"""

from __future__ import annotations

from mlpviz.engine import Cancelled


class CancelToken:
    """A request to stop, with the number of the signal that asked (if one did)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._requested = False

    def request(self, signum: int | None = None) -> None:
        """Ask the running job to stop (safe to call from a signal handler)."""
        if not self._requested:
            self.signum = signum
        self._requested = True

    def requested(self) -> bool:
        """Whether a stop was asked for (cheap: polled before every mini-batch)."""
        return self._requested

    def check(self) -> None:
        """Raise Cancelled if a stop was asked for."""
        if self._requested:
            raise Cancelled("cancelled")

    def clear(self) -> None:
        """Forget the request (when the job it was for has ended)."""
        self._requested = False
        self.signum = None


JOB = CancelToken()
