"""`mlpviz record` and `mlpviz snapshot` interrupted by SIGINT or SIGTERM in the middle of a
long `train`: they stop promptly, exit 128 + the signal number with one line, and leave
nothing in the output folder or the temporary folder they used."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

LATENCY_S = 5.0  # a loose guard for a busy CI machine; the report gives measured numbers


def start(command: str, out, tmp, *args):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp))
    return subprocess.Popen([sys.executable, "-m", "mlpviz", command, "spiral", *args,
                             "--steps", "train 100000", "--size", "320x180"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def interrupt_mid_train(proc, ready, sig):
    """Wait until ``ready()`` (the job is in its long train), then send ``sig``; returns
    (exit status, stderr, seconds from the signal to the exit)."""
    deadline = time.monotonic() + 120
    while not ready():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    time.sleep(4.0)  # past the scene's set-up, well inside `train 100000` (minutes of it)
    assert proc.poll() is None
    sent = time.monotonic()
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    return proc.returncode, stderr, time.monotonic() - sent


@pytest.fixture
def folders(tmp_path):
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    out.mkdir()
    tmp.mkdir()
    return out, tmp


@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_record_stops_mid_train_and_leaves_nothing(folders, sig, status):
    out, tmp = folders
    proc = start("record", out, tmp, "-o", str(out / "long.mp4"), "--fps", "10")
    code, stderr, latency = interrupt_mid_train(
        proc, lambda: any(p.name.endswith(".part") for p in out.iterdir()), sig)
    assert code == status, stderr
    assert stderr == f"mlpviz: error: interrupted by {sig.name}; {out / 'long.mp4'} was " \
                     "not written\n"
    assert list(out.iterdir()) == [] and list(tmp.iterdir()) == []
    assert latency < LATENCY_S


@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_snapshot_stops_mid_train_and_leaves_nothing(folders, sig, status):
    out, tmp = folders
    started = time.monotonic()
    proc = start("snapshot", out, tmp, "-o", str(out / "still.png"))
    # a snapshot runs the script before it builds anything: after the start-up, it trains
    code, stderr, latency = interrupt_mid_train(
        proc, lambda: time.monotonic() > started + 3.0, sig)
    assert code == status, stderr
    assert stderr.count("\n") == 1 and f"interrupted by {sig.name}" in stderr
    assert list(out.iterdir()) == [] and list(tmp.iterdir()) == []
    assert latency < LATENCY_S
