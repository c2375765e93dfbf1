"""“Record what I do next”: the user's actions in the window, written down as a script.

An :class:`ActionLog` watches the controller while it is active and keeps a script of
what the user did: steps (→, finish), steps back (←, which take the last stage off the
script again, so a take ends with what is on screen), training (one ``train N`` per run),
selections, the traced sample and the lesson's captions. Rendering that script offline
from the session as it was when the log started gives the video of the take; the script
is plain text, so retakes are edits.

The take keeps the rhythm: a pause longer than :data:`PAUSE_S` between two actions (after
the time the first one takes in a video) is written as ``hold`` for that long, so the
video of the take waits where the presenter waited.

Changes a script cannot express (settings, weight edits, reset, undo, another session)
end the take: the log stops and says why in :attr:`ActionLog.reason`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal, SignalInstance

from mlpviz.model.script import Selection
from mlpviz.model.walkthrough import Walkthrough
from mlpviz.ui.controller import Controller

#: undo-stack entries the stepping commands push; anything else cannot be scripted
STEP_COMMANDS = ("Update weights", "Training step", "Lesson step")
PAUSE_S = 0.3  # a pause longer than this becomes a ``hold``
SECONDS_PER_STAGE = 0.6  # video seconds of a stage (as the frame renderer plays it)


@dataclass
class _Entry:
    """One logged action. ``stages`` (script stage commands, one per layer stage) and
    ``start`` (layer stages of the walkthrough done before it) are for kind "stage"."""

    kind: str
    text: str = ""
    stages: list[str] = field(default_factory=list)
    start: int = 0
    walkthrough: Walkthrough | None = None
    epochs: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        if self.kind == "hold":
            return [f"hold {self.seconds:.1f}"]
        if self.kind == "train":
            return [f"train {self.epochs}"]
        if self.kind != "stage":
            return [self.text]
        if self.stages[-1] == "update" and len(self.stages) > 1:
            return ["iteration" if self.start == 0 else "update"]  # both finish the iteration
        return list(self.stages)


def _layer_stages(wt: Walkthrough | None) -> list[str]:
    """The script commands for the stages ``wt`` has shown, one per whole layer stage
    (in neuron granularity a layer counts once its last neuron is shown)."""
    if wt is None or wt.index < 0:
        return []
    done = []
    stages = wt.stages
    for k in range(wt.index + 1):
        here, after = stages[k], stages[k + 1] if k + 1 < len(stages) else None
        if after is None or (after.kind, after.layer) != (here.kind, here.layer):
            done.append(here.kind)
    return done


def caption_line(text: str) -> str:
    """``caption TEXT``, quoted when the text holds ; or # or outer spaces or quotes."""
    if not text:
        return "caption"
    if any(c in text for c in ';#"\\') or text != text.strip():
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        return f'caption "{escaped}"'
    return f"caption {text}"


def selection_line(selection: object) -> str | None:
    """The script's ``select`` for a 0-based selection (None if it has no script form)."""
    if selection is None:
        return "select none"
    chosen = Selection.from_key(tuple(selection))  # type: ignore[arg-type]
    return None if chosen is None else f"select {chosen.text}"


class ActionLog(QObject):
    """Logs the user's actions on ``controller`` as a script between :meth:`start` and
    :meth:`stop`. ``changed`` fires when the script changes, ``stopped`` when the take
    ends (by :meth:`stop` or because of a change a script cannot hold)."""

    changed = Signal()
    stopped = Signal()

    def __init__(self, controller: Controller, parent: QObject | None = None,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self.ctl = controller
        self.clock = clock  # seconds; a test may pass its own
        self.active = False
        self.reason = ""
        self.start_snapshot: object = None
        self.start_epoch = 0
        self._entries: list[_Entry] = []

    # ---- starting and stopping ---------------------------------------------------------
    def start(self, caption: str = "") -> None:
        """Begin a take from the current state (``caption``: the one on screen now)."""
        if self.active:
            self.stop()
        c = self.ctl
        self.reason = ""
        self.start_snapshot = c.session.snapshot()
        self.start_epoch = c.session.epoch
        self._entries = []
        self._free_at: float | None = None  # when the last action's video time ends
        self._sample, self._epoch, self._selection = c.sample, c.session.epoch, c.selection
        self._undo_index = c.undo_stack.index()
        if c.sample:
            self._entries.append(_Entry("sample", f"sample {c.sample}"))
        line = selection_line(c.selection) if c.selection is not None else None
        if line:
            self._entries.append(_Entry("select", line))
        if caption:
            self._entries.append(_Entry("caption", caption_line(caption)))
        self._wt, self._done = None, 0
        self._free_at = self.clock()
        wt = c.walkthrough
        if wt is not None and not wt.done:  # a take may begin in the middle of an iteration
            self._wt = wt
            self._add_stages(_layer_stages(wt))
        elif wt is not None:
            self._wt, self._done = wt, len(_layer_stages(wt))
        for signal, slot in self._links():
            signal.connect(slot)
        self.active = True
        self.changed.emit()

    def stop(self, reason: str = "") -> None:
        """End the take (``reason``: why, when the log stops by itself)."""
        if not self.active:
            return
        for signal, slot in self._links():
            signal.disconnect(slot)
        self.active = False
        self.reason = reason
        self._wt = None
        self.stopped.emit()

    def _links(self) -> list[tuple[SignalInstance, Callable[..., None]]]:
        """The controller's signals a take listens to, each with its slot."""
        c = self.ctl
        return [(c.stageChanged, self._on_stage), (c.modelChanged, self._on_model),
                (c.selectionChanged, self._on_selection), (c.captionChanged, self._on_caption),
                (c.sessionReplaced, self._on_session_replaced),
                (c.undo_stack.indexChanged, self._on_undo_index)]

    # ---- the script ----------------------------------------------------------------------
    @property
    def lines(self) -> list[str]:
        """The script so far, one action per line."""
        return [line for entry in self._entries for line in entry.lines()]

    def script(self) -> str:
        """The script as text (a header comment, then one action per line)."""
        head = f"# recorded from the session at epoch {self.start_epoch}\n"
        return head + "".join(line + "\n" for line in self.lines)

    # ---- following the controller ------------------------------------------------------
    def _keep_rhythm(self, busy_for: float) -> None:
        """Before an action that shows for ``busy_for`` video seconds: write the pause
        since the last one ended as a ``hold`` when it is longer than PAUSE_S."""
        now = self.clock()
        if self._free_at is not None and now - self._free_at > PAUSE_S:
            self._entries.append(_Entry("hold", seconds=round(now - self._free_at, 1)))
        self._free_at = max(now, self._free_at or now) + busy_for

    def _append(self, entry: _Entry, merge: bool = False) -> None:
        if entry.kind == "train":
            self._keep_rhythm(0.0)
            self._free_at = self.clock()
        else:
            self._keep_rhythm(0.0)
        last = self._entries[-1] if self._entries else None
        if merge and last is not None and last.kind == entry.kind:
            if entry.kind == "train":
                last.epochs += entry.epochs
            else:
                last.text = entry.text
        else:
            self._entries.append(entry)
        self.changed.emit()

    def _add_stages(self, stages: list[str]) -> None:
        self._keep_rhythm(SECONDS_PER_STAGE * len(stages))
        last = self._entries[-1] if self._entries else None
        if last is not None and last.kind == "stage" and last.walkthrough is self._wt:
            last.stages.extend(stages)
        else:
            self._entries.append(_Entry("stage", stages=list(stages), start=self._done,
                                        walkthrough=self._wt))
        self._done += len(stages)
        self.changed.emit()

    def _take_back(self, count: int) -> None:
        """Take the last ``count`` stages of the current walkthrough off the script."""
        for entry in reversed(list(self._entries)):
            if count == 0:
                break
            if entry.kind == "stage" and entry.walkthrough is self._wt:
                n = min(count, len(entry.stages))
                del entry.stages[len(entry.stages) - n:]
                count -= n
                if not entry.stages:
                    self._entries.remove(entry)
        self._done = len(_layer_stages(self._wt))
        self.changed.emit()

    def _on_stage(self) -> None:
        c = self.ctl
        if c.sample != self._sample and not c.use_batch:
            self._sample = c.sample
            self._append(_Entry("sample", f"sample {c.sample}"), merge=True)
        wt = c.walkthrough
        if wt is not self._wt:
            self._wt, self._done = wt, 0
        done = _layer_stages(wt)
        if len(done) > self._done:
            self._add_stages(done[self._done:])
        elif len(done) < self._done:
            self._take_back(self._done - len(done))

    def _on_model(self) -> None:
        epoch = self.ctl.session.epoch
        if epoch < self._epoch:
            self.stop("going back over training cannot be written in a script")
            return
        if epoch > self._epoch:
            self._append(_Entry("train", epochs=epoch - self._epoch), merge=True)
        self._epoch = epoch

    def _on_selection(self, selection: object) -> None:
        line = selection_line(selection)
        if line is not None and selection != self._selection:
            self._selection = selection
            self._append(_Entry("select", line), merge=True)

    def _on_caption(self, text: str) -> None:
        self._append(_Entry("caption", caption_line(text)))

    def _on_session_replaced(self) -> None:
        self.stop("another session was opened")

    def _on_undo_index(self, index: int) -> None:
        stack = self.ctl.undo_stack
        text = stack.text(index - 1) if index > 0 else ""
        if index == self._undo_index + 1 and text in STEP_COMMANDS:
            self._undo_index = index
            return
        what = f"“{text}”" if index > self._undo_index and text else "undo or redo"
        self.stop(f"{what} cannot be written in a script")
