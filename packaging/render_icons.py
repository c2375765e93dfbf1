"""Render the app icon ``resources/mlpviz.svg`` to the PNG sizes desktops ask for.

Writes ``resources/icons/mlpviz-{16,32,48,64,128,256}.png`` (square, 8-bit RGBA,
transparent outside the rounded square). Run it after editing the SVG::

    python packaging/render_icons.py

Uses Qt's own SVG renderer (``PySide6.QtSvg``, part of PySide6-Essentials), offscreen,
so it needs no display.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SIZES = (16, 32, 48, 64, 128, 256)


def render_icons(svg: Path, out_dir: Path, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Render ``svg`` to ``out_dir/mlpviz-<size>.png`` for each size in pixels.

    Returns the written paths. Raises ValueError if Qt cannot parse the SVG and
    OSError if a PNG cannot be written.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"Qt cannot read {svg} as SVG")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = out_dir / f"mlpviz-{size}.png"
        if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(path), "PNG"):
            raise OSError(f"cannot write {path}")
        written.append(path)
    del app
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=REPO / "resources" / "mlpviz.svg")
    parser.add_argument("--out-dir", type=Path, default=REPO / "resources" / "icons")
    args = parser.parse_args(argv)
    for path in render_icons(args.svg, args.out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
