"""Offline, deterministic rendering of a script to video frames and snapshots.

A :class:`FrameRenderer` builds its own :class:`~mlpviz.ui.panels.Panels` (or, for the
``window`` view only, a main window) offscreen at exactly the output size, on a copy of
the session, and walks the script's :class:`~mlpviz.model.playback.Playback`: per frame
the controller applies the frame's :class:`~mlpviz.model.playback.Shown` — the same call
the window's player makes — and the panels are painted. Never by wall clock, so videos
are smooth on slow machines and a script renders the same frames every time. The whole
picture is painted only after the session moved; while a stage animates only the network
is repainted over it, and still frames reuse the previous one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QEvent, QEventLoop, QObject, QPoint, QRect, QSettings, Qt, QThread
from PySide6.QtGui import QColor, QImage, QPainter, QRegion
from PySide6.QtWidgets import QApplication, QWidget

from mlpviz.model.playback import VALUE_MODES, VIEWS, Playback, Shown, ViewToggles
from mlpviz.model.session import Session
from mlpviz.record import RecordError
from mlpviz.record.writer import MAX_FPS, MAX_SIZE, MIN_FPS, MIN_SIZE
from mlpviz.ui.colors import THEMES
from mlpviz.ui.controller import Controller

DEFAULT_SCRIPT = "iteration"
DEFAULT_VIEW = "network+plots"
SECONDS_PER_STAGE = 0.6  # video seconds of one walkthrough stage at speed 1
SECONDS_PER_TRAIN = 2.0  # video seconds of one "train N" at speed 1


def default_script(session: Session) -> str:
    """The lesson's own script when the session comes from a lesson that has one, else
    one training iteration."""
    lesson = getattr(session, "lesson", None)
    script = getattr(lesson, "script", "") if lesson is not None else ""
    return script if script.strip() else DEFAULT_SCRIPT


class _PaintOnlyOnRender(QObject):
    """Swallows a top-level's update requests: the widgets of an offscreen render are
    painted by ``render``/``grab`` alone, never a second time into a backing store that
    nobody looks at."""

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        return event.type() == QEvent.Type.UpdateRequest


def _offscreen(widget: QWidget, width: int, height: int) -> None:
    """Make ``widget`` a top-level of exactly width × height that is never on screen."""
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    widget.setMinimumSize(1, 1)
    widget.resize(width, height)
    widget.show()


def _bgra_view(image: QImage) -> np.ndarray:
    """A (height, width, 4) uint8 view of an RGB32 ``image``: B, G, R, 0xFF per pixel on a
    little-endian machine (how :class:`~mlpviz.record.VideoWriter` takes "bgra")."""
    w, h, bpl = image.width(), image.height(), image.bytesPerLine()
    buf = np.frombuffer(image.constBits(), np.uint8, count=bpl * h)
    return buf.reshape(h, bpl)[:, : 4 * w].reshape(h, w, 4)


def _rgb_view(image: QImage) -> np.ndarray:
    """A (height, width, 3) uint8 view of an RGB888 ``image`` (rows may be padded)."""
    w, h, bpl = image.width(), image.height(), image.bytesPerLine()
    buf = np.frombuffer(image.constBits(), np.uint8, count=bpl * h)
    return buf.reshape(h, bpl)[:, : 3 * w].reshape(h, w, 3)


def check_options(size: tuple[int, int], fps: int, view: str, theme: str,
                  value_mode: str = "a") -> tuple[int, int]:
    """RecordError for a bad view, theme, value mode, fps or size; the size as ints."""
    if view not in VIEWS:
        raise RecordError(f"unknown view {view!r}; choose one of: {', '.join(VIEWS)}")
    if theme not in THEMES:
        raise RecordError(f"unknown theme {theme!r}; choose one of: {', '.join(THEMES)}")
    if value_mode not in VALUE_MODES:
        raise RecordError(f"unknown value mode {value_mode!r}")
    if isinstance(fps, bool) or not isinstance(fps, int) or not MIN_FPS <= fps <= MAX_FPS:
        raise RecordError(f"fps must be a whole number in {MIN_FPS}..{MAX_FPS}, got {fps!r}")
    w, h = int(size[0]), int(size[1])
    if not (MIN_SIZE <= w <= MAX_SIZE and MIN_SIZE <= h <= MAX_SIZE):
        raise RecordError(f"size {w}x{h} is out of range ({MIN_SIZE}..{MAX_SIZE} per side)")
    return w, h


class FrameRenderer:
    """The frames of ``script`` run on a copy of ``session``, rendered offscreen.

    ``size`` (width, height) px, ``fps`` frames per second of video time; ``view`` one of
    :data:`~mlpviz.model.playback.VIEWS`; ``theme`` a name from ``colors.THEMES``;
    ``captions`` shows the script's captions in the caption bar; ``thumbnails`` and
    ``value_mode`` are the network's view options. ``script`` None means
    :func:`default_script`. The session given is never changed.
    :attr:`repeated` says whether the frame just given is the one before it again, and
    :attr:`changed` which part of it may differ from the one before: ``(x, y, width,
    height)``, or None for all of it (an encoder converts only that part).
    ``pixel_format="bgra"`` yields ``(height, width, 4)`` arrays of the RGB32 picture as it
    is in memory instead (B, G, R, 0xFF on little-endian machines), skipping a conversion
    per frame; recording uses it.

    A bad script raises ScriptError (naming the line) and bad settings RecordError, here,
    before anything is painted. Iterating yields each frame once, in order, as a
    ``(height, width, 3)`` uint8 RGB array: a view of the renderer's image, valid until
    the next frame is taken and only while the renderer is alive (copy it to keep it).
    ``len()`` is the number of frames; :attr:`timeline` the frames' timing. Call
    :meth:`close` at the end (iterating to the end does so).
    """

    def __init__(
        self,
        session: Session,
        script: str | None = None,
        size: tuple[int, int] = (1280, 720),
        fps: int = 30,
        view: str = DEFAULT_VIEW,
        theme: str = "light",
        captions: bool = True,
        *,
        thumbnails: bool = False,
        value_mode: str = "a",
        pixel_format: str = "rgb",
    ) -> None:
        self.size = check_options(size, fps, view, theme, value_mode)
        if pixel_format not in ("rgb", "bgra"):
            raise RecordError(f"unknown pixel format {pixel_format!r}; use rgb or bgra")
        self.pixel_format = pixel_format
        self.fps, self.view, self.theme, self.captions = fps, view, theme, bool(captions)
        self.script = default_script(session) if script is None else script
        self.session = Session.from_snapshot(session.snapshot())
        self.session.lesson = getattr(session, "lesson", None)
        self.playback = Playback(self.session, self.script, fps,
                                 toggles=ViewToggles(value_mode, bool(thumbnails)),
                                 seconds_per_stage=SECONDS_PER_STAGE,
                                 seconds_per_train=SECONDS_PER_TRAIN)
        self.timeline = self.playback.timeline
        self.ctl: Controller | None = None
        self._top: QWidget | None = None
        self._window = None
        self._settings_dir: tempfile.TemporaryDirectory | None = None
        self._key: tuple | None = None
        self._image: QImage | None = None  # owns the memory of the last frame's array
        self._canvas: QImage | None = None
        self._last: np.ndarray | None = None
        self.repeated = False  # the last frame given is the one before it again
        # (x, y, width, height) of the part of the last frame that may differ from the
        # frame before it, or None when all of it may
        self.changed: tuple[int, int, int, int] | None = None

    def __len__(self) -> int:
        return len(self.timeline)

    def __iter__(self) -> Iterator[np.ndarray]:
        try:
            for k in range(len(self.timeline)):
                yield self.frame(k)
        finally:
            self.close()

    # ---- the offscreen panels ------------------------------------------------------------
    def _open(self) -> None:
        from mlpviz.ui.panels import Panels
        from mlpviz.ui.shell.app import make_app

        make_app()
        w, h = self.size
        self.ctl = Controller(self.session)
        theme = THEMES[self.theme]
        if self.view == "window":
            from mlpviz.ui.shell.main_window import MainWindow

            self._settings_dir = tempfile.TemporaryDirectory(prefix="mlpviz-render-")
            settings = QSettings(os.path.join(self._settings_dir.name, "s.ini"),
                                 QSettings.Format.IniFormat)
            self._window = MainWindow(self.ctl, settings=settings, offer_autosave=False,
                                      app_palette=False)
            self._window.files.autosave_on_close = False  # a render never keeps its session
            self._window.player.enabled = False
            self._window.set_theme(self.theme)
            self._window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
            self._window.resize(w, h)
            self._window.show()
            self.panels = self._window.panels
            self._top = self._window
        else:
            from mlpviz.ui.shell import theming

            self.panels = Panels(self.ctl, self.view)
            self.panels.setPalette(theming.palette(theme))  # no style sheet: see theming
            self.panels.set_theme(theme)
            self.panels.set_controls_visible(False)  # nothing to click in a video
            _offscreen(self.panels, w, h)
            self._top = self.panels
        self._no_backing_store = _PaintOnlyOnRender(self._top)
        self._top.installEventFilter(self._no_backing_store)
        if self.captions:
            lesson = getattr(self.session, "lesson", None)
            own_script = lesson is not None and self.script == lesson.script
            # a lesson's own script reserves the bar as the window does when it plays it
            self.panels.reserve_caption(self.playback.captions(intro=own_script))
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self._canvas = QImage(w, h, QImage.Format.Format_RGB32)
        self._canvas.fill(QColor(theme.background))

    def close(self) -> None:
        """Delete the offscreen widgets (idempotent)."""
        top, self._top = self._top, None
        if top is None:
            return
        top.hide()
        top.deleteLater()
        if QThread.currentThread().loopLevel() == 0:
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if self._settings_dir is not None:
            self._settings_dir.cleanup()
            self._settings_dir = None
        self._last = None

    # ---- frames ---------------------------------------------------------------------------
    def shown(self, k: int) -> Shown:
        """The description of frame ``k`` (runs the script up to it)."""
        shown = self.playback.shown(k)
        return shown if self.captions else replace(shown, caption="")

    def frame(self, k: int) -> np.ndarray:
        """Frame ``k`` as a (height, width, 3) uint8 RGB view (frames go forwards)."""
        return self._paint(self.shown(k))

    def still(self) -> QImage:
        """The picture after the whole script, nothing animating (a snapshot), RGB32."""
        shown = self.playback.finish()
        return self.picture(shown if self.captions else replace(shown, caption=""))

    def picture(self, shown: Shown) -> QImage:
        """The picture ``shown`` describes, RGB32: :meth:`still`'s, or one made outside
        the script (a notebook's walkthrough at its stage)."""
        self._paint(shown)
        return self._image.convertToFormat(QImage.Format.Format_RGB32)

    def _paint(self, shown: Shown) -> np.ndarray:
        if self._top is None:
            self._open()
        position = self.playback.runner.position
        moved = self._key is None or self._key[0] != position
        t = shown.t if shown.animating else None
        key = (position, t, shown.caption)
        self.repeated = key == self._key and self._last is not None
        if self.repeated:
            return self._last
        self._key = key
        self.ctl.apply(shown)
        if moved:
            # the views refresh from zero-delay timers and relayout from posted events
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        self._image = self._compose(moved or self.view == "window")
        if self.pixel_format == "bgra":
            self._last = _bgra_view(self._image)
        else:
            self._image = self._image.convertToFormat(QImage.Format.Format_RGB888)
            self._last = _rgb_view(self._image)
        return self._last

    def _compose(self, full: bool) -> QImage:
        w, h = self.size
        self.changed = None
        if full or self.view == "plots":
            if self.view == "window":
                self._window.panels.refresh_now()
                image = self._window.grab().toImage()
                if (image.width(), image.height()) != (w, h):
                    image = image.scaled(w, h, Qt.AspectRatioMode.IgnoreAspectRatio,
                                         Qt.TransformationMode.SmoothTransformation)
                self._canvas = image.convertToFormat(QImage.Format.Format_RGB32)
            else:
                self._canvas = self.panels.render_frame(w, h)
        else:  # only the animated network moves: repaint it over the last picture
            net, caption = self.panels.network, self.panels.caption
            origin = net.mapTo(self.panels, QPoint(0, 0))
            bottom = caption.y() if caption.isVisible() else self._canvas.height()
            # only the part of the network the panels show (a frame too small for the
            # panels' minimum size must not let the network paint over the caption bar)
            shown = QRect(0, 0, net.width(), max(0, bottom - origin.y()))
            p = QPainter(self._canvas)
            net.render(p, origin, QRegion(shown))
            p.end()
            self.changed = (origin.x(), origin.y(), shown.width(), shown.height())
        return self._canvas  # RGB32

