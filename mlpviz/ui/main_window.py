"""The main window: network diagram in the centre, controls and plots in docks, the
transport toolbar, menus, banners, persistence of settings and the last session."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from mlpviz import __version__
from mlpviz.model.session import Session
from mlpviz.ui import theming
from mlpviz.ui.activation_gallery import GalleryDock
from mlpviz.ui.banner import Banner
from mlpviz.ui.colors import THEMES
from mlpviz.ui.controller import Controller, output_labels
from mlpviz.ui.controls import ControlsPanel
from mlpviz.ui.export import show_export_dialog
from mlpviz.ui.inspector import Inspector
from mlpviz.ui.lesson_browser import LessonBrowser
from mlpviz.ui.lesson_mode import LessonMode
from mlpviz.ui.network_view import NetworkView
from mlpviz.ui.player import StagePlayer
from mlpviz.ui.plots import PlotsPanel
from mlpviz.ui.presenter import Presenter
from mlpviz.ui.record_dialog import show_record_dialog
from mlpviz.ui.transport import Transport

MAX_RECENT = 8
INSPECTOR_BELOW_HEIGHT = 900  # window height (px) from which the inspector sits below the plots
SESSION_FILTER = "mlpviz sessions (*.mlpviz)"


def autosave_path() -> Path:
    """Where the session is kept on quit (``MLPVIZ_DATA_DIR`` overrides the folder)."""
    override = os.environ.get("MLPVIZ_DATA_DIR")
    if override:
        return Path(override) / "autosave.mlpviz"
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".mlpviz") / "autosave.mlpviz"


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
        self._build_menus()
        self._connect()

        self._refresh_pending = False
        self.default_layout()
        self._restore_settings()
        self._apply_theme()
        self._on_session_replaced()
        if offer_autosave:  # a start without a source: offer the last session and lessons
            self._offer_autosave()
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

    def _action(self, menu, text: str, slot, shortcut=None, checkable=False, tip="") -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setCheckable(checkable)
        if tip:
            act.setStatusTip(tip)
        act.triggered.connect(slot)
        menu.addAction(act)
        self.addAction(act)
        return act

    def _build_menus(self) -> None:
        mb = self.menuBar()
        f = mb.addMenu("&File")
        self._action(f, "&New", self.new_session, QKeySequence.StandardKey.New)
        self._action(f, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self._action(f, "&Lessons…", self.show_lessons, "Ctrl+L",
                     tip="Choose a lesson: its script plays with →, with captions")
        self.recent_menu = f.addMenu("Open &Recent")
        f.addSeparator()
        self._action(f, "&Save", self.save, QKeySequence.StandardKey.Save)
        self._action(f, "Save &As…", self.save_as, QKeySequence.StandardKey.SaveAs)
        f.addSeparator()
        self._action(f, "&Record…", lambda: show_record_dialog(self), "Ctrl+R",
                     tip="Render the lesson's script, a script file or what you do next "
                     "to MP4, WebM or GIF")
        export = f.addMenu("&Export")
        for text, kind in (("&PNG of panel…", "png"), ("&SVG of network…", "network-svg"),
                           ("SVG of &plots…", "plots-svg")):
            self._action(export, text, lambda _c=False, k=kind: show_export_dialog(self, k))
        f.addSeparator()
        self._action(f, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        e = mb.addMenu("&Edit")
        undo = self.ctl.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.ctl.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        e.addAction(undo)
        e.addAction(redo)

        v = mb.addMenu("&View")
        v.addAction(self.controls_dock.toggleViewAction())
        v.addAction(self.plots_dock.toggleViewAction())
        inspect = self.inspector_dock.toggleViewAction()
        inspect.setShortcut(QKeySequence("I"))
        v.addAction(inspect)
        self.addAction(inspect)
        v.addAction(self.gallery_dock.toggleViewAction())
        v.addSeparator()
        v.addAction(self.presenter.action)
        v.addMenu(self.presenter.menu)
        v.addSeparator()
        self.theme_actions = {}
        for name, label in (
            ("light", "Light theme"),
            ("dark", "Dark theme"),
            ("colorblind", "Colour-blind-safe theme"),
        ):
            act = self._action(v, label, lambda _c=False, n=name: self.set_theme(n), checkable=True)
            self.theme_actions[name] = act
        v.addSeparator()
        self.thumbs_action = self._action(
            v, "Neuron &thumbnails", self._toggle_thumbnails, "T", checkable=True
        )
        self.value_actions = {}
        for mode, label, key in (
            ("a", "Show activations a", "A"),
            ("z", "Show z", "Z"),
            ("delta", "Show δ = ∂L/∂z", "D"),
            ("none", "Hide values", None),
        ):
            act = self._action(
                v, label, lambda _c=False, m=mode: self.set_value_mode(m), key, checkable=True
            )
            self.value_actions[mode] = act
        self.anim_action = self._action(v, "&Animate steps", self._toggle_animation, checkable=True)

        r = mb.addMenu("&Run")
        for act in self.transport.menu_actions():
            r.addAction(act)
        r.addSeparator()
        self.predict_action = self._action(
            r, "&Predict before reveal", lambda on: self.set_predict_mode(on), "P",
            checkable=True, tip="Before a stage shows the selected value, type your prediction",
        )
        r.addSeparator()
        for n in (1, 10, 100):
            self._action(
                r,
                f"Train {n} epoch{'s' if n > 1 else ''}",
                lambda _c=False, k=n: self.ctl.train_epochs(k),
            )

        h = mb.addMenu("&Help")
        self._action(h, "&Keyboard shortcuts", self.show_shortcuts, "F1")
        self._action(h, "&About mlpviz", self.show_about)

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

    # ---- files ----------------------------------------------------------------------------
    def new_session(self) -> None:
        self.ctl.set_session(Session.from_lesson("xor"))

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open session", "", SESSION_FILTER)
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> bool:
        try:
            session = Session.load(path)
        except (OSError, ValueError) as exc:
            self.banner.show_message("error", f"Could not open {path.name}: {exc}")
            return False
        self.ctl.set_session(session, path)
        self._add_recent(path)
        return True

    def save(self) -> bool:
        if self.ctl.path is None:
            return self.save_as()
        return self.save_to(self.ctl.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save session", "session.mlpviz", SESSION_FILTER
        )
        if not path:
            return False
        p = Path(path)
        if p.suffix != ".mlpviz":
            p = p.with_suffix(".mlpviz")
        return self.save_to(p)

    def save_to(self, path: Path) -> bool:
        try:
            self.ctl.session.save(path)
        except (OSError, ValueError) as exc:
            self.banner.show_message("error", f"Could not save to {path}: {exc}")
            return False
        self.ctl.path = path
        self._add_recent(path)
        self.statusBar().showMessage(f"Saved {path}", 4000)
        self._on_session_replaced()
        return True

    def _recent(self) -> list[str]:
        value = self.settings.value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _add_recent(self, path: Path) -> None:
        items = [str(path)] + [p for p in self._recent() if p != str(path)]
        self.settings.setValue("files/recent", items[:MAX_RECENT])
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        items = self._recent()
        for p in items:
            act = self.recent_menu.addAction(p)
            act.triggered.connect(lambda _c=False, q=p: self.open_path(Path(q)))
        self.recent_menu.setEnabled(bool(items))

    # ---- persistence ---------------------------------------------------------------------
    def _restore_settings(self) -> None:
        s = self.settings
        geo = s.value("window/geometry")
        if isinstance(geo, QByteArray):
            self.restoreGeometry(geo)
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            self._layout_restored = self.restoreState(state)
        self.thumbs_action.setChecked(str(s.value("view/thumbnails", "false")) == "true")
        self.anim_action.setChecked(str(s.value("view/animate", "true")) == "true")
        self.player.enabled = self.anim_action.isChecked()
        self.set_value_mode(str(s.value("view/values", "a")))
        self._fill_recent()

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("view/theme", self.theme_name)
        s.setValue("view/thumbnails", "true" if self.thumbs_action.isChecked() else "false")
        s.setValue("view/animate", "true" if self.anim_action.isChecked() else "false")
        s.sync()

    def _offer_autosave(self) -> None:
        path = autosave_path()
        if path.exists():
            self.banner.show_message(
                "info",
                "Your session from last time was kept when you quit.",
                action=("Restore it", lambda: self._restore_autosave(path)),
            )

    def _restore_autosave(self, path: Path) -> None:
        try:
            session = Session.load(path)
        except (OSError, ValueError) as exc:
            self.banner.show_message("error", f"The saved session could not be read: {exc}")
            return
        self.ctl.set_session(session, None)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.ctl.pause()
        self.presenter.leave()  # keep the normal layout for next time
        self.save_settings()
        if not self.autosave_on_close:  # offscreen scenes (snapshot, recording)
            event.accept()
            return
        path = autosave_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.ctl.session.save(path)
        except (OSError, ValueError) as exc:
            answer = QMessageBox.warning(
                self,
                "mlpviz",
                f"The session could not be kept for next time ({exc}). Quit anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        event.accept()

    # ---- help --------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td><b>{a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}</b></td>"
            f"<td>{a.text().replace('&', '')}</td></tr>"
            for a in self.actions()
            if not a.shortcut().isEmpty()
        )
        QMessageBox.information(self, "Keyboard shortcuts", f"<table cellpadding=4>{rows}</table>")

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About mlpviz",
            f"<h3>mlpviz {__version__}</h3><p>Watch a multi-layer perceptron learn: step "
            "through backpropagation with the real numbers, run training, record videos.</p>",
        )
