"""The panels: the network diagram, the plots and the caption bar, as one widget.

The main window embeds a :class:`Panels` as its centre; ``mlpviz snapshot`` and video
recording build one on its own at the output size. Either way it listens to a
:class:`~mlpviz.ui.controller.Controller` and re-reads the session, so the window, a
lesson, a snapshot and a video are drawn by the same code from the same state.

Views (:data:`mlpviz.model.playback.VIEWS` without the window): ``network``, ``plots``,
or ``network+plots`` — the diagram on the left, the decision map above the loss plot on
the right, which is the teaching layout and the default for videos.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from mlpviz.model.captions import render_caption
from mlpviz.model.playback import ViewToggles
from mlpviz.ui.colors import THEMES, Theme
from mlpviz.ui.controller import Controller, output_labels
from mlpviz.ui.diagram.network_view import NetworkView
from mlpviz.ui.plots.panel import PlotsPanel, traced_input
from mlpviz.ui.splitter import Splitter

PANEL_VIEWS = ("network", "plots", "network+plots")
NETWORK_SHARE = 0.56  # width share of the diagram in the network+plots view
#: below this width / height the plots go under the diagram instead of beside it (the
#: window's centre between its docks on a 1280×720 screen), taking PLOTS_BELOW_SHARE of
#: the height
STACK_ASPECT = 1.05
PLOTS_BELOW_SHARE = 0.42
CAPTION_LINES = 3  # a reserved caption bar fits the longest caption up to this many lines
CAPTION_COLOURS = {"light": ("#20262c", "#f4f6f8"), "dark": ("#1d2125", "#f4f6f8")}
#: the caption's type size: height of the panels divided by this, at least CAPTION_MIN_PX
CAPTION_DIVISOR = 36
CAPTION_MIN_PX = 14


class CaptionBar(QWidget):
    """A dark band with the caption centred in light type, word-wrapped; a caption too
    long for the band is drawn smaller rather than cut off. Hidden while empty, unless a
    height is reserved for a set of captions (videos and lessons), so the panels above
    keep their size when the caption changes."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("caption")
        self._text = ""
        self._reserved: list[str] = []
        self._dark = False
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.hide()

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 (QLabel's name, which tests read)
        self._text = str(text)
        self._relayout()
        self.update()

    def reserve(self, texts: list[str]) -> None:
        """Keep room for the longest of ``texts`` (none: size to the current text)."""
        self._reserved = [t for t in texts if t]
        self._relayout()

    def set_dark(self, dark: bool) -> None:
        self._dark = bool(dark)
        self.update()

    def set_pixel_size(self, px: int) -> None:
        f = QFont(self.font())
        f.setPixelSize(max(8, int(px)))
        self.setFont(f)
        self._relayout()

    def _pad(self) -> int:
        return max(4, self.font().pixelSize() // 2)

    def lines_for(self, texts: list[str], width: int) -> int:
        fm = QFontMetrics(self.font())
        pad = self._pad()
        lines = 1
        for text in texts:
            rect = fm.boundingRect(QRect(0, 0, max(1, width - 4 * pad), 10**6),
                                   Qt.TextFlag.TextWordWrap, text)
            lines = max(lines, min(CAPTION_LINES, -(-rect.height() // fm.lineSpacing())))
        return lines

    def _relayout(self) -> None:
        texts = self._reserved or ([self._text] if self._text else [])
        self.setVisible(bool(texts))
        if not texts:
            return
        width = self.width() if self.width() > 100 else (self.parentWidget() or self).width()
        fm = QFontMetrics(self.font())
        self.setFixedHeight(self.lines_for(texts, width) * fm.lineSpacing() + 2 * self._pad())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            QTimer.singleShot(0, self, self._relayout)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(200, self.height())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        bg, fg = CAPTION_COLOURS["dark" if self._dark else "light"]
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.fillRect(self.rect(), QColor(bg))
        if self._text:
            pad = self._pad()
            box = self.rect().adjusted(2 * pad, pad // 2, -2 * pad, -(pad // 2))
            flags = int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
            f = QFont(self.font())
            while f.pixelSize() > 8:
                need = QFontMetrics(f).boundingRect(box, flags, self._text)
                if need.height() <= box.height() and need.width() <= box.width():
                    break
                f.setPixelSize(f.pixelSize() - 1)
            p.setFont(f)
            p.setPen(QColor(fg))
            p.drawText(box, flags, self._text)
        p.end()


class Panels(QWidget):
    """Network, plots and caption bar for ``controller`` in ``view`` (PANEL_VIEWS)."""

    def __init__(self, controller: Controller, view: str = "network+plots",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctl = controller
        self.network = NetworkView()
        self.network.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.network.setAccessibleName("Network diagram")
        self.plots = PlotsPanel()
        self.plots.setAccessibleName("Plots: decision map and loss")
        self.caption = CaptionBar()
        self.splitter = Splitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.network)
        self.splitter.addWidget(self.plots)
        self.splitter.setStretchFactor(0, 56)
        self.splitter.setStretchFactor(1, 44)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.splitter, 1)
        lay.addWidget(self.caption)
        self.view = ""
        self.theme: Theme = THEMES["light"]
        self.font_scale = 1.0
        self.grid_resolution = 100  # samples per axis of the maps (60 while running)
        self.idle_preview: Callable[[], object] | None = None
        self._refresh_pending = False
        self.set_view(view)
        self._connect()
        self._on_session_replaced()

    # ---- wiring --------------------------------------------------------------------------
    def _connect(self) -> None:
        c = self.ctl
        c.sessionReplaced.connect(self._on_session_replaced)
        c.modelChanged.connect(self.schedule_refresh)
        c.stageChanged.connect(self._on_stage_changed)
        c.selectionChanged.connect(self.network.set_selection)
        c.selectionChanged.connect(self._describe_selection)
        c.captionChanged.connect(self._render_caption)
        c.frameChanged.connect(self.network.set_frame)
        c.togglesChanged.connect(self._on_toggles)
        self.network.selectionChanged.connect(c.select)
        self.network.weightEdited.connect(c.edit_weight)
        self.network.biasEdited.connect(c.edit_bias)
        self.plots.addPointRequested.connect(c.add_point)
        self.plots.removePointRequested.connect(c.remove_point_near)

    def _on_session_replaced(self) -> None:
        s = self.ctl.session
        self.network.set_network(s.net, list(s.input_labels), output_labels(s))
        self._on_stage_changed()
        self.schedule_refresh()

    def _on_stage_changed(self) -> None:
        self._show_walkthrough()
        self.plots.set_traced(traced_input(self.ctl))
        self._render_caption()

    def _show_walkthrough(self) -> None:
        """The controller's walkthrough at its stage; with none running, the
        ``idle_preview`` walkthrough (predict mode: nothing revealed) or else the traced
        sample's idle walkthrough, the one the inspector reads too."""
        c = self.ctl
        if c.walkthrough is not None:
            self.network.set_walkthrough(c.walkthrough)
        elif self.idle_preview is not None:
            self.network.set_walkthrough(self.idle_preview())
        else:
            self.network.set_walkthrough(c.idle_walkthrough(), idle=True)

    def _render_caption(self, *_args: object) -> None:
        """The controller's caption is a template (model.captions): its numbers are filled
        from the session and walkthrough on screen, again whenever they change."""
        c = self.ctl
        text = render_caption(c.caption, c.session, c.walkthrough, c.sample)
        if text != self.caption.text():  # a new text re-lays the bar out: only when it changes
            self.caption.setText(text)

    def _describe_selection(self, selection: object) -> None:
        """Screen readers read the selected neuron or edge with its values."""
        text = self.network.tooltip_text(selection) if selection is not None else ""
        self.network.setAccessibleDescription(
            text or "Nothing selected. Click a neuron or an edge, or press Tab, to inspect it.")

    def _on_toggles(self, toggles: ViewToggles) -> None:
        self.network.set_value_mode(toggles.value_mode)
        self.schedule_refresh()

    # ---- options ------------------------------------------------------------------------
    def set_view(self, view: str) -> None:
        if view not in PANEL_VIEWS:
            raise ValueError(f"unknown view {view!r}; choose one of: {', '.join(PANEL_VIEWS)}")
        if view == self.view:
            return
        self.view = view
        self.network.setVisible(view != "plots")
        self.plots.setVisible(view != "network")
        self._share()
        self.schedule_refresh()

    def _share(self) -> None:
        """The diagram beside the plots, with its share of the width, in the network+plots
        view — or above them when the panels are narrow (see STACK_ASPECT): the same for a
        given size, whatever the panels' size was before."""
        if self.view == "network+plots":
            beside = self.width() >= STACK_ASPECT * self.height()
            self.splitter.setOrientation(Qt.Orientation.Horizontal if beside
                                         else Qt.Orientation.Vertical)
            total = max(self.width() if beside else self.splitter.height(), 2)
            first = int(total * (NETWORK_SHARE if beside else 1.0 - PLOTS_BELOW_SHARE))
            self.splitter.setSizes([first, total - first])

    def set_controls_visible(self, visible: bool) -> None:
        """Show or hide what is there to be clicked or dragged — the plots' tabs and
        checkboxes, the splitter handles — for a picture with nothing to click (videos
        and snapshots leave them out)."""
        self.plots.set_controls_visible(visible)
        self.splitter.set_quiet(not visible)

    @property
    def plots_shown(self) -> bool:
        return self.view != "network"

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.network.set_theme(theme)
        self.plots.set_theme(theme)
        self.caption.set_dark(QColor(theme.background).lightness() < 128)

    def set_font_scale(self, scale: float) -> None:
        """Type size relative to normal (presenter mode enlarges it)."""
        self.font_scale = float(scale)
        self._size_caption()

    def reserve_caption(self, texts: list[str]) -> None:
        """Keep the caption bar the height of the longest of ``texts`` (a lesson's or a
        video's captions), so nothing above it moves when the caption changes."""
        self.caption.reserve(texts)

    def _size_caption(self) -> None:
        px = max(CAPTION_MIN_PX, round(self.height() / CAPTION_DIVISOR))
        self.caption.set_pixel_size(round(px * self.font_scale))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._size_caption()
        self._share()

    # ---- refreshing ---------------------------------------------------------------------
    def schedule_refresh(self) -> None:
        """Coalesce many model changes into one redraw per event-loop turn."""
        if not self._refresh_pending:
            self._refresh_pending = True
            QTimer.singleShot(0, self, self.refresh_now)  # dropped if the widget is gone

    def refresh_now(self) -> None:
        """Redraw the network, and the plots when shown; neuron maps are computed only
        when something shows them."""
        self._refresh_pending = False
        s, ctl = self.ctl.session, self.ctl
        thumbs = ctl.toggles.thumbnails and self.view != "plots"
        need_grid = s.is_planar and (self.plots_shown or thumbs)
        grid = s.grid(self.grid_resolution) if need_grid else None
        self.network.set_network(s.net, list(s.input_labels), output_labels(s))
        self.network.set_thumbnails(grid.layers if grid is not None and thumbs else None)
        if ctl.walkthrough is None:
            self._show_walkthrough()
        self.network.refresh()
        if self.plots_shown:
            self.plots.update_from(s, grid, traced_input(ctl))
        self._render_caption()

    # ---- pictures -------------------------------------------------------------------------
    def render_frame(self, width: int, height: int) -> QImage:
        """The panels as they look at ``width`` × ``height`` (RGB32), pending refreshes
        done first. The widget's own size is restored afterwards."""
        old = self.size()
        if (old.width(), old.height()) != (width, height):
            self.resize(width, height)
            self.layout().activate()
            self._share()
        if self._refresh_pending:
            self.refresh_now()
        image = QImage(width, height, QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(1.0)
        image.fill(QColor(self.theme.background))
        self.render(image)
        if (old.width(), old.height()) != (width, height) and not self.isWindow():
            self.resize(old)
        return image
