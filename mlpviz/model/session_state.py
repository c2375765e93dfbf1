"""A session's state as one value: :class:`Snapshot` (an undo point, and what a session
file encodes) and the snapshot, restore and file methods :class:`~mlpviz.model.session.Session`
gets from :class:`SessionState`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

import numpy as np

from mlpviz.engine import optimizers
from mlpviz.model.config import DataConfig, NetConfig, TrainConfig
from mlpviz.model.data import SessionData
from mlpviz.model.history import History

if TYPE_CHECKING:
    import os

    from mlpviz.model.session import Session


@dataclass(frozen=True)
class Snapshot:
    """Everything a session holds, detached from it (arrays are private copies or
    read-only shared data). Used for undo/redo and, encoded, for session files."""

    data_config: DataConfig
    net_config: NetConfig
    train_config: TrainConfig
    data: SessionData
    dtype: np.dtype
    params: np.ndarray
    fixed_params: np.ndarray | None
    optimizer_config: dict[str, Any]
    optimizer_state: dict[str, np.ndarray]
    rng_state: dict[str, Any]
    epoch: int
    steps: int
    epoch_start_steps: int
    history: dict[str, np.ndarray]
    lesson_name: str | None


class SessionState:
    """Snapshots and session files for :class:`~mlpviz.model.session.Session`, which
    inherits them. They read and write the session's settings (``data_config``,
    ``net_config``, ``train_config``), ``net``, ``optimizer``, ``rng``, ``history``, the
    counters ``epoch`` and ``steps``, ``lesson``, and its private ``_data``, ``_dtype``,
    ``_fixed`` and ``_epoch_start``; ``_setup`` and ``_forget_views`` are Session's."""

    def snapshot(self) -> Snapshot:
        """An in-memory copy of the whole state (an undo point)."""
        return Snapshot(
            self.data_config, self.net_config, self.train_config, self._data, self._dtype,
            self.net.get_params(), None if self._fixed is None else self._fixed.copy(),
            self.optimizer.config(), self.optimizer.state_dict(),
            self.rng.bit_generator.state, self.epoch, self.steps, self._epoch_start,
            self.history.to_arrays(), getattr(self.lesson, "name", None),
        )

    def restore(self, snap: Snapshot) -> None:
        """Return to ``snap`` exactly (weights, optimizer state, RNG, history, settings)."""
        net = self.net
        same = (net.dtype == snap.dtype and net.params.shape == snap.params.shape
                and snap.net_config.matches(net, snap.data.n_in, snap.data.n_out))
        if not same:
            net = snap.net_config.build(snap.data.n_in, snap.data.n_out, snap.dtype)
        optimizer = optimizers.from_config(snap.optimizer_config)
        optimizer.load_state_dict(snap.optimizer_state, snap.params.size)
        history = History.from_arrays(snap.history)
        net.set_params(snap.params)
        self.data_config, self.net_config = snap.data_config, snap.net_config
        self.train_config, self._data, self._dtype = snap.train_config, snap.data, snap.dtype
        if net is not self.net:
            self.net = net
            self._forget_views()
        self._fixed = None if snap.fixed_params is None else snap.fixed_params.copy()
        self.optimizer, self.history = optimizer, history
        self.rng.bit_generator.state = snap.rng_state
        self.epoch, self.steps, self._epoch_start = snap.epoch, snap.steps, snap.epoch_start_steps
        if getattr(self.lesson, "name", None) != snap.lesson_name:
            self.lesson = load_lesson_or_none(snap.lesson_name)

    @classmethod
    def from_snapshot(cls, snap: Snapshot) -> Self:
        """A new session in the state ``snap`` describes."""
        session = cls.__new__(cls)
        session.lesson = None
        session._setup(snap.data_config, snap.net_config, snap.train_config, snap.data,
                       snap.dtype)
        session.restore(snap)
        return session

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(session.json content, arrays.npz content) of a session file."""
        from mlpviz.model.sessionfile import encode

        return encode(self.snapshot())

    @classmethod
    def from_state(cls, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> Self:
        """Inverse of :meth:`to_state`, validating everything (SessionFileError)."""
        from mlpviz.model.sessionfile import decode

        return cls.from_snapshot(decode(state, arrays))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write a .mlpviz file atomically (SessionFileError on failure, old file intact)."""
        from mlpviz.model.sessionfile import save

        save(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Session:
        """Read a .mlpviz file (SessionFileError with a clear message if it is bad)."""
        from mlpviz.model.sessionfile import load

        return load(path)


def load_lesson_or_none(name: str | None) -> Any:
    """The lesson called ``name`` for its script and captions, or None if unavailable."""
    if name is None:
        return None
    try:
        from mlpviz.model.lessons import load_lesson

        return load_lesson(name)
    except (ImportError, ValueError):
        return None
