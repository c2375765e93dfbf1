"""File ▸ Export: PNGs of the requested size, SVGs that parse and hold the diagram's edges,
clear errors that leave no file."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtGui import QImage

from mlpviz.ui.video.export import (
    ExportDialog,
    ExportError,
    export_network_svg,
    export_plots_svg,
    export_png,
    panel_size,
)

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def segments(svg_path):
    """Every straight segment of every polyline in the SVG, as ((x0, y0), (x1, y1))."""
    root = ET.parse(svg_path).getroot()
    assert root.tag == f"{SVG}svg"
    found = []
    for line in root.iter(f"{SVG}polyline"):
        points = [tuple(float(v) for v in p.split(",")) for p in line.get("points").split()]
        found += list(zip(points, points[1:], strict=False))
    return root, found


@pytest.mark.parametrize("panel, size", [("network", (640, 360)), ("plots", (333, 222)),
                                         ("window", (800, 600))])
def test_png_of_each_panel_has_the_requested_size(window, out, panel, size):
    path = export_png(window, panel, out / f"{panel}.png", *size)
    image = QImage(str(path))
    assert (image.width(), image.height()) == size
    pixels = np.frombuffer(image.convertToFormat(QImage.Format.Format_RGB888).constBits(),
                           np.uint8)
    assert pixels.std() > 10  # a picture, not an empty canvas
    assert sorted(p.name for p in out.iterdir()) == [f"{panel}.png"]


def test_network_svg_parses_and_draws_every_edge(window, out):
    path = export_network_svg(window, out / "net.svg", 800, 500)
    root, segs = segments(path)
    assert root.get("viewBox") == "0 0 800 500"
    layout = window.network.diagram_layout(800, 500)
    net = window.ctl.session.net
    edges = [(l, i, j) for l in range(net.n_layers) for i in range(net.sizes[l + 1])
             for j in range(net.sizes[l])]
    assert len(edges) == 6
    for l, i, j in edges:  # a segment from neuron j of layer l - 1 to neuron i of layer l
        a, b = np.array(layout.pos(l - 1, j)), np.array(layout.pos(l, i))
        assert any(np.abs(np.array(s) - a).max() < 0.5 and np.abs(np.array(e) - b).max() < 0.5
                   for s, e in segs), (l, i, j)


@pytest.mark.parametrize("plot", ["map", "loss"])
def test_plot_svg_parses(window, out, plot):
    window.ctl.train_epochs(3)
    window.panels.refresh_now()
    path = export_plots_svg(window, out / f"{plot}.svg", plot)
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    assert len(list(root.iter())) > 20


def test_bad_exports_are_clear_errors_and_leave_no_file(window, out):
    with pytest.raises(ExportError, match="does not exist"):
        export_png(window, "network", out / "missing" / "x.png", 100, 100)
    with pytest.raises(ExportError, match=r"\.png"):
        export_png(window, "network", out / "x.jpg", 100, 100)
    with pytest.raises(ExportError, match="out of range"):
        export_png(window, "network", out / "x.png", 5, 100)
    with pytest.raises(ExportError, match="unknown panel"):
        export_png(window, "controls", out / "x.png", 100, 100)
    with pytest.raises(ExportError, match="unknown plot"):
        export_plots_svg(window, out / "x.svg", "hidden")
    with pytest.raises(ExportError, match=r"\.svg"):
        export_network_svg(window, out / "x.png", 100, 100)
    assert list(out.iterdir()) == []


def test_export_dialog_writes_the_chosen_panel_and_size(qtbot, window, out):
    dialog = ExportDialog(window, "png")
    qtbot.addWidget(dialog)
    assert (dialog.width_spin.value(), dialog.height_spin.value()) == panel_size(window,
                                                                                "network")
    dialog.panel_combo.setCurrentIndex(dialog.panel_combo.findData("plots"))
    assert (dialog.width_spin.value(), dialog.height_spin.value()) == panel_size(window,
                                                                                "plots")
    dialog.width_spin.setValue(500)
    dialog.height_spin.setValue(300)
    dialog.path_edit.setText(str(out / "plots.png"))
    assert dialog.export() == out / "plots.png"
    image = QImage(str(out / "plots.png"))
    assert (image.width(), image.height()) == (500, 300)

    bad = ExportDialog(window, "network-svg")
    qtbot.addWidget(bad)
    bad.path_edit.setText(str(out / "nowhere" / "net.svg"))
    assert bad.export() is None
    assert "does not exist" in bad.message.text()


def test_file_menu_offers_the_exports(window):
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    export = next(a.menu() for a in file_menu.actions() if a.text() == "&Export")
    assert [a.text() for a in export.actions()] == [
        "&PNG of panel…", "&SVG of network…", "SVG of &plots…"]
    export.actions()[1].trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None and dialog.kind == "network-svg" and dialog.isVisible()
    dialog.reject()
