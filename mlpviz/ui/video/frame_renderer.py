"""Offline, deterministic rendering of a script to video frames.

A :class:`FrameRenderer` walks the script's :class:`~mlpviz.model.timeline.Timeline`: per
frame it runs the script up to the frame's event, shows that state in an offscreen main
window (:class:`~mlpviz.ui.video.snapshot.Scene`), sets the network's animation to the frame's
eased progress and paints the view at exactly the output size — never by wall clock, so
videos are smooth on slow machines and a script renders the same frames every time.
The whole view is painted only after the session moved; while a stage animates only the
network is repainted over the cached picture, and still frames reuse the previous one.
Views other than the window get the script's captions burnt into a strip below them.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from PySide6.QtCore import QEvent, QEventLoop, QObject, QPoint, QRect, QSize, Qt, QThread
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QWidget

from mlpviz.model.script import ScriptRunner
from mlpviz.model.session import Session
from mlpviz.model.timeline import Timeline
from mlpviz.record import RecordError
from mlpviz.record.writer import MAX_FPS, MAX_SIZE, MIN_FPS, MIN_SIZE
from mlpviz.ui.colors import THEMES
from mlpviz.ui.diagram.network_view import VALUE_MODES

VIEWS = ("window", "network", "plots", "network+plots")
DEFAULT_SCRIPT = "iteration"
SECONDS_PER_STAGE = 0.6  # video seconds of one walkthrough stage at speed 1
SECONDS_PER_TRAIN = 2.0  # video seconds of one "train N" at speed 1
CAPTION_LINES = 3  # the caption strip is sized for the longest caption, up to this many lines
CAPTION_COLOURS = {"light": ("#20262c", "#f4f6f8"), "dark": ("#1d2125", "#f4f6f8")}


def default_script(session: Session) -> str:
    """The lesson's own script when the session comes from a lesson that has one, else
    one training iteration."""
    lesson = getattr(session, "lesson", None)
    script = getattr(lesson, "script", "") if lesson is not None else ""
    return script if script.strip() else DEFAULT_SCRIPT


class _SwallowClose(QObject):
    """Keeps a scene window's close from running MainWindow.closeEvent, which would save
    the recording's session over the user's autosaved one."""

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        return event.type() == QEvent.Type.Close


class _NeverOnScreen(QObject):
    """While installed on the application, main windows made since are kept off the
    screen when shown (Qt sends Show before it maps a window)."""

    def __init__(self) -> None:
        super().__init__()
        self._old = set(QApplication.topLevelWidgets())

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if (event.type() == QEvent.Type.Show and isinstance(obj, QMainWindow)
                and obj not in self._old):
            obj.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        return False


def _offscreen_top_level(widget: QWidget, width: int, height: int) -> None:
    """Make ``widget`` a top-level of exactly width × height that is never put on screen."""
    widget.setParent(None)
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    widget.setMinimumSize(1, 1)  # a video may be smaller than the panel is in the window
    widget.resize(width, height)
    widget.show()


def _caption_strip_height(captions: list[str], width: int, font: QFont) -> int:
    """Pixel height of a strip that fits the longest caption (at most CAPTION_LINES)."""
    fm = QFontMetrics(font)
    pad = font.pixelSize() // 2
    lines = 1
    for text in captions:
        rect = fm.boundingRect(QRect(0, 0, width - 4 * pad, 10**6),
                               Qt.TextFlag.TextWordWrap, text)
        lines = max(lines, min(CAPTION_LINES, -(-rect.height() // fm.lineSpacing())))
    return lines * fm.lineSpacing() + 2 * pad


def _paint_caption(image: QImage, rect: QRect, text: str, font: QFont, theme: str) -> None:
    """The caption bar of the window, drawn into ``rect`` of ``image``: dark band, light
    text centred; a caption too long for the band gets a smaller font."""
    bg, fg = CAPTION_COLOURS["dark" if theme == "dark" else "light"]
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    p.fillRect(rect, QColor(bg))
    if text:
        pad = font.pixelSize() // 2
        box = rect.adjusted(2 * pad, pad, -2 * pad, -pad)
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        f = QFont(font)
        while f.pixelSize() > 8:
            need = QFontMetrics(f).boundingRect(box, int(flags), text)
            if need.height() <= box.height() and need.width() <= box.width():
                break
            f.setPixelSize(f.pixelSize() - 1)
        p.setFont(f)
        p.setPen(QColor(fg))
        p.drawText(box, int(flags), text)
    p.end()


def _rgb_view(image: QImage) -> np.ndarray:
    """A (height, width, 3) uint8 view of an RGB888 ``image`` (rows may be padded)."""
    w, h, bpl = image.width(), image.height(), image.bytesPerLine()
    buf = np.frombuffer(image.constBits(), np.uint8, count=bpl * h)
    return buf.reshape(h, bpl)[:, : 3 * w].reshape(h, w, 3)


class FrameRenderer:
    """The frames of ``script`` run on a copy of ``session``, rendered offscreen.

    ``size`` (width, height) px, ``fps`` frames per second of video time; ``view`` one of
    :data:`VIEWS`; ``theme`` a name from ``colors.THEMES``; ``captions`` burns the script's
    captions in (the window's caption bar, or a strip under the network/plots views);
    ``thumbnails`` and ``value_mode`` are the network's view options. ``script`` None
    means :func:`default_script`. The session given is never changed.

    A bad script raises ScriptError (naming the line) and bad settings RecordError, here,
    before anything is painted. Iterating yields each frame once, in order, as a
    ``(height, width, 3)`` uint8 RGB array: a view of the renderer's image, valid until
    the next frame is taken and only while the renderer is alive (copy it to keep it). ``len()``
    is the number of frames; :attr:`timeline` the frames' timing. Call :meth:`close` at the
    end (iterating to the end does so).
    """

    def __init__(
        self,
        session: Session,
        script: str | None = None,
        size: tuple[int, int] = (1280, 720),
        fps: int = 30,
        view: str = "window",
        theme: str = "light",
        captions: bool = True,
        *,
        thumbnails: bool = False,
        value_mode: str = "a",
    ) -> None:
        if view not in VIEWS:
            raise RecordError(f"unknown view {view!r}; choose one of: {', '.join(VIEWS)}")
        if theme not in THEMES:
            raise RecordError(f"unknown theme {theme!r}; choose one of: {', '.join(THEMES)}")
        if value_mode not in VALUE_MODES:
            raise RecordError(f"unknown value mode {value_mode!r}")
        if isinstance(fps, bool) or not isinstance(fps, int) or not MIN_FPS <= fps <= MAX_FPS:
            raise RecordError(f"fps must be a whole number in {MIN_FPS}..{MAX_FPS}, got {fps!r}")
        w, h = self.size = (int(size[0]), int(size[1]))
        if not (MIN_SIZE <= w <= MAX_SIZE and MIN_SIZE <= h <= MAX_SIZE):
            raise RecordError(f"size {w}x{h} is out of range ({MIN_SIZE}..{MAX_SIZE} per side)")
        self.fps, self.view, self.theme, self.captions = fps, view, theme, bool(captions)
        self.thumbnails, self.value_mode = bool(thumbnails), value_mode
        self.script = default_script(session) if script is None else script
        self.session = Session.from_snapshot(session.snapshot())
        self.runner = ScriptRunner(self.session, self.script)
        self.timeline = Timeline.from_events(self.runner.events, fps=fps,
                                             seconds_per_stage=SECONDS_PER_STAGE,
                                             seconds_per_train=SECONDS_PER_TRAIN)
        if len(self.timeline) == 0:
            raise RecordError("the script makes no frames; add a stage, 'train N' or 'hold S'")
        self._scene = None
        self._params: np.ndarray | None = None
        self._closer = _SwallowClose()
        self._key: tuple | None = None
        self._image: QImage | None = None  # owns the memory of the last frame's array
        self._last: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.timeline)

    def __iter__(self) -> Iterator[np.ndarray]:
        try:
            for frame in self.timeline:
                yield self._render(frame)
        finally:
            self.close()

    # ---- the offscreen scene -------------------------------------------------------------
    def _open(self) -> None:
        from mlpviz.ui.shell.app import make_app
        from mlpviz.ui.video.snapshot import Scene

        w, h = self.size
        app = make_app()
        unseen = _NeverOnScreen()
        app.installEventFilter(unseen)
        try:
            scene = Scene(self.session, self.size, "window", self.theme)
        finally:
            app.removeEventFilter(unseen)
        self._scene, win = scene, scene.window
        win.installEventFilter(self._closer)
        win.thumbs_action.setChecked(self.thumbnails)
        win.set_value_mode(self.value_mode)
        self._font = QFont(win.font())
        self._font.setPixelSize(max(11, round(h / 36)))
        texts = sorted({e.caption for e in self.runner.events if e.caption})
        strip = 0
        if self.captions and texts and self.view != "window":
            strip = _caption_strip_height(texts, w, self._font)
        self._content = QRect(0, 0, w, h - strip)
        self._strip = QRect(0, h - strip, w, strip)
        self._plots_image: QImage | None = None
        left = w if self.view == "network" else w // 2 if self.view == "network+plots" else 0
        if left:
            _offscreen_top_level(win.network, left, h - strip)
        if self.view in ("plots", "network+plots"):
            _offscreen_top_level(win.plots, w - left, h - strip)
        if self.view != "window":  # hidden docks skip their updates; the plots refresh
            for dock in win.findChildren(QDockWidget):  # only while their dock is shown
                dock.setVisible(dock is win.plots_dock and self.view != "network")
        if self.view == "window":
            min_size = win.minimumSizeHint()
            k = max(1.0, min_size.width() / w, min_size.height() / h)
            win.resize(int(np.ceil(w * k)), int(np.ceil(h * k)))
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self._canvas = QImage(win.size() if self.view == "window" else QSize(w, h),
                              QImage.Format.Format_RGB32)
        self._canvas.fill(QColor(THEMES[self.theme].background))

    def close(self) -> None:
        """Delete the offscreen scene (idempotent)."""
        scene, self._scene = self._scene, None
        if scene is None:
            return
        for widget in (scene.window.network, scene.window.plots):
            if widget.isWindow():  # detached by _open: goes with the window again
                widget.hide()
                widget.setParent(scene.window)
        scene.close()
        self._last = None

    # ---- one frame -----------------------------------------------------------------------
    def _apply_state(self, caption: str) -> None:
        """Show the runner's state (walkthrough, selection, sample, caption) in the scene
        the way the controller tells the app's views, then let them update."""
        ctl, win, runner = self._scene.controller, self._scene.window, self.runner
        params = self.session.net.params
        model_moved = (self._params is None or ctl.sample != runner.sample
                       or not np.array_equal(params, self._params))
        self._params = params.copy()
        ctl.walkthrough = runner.walkthrough
        if ctl.sample != runner.sample:
            ctl.sample = runner.sample
            win.transport.refresh()
        if model_moved:  # first: views that defer this update fold it into the next ones
            ctl.modelChanged.emit()
        ctl.stageChanged.emit()
        selection = runner.selection
        if selection != ctl.selection:
            ctl.selection = selection
            ctl.selectionChanged.emit(selection)
        if self.view == "window":
            win.show_caption(caption if self.captions else "")
        # the views refresh from zero-delay timers and relayout from posted events; they
        # are not painted meanwhile, as _compose paints them anyway
        tops = [w for w in (win, win.network, win.plots) if w.isWindow()]
        for top in tops:
            top.setUpdatesEnabled(False)
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        for top in tops:
            top.setUpdatesEnabled(True)
        if QThread.currentThread().loopLevel() == 0:  # no event loop (CLI): delete now
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def _render(self, frame) -> np.ndarray:
        if self._scene is None:
            self._open()
        before = self.runner.position
        self.runner.run_until(frame.event_index)
        moved = self._key is None or self.runner.position != before
        if moved:
            self._apply_state(frame.caption)
        t = frame.eased if frame.stage is not None else 1.0
        animated = self.view != "plots" and t < 1.0
        key = (self.runner.position, t if animated else None)
        if key == self._key and self._last is not None:
            return self._last
        self._key = key
        self._scene.window.network.set_frame(frame.stage, t)
        self._image = self._compose(moved, frame.caption)
        self._last = _rgb_view(self._image)
        return self._last

    def _compose(self, moved: bool, caption: str) -> QImage:
        win, canvas = self._scene.window, self._canvas
        net = win.network
        if self.view == "window":
            if moved:
                win.render(canvas)
            else:
                p = QPainter(canvas)
                net.render(p, net.mapTo(win, QPoint(0, 0)))
                p.end()
            if (canvas.width(), canvas.height()) != self.size:  # a window can't be that small
                canvas = canvas.scaled(*self.size, Qt.AspectRatioMode.IgnoreAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
            return canvas.convertToFormat(QImage.Format.Format_RGB888)
        p = QPainter(canvas)
        if self.view != "plots":
            net.render(p, QPoint(0, 0))
        if self.view != "network":
            if moved or self._plots_image is None:
                self._plots_image = QImage(win.plots.size(), QImage.Format.Format_RGB32)
                win.plots.render(self._plots_image)
            p.drawImage(self._content.width() - self._plots_image.width(), 0, self._plots_image)
        p.end()
        if moved and self._strip.height():
            _paint_caption(canvas, self._strip, caption if self.captions else "", self._font,
                           self.theme)
        return canvas.convertToFormat(QImage.Format.Format_RGB888)


def render_frames(
    session: Session,
    script_text: str | None = None,
    size: tuple[int, int] = (1280, 720),
    fps: int = 30,
    view: str = "window",
    theme: str = "light",
    captions: bool = True,
) -> Iterator[np.ndarray]:
    """The frames of ``script_text`` on ``session`` (see :class:`FrameRenderer`), each a
    ``(height, width, 3)`` uint8 RGB array valid until the next one is taken."""
    return iter(FrameRenderer(session, script_text, size, fps, view, theme, captions))
