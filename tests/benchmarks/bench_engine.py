"""Speed of the NumPy engine on the workloads the app runs.

- ``tfp_epochs_per_s``: TensorFlow Playground's default-like setting — its circle data
  (500 points, half for training; inner disk → target +1, ring → target −1, raw coordinates
  in [−5, 5] as Playground feeds them), a 2-8-8-1 tanh network, ``mse_half``, batch 10,
  plain SGD with learning rate 0.03, trained through ``MLP.train_epoch``. Target ≥ 700
  (Playground's own engine: ~920 epochs/s under Node.js on this machine class).
- ``textbook_epochs_per_s``: the same training written as a plain textbook NumPy loop
  (separate W and b, forward, backward, update per mini-batch): the baseline the fused
  path is measured against.
- ``mnist_steps_per_s``: 784-128-64-10 relu with a softmax/``cross_entropy`` output,
  batch 128, float32, random data, through ``MLP.train_epoch``. Target ≥ 800.
- ``maps_ms``: every neuron's activation of a 2-8-8-8-1 tanh network over a 100×100 input
  grid in one vectorized pass (``MLP.activations_of(grid, dtype=np.float32)``), as the
  decision map and the neuron thumbnails need each frame. Target ≤ 2 ms.

Each figure is the median of several timed runs (wall clock). Run from the repository root:
``python -m tests.benchmarks.bench_engine [--json] [--repeats 7] [--blas-threads N]``.
BLAS runs single-threaded by default, as in the app (``mlpviz.cli`` sets
OPENBLAS_NUM_THREADS=1); ``--blas-threads 0`` leaves the environment as it is. On a machine
whose cores are busy with other work, two BLAS threads make the 784-wide network and the
maps several times slower than one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

from mlpviz.engine import MLP, optimizers

TARGETS = {
    "tfp_epochs_per_s": (">=", 700.0),
    "mnist_steps_per_s": (">=", 800.0),
    "maps_ms": ("<=", 2.0),
}


def circle_data(n: int = 500, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Playground's circle: x (n, 2) in [−5, 5]², y (n, 1) = +1 inside r < 2.5, −1 for
    the ring 3.5 < r < 5."""
    rng = np.random.default_rng(seed)
    radius = 5.0
    inner = n // 2
    r = np.concatenate(
        [rng.uniform(0.0, 0.5 * radius, inner), rng.uniform(0.7 * radius, radius, n - inner)]
    )
    angle = rng.uniform(0.0, 2 * np.pi, n)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    y = np.where(np.arange(n) < inner, 1.0, -1.0)[:, None]
    order = rng.permutation(n)
    return x[order], y[order]


def median_rate(run: Callable[[], int], repeats: int) -> float:
    """Median over ``repeats`` runs of (units done by ``run()``) / seconds."""
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        units = run()
        rates.append(units / (time.perf_counter() - t0))
    return statistics.median(rates)


def bench_tfp(repeats: int, epochs: int = 200) -> float:
    x, y = circle_data()
    x_train, y_train = x[:250], y[:250]
    net = MLP([2, 8, 8, 1], "tanh", loss="mse_half", seed=1)
    opt = optimizers.SGD(lr=0.03)
    rng = np.random.default_rng(0)

    def run() -> int:
        for _ in range(epochs):
            net.train_epoch(x_train, y_train, opt, batch_size=10, rng=rng)
        return epochs

    run()  # warm-up: buffers, caches
    return median_rate(run, repeats)


def bench_textbook(repeats: int, epochs: int = 100) -> float:
    """The same training as a plain loop: Z = A W.T + b, tanh, δ = ∂L/∂Z, W ← W − η ∂L/∂W."""
    x, y = circle_data()
    x_train, y_train = x[:250], y[:250]
    net = MLP([2, 8, 8, 1], "tanh", loss="mse_half", seed=1)
    ws = [w.copy() for w in net.weights]
    bs = [b.copy() for b in net.biases]
    rng = np.random.default_rng(0)
    lr, batch = 0.03, 10

    def run() -> int:
        for _ in range(epochs):
            order = rng.permutation(len(x_train))
            xs, ys = x_train[order], y_train[order]
            for start in range(0, len(xs), batch):
                xb, yb = xs[start : start + batch], ys[start : start + batch]
                acts = [xb]
                for w, b in zip(ws, bs, strict=True):
                    acts.append(np.tanh(acts[-1] @ w.T + b))
                delta = (acts[-1] - yb) / len(xb) * (1 - acts[-1] ** 2)
                for l in range(len(ws) - 1, -1, -1):
                    dw = delta.T @ acts[l]
                    db = delta.sum(axis=0)
                    if l > 0:
                        delta = (delta @ ws[l]) * (1 - acts[l] ** 2)
                    ws[l] -= lr * dw
                    bs[l] -= lr * db
        return epochs

    run()
    return median_rate(run, repeats)


def bench_mnist(repeats: int, steps: int = 20) -> float:
    rng = np.random.default_rng(0)
    batch = 128
    x = rng.random((steps * batch, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, steps * batch)]
    net = MLP([784, 128, 64, 10], ["relu", "relu", "softmax"], "cross_entropy",
              seed=0, init="he", dtype=np.float32)
    opt = optimizers.SGD(lr=0.01)

    def run() -> int:
        net.train_epoch(x, y, opt, batch_size=batch, rng=rng)
        return steps

    run()
    return median_rate(run, repeats)


def bench_maps(repeats: int, calls: int = 50) -> float:
    net = MLP([2, 8, 8, 8, 1], "tanh", loss="mse_half", seed=0)
    axis = np.linspace(-6.0, 6.0, 100)
    gx, gy = np.meshgrid(axis, axis)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)

    def run() -> int:
        for _ in range(calls):
            net.activations_of(grid, dtype=np.float32)
        return calls

    run()
    return 1000.0 / median_rate(run, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per figure")
    parser.add_argument(
        "--blas-threads", type=int, default=1, help="BLAS threads (0: as the environment says)"
    )
    args = parser.parse_args()
    if args.blas_threads > 0:
        wanted = str(args.blas_threads)
        if os.environ.get("OPENBLAS_NUM_THREADS") != wanted:
            env = dict(os.environ, OPENBLAS_NUM_THREADS=wanted, OMP_NUM_THREADS=wanted)
            argv = [sys.executable, "-m", "tests.benchmarks.bench_engine", *sys.argv[1:]]
            os.execve(sys.executable, argv, env)
    results = {
        "tfp_epochs_per_s": bench_tfp(args.repeats),
        "textbook_epochs_per_s": bench_textbook(args.repeats),
        "mnist_steps_per_s": bench_mnist(args.repeats),
        "maps_ms": bench_maps(args.repeats),
    }
    results = {k: round(v, 3) for k, v in results.items()}
    if args.json:
        print(json.dumps(results))
        return
    for name, value in results.items():
        target = TARGETS.get(name)
        note = f"  (target {target[0]} {target[1]:g})" if target else ""
        print(f"{name:24s} {value:12.3f}{note}")


if __name__ == "__main__":
    main()
