"""File ▸ Export: a PNG of a panel (network, plots or the whole window) at any size, and
SVG of the network diagram or of a plot. Files are written atomically: a failed export
leaves no file and keeps an old one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from mlpviz.ui.colors import THEMES

PANELS = (("Network", "network"), ("Plots", "plots"), ("Whole window", "window"))
PLOTS = (("Output map", "map"), ("Loss and accuracy", "loss"))
KINDS = ("png", "network-svg", "plots-svg")
MIN_SIDE, MAX_SIDE = 16, 8192


class ExportError(Exception):
    """An export that cannot be made; the message is one sentence for the user."""


def _check_size(width: int, height: int) -> tuple[int, int]:
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ExportError(f"{width}×{height} is out of range ({MIN_SIDE}..{MAX_SIDE} per side)")
    return int(width), int(height)


def _atomic(path: str | os.PathLike[str], suffix: str, write: Callable[[str], None]) -> Path:
    """Call ``write(temp_path)`` for a temporary file beside ``path``, then rename it."""
    target = Path(path)
    if target.suffix.lower() != suffix:
        raise ExportError(f"the file must end in {suffix}, not {target.name!r}")
    if not target.parent.is_dir():
        raise ExportError(f"the folder {target.parent} does not exist")
    try:
        fd, temp = tempfile.mkstemp(prefix=".mlpviz-", suffix=suffix, dir=target.parent)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None
    os.close(fd)
    try:
        write(temp)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return target


def panel_size(window, panel: str) -> tuple[int, int]:
    """The panel's size on screen now, in pixels."""
    widget = {"network": window.network, "plots": window.plots}.get(panel, window)
    return widget.width(), widget.height()


def panel_image(window, panel: str, width: int, height: int) -> QImage:
    """``panel`` of ``window`` (a MainWindow) as an image of exactly width × height. The
    network and the plots are laid out and painted at that size; the whole window is
    grabbed as it is and scaled to fit, centred on the theme's background."""
    width, height = _check_size(width, height)
    if panel == "network":
        return window.network.render_image(width, height)
    if panel == "plots":
        return window.plots.render_image(width, height)
    if panel != "window":
        raise ExportError(f"unknown panel {panel!r}; choose network, plots or window")
    grab = window.grab().toImage().scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(THEMES[window.theme_key].qcolor("background"))
    p = QPainter(image)
    p.drawImage((width - grab.width()) // 2, (height - grab.height()) // 2, grab)
    p.end()
    return image


def export_png(window, panel: str, path: str | os.PathLike[str], width: int,
               height: int) -> Path:
    """Write ``panel`` at width × height as a PNG (ExportError on failure)."""
    image = panel_image(window, panel, width, height)

    def write(temp: str) -> None:
        if not image.save(temp, "PNG"):
            raise OSError("the image could not be encoded")

    return _atomic(path, ".png", write)


def export_network_svg(window, path: str | os.PathLike[str], width: int, height: int) -> Path:
    """Write the network diagram laid out at width × height as SVG."""
    width, height = _check_size(width, height)
    return _atomic(path, ".svg", lambda temp: window.network.svg(temp, width, height))


def export_plots_svg(window, path: str | os.PathLike[str], plot: str = "map") -> Path:
    """Write the output map (``plot="map"``) or the loss plot (``"loss"``) as SVG."""
    if plot not in dict(PLOTS).values():
        raise ExportError(f"unknown plot {plot!r}; choose map or loss")
    return _atomic(path, ".svg", lambda temp: window.plots.export_svg(temp, plot))


class ExportDialog(QDialog):
    """Asks what to export (panel or plot), the size and the file, then exports.
    ``kind`` is "png", "network-svg" or "plots-svg"."""

    def __init__(self, window, kind: str = "png") -> None:
        super().__init__(window)
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        self.window_, self.kind = window, kind
        self.setWindowTitle({"png": "Export PNG", "network-svg": "Export network as SVG",
                             "plots-svg": "Export plot as SVG"}[kind])
        form = QFormLayout()
        self.panel_combo, self.plot_combo = QComboBox(), QComboBox()
        for text, data in PANELS:
            self.panel_combo.addItem(text, data)
        for text, data in PLOTS:
            self.plot_combo.addItem(text, data)
        self.width_spin, self.height_spin = QSpinBox(), QSpinBox()
        for spin in (self.width_spin, self.height_spin):
            spin.setRange(MIN_SIDE, MAX_SIDE)
            spin.setSuffix(" px")
        size_row = QHBoxLayout()
        size_row.addWidget(self.width_spin)
        size_row.addWidget(QLabel("×"))
        size_row.addWidget(self.height_spin)
        size_row.addStretch(1)
        self.path_edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        if kind == "png":
            form.addRow("Panel", self.panel_combo)
        if kind == "plots-svg":
            form.addRow("Plot", self.plot_combo)
        else:
            form.addRow("Size", size_row)
        form.addRow("File", file_row)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.panel_combo.currentIndexChanged.connect(self._panel_changed)
        self.plot_combo.currentIndexChanged.connect(self._default_path)
        self._panel_changed()

    @property
    def suffix(self) -> str:
        return ".png" if self.kind == "png" else ".svg"

    def _panel_changed(self) -> None:
        panel = "network" if self.kind == "network-svg" else self.panel_combo.currentData()
        w, h = panel_size(self.window_, panel)
        self.width_spin.setValue(max(w, MIN_SIDE))
        self.height_spin.setValue(max(h, MIN_SIDE))
        self._default_path()

    def _default_path(self) -> None:
        name = {"png": self.panel_combo.currentData(), "network-svg": "network",
                "plots-svg": self.plot_combo.currentData()}[self.kind]
        folder = Path(self.path_edit.text()).parent if self.path_edit.text() else Path.home()
        self.path_edit.setText(str(folder / f"mlpviz-{name}{self.suffix}"))

    def _browse(self) -> None:
        kind = "PNG image" if self.kind == "png" else "SVG drawing"
        path, _ = QFileDialog.getSaveFileName(self, self.windowTitle(), self.path_edit.text(),
                                              f"{kind} (*{self.suffix})")
        if path:
            self.path_edit.setText(str(Path(path).with_suffix(self.suffix)))

    def export(self) -> Path | None:
        """Export with the dialog's choices; closes on success, else shows why."""
        path = self.path_edit.text().strip()
        w, h = self.width_spin.value(), self.height_spin.value()
        try:
            if self.kind == "png":
                done = export_png(self.window_, self.panel_combo.currentData(), path, w, h)
            elif self.kind == "network-svg":
                done = export_network_svg(self.window_, path, w, h)
            else:
                done = export_plots_svg(self.window_, path, self.plot_combo.currentData())
        except (ExportError, RuntimeError, ValueError) as exc:
            self.message.setText(str(exc))
            return None
        self.window_.statusBar().showMessage(f"Exported {done}", 4000)
        self.accept()
        return done


def show_export_dialog(window, kind: str) -> ExportDialog:
    """File ▸ Export ▸ …: open an export dialog of ``kind`` for ``window``."""
    dialog = ExportDialog(window, kind)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
