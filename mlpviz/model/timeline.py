"""Time as data: a deterministic, finite sequence of animation frames.

The on-screen player advances through a :class:`Timeline` one frame per timer tick; the
video recorder walks the same frames offline. A timeline is made of *segments* — one per
walkthrough stage, hold or training run — and each segment's frames carry a progress
``t`` from 0 to 1 and its ``eased`` value. Frames are computed on demand, so a long
training segment costs no memory.

Recording a script::

    runner = ScriptRunner(session, actions)
    timeline = Timeline.from_events(runner.events, fps=30, seconds_per_stage=0.6)
    for frame in timeline:
        runner.run_until(frame.event_index)   # the session now shows this frame's state
        render(runner, frame)                 # animate frame.stage at frame.eased

A script's timeline gives every caption its reading time (see :func:`reading_seconds` and
the ``reading`` command in :mod:`mlpviz.model.script`), and tells when each caption is on
screen (:meth:`Timeline.cues`, for subtitles) and where the lesson's beats start
(:meth:`Timeline.beats`, for chapters).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from mlpviz.model.captions import without_numbers
from mlpviz.model.script import (
    MAX_FRAMES,
    Action,
    Event,
    EventPlan,
    ScriptError,
    plan_events,
)
from mlpviz.model.walkthrough import Stage

Easing = Callable[[float], float]

READING_MIN_S = 2.5  # a caption stays at least this long …
READING_S_PER_WORD = 0.35  # … and at least this long per word
TITLE_WORDS = (10, 6)  # a beat's title: the caption's first sentence up to 10 words, else 6 + "…"


def linear(t: float) -> float:
    return t


def ease_in(t: float) -> float:
    """Quadratic: starts slow."""
    return t * t


def ease_out(t: float) -> float:
    """Quadratic: ends slow."""
    return 1.0 - (1.0 - t) * (1.0 - t)


def ease_in_out(t: float) -> float:
    """Smoothstep 3t² − 2t³: slow at both ends, zero slope at 0 and 1."""
    return t * t * (3.0 - 2.0 * t)


EASINGS: dict[str, Easing] = {
    "linear": linear, "ease_in": ease_in, "ease_out": ease_out, "ease_in_out": ease_in_out,
}


class TimelineError(ValueError):
    """Bad timeline parameters (frame counts, fps, easing)."""


def get_easing(spec: str | Easing) -> Easing:
    """An easing function by name (one of EASINGS) or a callable float -> float."""
    if callable(spec):
        return spec
    if spec not in EASINGS:
        raise TimelineError(f"unknown easing {spec!r}; choose one of: {', '.join(EASINGS)}")
    return EASINGS[spec]


@dataclass(frozen=True)
class Frame:
    """One frame.

    ``stage_index`` is the segment number (for a timeline of stages, the index of
    ``stage`` in that list); ``stage`` is the walkthrough stage being animated or None
    (holds, training). ``t`` in [0, 1] is the progress through the segment, ``eased``
    its eased value. Script timelines also give the ``action`` the frame belongs to,
    the ``caption`` in effect, ``event_index`` (the last runner event that must have run
    before drawing this frame) and, for training, ``epoch`` (epochs of that ``train``
    done at this frame).
    """

    index: int
    stage_index: int
    stage: Stage | None
    t: float
    eased: float
    caption: str = ""
    action: Action | None = None
    event_index: int = -1
    epoch: int = 0


class Cue(NamedTuple):
    """A caption on screen from ``start_s`` to ``end_s`` (seconds of video time)."""

    start_s: float
    end_s: float
    text: str


class Beat(NamedTuple):
    """A beat of a lesson (a chapter of its video): starts at ``start_s`` seconds."""

    start_s: float
    title: str


def reading_seconds(caption: str) -> float:
    """How long ``caption`` must stay on screen: max(2.5 s, 0.35 s per word); 0 if empty."""
    words = len(caption.split())
    return max(READING_MIN_S, READING_S_PER_WORD * words) if words else 0.0


def caption_title(caption: str) -> str:
    """A short title for a beat: the caption's first sentence when it has at most 10
    words, else its first 6 words and "…" (see :data:`TITLE_WORDS`)."""
    sentence = re.split(r"(?<=[.!?:])\s", without_numbers(caption).strip(), maxsplit=1)[0]
    words = sentence.rstrip(".!?:").split()
    longest, cut = TITLE_WORDS
    if len(words) <= longest:
        return " ".join(words)
    return " ".join(words[:cut]).rstrip(",;:") + "…"


@dataclass(frozen=True)
class _Segment:
    start: int
    length: int
    stage: Stage | None = None
    caption: str = ""
    action: Action | None = None
    event_index: int = -1
    epochs: int = 0  # > 0: a training segment over that many epoch events


def _frame_count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TimelineError(f"{what} must be a whole number >= 1, got {value!r}")
    return value


class Timeline(Sequence[Frame]):
    """Frames for ``stages`` (Stage list), ``frames_per_stage`` frames each.

    Within a stage t runs from 0 to 1 inclusive (k / (n − 1)); a one-frame stage has t = 1.
    """

    def __init__(
        self,
        stages: Sequence[Stage] = (),
        frames_per_stage: int = 20,
        easing: str | Easing = "ease_in_out",
    ):
        self.frames_per_stage = _frame_count(frames_per_stage, "frames_per_stage")
        self.easing = get_easing(easing)
        self.fps: int | None = None
        n = self.frames_per_stage
        self._set([_Segment(i * n, n, stage) for i, stage in enumerate(stages)])

    def _set(self, segments: list[_Segment]) -> None:
        self._segments = segments
        self._starts = [s.start for s in segments]
        self._length = segments[-1].start + segments[-1].length if segments else 0

    @classmethod
    def from_events(
        cls,
        events: Sequence[Event],
        fps: int = 30,
        seconds_per_stage: float = 0.6,
        easing: str | Easing = "ease_in_out",
        seconds_per_train: float = 2.0,
        *,
        reading: bool = True,
    ) -> Timeline:
        """Frames for a planned script (``ScriptRunner.events`` or ``plan_events``).

        A stage takes round(fps · seconds_per_stage / speed) frames (at least 1); ``hold S``
        takes round(S · fps); ``train N`` takes round(fps · seconds_per_train / speed)
        frames, frame k showing the state after ⌈(k+1)·N/frames⌉ epochs; ``caption``,
        ``select``, ``sample``, ``speed`` and ``reading`` take none (they change the frames
        after them).

        Reading time (unless ``reading`` is False, or the script said ``reading off``
        before the caption): a caption shown for fewer than ⌈fps · reading_seconds⌉
        frames before the next caption change or the end gets the missing frames as a
        still segment right before that change. Its frames have no stage, the caption's
        ``action`` and the ``event_index`` of the last event before the change.
        """
        fps = _frame_count(fps, "fps")
        for name, value in (("seconds_per_stage", seconds_per_stage),
                            ("seconds_per_train", seconds_per_train)):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise TimelineError(f"{name} must be a number > 0, got {value!r}")
        timeline = cls((), 1, easing)
        timeline.fps = fps
        timeline.frames_per_stage = max(1, round(fps * seconds_per_stage))
        segments: list[_Segment] = []
        start = 0
        shown, shown_from, shown_event = "", 0, None  # the caption on screen, since when

        def read_pause(event_index: int) -> None:
            nonlocal start
            if not (shown and reading and shown_event is not None and shown_event.reading):
                return
            missing = math.ceil(fps * reading_seconds(shown) - 1e-9) - (start - shown_from)
            if missing > 0:
                segments.append(_Segment(start, missing, None, shown, shown_event.action,
                                         event_index))
                start += missing

        for event in events.heads() if isinstance(events, EventPlan) else events:
            kind = event.action.kind
            if event.caption != shown:
                read_pause(event.index - 1)
                shown, shown_from, shown_event = event.caption, start, event
            if event.stage is not None:
                length = max(1, round(fps * seconds_per_stage / event.speed))
                seg = _Segment(start, length, event.stage, event.caption, event.action,
                               event.index)
            elif kind == "hold":
                seg = _Segment(start, max(1, round(event.action.args[0] * fps)), None,
                               event.caption, event.action, event.index)
            elif kind == "train" and event.epoch == 1:
                epochs = event.action.args[0]
                length = max(1, round(fps * seconds_per_train / event.speed))
                seg = _Segment(start, length, None, event.caption, event.action,
                               event.index, epochs)
            else:
                continue
            segments.append(seg)
            start += seg.length
            if start > MAX_FRAMES:
                raise ScriptError(f"the video would pass {MAX_FRAMES:,} frames at {fps} fps",
                                  event.action.line, event.action.kind)
        if len(events):
            read_pause(events[-1].index)
        timeline._set(segments)
        return timeline

    @classmethod
    def from_actions(
        cls,
        actions: Sequence[Action],
        fps: int = 30,
        seconds_per_stage: float = 0.6,
        *,
        sizes: Sequence[int],
        easing: str | Easing = "ease_in_out",
        seconds_per_train: float = 2.0,
        reading: bool = True,
    ) -> Timeline:
        """Frames for parsed script ``actions`` on a network with layer ``sizes``."""
        return cls.from_events(plan_events(actions, sizes), fps, seconds_per_stage, easing,
                               seconds_per_train, reading=reading)

    # ---- the sequence ------------------------------------------------------------------
    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> Frame:  # type: ignore[override]
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"timeline indices must be integers, not {type(index).__name__}")
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(f"frame {index} is past the end of a {self._length}-frame timeline")
        s = bisect.bisect_right(self._starts, index) - 1
        seg = self._segments[s]
        k = index - seg.start
        epoch, event_index = 0, seg.event_index
        if seg.epochs:
            t = (k + 1) / seg.length
            epoch = math.ceil((k + 1) * seg.epochs / seg.length)
            event_index = seg.event_index + epoch - 1
        else:
            t = k / (seg.length - 1) if seg.length > 1 else 1.0
        return Frame(index, s, seg.stage, t, float(self.easing(t)), seg.caption, seg.action,
                     event_index, epoch)

    def __iter__(self) -> Iterator[Frame]:
        for i in range(self._length):
            yield self[i]

    @property
    def n_segments(self) -> int:
        return len(self._segments)

    def start_of(self, stage_index: int) -> int:
        """The index of the first frame of segment ``stage_index``."""
        if not 0 <= stage_index < len(self._segments):
            raise IndexError(f"segment {stage_index} does not exist")
        return self._segments[stage_index].start

    @property
    def seconds(self) -> float | None:
        """Duration at the timeline's fps (None for a plain stage timeline)."""
        return self._length / self.fps if self.fps else None

    # ---- what a viewer sees when -------------------------------------------------------
    def _groups(self) -> list[tuple[str, int, int, list[_Segment]]]:
        """Runs of segments showing one caption: (caption, first frame, end frame, segments)."""
        groups: list[tuple[str, int, int, list[_Segment]]] = []
        for seg in self._segments:
            if groups and groups[-1][0] == seg.caption:
                text, first, _, segs = groups[-1]
                groups[-1] = (text, first, seg.start + seg.length, [*segs, seg])
            else:
                groups.append((seg.caption, seg.start, seg.start + seg.length, [seg]))
        return groups

    def _to_seconds(self, frame: int) -> float:
        if not self.fps:
            raise TimelineError("only a timeline made with an fps has times in seconds")
        return frame / self.fps

    def cues(self) -> list[Cue]:
        """Every caption shown, with the times it is on screen (frame count / fps), in order."""
        return [Cue(self._to_seconds(first), self._to_seconds(end), text)
                for text, first, end, _ in self._groups() if text]

    def beats(self) -> list[Beat]:
        """The beats of the script, for chapters: one starts at frame 0 and at each caption
        change. The title is :func:`caption_title` of the caption; under no caption, the
        label of the first stage (or "Training: N epochs") in the beat — a stretch of
        still frames without a caption starts no beat."""
        beats: list[Beat] = []
        for text, first, _, segs in self._groups():
            title = caption_title(text) if text else next(
                (s.stage.label if s.stage is not None else f"Training: {s.epochs} epochs"
                 for s in segs if s.stage is not None or s.epochs), "")
            if title or not beats:
                beats.append(Beat(self._to_seconds(first), title or "Start"))
        return beats
