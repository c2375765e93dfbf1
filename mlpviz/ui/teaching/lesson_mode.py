"""Playing a lesson in the window: → plays the lesson's script one beat at a time, ←
takes a beat back, and the caption bar narrates.

The script runs as a :class:`~mlpviz.model.playback.Playback` on the window's session:
the same timeline a video of the lesson is made from, so a beat on screen shows the very
frames the video has at those times. A *beat* is what one press of → plays: the script's
events up to and including the next stage (animated), the whole of a ``train N`` (played
over a few seconds that follow the Speed setting, so the boundary visibly moves), or a
new caption. ``hold`` is skipped in the window (the presenter sets the pace). Each beat
is one entry of the controller's undo history, so ←, Edit ▸ Undo and Redo take it back
and forth exactly. When the script is over, → steps by hand again and the lesson's
``captions`` give a hint for each stage (``Lesson.caption_for``).

The user may step, train, edit or change the traced sample between beats. The script
then continues from the current state: a stage it expects in the middle of an iteration
is reached on a fresh walkthrough of the current weights, and ← no longer takes back a
beat past the user's own changes (it steps back by hand instead).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from mlpviz.engine import DivergenceError
from mlpviz.model.lessons import Lesson, LessonError
from mlpviz.model.playback import Playback, Shown
from mlpviz.model.script import Event, ScriptError
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Walkthrough
from mlpviz.ui.controller import Controller

LESSON_FPS = 30  # the lesson's timeline runs at the default video frame rate
BEAT_TEXT = "Lesson step"  # the undo history's name for a beat


def beats_of(events: list[Event]) -> list[tuple[int, int]]:
    """The beats of a planned script as (first, last) event indices, inclusive."""
    beats: list[tuple[int, int]] = []
    i, n = 0, len(events)
    while i < n:
        start, shown, captioned = i, False, False
        while i < n:
            ev = events[i]
            kind = ev.action.kind
            if kind == "caption" and captioned:
                break  # a second caption belongs to the next beat
            if kind == "hold":
                i += 1
                if shown:
                    break
                continue
            if ev.stage is not None:
                i += 1
                break
            if kind == "train":
                while i < n and events[i].action_index == ev.action_index:
                    i += 1
                break
            i += 1
            shown = True
            captioned = captioned or kind == "caption"
        beats.append((start, i - 1))
    return beats


class _BeatCommand(QUndoCommand):
    """A lesson beat in the undo history: undo puts everything back as it was before the
    beat; redo plays it again at once."""

    def __init__(self, mode: LessonMode, beat: int, before: tuple):
        super().__init__(BEAT_TEXT)
        self._mode, self._beat, self._before = mode, beat, before
        self._first = True

    def redo(self) -> None:
        if self._first:  # pushed when the beat starts playing
            self._first = False
            return
        self._mode._restore(self._before)
        self._mode._run_beat_now(self._beat)

    def undo(self) -> None:
        self._mode.player_complete()
        self._mode._restore(self._before)


class LessonMode(QObject):
    """Drives the lesson loaded through :meth:`load` on the controller's session. The
    window's Player sets :attr:`player` and plays the beats' frames."""

    lessonChanged = Signal(object)  # the Lesson now playing, or None
    trainingChanged = Signal(bool)  # a ``train N`` beat started (True) or ended (False)

    def __init__(self, controller: Controller, parent: QObject | None = None):
        super().__init__(parent)
        self.ctl = controller
        self.player = None
        self.lesson: Lesson | None = None
        self.playback: Playback | None = None
        self._session: Session | None = None
        self._sizes: tuple[int, ...] = ()
        self._beats: list[tuple[int, int]] = []
        self._frames: list[list[int]] = []
        self._next = 0  # the beat → plays next
        self._mark: tuple | None = None
        self._busy = False
        self.training = False
        controller.sessionReplaced.connect(self._on_session_replaced)
        controller.stageChanged.connect(self._on_stage_changed)
        controller.runningChanged.connect(self._on_running_changed)

    # ---- state ----------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """A lesson is playing (its captions are shown)."""
        return self.lesson is not None

    @property
    def runner(self):
        return None if self.playback is None else self.playback.runner

    @property
    def caption(self) -> str:
        return self.ctl.caption if self.active else ""

    @property
    def scripted(self) -> bool:
        """→ still runs the script (it has beats left, or a beat is playing)."""
        return self.playback is not None and (self._next < len(self._beats) or self.training)

    @property
    def can_go_back(self) -> bool:
        """← would take back a beat of the script."""
        stack = self.ctl.undo_stack
        on_top = stack.index() > 0 and stack.text(stack.index() - 1) == BEAT_TEXT
        return on_top and self._in_sync()

    def player_complete(self) -> None:
        if self.player is not None:
            self.player.complete()

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
        self.lesson, self._session = lesson, session
        self._sizes = tuple(session.net.sizes)
        self.playback = None
        self._beats, self._frames, self._next = [], [], 0
        if lesson.actions:
            try:
                self.playback = Playback(session, lesson.actions, LESSON_FPS,
                                         sample=self.ctl.sample, toggles=self.ctl.toggles)
            except ScriptError as exc:
                self.ctl.message.emit("error", f"The lesson's script cannot run: {exc}")
        if self.playback is not None:
            self._beats = beats_of(self.playback.runner.events)
            self._frames = self._beat_frames()
        self._mark = self._state()
        self.ctl.set_caption(lesson.caption_for(None))
        self.lessonChanged.emit(lesson)

    def _beat_frames(self) -> list[list[int]]:
        """For each beat, the timeline frames it plays in the window (holds skipped)."""
        timeline = self.playback.timeline
        owner = [0] * len(self.playback.runner.events)
        for b, (first, last) in enumerate(self._beats):
            owner[first:last + 1] = [b] * (last - first + 1)
        frames: list[list[int]] = [[] for _ in self._beats]
        for frame in timeline:
            if frame.stage is None and frame.epoch == 0:
                continue  # a hold, or time added to read a caption
            if 0 <= frame.event_index < len(owner):
                frames[owner[frame.event_index]].append(frame.index)
        return frames

    def stop(self) -> None:
        """Leave the lesson: no script, no captions."""
        was_active = self.active
        self.player_complete()
        self.lesson = self.playback = self._session = None
        self._beats, self._frames = [], []
        if was_active:
            self.ctl.set_caption("")
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
        if self.playback is None or self._next >= len(self._beats):
            return False
        self.ctl.pause()
        beat = self._next
        first, last = self._beats[beat]
        events = self.playback.runner.events[first:last + 1]
        stage_event = next((e for e in events if e.stage is not None), events[0])
        if not self._prepare(stage_event):
            return False
        before = self._snapshot()
        self._next += 1
        self.ctl.undo_stack.push(_BeatCommand(self, beat, before))
        self._play_beat(beat)
        return True

    def _prepare(self, ev: Event) -> bool:
        """Before a beat: continue from what is on screen if the user took over."""
        if self._in_sync():
            return True
        runner = self.playback.runner
        self.playback.rewound()
        runner.sample = self.ctl.sample
        if ev.stage is not None and not ev.new_walkthrough:
            wt = runner.walkthrough
            session = self.ctl.session
            if not (wt is not None and wt is self.ctl.walkthrough and wt.net is session.net
                    and not wt.done and wt.stages[wt.index + 1] == ev.stage):
                wt = Walkthrough(session, sample=self.ctl.sample)
                target = wt.stages.index(ev.stage)
                try:
                    while wt.index + 1 < target:
                        wt.next()
                except DivergenceError as exc:
                    self._diverged(exc)
                    return False
                runner.walkthrough = wt
        return True

    def _play_beat(self, beat: int) -> None:
        frames = self._frames[beat]
        last_event = self._beats[beat][1]
        playback = self.playback
        if any(playback.frame(k).epoch for k in frames):
            self.training = True
            self.trainingChanged.emit(True)

        def show(j: int) -> None:
            try:
                self.ctl.apply(playback.shown(frames[j]))
            except DivergenceError as exc:
                self._diverged(exc)

        def done() -> None:
            self._end_beat(last_event)

        if self.player is None:
            done()
        else:
            self.player.play(len(frames), show, playback.timeline.fps or LESSON_FPS, done)

    def _end_beat(self, last_event: int) -> None:
        playback = self.playback
        if playback is not None:
            try:
                playback.runner.run_until(last_event)
            except DivergenceError as exc:
                self._diverged(exc)
            self.ctl.apply(playback.describe(None))
        if self.training:
            self.training = False
            self.trainingChanged.emit(False)
        self._mark = self._state()

    def _run_beat_now(self, beat: int) -> None:
        self._next = beat + 1
        self._end_beat(self._beats[beat][1])

    def complete(self) -> None:
        """Finish a playing beat at once."""
        self.player_complete()

    def _diverged(self, exc: Exception) -> None:
        self.player_complete()
        self.ctl.message.emit(
            "diverged", f"Training diverged ({exc}). Lower the learning rate and reset (R).")

    def _on_running_changed(self, running: bool) -> None:
        if running and self.training:
            self.complete()  # Space during a train beat: finish the beat first

    # ---- going back ---------------------------------------------------------------------------
    def back(self) -> bool:
        """Take the last beat back exactly (weights, optimizer, history, caption,
        selection) through the undo history. False when there is none to take back: the
        caller steps by hand."""
        self.player_complete()
        if not self.can_go_back:
            return False
        self.ctl.undo_stack.undo()
        return True

    def _snapshot(self) -> tuple:
        ctl = self.ctl
        wt = ctl.walkthrough
        return (self._next, self.playback.runner.state(), wt, wt.index if wt is not None else -1,
                ctl.selection, ctl.sample, ctl.use_batch, ctl.caption, ctl.session.snapshot())

    def _restore(self, before: tuple) -> None:
        (beat, runner_state, wt, wt_index, selection, sample, use_batch, caption,
         snapshot) = before
        ctl = self.ctl
        self._next = beat
        self.playback.runner.restore(runner_state)
        self.playback.rewound()
        while wt is not None and wt.index > wt_index:
            wt.prev()
        ctl.session.restore(snapshot)
        ctl.apply(Shown(walkthrough=wt, selection=selection,
                        sample=None if use_batch else sample, caption=caption,
                        epoch=ctl.session.epoch, toggles=ctl.toggles))
        self._mark = self._state()

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
    def _on_stage_changed(self) -> None:
        """Stepping by hand (no script left): the lesson's hint for the stage reached."""
        if not self.active or self._busy or self.scripted or self.ctl.applying:
            return
        wt = self.ctl.walkthrough
        if wt is None or wt.stage is None:
            return
        self.ctl.set_caption(self.lesson.caption_for(wt.stage) or self.lesson.caption_for(None))
