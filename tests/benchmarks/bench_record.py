"""Recording speed of the app: frames produced per wall second, script to finished H.264.

Each case records the spiral lesson (a 2-8-8-8-1 network) running ``SCRIPT`` — 30 epochs
of training, one full iteration stage by stage, a 2 s hold: 300 frames at 30 fps — with
``mlpviz.ui.video.recording.record`` (offscreen render; encoding in a child process on
Linux, else in a worker thread). The
``window`` and ``network`` cases show the neurons' activation maps (thumbnails) too; the
``default`` cases record as ``mlpviz record`` does with its defaults (network + plots,
no maps). ``render_only`` is
the renderer without encoding, the part the encoder cannot hide.

Targets for the ``default`` cases on two idle cores: at least 120 frames per second at
1280x720 and 60 at 1920x1080. On a shared machine wall-clock fps follows the load; read
``idle_2core_fps_estimate`` (from CPU times) and run it a few times.

Run from the repository root:  python -m tests.benchmarks.bench_record [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# as `mlpviz` sets it before NumPy loads: otherwise idle BLAS threads spin and bill the
# process for CPU time the app never spends
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from mlpviz.model.session import Session  # noqa: E402
from mlpviz.ui.shell.app import make_app  # noqa: E402
from mlpviz.ui.video.frame_renderer import FrameRenderer  # noqa: E402
from mlpviz.ui.video.recording import record  # noqa: E402

SCRIPT = "train 30; iteration; hold 2"
LESSON = "spiral"
FPS = 30
# (name, view, width, height, thumbnails, encode)
CASES = [
    ("default_720p", "network+plots", 1280, 720, False, True),  # what `mlpviz record` makes
    ("default_1080p", "network+plots", 1920, 1080, False, True),
    ("window_720p", "window", 1280, 720, True, True),
    ("window_1080p", "window", 1920, 1080, True, True),
    ("window_720p_no_maps", "window", 1280, 720, False, True),
    ("network_720p", "network", 1280, 720, True, True),
    ("network_1080p", "network", 1920, 1080, True, True),
    ("window_720p_render_only", "window", 1280, 720, True, False),
    ("window_1080p_render_only", "window", 1920, 1080, True, False),
]


def _children_cpu() -> float:
    """CPU seconds of the ended child processes of this one."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_case(view: str, width: int, height: int, thumbnails: bool, encode: bool) -> dict:
    """Wall-clock fps, and CPU milliseconds per frame: ``render_cpu`` of this (the
    rendering) thread, ``total_cpu`` of everything (this process's threads and the
    encoder process).
    On a loaded machine the CPU figures say more: on two idle cores the rate would be
    about 1000 / max(render_cpu, total_cpu / 2) frames per second."""
    session = Session.from_lesson(LESSON)
    options = {"size": (width, height), "fps": FPS, "view": view, "thumbnails": thumbnails}
    wall, cpu, thread = time.perf_counter(), time.process_time(), time.thread_time()
    children = _children_cpu()
    kbytes = 0.0
    if encode:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.mp4"
            record(session, path, SCRIPT, **options)
            kbytes = path.stat().st_size / 1024
    else:
        for _ in FrameRenderer(session, SCRIPT, (width, height), FPS, view,
                               thumbnails=thumbnails):
            pass
    wall = time.perf_counter() - wall
    cpu, thread = time.process_time() - cpu, time.thread_time() - thread
    cpu += _children_cpu() - children  # the encoder process, once it has ended
    frames = len(FrameRenderer(session, SCRIPT, (width, height), FPS, view))
    render_cpu, total_cpu = 1000 * thread / frames, 1000 * cpu / frames
    result = {
        "frames": frames,
        "fps": round(frames / wall, 1),
        "render_cpu_ms_per_frame": round(render_cpu, 2),
        "total_cpu_ms_per_frame": round(total_cpu, 2),
        "idle_2core_fps_estimate": round(1000 / max(render_cpu, total_cpu / 2), 1),
    }
    if encode:
        result["kbytes"] = round(kbytes, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--case", action="append", help="run only these cases (repeatable)")
    args = parser.parse_args()
    make_app()
    import mlpviz.ui.shell.main_window  # noqa: F401  (imports are not part of the first case)
    results: dict[str, object] = {"script": SCRIPT, "lesson": LESSON, "fps": FPS,
                                  "load_average_1min": os.getloadavg()[0]}
    for name, view, width, height, thumbnails, encode in CASES:
        if args.case and name not in args.case:
            continue
        results[name] = run_case(view, width, height, thumbnails, encode)
        if not args.json:
            print(f"{name:26s} {results[name]}", flush=True)
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
