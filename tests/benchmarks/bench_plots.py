"""Cost of refreshing the plots panel: median ms per frame at 1280×720 (offscreen Qt).

A frame sets a 100×100 binary output map, 250 data points (200 train, 50 test) and a
1000-epoch loss/accuracy history, then repaints the map and loss viewports. Cases:

- ``frame_points_cached``: the data points are unchanged (training; set_session_data
  returns early), map + history change, repaint. This is the per-frame cost while running.
- ``frame_points_changed``: the points move every frame too (e.g. regenerating data).
- ``set_only``: the same updates without a repaint (what update_from costs the caller).
- ``repaint_only``: repainting unchanged plots.
- ``render_image_720p``: PlotsPanel.render_image(1280, 720), the snapshot/recording path.
- ``history_10k``: set_history with 10,000 epochs, no repaint.

Each case reports the median and (``<case>_min``) the fastest frame; on a machine shared
with other work the minimum shows the cost without interference.

Run from the repository root:  python -m tests.benchmarks.bench_plots [--frames 60] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable

import numpy as np

WIDTH, HEIGHT = 1280, 720
RES = 100
EXTENT = (-1.2, 1.2, -1.2, 1.2)


def _history(n: int, shift: float) -> dict[str, np.ndarray]:
    e = np.arange(n, dtype=np.float64)
    return {"epochs": e, "train_loss": np.exp(-e / (n / 4)) + shift,
            "test_loss": np.exp(-e / (n / 5)) + shift,
            "train_acc": 1 - 0.5 * np.exp(-e / (n / 6)), "test_acc": 1 - 0.5 * np.exp(-e / 90)}


def _timed_ms(step: Callable[[int], None], frames: int) -> tuple[float, float]:
    """(median, min) ms of ``step(i)`` over ``frames`` calls, after one warm-up call."""
    step(0)  # warm-up: first paint builds caches
    times = []
    for i in range(1, frames + 1):
        t0 = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1000.0), float(np.min(times) * 1000.0)


def run(frames: int) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from mlpviz.ui.plots.panel import PlotsPanel

    app = QApplication.instance() or QApplication([])
    panel = PlotsPanel()
    panel.resize(WIDTH, HEIGHT)
    panel.show()
    app.processEvents()
    rng = np.random.default_rng(0)
    X = rng.uniform(-1.2, 1.2, (250, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    xs = np.linspace(EXTENT[0], EXTENT[1], RES)
    gx, gy = np.meshgrid(xs, xs)
    mp, lp = panel.map_plot, panel.loss_plot

    def set_frame(i: int, move_points: bool) -> None:
        jitter = 0.01 * i if move_points else 0.0
        mp.set_session_data(X[:200] + jitter, y[:200], X[200:], y[200:], "binary", 2, EXTENT)
        angle = 0.01 * i
        field = np.cos(angle) * gx * gy + np.sin(angle) * (gx - gy)
        mp.set_map((1.0 / (1.0 + np.exp(-5.0 * field))).astype(np.float32), EXTENT)
        mp.set_highlight(X[i % 200])
        lp.set_history(_history(1000, 0.001 * i))

    def repaint() -> None:
        mp.viewport().repaint()
        lp.viewport().repaint()

    def frame(move_points: bool) -> Callable[[int], None]:
        def step(i: int) -> None:
            set_frame(i, move_points)
            repaint()
        return step

    cases = {
        "frame_points_cached": frame(False),
        "frame_points_changed": frame(True),
        "set_only": lambda i: set_frame(i, False),
        "repaint_only": lambda i: repaint(),
        "render_image_720p": lambda i: panel.render_image(WIDTH, HEIGHT),
        "history_10k": lambda i: lp.set_history(_history(10_000, 0.001 * i)),
    }
    results: dict[str, float] = {}
    for name, step in cases.items():
        median, fastest = _timed_ms(step, frames)
        results[name] = round(median, 2)
        results[f"{name}_min"] = round(fastest, 2)
    panel.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60, help="timed frames per case")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    results = run(args.frames)
    if args.json:
        print(json.dumps({"unit": "ms", "size": [WIDTH, HEIGHT], **results}))
    else:
        for name, ms in results.items():
            print(f"{name:24s} {ms:8.2f} ms")


if __name__ == "__main__":
    main()
