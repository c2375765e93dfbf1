"""Playing a lesson in the window: → runs the lesson's script one beat at a time, ← takes
a beat back, and the caption bar narrates.

A *beat* is what one press of → shows: the script's events up to and including the next
stage (animated like a normal step), the whole of a ``train N`` (trained over several
frames, so the boundary visibly moves), or a new caption. ``hold`` is skipped in the
window (the presenter sets the pace); ``speed`` only matters to recordings. When the script
is over, → steps by hand again and the lesson's ``captions`` give a hint for each stage
(``Lesson.caption_for``).

The user may step, train, edit or change the traced sample between beats. The script then
continues from the current state: a stage it expects in the middle of an iteration is
reached on a fresh walkthrough of the current weights, and ← no longer rewinds past the
user's own changes (it steps back by hand instead).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from mlpviz.engine import DivergenceError
from mlpviz.model.lessons import Lesson, LessonError
from mlpviz.model.script import Event, ScriptError, ScriptRunner
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Walkthrough
from mlpviz.ui.controller import Controller

TRAIN_FRAME_S = 0.03  # training time per frame of a ``train N`` beat, in seconds


@dataclass
class _Beat:
    """Everything needed to take one beat back exactly."""

    position: int  # runner.position before the beat
    caption: str  # caption bar text before the beat
    runner_state: tuple  # (runner.caption, runner.selection, runner.sample, runner.speed)
    runner_wt: Walkthrough | None
    wt: Walkthrough | None  # the controller's walkthrough before the beat
    wt_index: int  # its index then (−1 if None)
    selection: object  # the controller's selection before the beat
    sample: int
    snapshot: object  # Session.snapshot() before the beat


class LessonMode(QObject):
    """Drives the lesson loaded through :meth:`load` on the controller's session."""

    lessonChanged = Signal(object)  # the Lesson now playing, or None
    trainingChanged = Signal(bool)  # a ``train N`` beat started (True) or ended (False)

    def __init__(self, controller: Controller, parent: QObject | None = None):
        super().__init__(parent)
        self.ctl = controller
        self.lesson: Lesson | None = None
        self.runner: ScriptRunner | None = None
        self.caption = ""
        self._session: Session | None = None
        self._sizes: tuple[int, ...] = ()
        self._history: list[_Beat] = []
        self._mark: tuple | None = None
        self._busy = False
        self._train_end = 0  # runner position after the running train beat
        self._timer = QTimer(self)
        self._timer.setInterval(16)
        self._timer.timeout.connect(self._train_tick)
        controller.sessionReplaced.connect(self._on_session_replaced)
        controller.stageChanged.connect(self._on_stage_changed)
        controller.runningChanged.connect(self._on_running_changed)

    # ---- state ----------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """A lesson is playing (its captions are shown)."""
        return self.lesson is not None

    @property
    def scripted(self) -> bool:
        """→ still runs the script (it has events left, or a train beat is running)."""
        return self.runner is not None and (not self.runner.done or self.training)

    @property
    def training(self) -> bool:
        return self._timer.isActive()

    @property
    def can_go_back(self) -> bool:
        """← would take back a beat of the script."""
        return bool(self._history) and self._in_sync()

    # ---- loading ----------------------------------------------------------------------------
    def load(self, name: str) -> bool:
        """Open the built-in lesson ``name`` and start its script; False (with a message)
        if it cannot be loaded."""
        try:
            session = Session.from_lesson(name)
        except (LessonError, ValueError) as exc:
            self.ctl.message.emit("error", f"Could not open the lesson: {exc}")
            return False
        self._busy = True  # not "another session": this one is the lesson's
        try:
            self.ctl.set_session(session)
        finally:
            self._busy = False
        self._start(session)
        return True

    def _start(self, session: Session) -> None:
        lesson = session.lesson
        self._stop_training()
        self.lesson, self._session = lesson, session
        self._sizes = tuple(session.net.sizes)
        self._history.clear()
        self.runner = None
        if lesson.actions:
            try:
                self.runner = ScriptRunner(session, lesson.actions, sample=self.ctl.sample)
            except ScriptError as exc:
                self.ctl.message.emit("error", f"The lesson's script cannot run: {exc}")
        self._mark = self._state()
        self._set_caption(lesson.caption_for(None))
        self.lessonChanged.emit(lesson)

    def stop(self) -> None:
        """Leave the lesson: no script, no captions."""
        was_active = self.active
        self._stop_training()
        self.lesson = self.runner = self._session = None
        self._history.clear()
        if was_active:
            self._set_caption("")
            self.lessonChanged.emit(None)

    def _on_session_replaced(self) -> None:
        if not self.active or self._busy:
            return
        session = self.ctl.session
        if session is not self._session or tuple(session.net.sizes) != self._sizes:
            self.stop()  # another session, or a network the lesson does not describe

    # ---- stepping -----------------------------------------------------------------------------
    def step(self) -> bool:
        """Play the next beat. False when no script is left: the caller steps by hand."""
        if self.training:
            self.complete()
            return True
        runner = self.runner
        if runner is None or runner.done:
            return False
        self.ctl.pause()
        if not self._in_sync():
            self._history.clear()
        beat = self._beat_record()
        self._busy = True
        try:
            shown = self._play_beat(runner)
        finally:
            self._busy = False
        if not shown:
            return False
        self._history.append(beat)
        if not self.training:
            self._mark = self._state()
        return True

    def _play_beat(self, runner: ScriptRunner) -> bool:
        """Run events until something new is on screen; True if anything was shown."""
        shown = False
        captioned = False
        while not runner.done:
            ev = runner.events[runner.position]
            kind = ev.action.kind
            if kind == "caption" and captioned:
                break  # a second caption belongs to the next beat
            if kind == "hold":
                runner.step()
                if shown:
                    break
                continue
            if ev.stage is not None:
                return self._run_stage(runner, ev) or shown
            if kind == "train":
                self._start_training(runner, ev)
                return True
            runner.step()
            shown = True
            if kind == "caption":
                captioned = True
                self._set_caption(ev.caption)
            elif kind == "select":
                self.ctl.select(ev.selection)
            elif kind == "sample":
                self.ctl.walkthrough = None
                self.ctl.set_sample(ev.sample)
        return shown

    def _run_stage(self, runner: ScriptRunner, ev: Event) -> bool:
        ctl = self.ctl
        if ev.new_walkthrough:
            runner.sample = ctl.sample
        else:
            self._catch_up(runner, ev)
        try:
            runner.step()
        except DivergenceError as exc:
            ctl.message.emit("error", f"{exc}. Lower the learning rate, then press R to reset.")
            return False
        ctl.walkthrough = runner.walkthrough
        if ev.stage.kind == "update":
            ctl.modelChanged.emit()
        ctl.stageChanged.emit()
        return True

    def _catch_up(self, runner: ScriptRunner, ev: Event) -> None:
        """Make sure the runner's walkthrough is the one on screen and its next stage is
        the event's; otherwise reach that stage on a fresh walkthrough of the current net."""
        wt = runner.walkthrough
        session = self.ctl.session
        if (wt is not None and wt is self.ctl.walkthrough and wt.net is session.net
                and not wt.done and wt.stages[wt.index + 1] == ev.stage):
            return
        wt = Walkthrough(session, sample=self.ctl.sample)
        target = wt.stages.index(ev.stage)
        while wt.index + 1 < target:
            wt.next()
        runner.walkthrough = wt

    # ---- train beats ------------------------------------------------------------------------
    def _start_training(self, runner: ScriptRunner, ev: Event) -> None:
        end = runner.position
        while end < len(runner.events) and runner.events[end].action_index == ev.action_index:
            end += 1
        self._train_end = end
        self.ctl.walkthrough = None
        self.ctl.stageChanged.emit()
        self._timer.start()
        self.trainingChanged.emit(True)
        self._train_tick()

    def _train_tick(self) -> None:
        runner = self.runner
        if runner is None:
            self._stop_training()
            return
        start = time.perf_counter()
        try:
            while runner.position < self._train_end:
                runner.step()
                if time.perf_counter() - start > TRAIN_FRAME_S:
                    break
        except DivergenceError as exc:
            self._stop_training()
            self.ctl.message.emit(
                "diverged", f"Training diverged ({exc}). Lower the learning rate and reset (R)."
            )
        if runner.position >= self._train_end:
            self._mark = self._state()
            self._stop_training()
        self.ctl.modelChanged.emit()

    def complete(self) -> None:
        """Finish a running ``train N`` beat at once."""
        if not self.training:
            return
        self._train_end_now()

    def _train_end_now(self) -> None:
        runner = self.runner
        try:
            while runner is not None and runner.position < self._train_end:
                runner.step()
        except DivergenceError as exc:
            self.ctl.message.emit(
                "diverged", f"Training diverged ({exc}). Lower the learning rate and reset (R)."
            )
        self._mark = self._state()
        self._stop_training()
        self.ctl.modelChanged.emit()

    def _stop_training(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.trainingChanged.emit(False)

    def _on_running_changed(self, running: bool) -> None:
        if running and self.training:
            self._train_end_now()  # Space during a train beat: finish the beat first

    # ---- going back ---------------------------------------------------------------------------
    def back(self) -> bool:
        """Take the last beat back exactly (weights, optimizer, history, caption,
        selection). False when there is none to take back: the caller steps by hand."""
        if not self.can_go_back and not (self.training and self._history):
            return False
        self._stop_training()
        beat = self._history.pop()
        runner, ctl = self.runner, self.ctl
        wt = runner.walkthrough
        if wt is not None and wt is beat.wt:
            while wt.index > beat.wt_index:
                wt.prev()
        ctl.session.restore(beat.snapshot)
        runner.position = beat.position
        runner.caption, runner.selection, runner.sample, runner.speed = beat.runner_state
        runner.walkthrough = beat.runner_wt
        ctl.walkthrough = beat.wt
        ctl.sample = beat.sample
        ctl.select(beat.selection)
        self._set_caption(beat.caption)
        ctl.modelChanged.emit()
        ctl.stageChanged.emit()
        self._mark = self._state()
        return True

    def _beat_record(self) -> _Beat:
        r, ctl = self.runner, self.ctl
        wt = ctl.walkthrough
        return _Beat(
            r.position, self.caption, (r.caption, r.selection, r.sample, r.speed),
            r.walkthrough, wt, wt.index if wt is not None else -1, ctl.selection, ctl.sample,
            ctl.session.snapshot(),
        )

    def _state(self) -> tuple:
        """What the last beat left on screen; any difference means the user took over."""
        ctl = self.ctl
        wt = ctl.walkthrough
        s = ctl.session
        return (s, s.net, wt, wt.index if wt is not None else None, s.steps, s.epoch,
                ctl.sample)

    def _in_sync(self) -> bool:
        return self._mark is not None and self._mark == self._state()

    # ---- captions -----------------------------------------------------------------------------
    def _set_caption(self, text: str) -> None:
        self.caption = text
        self.ctl.captionChanged.emit(text)

    def _on_stage_changed(self) -> None:
        """Stepping by hand (no script left): the lesson's hint for the stage reached."""
        if not self.active or self._busy or self.scripted:
            return
        wt = self.ctl.walkthrough
        if wt is None or wt.stage is None:
            return
        self._set_caption(self.lesson.caption_for(wt.stage) or self.lesson.caption_for(None))
