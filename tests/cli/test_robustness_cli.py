"""The `mlpviz` command against what an outside checker tries: no screen, damaged files,
a session that blows up. Each ends with one `mlpviz: error: …` line (or a clean stderr)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from mlpviz.model import sessionfile
from mlpviz.model.config import DataConfig, NetConfig, TrainConfig
from mlpviz.model.session import Session


def run(*args, env=None, cwd=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "mlpviz", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=timeout)


def assert_one_line_error(proc, code=1, needle=""):
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == code, proc.stderr
    assert len(lines) == 1 and lines[0].startswith("mlpviz: error: "), proc.stderr
    assert needle in lines[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland variables")
def test_the_app_without_any_screen_says_so_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["MLPVIZ_DATA_DIR"] = str(tmp_path)
    proc = run(env=env, cwd=tmp_path, timeout=60)
    assert_one_line_error(proc, needle="QT_QPA_PLATFORM=offscreen")


def _exploding_file(path) -> None:
    Session(DataConfig(dataset="plane"),
            NetConfig(hidden=(8,), activation="relu", output="linear"),
            TrainConfig(learning_rate=1e6)).save(path)


def test_a_blown_up_network_renders_with_a_clean_stderr(tmp_path):
    source = tmp_path / "explode.mlpviz"
    _exploding_file(source)
    out = tmp_path / "big.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = run("snapshot", str(source), "-o", str(out), "--size", "640x360",
               "--steps", "iteration;" * 10 + "forward", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert out.stat().st_size > 0


def test_diverging_steps_end_with_one_line_and_no_output(tmp_path):
    source = tmp_path / "explode.mlpviz"
    _exploding_file(source)
    out = tmp_path / "x.png"
    out.write_bytes(b"keep me")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = run("snapshot", str(source), "-o", str(out), "--steps", "train 5", env=env,
               cwd=tmp_path)
    assert_one_line_error(proc, needle="learning rate")
    assert out.read_bytes() == b"keep me"
    proc = run("explain", str(source), "--steps", "train 5", env=env, cwd=tmp_path)
    assert_one_line_error(proc, needle="learning rate")


def test_an_array_declaring_a_huge_shape_is_one_line(tmp_path):
    state, arrays = sessionfile.encode(Session.from_lesson("xor").snapshot())
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000,), }"
    header += " " * (118 - len(header)) + "\n"
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as npz:
        for key, value in arrays.items():
            buf = io.BytesIO()
            np.save(buf, value)
            data = buf.getvalue()
            if key == "params":
                data = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + \
                    header.encode("latin1")
            npz.writestr(f"{key}.npy", data)
    path = tmp_path / "huge.mlpviz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("session.json", json.dumps(state))
        archive.writestr("arrays.npz", inner.getvalue())
    assert_one_line_error(run("explain", str(path), cwd=tmp_path), needle="declares")


def test_without_a_screen_a_bad_source_is_still_named_first(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    assert_one_line_error(run("no-such-lesson", env=env, cwd=tmp_path),
                          needle="neither a .mlpviz file nor a lesson")


def test_a_folder_as_source_is_called_a_folder(tmp_path):
    folder = tmp_path / "lesson.mlpviz"
    folder.mkdir()
    for source in (folder, tmp_path):
        assert_one_line_error(run("explain", str(source), cwd=tmp_path),
                              needle="is a folder, not a session file")
