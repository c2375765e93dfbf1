"""Cost of painting the network diagram: median ms per frame at 1280×720 (offscreen Qt,
antialiased), for a 2-8-8-1 and a 784-128-64-10 network.

Cases per network:

- ``cold``: the weights changed (``refresh()``), so the repaint rebuilds the scene and the
  cached static layers. This is the per-frame cost while training runs.
- ``warm``: repaint with nothing changed (the cached layer is blitted, selection drawn).
- ``anim_forward`` / ``anim_backward`` / ``anim_update``: one animation frame of a
  walkthrough stage (new t each frame): cached static layers plus the moving overlay.
- ``render_image``: ``render_image(1280, 720)``, the snapshot/recording path (no cache).

Each case reports the median and (``<case>_min``) the fastest frame; on a machine shared
with other work the minimum shows the cost without interference.

Run from the repository root:  python -m tests.benchmarks.bench_network_paint [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable

import numpy as np

WIDTH, HEIGHT = 1280, 720
NETWORKS = {
    "2-8-8-1": ([2, 8, 8, 1], ["tanh", "tanh", "sigmoid"], "mse"),
    "784-128-64-10": ([784, 128, 64, 10], ["relu", "relu", "softmax"], "cross_entropy"),
}


def _timed_ms(step: Callable[[int], None], frames: int) -> tuple[float, float]:
    """(median, min) ms of ``step(i)`` over ``frames`` calls, after one warm-up call."""
    step(0)
    times = []
    for i in range(1, frames + 1):
        t0 = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1000.0), float(np.min(times) * 1000.0)


def run(frames: int) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from mlpviz.engine import MLP
    from mlpviz.model.session import Session
    from mlpviz.model.walkthrough import Walkthrough
    from mlpviz.ui.diagram.network_view import NetworkView

    app = QApplication.instance() or QApplication([])
    results: dict[str, float] = {}
    for name, (sizes, acts, loss) in NETWORKS.items():
        rng = np.random.default_rng(0)
        net = MLP(sizes, acts, loss=loss, seed=0)
        X = rng.normal(size=(40, sizes[0]))
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], 40)] if sizes[-1] > 1 else (
            (X[:, :1] * X[:, 1:2] > 0).astype(float))
        session = Session.from_arrays(X, Y, net=net, learning_rate=0.1)
        view = NetworkView()
        view.resize(WIDTH, HEIGHT)
        view.set_network(net, [f"x{i + 1}" for i in range(sizes[0])],
                         [f"class {k}" for k in range(sizes[-1])])
        view.set_walkthrough(None, session.sample(0))
        view.show()
        app.processEvents()

        def cold(_i: int, view=view) -> None:
            view.refresh()
            view.repaint()

        cases: dict[str, Callable[[int], None]] = {"cold": cold, "warm": lambda _i, v=view:
                                                   v.repaint()}
        wt = Walkthrough(session, sample=0)
        targets = {"anim_forward": ("forward", 0), "anim_backward": ("backward", 0),
                   "anim_update": ("update", None)}
        for case, (kind, layer) in targets.items():
            def frame(i: int, view=view, wt=wt, kind=kind, layer=layer) -> None:
                if wt.stage is None or (wt.stage.kind, wt.stage.layer) != (kind, layer):
                    while wt.stage is None or (wt.stage.kind, wt.stage.layer) != (kind, layer):
                        wt.next()
                    view.set_walkthrough(wt)
                view.set_frame(wt.stage, (i % 19 + 0.5) / 20.0)
                view.repaint()

            cases[case] = frame
        cases["render_image"] = lambda _i, v=view: v.render_image(WIDTH, HEIGHT)
        for case, step in cases.items():
            med, low = _timed_ms(step, frames)
            results[f"{name}_{case}"] = round(med, 2)
            results[f"{name}_{case}_min"] = round(low, 2)
        view.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=30, help="timed frames per case")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    results = run(args.frames)
    if args.json:
        print(json.dumps({"unit": "ms", "size": [WIDTH, HEIGHT], **results}))
    else:
        for name, ms in results.items():
            print(f"{name:36s} {ms:8.2f} ms")


if __name__ == "__main__":
    main()
