"""Lesson scripts: a tiny text language that drives a session step by step.

One action per line or separated by ``;``; ``#`` starts a comment. Commands::

    forward            compute the next layer of the forward pass
    loss               compute the loss (taken automatically by backward if skipped)
    backward           backpropagate through the next layer (output layer first)
    update             apply the optimizer step, finishing the iteration first
    iteration          run a whole iteration (the rest of the current one) stage by stage
    train N            train N epochs (1 ≤ N ≤ 100000)
    hold S             keep the picture still for S seconds (0 < S ≤ 600)
    caption TEXT       show TEXT (at most 500 characters) from now on; "caption" alone
                       clears it. Quote the text
                       ("…", with \\" and \\\\ escapes) to use ; or # inside it.
                       {name} quotes a live number, e.g. {h1[2]} or {epoch}; see
                       :mod:`mlpviz.model.captions` ({{ and }} are literal braces)
    select neuron L:I  select neuron I of layer L (layer 0 = inputs, L = outputs)
    select edge L:I:J  select weight w_IJ of W_L (from neuron J of layer L−1 to I of L)
    select none        clear the selection
    sample K           trace training sample K (0-based) from now on
    speed X            play stages X times as fast (0.1 ≤ X ≤ 10)
    reading off|on     off: from here on, captions get no added reading time; on: they
                       do again (the default)

Reading time: in a timeline of a script (:meth:`mlpviz.model.timeline.Timeline.from_events`)
a caption stays on screen at least max(2.5 s, 0.35 s per word). When the frames between a
caption and the next caption change (or the end of the script) are shorter, a still
picture of the missing length is added right before that change. The frames after the
caption count — a ``hold`` after it, stages, training — so ``caption …; hold 3`` stays
3 s or the reading time, whichever is longer. ``reading off`` before a caption lets the
script time it exactly (a caption then lasts only as long as the frames that show it, and
a caption replaced before any frame is never seen); ``reading on`` restores the default.

Neurons and edges are numbered as in docs/derivation.md: layers from 0 (the inputs x), neurons
from 1, so ``select edge 1:2:1`` is w₂₁ of W₁. Stage commands work on one walkthrough
(see :mod:`mlpviz.model.walkthrough`) in layer granularity. ``backward`` first completes
any forward layers still pending and the loss; ``update`` and ``iteration`` complete
every pending stage. After an update, the next stage command starts a new iteration on
the updated network. ``train`` and ``sample`` drop an unfinished iteration (its update
never ran, so the weights are as before it).

A script's whole work is bounded before any of it is done: at most MAX_SCRIPT_CHARS
characters, MAX_ACTIONS actions, MAX_SCRIPT_EPOCHS epochs of ``train`` and
MAX_SCRIPT_HOLD seconds of ``hold`` in all (:func:`parse_script`), and MAX_FRAMES frames of
video (:class:`~mlpviz.model.timeline.Timeline`); past a limit the error names the line.
Lines end at \n, \r\n or \r only, so other Unicode line separators (U+2028 …) inside a
line never shift the line numbers that errors give.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from mlpviz.model.cancel import JOB
from mlpviz.model.captions import CaptionError, check_template
from mlpviz.model.quoting import clip, one_line, quote
from mlpviz.model.walkthrough import Stage, Walkthrough, stage_list

COMMANDS: tuple[str, ...] = (
    "forward", "loss", "backward", "update", "iteration", "train", "hold", "caption",
    "select", "sample", "speed", "reading",
)
STAGE_COMMANDS: tuple[str, ...] = ("forward", "loss", "backward", "update", "iteration")
MAX_EPOCHS = 100_000
MAX_HOLD = 600.0
SPEED_RANGE = (0.1, 10.0)
MAX_CAPTION = 500
MAX_SCRIPT_CHARS = 1_000_000
MAX_ACTIONS = 10_000
MAX_SCRIPT_EPOCHS = 1_000_000
MAX_SCRIPT_HOLD = 3_600.0
MAX_FRAMES = 500_000
MAX_NUMBER_CHARS = 20

_LINE_END = re.compile(r"\r\n|\r|\n")

_INT = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")


class ScriptError(ValueError):
    """A script that cannot be parsed or run; names the line and the offending token."""

    def __init__(self, message: str, line: int | None = None, token: str | None = None):
        self.line = line
        self.token = None if token is None else clip(token)
        super().__init__(one_line(f"line {line}: {message}" if line is not None else message))


@dataclass(frozen=True)
class Action:
    """One parsed command: ``kind`` (one of COMMANDS), its ``args``, its 1-based ``line``.

    args: train (epochs,), hold (seconds,), caption (text,), select (Selection or None,),
    sample (k,), speed (factor,), reading (on: bool,); the stage commands take none.
    """

    kind: str
    args: tuple[Any, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Selection:
    """A selected neuron or edge, numbered as in docs/derivation.md (see the module
    docstring).

    neuron: ``layer`` 0..L (0 = inputs), ``index`` 1..n_layer. edge: ``layer`` 1..L (the
    weight matrix W_layer), ``index`` the target neuron i, ``source`` the input neuron j.
    """

    kind: str
    layer: int
    index: int
    source: int | None = None

    @property
    def key(self) -> tuple:
        """The 0-based selection the app works with (scripts only parse and print the
        1-based form): ``("neuron", l, i)`` with l = −1 for the inputs and l the weight
        layer producing the neuron otherwise, or ``("edge", l, i, j)`` for W[l][i, j]."""
        if self.kind == "neuron":
            return ("neuron", self.layer - 1, self.index - 1)
        return ("edge", self.layer - 1, self.index - 1, (self.source or 0) - 1)

    @classmethod
    def from_key(cls, key: tuple) -> Selection | None:
        """The script form of a 0-based selection (a bias counts as its neuron); None for
        a key that has no script form."""
        kind, *rest = key
        if kind in ("neuron", "bias") and len(rest) == 2:
            return cls("neuron", int(rest[0]) + 1, int(rest[1]) + 1)
        if kind == "edge" and len(rest) == 3:
            return cls("edge", int(rest[0]) + 1, int(rest[1]) + 1, int(rest[2]) + 1)
        return None

    @property
    def text(self) -> str:
        """The script form, e.g. "edge 1:2:1"."""
        tail = f":{self.source}" if self.source is not None else ""
        return f"{self.kind} {self.layer}:{self.index}{tail}"

    @property
    def weight_layer(self) -> int | None:
        """The 0-based index into ``net.weights`` of the edge's matrix, or of the layer
        producing the neuron (None for an input neuron)."""
        return self.layer - 1 if self.layer > 0 else None

    @property
    def row(self) -> int:
        """0-based neuron index (for an edge: the row of W)."""
        return self.index - 1

    @property
    def col(self) -> int | None:
        """0-based source neuron of an edge (the column of W); None for a neuron."""
        return self.source - 1 if self.source is not None else None

    def check(self, sizes: Sequence[int]) -> None:
        """Raise ValueError if this selection does not exist in a network of ``sizes``."""
        n = len(sizes) - 1
        if self.kind == "neuron":
            if not 0 <= self.layer <= n:
                raise ValueError(f"layer {self.layer} does not exist (layers are 0..{n})")
            if not 1 <= self.index <= sizes[self.layer]:
                raise ValueError(
                    f"layer {self.layer} has neurons 1..{sizes[self.layer]}, not {self.index}"
                )
            return
        if not 1 <= self.layer <= n:
            raise ValueError(f"there is no weight matrix W{self.layer} (they are W1..W{n})")
        if not 1 <= self.index <= sizes[self.layer]:
            raise ValueError(f"W{self.layer} has rows 1..{sizes[self.layer]}, not {self.index}")
        if not 1 <= (self.source or 0) <= sizes[self.layer - 1]:
            raise ValueError(
                f"W{self.layer} has columns 1..{sizes[self.layer - 1]}, not {self.source}"
            )


# ---- parsing ---------------------------------------------------------------------------
def _split_line(raw: str, line: int) -> list[str]:
    """The ``;``-separated statements of one line, comments removed, quotes respected."""
    parts: list[str] = []
    buf: list[str] = []
    quoted = False
    i = 0
    while i < len(raw):
        ch = raw[i]
        if quoted and ch == "\\" and i + 1 < len(raw):
            buf.append(raw[i : i + 2])
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "#":
            break
        elif not quoted and ch == ";":
            parts.append("".join(buf))
            buf = []
            i += 1
            continue
        buf.append(ch)
        i += 1
    if quoted:
        raise ScriptError(f"a quoted caption is not closed with \": {quote(raw.strip())}",
                          line, raw.strip())
    parts.append("".join(buf))
    return [p.strip() for p in parts if p.strip()]


def _caption_text(rest: str, line: int) -> str:
    if not rest.startswith('"'):
        return rest
    if len(rest) < 2 or not rest.endswith('"'):
        raise ScriptError(f"text after a quoted caption: {quote(rest)}", line, rest)
    body = rest[1:-1]
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and body[i + 1] in '"\\':
            out.append(body[i + 1])
            i += 2
        elif body[i] == '"':
            raise ScriptError(f"text after a quoted caption: {quote(rest)}", line, rest)
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def _number(token: str, what: str, line: int, lo: float, hi: float, integer: bool) -> Any:
    pattern = _INT if integer else _NUMBER
    kind = "a whole number" if integer else "a number"
    if not pattern.fullmatch(token):
        raise ScriptError(f"{what} must be {kind}, got {quote(token)}", line, token)
    if len(token) > MAX_NUMBER_CHARS:
        raise ScriptError(f"{what} must be in {lo:g}..{hi:g}, got {kind} of {len(token)} "
                          f"digits ({clip(token, 20)})", line, token)
    value = int(token) if integer else float(token)
    if not lo <= value <= hi:
        raise ScriptError(f"{what} must be in {lo:g}..{hi:g}, got {token}", line, token)
    return value


def _selection(args: list[str], line: int) -> Selection | None:
    usage = "use 'select neuron L:I', 'select edge L:I:J' or 'select none'"
    if args == ["none"]:
        return None
    if len(args) != 2 or args[0] not in ("neuron", "edge"):
        shown = " ".join(args[:3]) or "select"
        raise ScriptError(f"bad selection {quote(shown)}; {usage}", line, shown)
    kind, spec = args
    parts = spec.split(":")
    want = 2 if kind == "neuron" else 3
    if len(parts) != want or not all(_INT.fullmatch(p) for p in parts):
        form = "L:I" if kind == "neuron" else "L:I:J"
        article = "an" if kind[0] in "aeiou" else "a"
        raise ScriptError(f"{article} {kind} is written {form} with whole numbers, not "
                          f"{quote(spec)}", line, spec)
    if any(len(p) > MAX_NUMBER_CHARS for p in parts):
        raise ScriptError(f"{quote(spec)} does not exist: its numbers are too long", line, spec)
    nums = [int(p) for p in parts]
    return Selection(kind, nums[0], nums[1], nums[2] if kind == "edge" else None)


def _parse_statement(stmt: str, line: int) -> Action:
    word, _, rest = stmt.partition(" ")
    kind = word.lower()
    rest = rest.strip()
    if kind not in COMMANDS:
        raise ScriptError(
            f"unknown command {quote(word)}; expected one of: {', '.join(COMMANDS)}", line,
            word)
    if kind == "caption":
        text = _caption_text(rest, line)
        if len(text) > MAX_CAPTION:
            raise ScriptError(f"a caption has at most {MAX_CAPTION} characters, this one "
                              f"{len(text)}: {quote(text)}", line, text)
        return Action(kind, (text,), line)
    args = rest.split()
    if kind == "select":
        return Action(kind, (_selection(args, line),), line)
    if kind in STAGE_COMMANDS:
        if args:
            raise ScriptError(f"'{kind}' takes no arguments, got {quote(args[0])}", line,
                              args[0])
        return Action(kind, (), line)
    if len(args) != 1:
        raise ScriptError(f"'{kind}' takes exactly one value, got {quote(rest or '')}", line,
                          rest or kind)
    token = args[0]
    if kind == "reading":
        if token.lower() not in ("on", "off"):
            raise ScriptError(f"'reading' takes on or off, got {token!r}", line, token)
        return Action(kind, (token.lower() == "on",), line)
    if kind == "train":
        value: Any = _number(token, "the number of epochs", line, 1, MAX_EPOCHS, True)
    elif kind == "hold":
        value = _number(token, "the hold time in seconds", line, 0.0, MAX_HOLD, False)
        if value == 0:
            raise ScriptError("the hold time must be more than 0 seconds", line, token)
    elif kind == "sample":
        value = _number(token, "the sample index", line, 0, 10**9, True)
    else:
        value = _number(token, "the speed", line, *SPEED_RANGE, False)
    return Action(kind, (value,), line)


def parse_script(text: str) -> list[Action]:
    """Parse a script (see the module docstring); raises ScriptError naming line and token,
    also when the script passes a limit on its size or its total work."""
    if not isinstance(text, str):
        raise ScriptError(f"a script must be text, not {type(text).__name__}")
    if len(text) > MAX_SCRIPT_CHARS:
        raise ScriptError(f"a script has at most {MAX_SCRIPT_CHARS:,} characters, this one "
                          f"{len(text):,}")
    actions: list[Action] = []
    epochs, hold = 0, 0.0
    for line, raw in enumerate(_LINE_END.split(text), start=1):
        for stmt in _split_line(raw, line):
            action = _parse_statement(stmt, line)
            actions.append(action)
            if len(actions) > MAX_ACTIONS:
                raise ScriptError(f"a script has at most {MAX_ACTIONS:,} actions", line,
                                  stmt)
            if action.kind == "train":
                epochs += action.args[0]
                if epochs > MAX_SCRIPT_EPOCHS:
                    raise ScriptError(f"the script trains more than {MAX_SCRIPT_EPOCHS:,} "
                                      "epochs in all", line, stmt)
            elif action.kind == "hold":
                hold += action.args[0]
                if hold > MAX_SCRIPT_HOLD:
                    raise ScriptError(f"the script holds more than {MAX_SCRIPT_HOLD:g} "
                                      "seconds in all", line, stmt)
    return actions


# ---- planning --------------------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    """One unit of work of a script run, and the state right after it.

    A stage command yields one event per walkthrough stage it takes (``new_walkthrough``
    on the first stage of a fresh iteration); ``train N`` yields N events of one epoch
    (``epoch`` 1..N); every other command yields one event.
    """

    index: int
    action_index: int
    action: Action
    stage: Stage | None = None
    new_walkthrough: bool = False
    epoch: int = 0
    caption: str = ""
    selection: tuple | None = None  # 0-based, see Selection.key
    sample: int = 0
    speed: float = 1.0
    reading: bool = True  # captions from here on get their reading time (``reading``)


class EventPlan(Sequence[Event]):
    """The events of a planned script, in order. A ``train N`` is stored once and its N
    epoch events are made when they are read, so a plan costs memory per action, not per
    epoch. Slices are plans too."""

    def __init__(self) -> None:
        self._runs: list[tuple[Event, int]] = []  # (first event, number of events)
        self._starts: list[int] = []
        self._length = 0

    def append(self, event: Event, count: int = 1) -> None:
        """Add ``event`` and, for ``count`` > 1, the events after it with the next epochs."""
        self._runs.append((event, count))
        self._starts.append(self._length)
        self._length += count

    def __len__(self) -> int:
        return self._length

    @staticmethod
    def _nth(first: Event, k: int) -> Event:
        """Event k of the run starting at ``first``: ``first`` with the index and epoch
        moved on by k (copied field by field: ten times faster than dataclasses.replace,
        which matters when a million epoch events are read)."""
        if k == 0:
            return first
        event = object.__new__(Event)
        fields = event.__dict__
        fields.update(first.__dict__)
        fields["index"] = first.index + k
        fields["epoch"] = first.epoch + k
        return event

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            part = EventPlan()
            for i in range(max(bisect.bisect_right(self._starts, start) - 1, 0),
                           len(self._runs)):
                first, count = self._runs[i]
                lo, hi = max(start - self._starts[i], 0), min(stop - self._starts[i], count)
                if lo < hi:
                    part.append(self._nth(first, lo), hi - lo)
            return part
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"plan indices must be integers, not {type(index).__name__}")
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(f"event {index} is past the end of a {self._length}-event plan")
        i = bisect.bisect_right(self._starts, index) - 1
        return self._nth(self._runs[i][0], index - self._starts[i])

    def heads(self) -> Iterator[Event]:
        """The first event of every run: all events but epochs 2..N of each ``train N``
        (what a timeline needs, without making an event per epoch)."""
        for first, _ in self._runs:
            yield first

    def __iter__(self) -> Iterator[Event]:
        for first, count in self._runs:
            for k in range(count):
                yield self._nth(first, k)


def plan_events(
    actions: Sequence[Action], sizes: Sequence[int], n_samples: int | None = None,
    sample: int = 0,
) -> EventPlan:
    """Expand ``actions`` into events for a network with layer ``sizes``.

    Checks what can only be checked against the network: selections exist, samples are
    below ``n_samples``, and stage commands make sense where they occur (for example
    ``forward`` after the forward pass is complete). Raises ScriptError naming the line.
    """
    n_layers = len(sizes) - 1
    stages = stage_list(n_layers)
    loss_at, last = n_layers, len(stages) - 1
    events = EventPlan()
    state = Event(index=0, action_index=0, action=Action("caption"), sample=sample)
    pos, active = -1, False

    def emit(ai: int, action: Action, count: int = 1, **changes: Any) -> None:
        nonlocal state
        fields: dict[str, Any] = {"stage": None, "new_walkthrough": False, "epoch": 0}
        fields.update(changes)
        state = replace(state, index=len(events), action_index=ai, action=action, **fields)
        events.append(state, count)

    for ai, action in enumerate(actions):
        kind = action.kind
        if kind in STAGE_COMMANDS:
            fresh = not active or pos == last
            if fresh:
                pos, active = -1, True
            if kind == "forward":
                if stages[pos + 1].kind != "forward":
                    raise ScriptError("'forward': the forward pass is already complete; "
                                      "continue with loss, backward or update",
                                      action.line, kind)
                target = pos + 1
            elif kind == "loss":
                if pos >= loss_at:
                    raise ScriptError("'loss': the loss of this iteration is already "
                                      "computed", action.line, kind)
                target = loss_at
            elif kind == "backward":
                if pos >= last - 1:
                    raise ScriptError("'backward': every layer is already backpropagated; "
                                      "continue with update", action.line, kind)
                target = max(pos + 1, loss_at + 1)
            else:
                target = last
            while pos < target:
                pos += 1
                emit(ai, action, stage=stages[pos], new_walkthrough=fresh)
                fresh = False
        elif kind == "train":
            active = False
            emit(ai, action, action.args[0], epoch=1)
        elif kind == "sample":
            k = action.args[0]
            if n_samples is not None and k >= n_samples:
                raise ScriptError(f"'sample': there are {n_samples} training samples "
                                  f"(0..{n_samples - 1}), not {k}", action.line, str(k))
            active = False
            emit(ai, action, sample=k)
        elif kind == "select":
            chosen = action.args[0]
            if chosen is not None:
                try:
                    chosen.check(sizes)
                except ValueError as exc:
                    raise ScriptError(f"'select {chosen.text}': {exc}", action.line,
                                      chosen.text) from None
            emit(ai, action, selection=None if chosen is None else chosen.key)
        elif kind == "caption":
            try:
                check_template(action.args[0], sizes)
            except CaptionError as exc:
                raise ScriptError(f"'caption': {exc}", action.line, action.args[0]) from None
            emit(ai, action, caption=action.args[0])
        elif kind == "speed":
            emit(ai, action, speed=action.args[0])
        elif kind == "reading":
            emit(ai, action, reading=action.args[0])
        else:
            emit(ai, action)
    return events


# ---- running ---------------------------------------------------------------------------
class ScriptRunner:
    """Runs a script on a session headless, one event at a time.

    ``session`` is a Session (needs ``.net``, ``.optimizer``, ``.sample``, ``.minibatch``,
    ``.steps``, ``.train(epochs)`` and ``.X_train``). The whole script is planned and
    checked when the runner is made, so a bad line fails before anything runs.
    State after each step: ``walkthrough`` (current Walkthrough or None), ``caption``,
    ``selection``, ``sample``, ``speed``.
    """

    def __init__(self, session: Any, actions: Sequence[Action] | str, sample: int = 0):
        self.session = session
        self.actions = parse_script(actions) if isinstance(actions, str) else list(actions)
        self.events = plan_events(
            self.actions, session.net.sizes, len(session.X_train), sample
        )
        self.position = 0
        self.walkthrough: Walkthrough | None = None
        self.caption = ""
        self.selection: tuple | None = None  # 0-based (Selection.key)
        self.sample = sample
        self.speed = 1.0

    @property
    def done(self) -> bool:
        return self.position >= len(self.events)

    @property
    def last_event(self) -> Event | None:
        return self.events[self.position - 1] if self.position > 0 else None

    def step(self) -> Event | None:
        """Run the next event and return it; None when the script is over.

        DivergenceError from training or an update propagates, with a note naming the line;
        so does engine.Cancelled once ``cancel.JOB`` is requested (asked before each event
        and, by Session.train, before each mini-batch).
        """
        if self.done:
            return None
        JOB.check()
        event = self.events[self.position]
        try:
            self._run(event)
        except ArithmeticError as exc:
            exc.add_note(f"script line {event.action.line}: {event.action.kind}")
            raise
        self.caption, self.selection = event.caption, event.selection
        self.sample, self.speed = event.sample, event.speed
        self.position += 1
        return event

    def _run(self, event: Event) -> None:
        kind = event.action.kind
        if event.stage is not None:
            if event.new_walkthrough:
                self.walkthrough = Walkthrough(self.session, sample=self.sample)
            self.walkthrough.next()  # type: ignore[union-attr]
        elif kind == "train":
            self.walkthrough = None
            self.session.train(1)
        elif kind == "sample":
            self.walkthrough = None

    def state(self) -> tuple:
        """Everything :meth:`restore` needs to put the runner back where it is now (the
        walkthrough object and its stage index included)."""
        wt = self.walkthrough
        return (self.position, self.caption, self.selection, self.sample, self.speed, wt,
                wt.index if wt is not None else -1)

    def restore(self, state: tuple) -> None:
        """Go back to a :meth:`state` (the session's weights are the caller's business)."""
        (self.position, self.caption, self.selection, self.sample, self.speed, wt,
         index) = state
        while wt is not None and wt.index > index:
            wt.prev()
        self.walkthrough = wt

    def run_until(self, event_index: int) -> None:
        """Run events until event ``event_index`` has run (no-op if it already has)."""
        while self.position <= event_index and not self.done:
            self.step()

    def run_all(self) -> Sequence[Event]:
        """Run the rest of the script; returns the events that ran."""
        ran = self.events[self.position :]
        while not self.done:
            self.step()
        return ran
