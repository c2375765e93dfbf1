"""The main window: the panels (network, plots and caption bar, mlpviz.ui.panels) in the
centre, controls and inspector in docks, the transport toolbar, menus (built in
mlpviz.ui.shell.window_menus), banners and the status bar. Session files, settings and
the autosave belong to its SessionFiles (mlpviz.ui.shell.session_files)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QVBoxLayout, QWidget

from mlpviz.model.notation.mathtext import fmt_percent, fmt_text
from mlpviz.ui.colors import THEMES
from mlpviz.ui.controller import Controller
from mlpviz.ui.panels import Panels
from mlpviz.ui.player import Player
from mlpviz.ui.shell import accessibility, theming, window_menus
from mlpviz.ui.shell.banner import Banner
from mlpviz.ui.shell.controls import ControlsPanel
from mlpviz.ui.shell.session_files import OPENABLE, SessionFiles
from mlpviz.ui.shell.steady_label import SteadyLabel
from mlpviz.ui.shell.transport import Transport
from mlpviz.ui.teaching.activation_gallery import GalleryDock
from mlpviz.ui.teaching.inspector import Inspector
from mlpviz.ui.teaching.lesson_browser import LessonBrowser
from mlpviz.ui.teaching.lesson_mode import LessonMode
from mlpviz.ui.teaching.presenter import Presenter

AUTO_THEME = "auto"


def system_color_scheme() -> Qt.ColorScheme:
    """The desktop's light or dark preference (Unknown where the platform does not say)."""
    return QGuiApplication.styleHints().colorScheme()


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
        #: the theme sets the application's palette too (False: only this window's)
        self.app_palette = app_palette
        self.ctl = controller if controller is not None else Controller()
        self.files = SessionFiles(self, self.settings)
        self.setWindowTitle("mlpviz")
        self.setAcceptDrops(True)
        self.resize(1400, 860)
        #: the chosen theme: a name from THEMES, or "auto" (the system's light or dark)
        self.theme_name = str(self.settings.value("view/theme", AUTO_THEME))
        if self.theme_name not in THEMES and self.theme_name != AUTO_THEME:
            self.theme_name = AUTO_THEME
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.banner = Banner()
        self.panels = Panels(self.ctl)
        self.network = self.panels.network
        self.plots = self.panels.plots
        self.caption = self.panels.caption
        lay.addWidget(self.banner)
        lay.addWidget(self.panels, 1)
        self.setCentralWidget(central)

        self.controls = ControlsPanel(self.ctl)
        self.controls_dock = self._dock(
            "Controls", "controls", self.controls, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.inspector = Inspector(self.ctl)
        self.inspector_dock = self._dock(
            "Inspector", "inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.gallery_dock = GalleryDock(self.ctl, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.gallery_dock)
        self.gallery_dock.hide()
        self.lesson = LessonMode(self.ctl, self)
        self.player = Player(self.ctl, self.lesson, self)
        self.transport = Transport(self.ctl, self.player, self)
        self.addToolBar(self.transport)
        self.presenter = Presenter(self)
        self.font_scale = 1.0  # presenter mode enlarges the type
        self.lesson_browser: LessonBrowser | None = None
        # epoch and losses change every frame of a run: a label of steady size, so the
        # status bar is not laid out and repainted whole every frame
        self.epoch_label = SteadyLabel()
        self.epoch_label.setObjectName("epochStatus")
        self.stage_label = QLabel()
        self.statusBar().addWidget(self.stage_label, 1)
        self.statusBar().addPermanentWidget(self.epoch_label)
        window_menus.build_menus(self)
        self._connect()

        self.default_layout()
        self.files.restore_settings()
        self._apply_theme()
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_color_scheme)
        self._on_session_replaced()
        if offer_autosave:  # a start without a source: offer the last session and lessons
            self.files.offer_autosave()
            if str(self.settings.value("lessons/show_at_start", "true")) == "true":
                QTimer.singleShot(0, self, self.show_lessons)
        accessibility.name_fields(self)
        self.network.setFocus()

    # ---- construction -------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def default_layout(self) -> None:
        """Controls narrow on the left, the inspector on the right, the panels (network
        beside the plots) in between with most of the width."""
        self.resizeDocks([self.controls_dock, self.inspector_dock], [300, 400],
                         Qt.Orientation.Horizontal)

    def show_inspector(self) -> None:
        """Show the inspector dock and bring it to the front of its tab group."""
        self.inspector_dock.show()
        self.inspector_dock.raise_()

    def set_predict_mode(self, on: bool) -> None:
        """Predict-then-reveal: → first asks for the selected value the stage reveals."""
        self.predict_action.setChecked(on)
        self.inspector.set_predict_mode(on)
        if on:
            self.show_inspector()
        # with no walkthrough running the network shows nothing of a fresh iteration in
        # predict mode, so it never shows a value the next question asks for
        self.panels.idle_preview = self.inspector.predict.next_walkthrough if on else None
        self.panels.schedule_refresh()

    def _predict_gate(self) -> bool:
        """Predict mode asks its question first, where it can be seen: with the inspector
        hidden (presenter mode) → steps at once."""
        return self.inspector.isVisible() and self.inspector.predict.intercept_step()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if not self._layout_restored and hasattr(self, "inspector_dock"):
            self.default_layout()

    def _connect(self) -> None:
        c = self.ctl
        c.sessionReplaced.connect(self._on_session_replaced)
        self.files.pathChanged.connect(self._on_session_replaced)
        c.modelChanged.connect(self._update_status)
        c.stageChanged.connect(self._update_status)
        self.player.finished.connect(self._update_status)
        self.player.gate = self._predict_gate
        self.inspector.predict.advance = self.player.step_now
        self.inspector.predict.finished.connect(self.network.setFocus)
        c.message.connect(self._on_message)
        self.lesson.lessonChanged.connect(self.gallery_dock.on_lesson)
        self.lesson.lessonChanged.connect(self._on_lesson_changed)
        self.lesson.trainingChanged.connect(lambda _t: self._update_status())
        c.runningChanged.connect(self._on_running_changed)
        # bound methods, not lambdas: Qt drops them when the window is deleted first
        self.ctl.undo_stack.indexChanged.connect(self._on_undo_index)
        self.inspector_dock.visibilityChanged.connect(self._inspector_shown)

    # ---- refreshing the views -----------------------------------------------------------
    def _on_session_replaced(self) -> None:
        s = self.ctl.session
        title = s.lesson.title if getattr(s, "lesson", None) is not None else "mlpviz"
        name = self.files.path.name if self.files.path else title
        self.setWindowTitle(f"{name} — mlpviz" if name != "mlpviz" else "mlpviz")
        self.transport.refresh()
        self._update_status()

    def _on_lesson_changed(self, lesson: object) -> None:
        """A lesson keeps the caption bar as tall as its longest caption, as its video
        does, so the panels never jump when the caption changes."""
        playback = self.lesson.playback
        if playback is not None:
            self.panels.reserve_caption(playback.captions(intro=True))
        elif lesson is not None:
            self.panels.reserve_caption([lesson.caption_for(None)])
        else:
            self.panels.reserve_caption([])

    def _on_running_changed(self, running: bool) -> None:
        self.panels.grid_resolution = 60 if running else 100
        self._update_status()

    def _on_undo_index(self, _index: int) -> None:
        self.panels.schedule_refresh()

    def _inspector_shown(self, shown: bool) -> None:
        """A tabbed inspector behind another dock skips its refreshes; brought to the
        front it catches up."""
        self.inspector.behind = not shown
        if shown and self.inspector._dirty:
            self.inspector.refresh()

    def _update_status(self) -> None:
        s = self.ctl.session
        last = s.history.last  # while running, the record of the epoch just trained
        running = self.ctl.running and last is not None and last["epoch"] == s.epoch
        m = last if running else s.metrics()
        parts = [f"Epoch {s.epoch}"]
        if m.get("train_loss") is not None:
            parts.append(f"train {s.loss_name} {fmt_text(m['train_loss'])}")
        if m.get("test_loss") is not None:
            parts.append(f"test {s.loss_name} {fmt_text(m['test_loss'])}")
        if m.get("train_acc") is not None:
            parts.append(f"accuracy {fmt_percent(m['train_acc'])}")
        self.epoch_label.setText("   ".join(parts))
        if not self.ctl.running:  # while running it only widens (no relayout per frame)
            self.epoch_label.fit()
        wt = self.ctl.walkthrough
        if self.ctl.running:
            self.stage_label.setText("Training… (Space pauses)")
        elif wt is None or wt.stage is None:
            self.stage_label.setText("Press → to step through one training iteration, Space to run")
        else:
            self.stage_label.setText(f"Step {wt.index + 1}/{len(wt.stages)}: {wt.stage.label}")
        self.transport.update_state()

    def _on_message(self, level: str, text: str) -> None:
        if level == "info":
            self.statusBar().showMessage(text, 5000)
        else:
            self.banner.show_message(level, text)

    # ---- view options -------------------------------------------------------------------
    def set_theme(self, name: str) -> None:
        """Use theme ``name`` (a name from THEMES, or "auto" to follow the system)."""
        if name in THEMES or name == AUTO_THEME:
            self.theme_name = name
            self._apply_theme()

    @property
    def theme_key(self) -> str:
        """The theme in use: the chosen one, or for "auto" the system's colour scheme."""
        if self.theme_name != AUTO_THEME:
            return self.theme_name
        return "dark" if system_color_scheme() == Qt.ColorScheme.Dark else "light"

    def _on_color_scheme(self, _scheme: object) -> None:
        if self.theme_name == AUTO_THEME:
            self._apply_theme()

    def _apply_theme(self) -> None:
        theme = replace(THEMES[self.theme_key], font_scale=self.font_scale)
        theming.apply(self, theme, app_wide=self.app_palette)
        self.panels.set_theme(theme)
        self.panels.set_font_scale(self.font_scale)
        self.inspector.set_theme(theme)
        self.gallery_dock.gallery.set_theme(theme)
        for n, act in self.theme_actions.items():
            act.setChecked(n == self.theme_name)

    def set_value_mode(self, mode: str) -> None:
        self.ctl.set_toggles(replace(self.ctl.toggles, value_mode=mode))
        for m, act in self.value_actions.items():
            act.setChecked(m == mode)
        self.settings.setValue("view/values", mode)

    def _toggle_thumbnails(self) -> None:
        self.ctl.set_toggles(replace(self.ctl.toggles, thumbnails=self.thumbs_action.isChecked()))

    def _toggle_plots(self) -> None:
        self.panels.set_view("network+plots" if self.plots_action.isChecked() else "network")

    def _toggle_animation(self) -> None:
        self.player.enabled = self.anim_action.isChecked()

    # ---- lessons --------------------------------------------------------------------------
    def show_lessons(self) -> LessonBrowser:
        """The lesson browser (non-modal); choosing a card loads that lesson."""
        if self.lesson_browser is not None:
            self.lesson_browser.close()
        current = self.lesson.lesson.name if self.lesson.active else None
        browser = LessonBrowser(self, current=current, theme=THEMES[self.theme_key],
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

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.files.close(event)

    # ---- drag and drop ------------------------------------------------------------------
    @staticmethod
    def _dropped_file(event: QDropEvent | QDragEnterEvent) -> Path | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
        if len(paths) == 1 and paths[0].suffix.lower() in OPENABLE:
            return paths[0]
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        """A .mlpviz session, a .json lesson or a .csv of points can be dropped here."""
        if self._dropped_file(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        path = self._dropped_file(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files.open(path)

    # ---- help (mlpviz.ui.shell.window_menus) --------------------------------------------------
    def show_shortcuts(self) -> None:
        window_menus.show_shortcuts(self)

    def show_about(self) -> None:
        window_menus.show_about(self)
