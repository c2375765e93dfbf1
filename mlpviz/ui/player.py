"""Plays the current walkthrough stage as an animation: one QTimer walks a Timeline.

The same Timeline drives offline recording, so what is recorded is what is shown. With
animation off (or ``frames_per_stage`` 0) a stage completes at once, which also makes the
widgets instantly testable.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from mlpviz.model.timeline import Timeline

#: frames per stage for the transport's speed choices (at ~60 frames per second)
STAGE_FRAMES: dict[str, int] = {"slow": 60, "normal": 30, "fast": 12, "max": 0}


class StagePlayer(QObject):
    frame = Signal(object, float)  # (stage, eased progress t in [0, 1])
    finished = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.enabled = True
        self.frames_per_stage = STAGE_FRAMES["normal"]
        self._timeline: Timeline | None = None
        self._index = 0
        self._timer = QTimer(self)
        self._timer.setInterval(16)
        self._timer.timeout.connect(self._tick)
        self.on_frame: Callable[[object, float], None] | None = None

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def set_speed(self, speed: str) -> None:
        self.frames_per_stage = STAGE_FRAMES.get(speed, STAGE_FRAMES["normal"])

    def play(self, stage: object) -> None:
        """Animate ``stage`` from t = 0 to 1 (or jump to 1 when animation is off)."""
        self._timer.stop()
        if stage is None or not self.enabled or self.frames_per_stage <= 0:
            self._timeline = None
            self.frame.emit(stage, 1.0)
            self.finished.emit()
            return
        self._timeline = Timeline([stage], frames_per_stage=self.frames_per_stage)
        self._index = 0
        self._tick()
        self._timer.start()

    def complete(self) -> None:
        """Jump to the end of the running animation."""
        if self._timeline is not None and self._timer.isActive():
            self._timer.stop()
            last = self._timeline[len(self._timeline) - 1]
            self.frame.emit(last.stage, 1.0)
            self._timeline = None
            self.finished.emit()

    def _tick(self) -> None:
        tl = self._timeline
        if tl is None:
            self._timer.stop()
            return
        f = tl[self._index]
        self.frame.emit(f.stage, float(f.eased))
        self._index += 1
        if self._index >= len(tl):
            self._timer.stop()
            self._timeline = None
            self.finished.emit()
