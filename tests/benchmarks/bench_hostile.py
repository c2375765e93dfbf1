"""Cost of refusing hostile inputs, and how fast an interrupted recording ends.

- ``refuse``: for each of the worst small hostile session files (a few KB each: a huge class
  count, a huge history length, a nested-compression bomb, a lying .npy header, a 900 KB
  JSON value, a 50,000-digit number), a fresh process loads it and reports the wall time
  of ``Session.load`` until the SessionFileError and the growth of its peak resident
  memory (``ru_maxrss``) over the process's baseline after the imports. Target: ≤ 1 s and
  ≤ a few tens of MB each.
- ``interrupt``: ``mlpviz record spiral --steps "train 100000"`` gets SIGINT (then SIGTERM)
  4 s after its video file is opened, i.e. past the scene's set-up and inside the long
  train; reported are the seconds
  from the signal to the one-line message and to the process's exit. Target ≤ 1 s.

Run from the repository root: ``python -m tests.benchmarks.bench_hostile [--json]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, resource, sys, time
from mlpviz.model.session import Session
from mlpviz.model.sessionfile import SessionFileError
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    Session.load(sys.argv[1]); outcome = "loaded"
except SessionFileError as exc:
    outcome = str(exc)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_growth_mb": (peak - base) / 1024,
                  "peak_mb": peak / 1024, "message": outcome[:100]}))
"""


def _members(path: Path) -> tuple[dict, dict]:
    with zipfile.ZipFile(path) as z:
        state = json.loads(z.read("session.json"))
        with np.load(io.BytesIO(z.read("arrays.npz"))) as npz:
            return state, {k: npz[k] for k in npz.files}


def _write(path: Path, text: str, arrays: dict | bytes) -> Path:
    if isinstance(arrays, dict):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as npz:
            for key, value in arrays.items():
                member = io.BytesIO()
                if isinstance(value, bytes):
                    member.write(value)
                else:
                    np.save(member, value)
                npz.writestr(f"{key}.npy", member.getvalue())
        arrays = buffer.getvalue()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("session.json", text)
        archive.writestr("arrays.npz", arrays)
    return path


def hostile_files(folder: Path) -> dict[str, Path]:
    from mlpviz.model.session import Session

    good = folder / "good.mlpviz"
    Session().save(good)
    files = {}

    def variant(name: str, edit) -> None:
        state, arrays = _members(good)
        text = edit(state, arrays)
        files[name] = _write(folder / f"{name}.mlpviz",
                             text if isinstance(text, str) else json.dumps(state),
                             text if isinstance(text, bytes) else arrays)

    def classes(state, arrays):
        state["dataset"].update(n_classes=10**9, kind="multiclass")

    def history(state, arrays):
        arrays["history_meta"][0] = 10_000_000

    def bomb(state, arrays):
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as npz:
            npz.writestr("X_train.npy", bytes(400 * 2**20))
        return inner.getvalue()

    def header(state, arrays):
        text = "{'descr': '<f8', 'fortran_order': False, 'shape': (60000, 4000), }"
        body = (text + " " * (118 - len(text)) + "\n").encode()
        arrays["params"] = b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body

    def big_value(state, arrays):
        state["format"] = "A" * 900_000

    def digits(state, arrays):
        return json.dumps(state).replace('"epoch": 0', '"epoch": 1' + "7" * 50_000)

    for name, edit in (("huge class count", classes), ("huge history length", history),
                       ("nested compression bomb", bomb), ("lying npy header", header),
                       ("900 KB JSON value", big_value), ("50,000-digit number", digits)):
        variant(name, edit)
    return files


def refuse(folder: Path) -> dict[str, dict]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1")
    out = {}
    for name, path in hostile_files(folder).items():
        proc = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True,
                              text=True, env=env, timeout=300)
        result = json.loads(proc.stdout)
        result["file_kb"] = round(path.stat().st_size / 1024, 1)
        out[name] = result
    return out


def interrupt(folder: Path, sig: signal.Signals) -> dict[str, float]:
    out_dir, tmp = folder / f"out-{sig.name}", folder / f"tmp-{sig.name}"
    out_dir.mkdir()
    tmp.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp))
    proc = subprocess.Popen([sys.executable, "-m", "mlpviz", "record", "spiral", "-o",
                             str(out_dir / "take.mp4"), "--steps", "train 100000", "--size",
                             "320x180", "--fps", "10"], stderr=subprocess.PIPE, env=env)
    while not any(p.name.endswith(".part") for p in out_dir.iterdir()):
        time.sleep(0.01)
    time.sleep(4.0)
    sent = time.monotonic()
    proc.send_signal(sig)
    proc.stderr.readline()
    message = time.monotonic() - sent
    status = proc.wait()
    return {"status": status, "signal_to_message_s": round(message, 3),
            "signal_to_exit_s": round(time.monotonic() - sent, 3),
            "left_behind": len(list(out_dir.iterdir())) + len(list(tmp.iterdir()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results = {"refuse": refuse(Path(folder)),
                   "interrupt": {s.name: interrupt(Path(folder), s)
                                 for s in (signal.SIGINT, signal.SIGTERM)}}
    if args.json:
        print(json.dumps(results))
        return
    for name, r in results["refuse"].items():
        print(f"{name:24} {r['file_kb']:5.1f} KB {r['seconds'] * 1000:6.1f} ms "
              f"+{r['peak_growth_mb']:4.1f} MB (peak {r['peak_mb']:.0f} MB)  {r['message'][:50]}")
    for name, r in results["interrupt"].items():
        print(f"{name:8} exit {r['status']}  message {r['signal_to_message_s']} s  "
              f"exit {r['signal_to_exit_s']} s  left {r['left_behind']}")


if __name__ == "__main__":
    main()
