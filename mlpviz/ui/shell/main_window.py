"""The main window: network diagram in the centre, controls and plots in docks, the
transport toolbar, menus (built in mlpviz.ui.shell.window_menus), banners, and the refreshing of
the views; session files, settings and the autosave live in mlpviz.ui.shell.window_state."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QVBoxLayout, QWidget

from mlpviz.ui.colors import THEMES
from mlpviz.ui.controller import Controller, output_labels
from mlpviz.ui.diagram.network_view import NetworkView
from mlpviz.ui.player import StagePlayer
from mlpviz.ui.plots.panel import PlotsPanel
from mlpviz.ui.shell import theming, window_menus, window_state
from mlpviz.ui.shell.banner import Banner
from mlpviz.ui.shell.controls import ControlsPanel
from mlpviz.ui.shell.transport import Transport
from mlpviz.ui.shell.window_state import autosave_path
from mlpviz.ui.teaching.activation_gallery import GalleryDock
from mlpviz.ui.teaching.inspector import Inspector
from mlpviz.ui.teaching.lesson_browser import LessonBrowser
from mlpviz.ui.teaching.lesson_mode import LessonMode
from mlpviz.ui.teaching.presenter import Presenter

__all__ = ["MainWindow", "autosave_path"]  # autosave_path: kept importable from here

INSPECTOR_BELOW_HEIGHT = 900  # window height (px) from which the inspector sits below the plots


class MainWindow(QMainWindow):
    def __init__(
        self,
        controller: Controller | None = None,
        settings: QSettings | None = None,
        offer_autosave: bool = True,
        app_palette: bool = True,
    ):
        super().__init__()
        self.settings = settings if settings is not None else QSettings("mlpviz", "mlpviz")
        self._layout_restored = False
        #: keep the session for the next start when the window closes
        self.autosave_on_close = True
        #: the theme sets the application's palette too (False: only this window's)
        self.app_palette = app_palette
        self.ctl = controller if controller is not None else Controller()
        self.setWindowTitle("mlpviz")
        self.resize(1400, 860)
        self.theme_name = str(self.settings.value("view/theme", "light"))
        if self.theme_name not in THEMES:
            self.theme_name = "light"
        self.player = StagePlayer(self)

        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.banner = Banner()
        self.caption = QLabel()
        self.caption.setObjectName("caption")
        self.caption.setWordWrap(True)
        self.caption.hide()
        self.network = NetworkView()
        self.network.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        lay.addWidget(self.banner)
        lay.addWidget(self.network, 1)
        lay.addWidget(self.caption)
        self.setCentralWidget(central)

        self.controls = ControlsPanel(self.ctl)
        self.plots = PlotsPanel()
        self.controls_dock = self._dock(
            "Controls", "controls", self.controls, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.plots_dock = self._dock(
            "Plots", "plots", self.plots, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.inspector = Inspector(self.ctl)
        self.inspector_dock = self._dock(
            "Inspector", "inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self._inspector_below = True  # below the plots (tall windows) or tabbed with them
        self.gallery_dock = GalleryDock(self.ctl, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.gallery_dock)
        self.gallery_dock.hide()
        self.transport = Transport(self.ctl, self.player, self)
        self.addToolBar(self.transport)
        self.lesson = LessonMode(self.ctl, self)
        self.transport.lesson = self.lesson
        self.presenter = Presenter(self)
        self.font_scale = 1.0  # presenter mode enlarges the type
        self.lesson_browser: LessonBrowser | None = None
        self.epoch_label = QLabel()
        self.stage_label = QLabel()
        self.statusBar().addWidget(self.stage_label, 1)
        self.statusBar().addPermanentWidget(self.epoch_label)
        window_menus.build_menus(self)
        self._connect()

        self._refresh_pending = False
        self.default_layout()
        window_state.restore_settings(self)
        self._apply_theme()
        self._on_session_replaced()
        if offer_autosave:  # a start without a source: offer the last session and lessons
            window_state.offer_autosave(self)
            if str(self.settings.value("lessons/show_at_start", "true")) == "true":
                QTimer.singleShot(0, self, self.show_lessons)
        self.network.setFocus()

    # ---- construction -------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def default_layout(self) -> None:
        """Controls narrow on the left, plots about a third of the width on the right; the
        inspector below the plots in windows at least INSPECTOR_BELOW_HEIGHT tall, else
        tabbed with them (and raised when something is selected)."""
        w = max(self.width(), 800)
        self._place_inspector(self.height() >= INSPECTOR_BELOW_HEIGHT)
        self.resizeDocks(
            [self.controls_dock, self.plots_dock], [310, int(w * 0.34)], Qt.Orientation.Horizontal
        )
        if self._inspector_below:
            h = self.height()
            self.resizeDocks([self.plots_dock, self.inspector_dock], [int(h * 0.42), h],
                             Qt.Orientation.Vertical)

    def _place_inspector(self, below: bool) -> None:
        if below == self._inspector_below:
            return
        self._inspector_below = below
        visible = not self.inspector_dock.isHidden()
        if below:
            self.removeDockWidget(self.inspector_dock)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.inspector_dock,
                               Qt.Orientation.Vertical)
            self.inspector_dock.setVisible(visible)
        else:
            self.tabifyDockWidget(self.plots_dock, self.inspector_dock)
            self.plots_dock.raise_()

    def show_inspector(self) -> None:
        """Show the inspector dock and bring it to the front of its tab group."""
        self.inspector_dock.show()
        self.inspector_dock.raise_()

    def _on_selection(self, selection: object) -> None:
        if selection is not None and not self._inspector_below:
            self.inspector_dock.raise_()

    def set_predict_mode(self, on: bool) -> None:
        """Predict-then-reveal: → first asks for the selected value the stage reveals."""
        self.predict_action.setChecked(on)
        self.inspector.set_predict_mode(on)
        if on:
            self.show_inspector()

    def _step_pressed(self) -> None:
        """→: in predict mode first ask for the value the next stage reveals, else step."""
        if self.player.playing:
            self.player.complete()
            return
        if not self.inspector.predict.intercept_step():
            self.transport._step()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if not self._layout_restored and hasattr(self, "plots_dock"):
            self.default_layout()

    def _connect(self) -> None:
        c = self.ctl
        c.sessionReplaced.connect(self._on_session_replaced)
        c.modelChanged.connect(self.schedule_refresh)
        c.stageChanged.connect(self._on_stage_changed)
        c.selectionChanged.connect(self.network.set_selection)
        c.selectionChanged.connect(self._on_selection)
        self.transport.step_action.triggered.disconnect(self.transport._step)
        self.transport.step_action.triggered.connect(self._step_pressed)
        self.inspector.predict.advance = self.transport._step
        self.inspector.predict.finished.connect(self.network.setFocus)
        c.message.connect(self._on_message)
        c.captionChanged.connect(self.show_caption)
        self.lesson.lessonChanged.connect(self.gallery_dock.on_lesson)
        self.lesson.trainingChanged.connect(lambda _t: self._update_status())
        c.runningChanged.connect(self._on_running_changed)
        self.network.selectionChanged.connect(c.select)
        self.network.weightEdited.connect(c.edit_weight)
        self.network.biasEdited.connect(c.edit_bias)
        self.player.frame.connect(self.network.set_frame)
        # bound methods, not lambdas: Qt drops them when the window is deleted first
        self.ctl.undo_stack.indexChanged.connect(self._on_undo_index)
        self.plots_dock.visibilityChanged.connect(lambda _shown: self.schedule_refresh())
        self.inspector_dock.visibilityChanged.connect(self._inspector_shown)

    # ---- refreshing the views -----------------------------------------------------------
    def _on_session_replaced(self) -> None:
        s = self.ctl.session
        self.network.set_network(s.net, list(s.input_labels), output_labels(s))
        title = s.lesson.title if getattr(s, "lesson", None) is not None else "mlpviz"
        name = self.ctl.path.name if self.ctl.path else title
        self.setWindowTitle(f"{name} — mlpviz" if name != "mlpviz" else "mlpviz")
        self.transport.refresh()
        self.schedule_refresh()

    def _on_stage_changed(self) -> None:
        wt = self.ctl.walkthrough
        self.network.set_walkthrough(wt, self.ctl.session.sample(self.ctl.sample))
        self.player.play(wt.stage if wt is not None else None)
        self._update_status()

    def _on_running_changed(self, _running: bool) -> None:
        self._update_status()

    def _on_undo_index(self, _index: int) -> None:
        self.schedule_refresh()

    def schedule_refresh(self) -> None:
        """Coalesce many model changes into one redraw per event-loop turn."""
        if not self._refresh_pending:
            self._refresh_pending = True
            QTimer.singleShot(0, self, self.refresh_now)  # dropped if the window is gone

    def refresh_now(self) -> None:
        """Redraw the network, and the plots when their dock is shown (a hidden dock is
        redrawn when it appears); neuron maps are computed only when something shows them,
        at 60 × 60 while running."""
        self._refresh_pending = False
        s = self.ctl.session
        plots = self._on_screen(self.plots_dock)
        thumbs = self.thumbs_action.isChecked()
        need_grid = s.is_planar and (plots or thumbs)
        grid = s.grid(60 if self.ctl.running else 100) if need_grid else None
        self.network.set_network(s.net, list(s.input_labels), output_labels(s))
        self.network.set_thumbnails(grid.layers if grid is not None and thumbs else None)
        if self.ctl.walkthrough is None:
            self.network.set_walkthrough(None, s.sample(self.ctl.sample))
        self.network.refresh()
        if plots:
            highlight = None if s.train_set is None else s.train_set.X[self.ctl.sample]
            self.plots.update_from(s, grid, highlight)
        self._update_status()

    def _inspector_shown(self, shown: bool) -> None:
        """A tabbed inspector behind another dock skips its refreshes; brought to the
        front it catches up."""
        self.inspector.behind = not shown
        if shown and self.inspector._dirty:
            self.inspector.refresh()

    def _on_screen(self, dock: QDockWidget) -> bool:
        """Whether ``dock`` can be seen: not closed, and not a tab behind another dock
        (Qt moves those off-screen rather than hiding them). Before the window is shown
        every open dock counts as seen."""
        return dock.isVisibleTo(self) and (not self.isVisible()
                                           or not dock.visibleRegion().isEmpty())

    def _update_status(self) -> None:
        s = self.ctl.session
        last = s.history.last  # while running, the record of the epoch just trained
        running = self.ctl.running and last is not None and last["epoch"] == s.epoch
        m = last if running else s.metrics()
        parts = [f"Epoch {s.epoch}"]
        if m.get("train_loss") is not None:
            parts.append(f"train loss {m['train_loss']:.4g}")
        if m.get("test_loss") is not None:
            parts.append(f"test loss {m['test_loss']:.4g}")
        if m.get("train_acc") is not None:
            parts.append(f"accuracy {100 * m['train_acc']:.1f} %")
        self.epoch_label.setText("   ".join(parts))
        wt = self.ctl.walkthrough
        if self.ctl.running:
            self.stage_label.setText("Training… (Space pauses)")
        elif wt is None or wt.stage is None:
            self.stage_label.setText("Press → to step through one training iteration, Space to run")
        else:
            self.stage_label.setText(f"Step {wt.index + 1}/{len(wt.stages)}: {wt.stage.label}")
        self.transport.update_state()

    def show_caption(self, text: str) -> None:
        """The caption bar under the network (lessons and scripts); hidden when empty."""
        self.caption.setText(text)
        self.caption.setVisible(bool(text))

    def _on_message(self, level: str, text: str) -> None:
        if level == "info":
            self.statusBar().showMessage(text, 5000)
        else:
            self.banner.show_message(level, text)

    # ---- view options -------------------------------------------------------------------
    def set_theme(self, name: str) -> None:
        if name in THEMES:
            self.theme_name = name
            self._apply_theme()

    def _apply_theme(self) -> None:
        theme = replace(THEMES[self.theme_name], font_scale=self.font_scale)
        theming.apply(self, theme, app_wide=self.app_palette)
        self.network.set_theme(theme)
        self.plots.set_theme(theme)
        self.inspector.set_theme(theme)
        self.gallery_dock.gallery.set_theme(theme)
        for n, act in self.theme_actions.items():
            act.setChecked(n == self.theme_name)

    def set_value_mode(self, mode: str) -> None:
        self.network.set_value_mode(mode)
        for m, act in self.value_actions.items():
            act.setChecked(m == mode)
        self.settings.setValue("view/values", mode)

    def _toggle_thumbnails(self) -> None:
        self.schedule_refresh()

    def _toggle_animation(self) -> None:
        self.player.enabled = self.anim_action.isChecked()

    # ---- lessons --------------------------------------------------------------------------
    def show_lessons(self) -> LessonBrowser:
        """The lesson browser (non-modal); choosing a card loads that lesson."""
        if self.lesson_browser is not None:
            self.lesson_browser.close()
        current = self.lesson.lesson.name if self.lesson.active else None
        browser = LessonBrowser(self, current=current, theme=THEMES[self.theme_name],
                                show_at_start=str(self.settings.value(
                                    "lessons/show_at_start", "true")) == "true")
        browser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        browser.lessonChosen.connect(self.load_lesson)
        browser.show_at_start.toggled.connect(
            lambda on: self.settings.setValue("lessons/show_at_start", "true" if on else "false"))
        browser.finished.connect(lambda _r, b=browser: self._forget_browser(b))
        self.lesson_browser = browser
        browser.show()
        return browser

    def _forget_browser(self, browser: LessonBrowser) -> None:
        if self.lesson_browser is browser:
            self.lesson_browser = None

    def load_lesson(self, name: str) -> bool:
        """Open the built-in lesson ``name`` and play its script with →."""
        return self.lesson.load(name)

    # ---- files and persistence (mlpviz.ui.shell.window_state) ---------------------------------
    def new_session(self) -> None:
        window_state.new_session(self)

    def open_dialog(self) -> None:
        window_state.open_dialog(self)

    def open_path(self, path: Path) -> bool:
        return window_state.open_path(self, path)

    def save(self) -> bool:
        return window_state.save(self)

    def save_as(self) -> bool:
        return window_state.save_as(self)

    def save_to(self, path: Path) -> bool:
        return window_state.save_to(self, path)

    def _recent(self) -> list[str]:
        return window_state.recent(self)

    def save_settings(self) -> None:
        window_state.save_settings(self)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        window_state.close_window(self, event)

    # ---- help (mlpviz.ui.shell.window_menus) --------------------------------------------------
    def show_shortcuts(self) -> None:
        window_menus.show_shortcuts(self)

    def show_about(self) -> None:
        window_menus.show_about(self)
