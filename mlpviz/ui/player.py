"""The one player: plays frames on screen, and owns → and ←.

A press of → goes to the predict gate first (predict mode asks for the value the next
stage reveals), then to a playing lesson (its next beat), and only then steps the
walkthrough by hand; the toolbar, the menu, presenter mode and the predict panel all
trigger :meth:`Player.step` and nothing else. Whatever moves — a stage stepped by hand,
a lesson beat, a ``train N`` — is shown as a run of frames on one timer; every frame
reaches the views through the controller (``Controller.apply`` for script frames,
``Controller.set_frame`` for a stage's animation). With animation off (or speed
"max") frames end at once, which also makes the widgets instantly testable.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from mlpviz.model.timeline import Timeline
from mlpviz.ui.controller import Controller

STAGE_FRAMES = 30  # frames of a stage stepped by hand (about half a second at Normal)
#: how fast frames play relative to their own rate, per speed setting; 0 = at once
SCRIPT_SPEED: dict[str, float] = {"slow": 0.5, "normal": 1.0, "fast": 2.5, "max": 0.0}
TICK_MS = 16


class Player(QObject):
    """Plays frames for ``controller``; ``lesson`` (a LessonMode) takes → and ← first
    while it has a script to play. ``gate()`` (predict mode) may take a → press."""

    finished = Signal()

    def __init__(self, controller: Controller, lesson: object = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.ctl = controller
        self.lesson = lesson
        self.enabled = True
        self.speed = "normal"
        self.gate: Callable[[], bool] | None = None
        self._count = 0
        self._index = 0
        self._show: Callable[[int], None] | None = None
        self._done: Callable[[], None] | None = None
        self._budget = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        controller.stageChanged.connect(self._on_stage_changed)
        if lesson is not None:
            lesson.player = self  # type: ignore[attr-defined]

    # ---- → and ← ----------------------------------------------------------------------
    def step(self) -> None:
        """→: finish what is playing; else the predict gate, the lesson, a manual step."""
        if self.playing:
            self.complete()
            return
        if self.gate is not None and self.gate():
            return
        self.step_now()

    def step_now(self) -> None:
        """→ past the predict gate: the lesson's next beat, or the next stage by hand."""
        if self.lesson is not None and self.lesson.step():
            return
        self.ctl.step_forward()

    def back(self) -> None:
        """←: take back the lesson's last beat, or the last stage by hand."""
        self.complete()
        if self.lesson is not None and self.lesson.back():
            return
        self.ctl.step_back()

    def finish(self) -> None:
        self.complete()
        self.ctl.finish_iteration()

    def set_speed(self, speed: str) -> None:
        self.speed = speed if speed in SCRIPT_SPEED else "normal"

    # ---- playing frames ---------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def play(self, count: int, show: Callable[[int], None], fps: float,
             done: Callable[[], None] | None = None) -> None:
        """Show frames 0..count−1 through ``show(k)`` at ``fps`` frames per second of
        screen time (the speed setting scales it), then call ``done``. With animation off,
        speed "max" or no frames, only the last frame is shown."""
        self.complete()
        self._count, self._index, self._show, self._done = count, 0, show, done
        rate = fps * SCRIPT_SPEED.get(self.speed, 1.0)
        if count <= 0 or not self.enabled or rate <= 0:
            self.complete(force=True)
            return
        self._per_tick = rate * TICK_MS / 1000.0
        self._budget = 0.0
        self._show_frame(0)
        self._timer.start()

    def complete(self, force: bool = False) -> None:
        """Jump to the last frame of what is playing and finish it."""
        if not (self._timer.isActive() or force):
            return
        self._timer.stop()
        show, done, count = self._show, self._done, self._count
        self._show = self._done = None
        if show is not None and count > 0:
            show(count - 1)
        if done is not None:
            done()
        self.finished.emit()

    def seek(self, k: int) -> None:
        """Show frame ``k`` of what is playing now (and go on playing from there)."""
        if self.playing:
            self._budget = 0.0
            self._show_frame(max(0, min(int(k), self._count - 1)))

    @property
    def frame_count(self) -> int:
        """Frames of what is playing (0 when nothing is)."""
        return self._count if self.playing else 0

    def _show_frame(self, k: int) -> None:
        self._index = k
        if self._show is not None:
            self._show(k)

    def _tick(self) -> None:
        self._budget += self._per_tick
        step = int(self._budget)
        if step < 1:
            return
        self._budget -= step
        k = self._index + step
        if k >= self._count - 1:
            self.complete()
            return
        self._show_frame(k)

    # ---- a stage stepped by hand ------------------------------------------------------
    def _on_stage_changed(self) -> None:
        """Animate the stage the walkthrough reached, unless a script frame put it there
        (a script frame carries its own progress)."""
        if self.ctl.applying:
            return
        wt = self.ctl.walkthrough
        stage = wt.stage if wt is not None else None
        if stage is None or not self.enabled or SCRIPT_SPEED.get(self.speed, 1.0) <= 0:
            self.complete()
            self.ctl.set_frame(stage, 1.0)
            return
        timeline = Timeline([stage], frames_per_stage=STAGE_FRAMES)

        def show(k: int) -> None:
            f = timeline[k]
            self.ctl.set_frame(f.stage, float(f.eased))

        self.play(len(timeline), show, 1000.0 / TICK_MS)
