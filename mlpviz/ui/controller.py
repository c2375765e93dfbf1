"""The one object the widgets talk to: it owns the Session, the current Walkthrough, the
selection and the run state, changes the model on request and tells the views by signals.

Widgets never poke each other: a control calls a controller method, the controller changes
the model and emits a signal, and every view re-reads the model.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from mlpviz.engine import DivergenceError
from mlpviz.engine.csvdata import CSVError, CSVTable, read_table
from mlpviz.model.playback import Shown, ViewToggles
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Walkthrough, idle_walkthrough

#: epochs trained per animation frame for each speed setting while running
RUN_SPEEDS: dict[str, int] = {"slow": 1, "normal": 5, "fast": 25, "max": 0}
FRAME_BUDGET_S = 0.025  # least training time per frame at "max" speed
MAX_BUDGET_S = 0.1  # most training time per frame at "max" speed
TRAIN_SHARE = 0.6  # at "max" speed, training gets this share of the wall time


class _SnapshotCommand(QUndoCommand):
    """Undo point: the session before and after a change (weights, settings, optimizer)."""

    def __init__(self, ctl: Controller, text: str, before: object, after: object):
        super().__init__(text)
        self._ctl, self._before, self._after = ctl, before, after
        self._first = True

    def redo(self) -> None:
        if self._first:  # the change is already in place when the command is pushed
            self._first = False
            return
        self._ctl._restore(self._after)

    def undo(self) -> None:
        self._ctl._restore(self._before)


class Controller(QObject):
    sessionReplaced = Signal()  # a new session (new data, network, file or lesson)
    modelChanged = Signal()  # weights, settings or history changed: redraw everything
    stageChanged = Signal()  # the walkthrough moved (views re-read it)
    selectionChanged = Signal(object)
    runningChanged = Signal(bool)
    message = Signal(str, str)  # (level: info|warning|error, text)
    captionChanged = Signal(str)
    frameChanged = Signal(object, float)  # (stage animated or None, eased progress t)
    togglesChanged = Signal(object)  # ViewToggles: numbers on neurons, thumbnails

    def __init__(self, session: Session | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session if session is not None else Session.from_lesson("xor")
        self.walkthrough: Walkthrough | None = None
        self.selection: object = None
        self.sample = 0
        self.use_batch = False
        self.granularity = "layer"
        self.speed = "normal"
        self.caption = ""
        self.frame: tuple[object, float] = (None, 1.0)
        self.toggles = ViewToggles()
        self.undo_stack = QUndoStack(self)
        self.last_frame_ms = 0.0
        self._trained_at: float | None = None  # end of the last run tick's training
        self._running = False
        self._timer = QTimer(self)
        self._timer.setInterval(16)
        self._timer.timeout.connect(self.tick)
        self.on_frame: Callable[[], None] | None = None
        self._idle: tuple | None = None  # (key, parameters, walkthrough or None)

    # ---- session ------------------------------------------------------------------------
    def set_session(self, session: Session) -> None:
        self.pause()
        self.session = session
        self.walkthrough = None
        self.selection = None
        self.sample = 0
        self.undo_stack.clear()
        self.sessionReplaced.emit()
        self.modelChanged.emit()
        self.stageChanged.emit()
        self.selectionChanged.emit(None)

    def _restore(self, snapshot: object) -> None:
        self.pause()
        self.walkthrough = None
        self.session.restore(snapshot)
        self.sessionReplaced.emit()
        self.modelChanged.emit()
        self.stageChanged.emit()

    def change(self, text: str, fn: Callable[[], None]) -> bool:
        """Run ``fn`` (which changes the session) as one undoable step.

        Errors from the model (bad settings) leave the session as it was and are reported.
        """
        before = self.session.snapshot()
        self.pause()
        try:
            fn()
        except (ValueError, ArithmeticError) as exc:
            self.session.restore(before)
            self.message.emit("error", str(exc))
            self.modelChanged.emit()
            return False
        self.walkthrough = None
        self.undo_stack.push(_SnapshotCommand(self, text, before, self.session.snapshot()))
        self.modelChanged.emit()
        self.stageChanged.emit()
        return True

    def set_train(self, **kw: object) -> bool:
        return self.change("Change training settings", lambda: self.session.set_train(**kw))

    def set_net(self, **kw: object) -> bool:
        ok = self.change("Change network", lambda: self.session.set_net(**kw))
        if ok:
            self.selection = None
            self.sessionReplaced.emit()
        return ok

    def fit_output_to_task(self) -> None:
        """Give the output layer an activation and loss that can express the task: linear
        for regression (a sigmoid cannot reach negative targets), softmax with
        cross-entropy for three or more classes, a sigmoid for two."""
        s = self.session
        n = s.net_config
        if s.kind == "regression":
            output = "linear" if n.output in ("sigmoid", "softmax", "step") else n.output
            loss = "mse" if n.loss in ("bce", "cross_entropy") else n.loss
        elif s.kind == "multiclass":
            output, loss = "softmax", "cross_entropy"
        else:
            output = "sigmoid" if n.output in ("softmax", "linear") else n.output
            loss = "mse" if n.loss == "cross_entropy" else n.loss
            if loss == "bce" and output != "sigmoid":
                loss = "mse"
        if (output, loss) != (n.output, n.loss):
            s.set_net(output=output, loss=loss)

    def set_data(self, **kw: object) -> bool:
        def apply() -> None:
            self.session.set_data(**kw)
            self.fit_output_to_task()

        ok = self.change("Change data", apply)
        if ok:
            self.sample = min(self.sample, len(self.session.X_train) - 1)
            self.sessionReplaced.emit()
        return ok

    def regenerate(self) -> bool:
        ok = self.change("Regenerate data", self.session.regenerate)
        if ok:
            self.sessionReplaced.emit()
        return ok

    def read_csv(self, path: str | Path) -> CSVTable | None:
        """The cells of a CSV file (to choose its columns), or None after reporting why
        it cannot be read."""
        try:
            return read_table(path)
        except CSVError as exc:
            self.message.emit("error", f"Could not import the CSV file: {exc}")
            return None

    def import_csv(self, path: str | Path, inputs: list[str | int] | None = None,
                   target: str | int | None = None,
                   table: CSVTable | None = None) -> bool:
        """Use the points of a CSV file (see engine.csvdata) as the data, one undoable
        change; ``inputs``/``target`` choose the columns (default: a 3-column file's two
        inputs and last column); ``table`` is the file already read by :meth:`read_csv`.
        A bad file is reported (its line named) and the session stays as it was."""
        try:
            dataset = (table or read_table(path)).select(inputs, target).dataset()
        except CSVError as exc:
            self.message.emit("error", f"Could not import the CSV file: {exc}")
            return False
        def apply() -> None:
            self.session.set_dataset(dataset)
            self.fit_output_to_task()

        ok = self.change(f"Import {Path(path).name}", apply)
        if ok:
            self.selection = None
            self.sample = min(self.sample, len(self.session.X_train) - 1)
            self.sessionReplaced.emit()
            self.selectionChanged.emit(None)
        return ok

    def add_point(self, x: float, y: float, label: int) -> bool:
        """Add a training point of class ``label`` at (x, y), one undoable change."""
        ok = self.change("Add a point", lambda: self.session.add_point((x, y), label))
        if ok:
            self.sessionReplaced.emit()
        return ok

    def remove_point_near(self, x: float, y: float, radius: float) -> bool:
        """Remove the training point nearest (x, y) within ``radius``, undoably; False
        when there is none that close."""
        index = self.session.nearest_point((x, y), radius)
        if index is None:
            return False
        ok = self.change("Remove a point", lambda: self.session.remove_point(index))
        if ok:
            self.sample = min(self.sample, len(self.session.X_train) - 1)
            self.sessionReplaced.emit()
        return ok

    def reset(self) -> None:
        self.change("Reset weights", self.session.reset)

    def edit_weight(self, layer: int, i: int, j: int, value: float) -> bool:
        if not np.isfinite(value):
            self.message.emit("error", "A weight must be a finite number.")
            return False

        def apply() -> None:
            self.session.net.weights[layer][i, j] = value

        return self.change(f"Edit w[{layer + 1}]({i + 1},{j + 1})", apply)

    def edit_bias(self, layer: int, i: int, value: float) -> bool:
        if not np.isfinite(value):
            self.message.emit("error", "A bias must be a finite number.")
            return False

        def apply() -> None:
            self.session.net.biases[layer][i] = value

        return self.change(f"Edit b[{layer + 1}]({i + 1})", apply)

    # ---- selection ----------------------------------------------------------------------
    def select(self, selection: object) -> None:
        if selection != self.selection:
            self.selection = selection
            self.selectionChanged.emit(selection)

    # ---- what is shown ------------------------------------------------------------------
    def apply(self, shown: Shown) -> None:
        """Show ``shown`` (a frame of a script: a lesson beat, a video or a snapshot).

        The one way a described state reaches the views: the controller takes its
        walkthrough, traced sample, selection, caption, toggles and animation frame, and
        emits only the signals whose subject changed (modelChanged when the weights or
        the epoch moved since the last call)."""
        self.applying = True
        try:
            self._apply(shown)
        finally:
            self.applying = False

    applying = False  # True while apply() runs: the player leaves the frame to it

    def _apply(self, shown: Shown) -> None:
        key = (self.session.net.params.tobytes(), self.session.epoch, self.session.steps)
        model_moved = key != getattr(self, "_applied_key", None)
        self._applied_key = key
        sample_moved = (shown.sample is None) != self.use_batch or (
            shown.sample is not None and shown.sample != self.sample)
        if shown.sample is None:
            self.use_batch = True
        else:
            self.use_batch = False
            self.sample = int(shown.sample)
        wt_moved = (shown.walkthrough is not self.walkthrough
                    or self._stage_key(shown.walkthrough) != self._shown_stage)
        self.walkthrough = shown.walkthrough
        if model_moved or sample_moved:
            self.modelChanged.emit()
        if wt_moved or sample_moved:
            self._shown_stage = self._stage_key(shown.walkthrough)
            self.stageChanged.emit()
        self.select(shown.selection)
        self.set_caption(shown.caption)
        self.set_toggles(shown.toggles)
        self.set_frame(shown.stage, shown.t)

    _shown_stage: object = None

    @staticmethod
    def _stage_key(wt: Walkthrough | None) -> object:
        return None if wt is None else (id(wt), wt.index)

    def set_frame(self, stage: object, t: float) -> None:
        """The animation frame: ``stage`` revealed up to eased progress ``t`` (1 = done)."""
        frame = (stage, float(t))
        if frame != self.frame:
            self.frame = frame
            self.frameChanged.emit(stage, float(t))

    def set_caption(self, text: str) -> None:
        if text != self.caption:
            self.caption = text
            self.captionChanged.emit(text)

    def set_toggles(self, toggles: ViewToggles) -> None:
        if toggles != self.toggles:
            self.toggles = toggles
            self.togglesChanged.emit(toggles)

    # ---- the walkthrough ----------------------------------------------------------------
    def set_sample(self, k: int | None) -> None:
        """Trace training sample k, or the current mini-batch when k is None."""
        self.use_batch = k is None
        if k is not None:
            self.sample = int(np.clip(k, 0, len(self.session.X_train) - 1))
        if self.walkthrough is not None and self.walkthrough.index < 0:
            self.walkthrough = None
        self.stageChanged.emit()

    def set_granularity(self, granularity: str) -> None:
        self.granularity = granularity
        if self.walkthrough is not None and self.walkthrough.index < 0:
            self.walkthrough = None
        self.stageChanged.emit()

    def idle_walkthrough(self) -> Walkthrough | None:
        """The traced sample's values while no walkthrough runs (every stage but the update
        taken, see model.walkthrough.idle_walkthrough): one object for the diagram and the
        inspector, made again only when the session, its weights, its data or the traced
        sample changed. None when they cannot be computed (NaN weights)."""
        s = self.session
        same = (s, s.net, s.X_train, s.Y_train)  # compared by identity
        equal = (s.steps, s.net_config, s.train_config, s.data_config, self.sample,
                 self.use_batch, self.granularity)
        cached = self._idle
        if (cached is not None and cached[0][1] == equal
                and all(a is b for a, b in zip(cached[0][0], same, strict=True))
                and np.array_equal(cached[1], s.net.params)):
            return cached[2]
        key = (same, equal)
        try:
            wt = idle_walkthrough(s, self.sample, self.use_batch, self.granularity)
        except (ValueError, ArithmeticError, DivergenceError):
            wt = None
        self._idle = (key, s.net.get_params(), wt)
        return wt

    def _new_walkthrough(self) -> Walkthrough:
        return Walkthrough(
            self.session,
            sample=self.sample,
            batch=self.use_batch,
            granularity=self.granularity,
        )

    def step_forward(self) -> bool:
        """Reveal the next stage; after the update a new iteration begins. True if moved."""
        self.pause()
        wt = self.walkthrough
        if wt is None or wt.done:
            wt = self.walkthrough = self._new_walkthrough()
        before = self.session.snapshot() if _next_is_update(wt) else None
        try:
            stage = wt.next()
        except DivergenceError as exc:
            self.message.emit("error", f"{exc}. Lower the learning rate, then press R to reset.")
            return False
        if stage is None:
            return False
        if before is not None:
            self.undo_stack.push(
                _SnapshotCommand(self, "Update weights", before, self.session.snapshot())
            )
            self.modelChanged.emit()
        self.stageChanged.emit()
        return True

    def step_back(self) -> bool:
        self.pause()
        wt = self.walkthrough
        if wt is None or wt.index < 0:
            return False
        was_update = wt.stage is not None and wt.stage.kind == "update"
        wt.prev()
        if was_update:
            self.modelChanged.emit()
        self.stageChanged.emit()
        return True

    def finish_iteration(self) -> None:
        self.pause()
        if self.walkthrough is None or self.walkthrough.done:
            self.walkthrough = self._new_walkthrough()
        before = self.session.snapshot()
        try:
            self.walkthrough.finish()
        except DivergenceError as exc:
            self.message.emit("error", f"{exc}. Lower the learning rate, then press R to reset.")
            return
        self.undo_stack.push(
            _SnapshotCommand(self, "Training step", before, self.session.snapshot())
        )
        self.modelChanged.emit()
        self.stageChanged.emit()

    # ---- running --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether a run is on (between :meth:`run` and :meth:`pause`)."""
        return self._running

    def toggle_run(self) -> None:
        if self.running:
            self.pause()
        else:
            self.run()

    def run(self, paced: bool = True) -> None:
        """Train continuously: one :meth:`tick` per animation frame. With ``paced`` False
        the run is on (every view behaves as while running) but no timer calls tick():
        whoever drives the frames does, once per frame (a benchmark timing frames)."""
        if self.running:
            return
        self.walkthrough = None
        self.stageChanged.emit()
        self._trained_at = None
        self._running = True
        if paced:
            self._timer.start()
        self.runningChanged.emit(True)

    def pause(self) -> None:
        if self._running:
            self._running = False
            self._timer.stop()
            self.runningChanged.emit(False)

    def set_speed(self, speed: str) -> None:
        if speed not in RUN_SPEEDS:
            raise ValueError(f"unknown speed {speed!r}")
        self.speed = speed

    def train_epochs(self, epochs: int) -> bool:
        """Train ``epochs`` epochs now (menu action / script); False if it diverged."""
        try:
            self.session.train(epochs)
        except DivergenceError as exc:
            self._diverged(exc)
            return False
        finally:
            self.modelChanged.emit()
        return True

    def _diverged(self, exc: Exception) -> None:
        self.pause()
        self.message.emit(
            "diverged",
            "Training diverged: the loss became NaN or infinite, so the run was paused and "
            "the last good weights were kept. Lower the learning rate (or reset with R) and "
            f"run again. ({exc})",
        )

    def tick(self) -> None:
        """One frame of a run: train, then tell the views. At "max" speed training lasts
        FRAME_BUDGET_S, or longer when drawing the last frame took long, so that training
        keeps TRAIN_SHARE of the time (at most MAX_BUDGET_S per frame)."""
        start = time.perf_counter()
        epochs = RUN_SPEEDS[self.speed]
        budget = FRAME_BUDGET_S
        if self._trained_at is not None:
            drawing = start - self._trained_at
            budget = min(max(budget, drawing * TRAIN_SHARE / (1.0 - TRAIN_SHARE)), MAX_BUDGET_S)
        try:
            if epochs:
                self.session.train(epochs)
            else:
                self.session.train(1)
                while time.perf_counter() - start < budget:
                    self.session.train(1)
        except DivergenceError as exc:
            self._diverged(exc)
        self._trained_at = time.perf_counter()
        self.modelChanged.emit()
        self.last_frame_ms = (time.perf_counter() - start) * 1000.0


def output_labels(session: Session) -> list[str]:
    """Display names of the network outputs: the data's class names when it has one per
    output (cut to 16 characters), else "class 1", "class 2", …; "ŷ" for one output."""
    n_out = session.net.sizes[-1]
    if n_out == 1:
        return ["ŷ"]
    names = session.class_names
    if len(names) == n_out:
        return [name if len(name) <= 16 else name[:15] + "…" for name in names]
    return [f"class {k + 1}" for k in range(n_out)]


def _next_is_update(wt: Walkthrough) -> bool:
    nxt = wt.index + 1
    return 0 <= nxt < len(wt.stages) and wt.stages[nxt].kind == "update"
