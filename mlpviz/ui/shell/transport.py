"""The transport toolbar: step back / step / finish iteration / run-pause / reset, speed,
granularity, the traced sample and the epoch counter. Shortcuts live on the actions, so
tooltips and the Run menu show them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QSpinBox, QToolBar, QWidget

from mlpviz.ui.controller import Controller
from mlpviz.ui.player import Player
from mlpviz.ui.shell.steady_label import SteadyLabel

SPEEDS = (("Slow", "slow"), ("Normal", "normal"), ("Fast", "fast"), ("Fastest", "max"))


class Transport(QToolBar):
    def __init__(self, controller: Controller, player: Player, window: QMainWindow):
        super().__init__("Transport", window)
        self.setObjectName("transport")
        self.setMovable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.ctl, self.player = controller, player

        def action(text: str, key: str, slot, tip: str) -> QAction:
            act = QAction(text, window)
            act.setShortcut(QKeySequence(key))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            shortcut = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            act.setToolTip(f"{tip} ({shortcut})")
            act.setStatusTip(tip)
            act.triggered.connect(slot)
            window.addAction(act)
            self.addAction(act)
            return act

        self.back_action = action("◀ Back", "Left", self._back, "Step back one stage")
        self.step_action = action(
            "Step ▶", "Right", player.step, "Show the next stage of the iteration"
        )
        self.finish_action = action(
            "Finish ▶▶",
            "F",
            self._finish,
            "Finish this training iteration (forward, loss, backward, update)",
        )
        self.run_action = action(
            "Run ▶", "Space", self.ctl.toggle_run, "Train continuously, or pause"
        )
        self.reset_action = action(
            "Reset ⟲", "R", self.ctl.reset, "Re-initialise the weights and clear the history"
        )
        self.addSeparator()
        self.addWidget(QLabel(" Speed "))
        self.speed = QComboBox()
        for text, key in SPEEDS:
            self.speed.addItem(text, key)
        self.speed.setCurrentIndex(1)
        self.speed.setToolTip("Animation speed of a step, and epochs per frame while running")
        self.speed.currentIndexChanged.connect(self._speed_changed)
        self.addWidget(self.speed)
        self.addWidget(QLabel(" Granularity "))
        self.granularity = QComboBox()
        self.granularity.addItem("Layer by layer", "layer")
        self.granularity.addItem("Neuron by neuron", "neuron")
        self.granularity.currentIndexChanged.connect(
            lambda _i: self.ctl.set_granularity(self.granularity.currentData())
        )
        self.addWidget(self.granularity)
        self.addWidget(QLabel(" Traced sample "))
        self.sample = QSpinBox()
        self.sample.setSpecialValueText("mini-batch")
        self.sample.setToolTip(
            "Which training sample one step traces (lowest value: the mini-batch)"
        )
        self.sample.valueChanged.connect(self._sample_changed)
        self.addWidget(self.sample)
        spacer = QWidget()
        spacer.setSizePolicy(
            spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy()
        )
        self.addWidget(spacer)
        self.epoch = SteadyLabel()  # its size does not follow every epoch of a run
        self.epoch.setObjectName("epochCounter")
        bold = self.epoch.font()
        bold.setWeight(bold.Weight.DemiBold)
        self.epoch.setFont(bold)
        self.addWidget(self.epoch)
        self.refresh()

    def menu_actions(self) -> list[QAction]:
        return [
            self.step_action,
            self.back_action,
            self.finish_action,
            self.run_action,
            self.reset_action,
        ]

    def _back(self) -> None:
        self.player.back()
        self.refresh()  # a beat taken back may change the traced sample

    def _finish(self) -> None:
        self.player.finish()

    def _speed_changed(self) -> None:
        key = self.speed.currentData()
        self.ctl.set_speed(key)
        self.player.set_speed(key)

    def _sample_changed(self, value: int) -> None:
        self.ctl.set_sample(None if value == 0 else value - 1)

    def refresh(self) -> None:
        """Re-read the sample range after the data changed."""
        n = len(self.ctl.session.X_train)
        self.sample.blockSignals(True)
        self.sample.setRange(0, max(n, 1))
        self.sample.setPrefix("#")
        self.sample.setValue(0 if self.ctl.use_batch else self.ctl.sample + 1)
        self.sample.blockSignals(False)
        self.update_state()

    def update_state(self) -> None:
        running = self.ctl.running
        self.run_action.setText("Pause ❚❚" if running else "Run ▶")
        wt = self.ctl.walkthrough
        lesson = self.player.lesson
        lesson_back = lesson is not None and lesson.can_go_back
        stage_back = wt is not None and wt.index >= 0
        self.back_action.setEnabled(not running and (lesson_back or stage_back))
        self.epoch.setText(f"  Epoch {self.ctl.session.epoch:,}  ")
        if not running:
            self.epoch.fit()
