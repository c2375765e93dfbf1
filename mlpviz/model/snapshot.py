"""A session's whole state as one immutable value: an undo point, and what a session file
encodes (:mod:`mlpviz.model.sessionfile` turns Snapshots into files and back)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mlpviz.model.config import DataConfig, NetConfig, TrainConfig
from mlpviz.model.data import SessionData


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


def load_lesson_or_none(name: str | None) -> Any:
    """The lesson called ``name`` for its script and captions, or None if unavailable."""
    if name is None:
        return None
    try:
        from mlpviz.model.lessons import load_lesson

        return load_lesson(name)
    except (ImportError, ValueError):
        return None
