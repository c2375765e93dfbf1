"""What is shown at a moment of a script: one immutable description, produced one way.

A :class:`Shown` says everything the panels need besides the session itself: the stage
being revealed and how far (eased progress ``t``), the walkthrough it belongs to, the
selection (0-based, see :attr:`mlpviz.model.script.Selection.key`), the traced sample,
the caption, the epoch, whether a ``train`` is under way, and the view toggles.

A :class:`Playback` runs a script on a session along its :class:`Timeline`:
``playback.shown(k)`` runs the script up to frame ``k`` and describes that frame. The
window's player, a lesson, ``mlpviz snapshot`` and a video all go through it, and the
controller applies the result with one method, so the screen and a recording of the same
script show the same thing at the same frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mlpviz.model.script import Action, ScriptRunner
from mlpviz.model.timeline import Frame, Timeline
from mlpviz.model.walkthrough import Stage, Walkthrough

VALUE_MODES = ("a", "z", "delta", "none")  # numbers on neurons: a, z, δ or none
#: what a snapshot or video shows: the whole window, or the panels in one of their views
VIEWS = ("window", "network", "plots", "network+plots")


@dataclass(frozen=True)
class ViewToggles:
    """View options that are part of a picture: the numbers written on neurons
    (``value_mode``, one of VALUE_MODES) and the activation-map thumbnails."""

    value_mode: str = "a"
    thumbnails: bool = False

    def __post_init__(self) -> None:
        if self.value_mode not in VALUE_MODES:
            raise ValueError(f"value mode must be one of {', '.join(VALUE_MODES)}, "
                             f"got {self.value_mode!r}")


@dataclass(frozen=True)
class Shown:
    """One frame's description (see the module docstring).

    ``walkthrough`` is the session's walkthrough object whose stages are on screen (None
    when idle or training); ``stage`` the stage animated, ``t`` its eased progress (1 =
    complete). ``sample`` is the traced training sample, or None for the mini-batch.
    """

    walkthrough: Walkthrough | None = None
    stage: Stage | None = None
    t: float = 1.0
    selection: tuple | None = None
    sample: int | None = 0
    caption: str = ""
    epoch: int = 0
    training: bool = False
    toggles: ViewToggles = field(default_factory=ViewToggles)

    @property
    def animating(self) -> bool:
        return self.stage is not None and self.t < 1.0


class Playback:
    """``script`` (text or parsed actions) run on ``session`` frame by frame.

    The timeline is made at ``fps`` with ``timeline_options`` (Timeline.from_events'
    keyword arguments). Frames can only be visited forwards (a script changes the
    session); :meth:`shown` of an earlier frame raises ValueError. ``toggles`` are
    copied into every Shown.
    """

    def __init__(self, session: Any, script: str | list[Action], fps: int = 30, *,
                 sample: int = 0, toggles: ViewToggles | None = None,
                 **timeline_options: Any) -> None:
        self.session = session
        self.runner = ScriptRunner(session, script, sample=sample)
        self.timeline = Timeline.from_events(self.runner.events, fps=fps, **timeline_options)
        self.toggles = toggles if toggles is not None else ViewToggles()
        self._last_index = -1
        events = self.runner.events
        heads = events.heads() if hasattr(events, "heads") else events
        #: the first stage of the script: before it, the diagram waits for the forward pass
        self._first_stage = next((e.index for e in heads if e.stage is not None), None)
        self._waiting: tuple[tuple, Walkthrough] | None = None

    def __len__(self) -> int:
        return len(self.timeline)

    def frame(self, k: int) -> Frame:
        return self.timeline[k]

    def shown(self, k: int) -> Shown:
        """Run the script up to frame ``k`` and describe that frame."""
        frame = self.timeline[k]
        if frame.index < self._last_index and self.runner.position > frame.event_index + 1:
            raise ValueError(f"frame {k} is behind the playback (at {self._last_index})")
        self._last_index = frame.index
        self.runner.run_until(frame.event_index)
        return self.describe(frame)

    def captions(self, intro: bool = False) -> list[str]:
        """Every caption this script shows (with ``intro``, the lesson's opening one too,
        as the window shows it before the first beat), for a caption bar sized to the
        longest."""
        events = self.runner.events
        heads = events.heads() if hasattr(events, "heads") else events  # a train's first
        texts = {e.caption for e in heads if e.caption}
        lesson = getattr(self.session, "lesson", None)
        if intro and lesson is not None and lesson.caption_for(None):
            texts.add(lesson.caption_for(None))
        return sorted(texts)

    def rewound(self) -> None:
        """The runner was put back (ScriptRunner.restore): allow earlier frames again."""
        self._last_index = -1

    def describe(self, frame: Frame | None) -> Shown:
        """The state the runner is in, shown at ``frame`` (None: every event so far
        complete, no animation)."""
        r = self.runner
        training = frame is not None and frame.epoch > 0
        stage = frame.stage if frame is not None else None
        t = float(frame.eased) if frame is not None and stage is not None else 1.0
        caption = frame.caption if frame is not None else r.caption
        wt = None if training else r.walkthrough
        if wt is None and not training and self._first_stage is not None \
                and r.position <= self._first_stage:
            wt = self._not_started()
        return Shown(walkthrough=wt, stage=stage, t=t,
                     selection=r.selection, sample=r.sample, caption=caption,
                     epoch=self.session.epoch, training=training, toggles=self.toggles)

    def _not_started(self) -> Walkthrough:
        """A walkthrough of the traced sample with nothing revealed yet: before a script's
        first stage the diagram shows "?" where the forward pass will put numbers, so
        the pass itself reveals them (one per sample and weights)."""
        r = self.runner
        key = (r.sample, self.session.steps, self.session.epoch)
        if self._waiting is None or self._waiting[0] != key:
            self._waiting = (key, Walkthrough(self.session, sample=r.sample))
        return self._waiting[1]

    def __iter__(self) -> Iterator[Shown]:
        for k in range(len(self.timeline)):
            yield self.shown(k)

    def finish(self) -> Shown:
        """Run the whole script; the state at its end, nothing animating."""
        self.runner.run_all()
        self._last_index = len(self.timeline)
        return self.describe(None)
