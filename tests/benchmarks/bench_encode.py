"""Encoding speed of mlpviz.record: frames per second from render to finished file.

Each case renders synthetic frames shaped like the app's window (static panels, a slowly
turning decision map, a moving square; see ``render``) and records them with
``record_frames``, directly or through the ``ThreadedWriter``. ``render_only`` is the
renderer alone; its cost is roughly the app's render + grab, the time behind which a
worker thread can hide encoding.

Run from the repository root:  python -m tests.benchmarks.bench_encode [--frames 120] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from mlpviz.record import record_frames

# (name, format, width, height, fps, threaded)
CASES = [
    ("h264_720p_direct", "mp4", 1280, 720, 30, False),
    ("h264_720p_threaded", "mp4", 1280, 720, 30, True),
    ("h264_1080p_direct", "mp4", 1920, 1080, 30, False),
    ("h264_1080p_threaded", "mp4", 1920, 1080, 30, True),
    ("vp9_720p_direct", "webm", 1280, 720, 30, False),
    ("vp9_720p_threaded", "webm", 1280, 720, 30, True),
    ("gif_640x360_direct", "gif", 640, 360, 25, False),
    ("gif_640x360_threaded", "gif", 640, 360, 25, True),
]


def diverging_lut() -> np.ndarray:
    """(256, 3) uint8: orange (#f59322) through light grey (#e8eaeb) to blue (#0877bd)."""
    t = np.linspace(-1.0, 1.0, 256)[:, None]
    orange, grey, blue = (
        np.array(c, float) for c in ((245, 147, 34), (232, 234, 235), (8, 119, 189))
    )
    colours = np.where(t < 0, grey + (orange - grey) * -t, grey + (blue - grey) * t)
    return colours.round().astype(np.uint8)


def render(count: int, width: int, height: int) -> Iterator[np.ndarray]:
    """Yield ``count`` distinct (height, width, 3) uint8 frames shaped like the app's window.

    A static light background with panel borders, a decision map filling the top-left
    quarter whose boundary turns slowly (a float32 field through a colour table, costing
    about what the app's render + grab does: ~10 ms at 720p), and a dark square moving
    across the right half.
    """
    lut = diverging_lut()
    base = np.full((height, width, 3), 250, np.uint8)
    base[:, width // 2] = base[height // 2, :] = (120, 120, 120)
    map_h, map_w = height // 2, width // 2
    y, x = np.mgrid[-1.0 : 1.0 : map_h * 1j, -1.0 : 1.0 : map_w * 1j].astype(np.float32)
    side = height // 8
    for i in range(count):
        phase = np.float32(0.5 * i / count)
        field = np.tanh(3 * x * np.cos(phase) + 3 * y * np.sin(phase) + np.sin(4 * x * y))
        frame = base.copy()
        frame[:map_h, :map_w] = lut[((field + 1) * 127.5).astype(np.uint8)]
        left = map_w + 1 + (i * 7) % (width - map_w - 1 - side)
        frame[side : 2 * side, left : left + side] = (40, 40, 40)
        yield frame


def run_case(fmt: str, width: int, height: int, fps: int, threaded: bool, count: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"bench.{fmt}"
        start = time.perf_counter()
        record_frames(render(count, width, height), path, width, height, fps, threaded=threaded)
        seconds = time.perf_counter() - start
        size = path.stat().st_size
    return {
        "fps": round(count / seconds, 1),
        "ms_per_frame": round(1000 * seconds / count, 2),
        "kbytes_per_frame": round(size / count / 1024, 1),
    }


def render_only(width: int, height: int, count: int) -> dict:
    start = time.perf_counter()
    for _ in render(count, width, height):
        pass
    seconds = time.perf_counter() - start
    return {"fps": round(count / seconds, 1), "ms_per_frame": round(1000 * seconds / count, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=120, help="frames per case")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    results: dict[str, dict] = {"frames": args.frames}
    for width, height in sorted({(w, h) for _, _, w, h, _, _ in CASES}):
        results[f"render_only_{width}x{height}"] = render_only(width, height, args.frames)
    for name, fmt, width, height, fps, threaded in CASES:
        results[name] = run_case(fmt, width, height, fps, threaded, args.frames)
    if args.json:
        print(json.dumps(results))
        return
    for name, value in results.items():
        print(f"{name:24s} {value}")


if __name__ == "__main__":
    main()
