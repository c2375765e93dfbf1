"""The `mlpviz` command as a user runs it: exit codes, one-line errors, outputs."""

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

import mlpviz


def run(*args, cwd=None, timeout=120):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "mlpviz", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


def assert_one_line_error(proc, code=1):
    assert proc.returncode == code, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines[-1].startswith("mlpviz: error: ")
    assert "Traceback" not in proc.stderr
    assert len(lines) == 1, proc.stderr


def test_version():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"mlpviz {mlpviz.__version__}"


def test_lessons_lists_every_lesson_with_a_title():
    proc = run("lessons")
    assert proc.returncode == 0
    lines = proc.stdout.strip().splitlines()
    names = [ln.split(" — ")[0] for ln in lines]
    for name in (
        "xor",
        "linear-vs-xor",
        "perceptron",
        "space-transform",
        "activations",
        "backprop-derivation",
        "softmax",
        "spiral",
    ):
        assert name in names
    assert names[0] == "xor"
    assert all(" — " in ln and ln.split(" — ")[1].strip() for ln in lines)


def test_snapshot_writes_png_of_requested_size(tmp_path):
    out = tmp_path / "shot.png"
    proc = run(
        "snapshot",
        "xor",
        "-o",
        str(out),
        "--size",
        "640x400",
        "--steps",
        "forward;forward",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    img = QImage(str(out))
    assert (img.width(), img.height()) == (640, 400)
    colours = {img.pixelColor(x, y).name() for x in range(0, 640, 37) for y in range(0, 400, 23)}
    assert len(colours) > 5  # not blank


@pytest.mark.parametrize("view", ["network", "plots"])
def test_snapshot_of_a_single_view(tmp_path, view):
    out = tmp_path / f"{view}.png"
    proc = run(
        "snapshot", "xor", "-o", str(out), "--size", "500x300", "--view", view, "--theme", "dark"
    )
    assert proc.returncode == 0, proc.stderr
    img = QImage(str(out))
    assert (img.width(), img.height()) == (500, 300)


def test_snapshot_of_unknown_source_fails_cleanly(tmp_path):
    out = tmp_path / "x.png"
    proc = run("snapshot", "no-such-lesson", "-o", str(out))
    assert_one_line_error(proc)
    assert "no-such-lesson" in proc.stderr
    assert not out.exists()


def test_snapshot_of_damaged_session_file_fails_cleanly(tmp_path):
    bad = tmp_path / "bad.mlpviz"
    bad.write_bytes(b"PK\x03\x04 truncated")
    out = tmp_path / "x.png"
    proc = run("snapshot", str(bad), "-o", str(out))
    assert_one_line_error(proc)
    assert not out.exists()


def test_snapshot_to_unwritable_path_fails_cleanly(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    proc = run("snapshot", "xor", "-o", str(blocker / "out.png"))
    assert_one_line_error(proc)


def test_snapshot_bad_script_names_the_line(tmp_path):
    out = tmp_path / "x.png"
    proc = run("snapshot", "xor", "-o", str(out), "--steps", "forward;jump")
    assert_one_line_error(proc)
    assert "jump" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("size", ["huge", "0x0", "99999x1"])
def test_bad_size_is_an_input_error(tmp_path, size):
    proc = run("snapshot", "xor", "-o", str(tmp_path / "x.png"), "--size", size)
    assert_one_line_error(proc, code=1)
    assert not (tmp_path / "x.png").exists()


def test_unknown_option_is_a_usage_error(tmp_path):
    proc = run("snapshot", "xor", "-o", str(tmp_path / "x.png"), "--colour", "red")
    assert_one_line_error(proc, code=2)


def test_gui_with_unknown_source_fails_cleanly():
    proc = run("definitely-not-a-lesson")
    assert_one_line_error(proc)


def test_explain_prints_the_engine_numbers():
    from mlpviz.model.session import Session

    ses = Session.from_lesson("backprop-derivation")
    x, y = ses.sample(0)
    net = ses.net
    trace = net.forward(x)
    grads = net.backward(trace, y)
    proc = run("explain", "backprop-derivation")
    assert proc.returncode == 0, proc.stderr
    assert f"{grads.loss:.4g}" in proc.stdout
    new_w = net.weights[1][0, 0] - ses.train_config.learning_rate * grads.layers[1].dW[0, 0]
    assert f"{new_w:.4g}" in proc.stdout


@pytest.mark.parametrize("fmt,opener,closer", [("markdown", "$", "$"), ("latex", "{", "}")])
def test_explain_formats_are_balanced(fmt, opener, closer):
    proc = run("explain", "xor", "--format", fmt, "--select", "edge", "1:1:2")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    if fmt == "markdown":
        assert text.count("$") % 2 == 0
    else:
        assert text.count("{") == text.count("}")
        assert text.count("\\begin{") == text.count("\\end{")
        assert "\\documentclass" in text


def test_explain_bad_selection_fails_cleanly():
    proc = run("explain", "xor", "--select", "neuron", "9:9")
    assert_one_line_error(proc)


def test_snapshot_leaves_the_users_kept_session_alone(tmp_path):
    data = tmp_path / "userdata"
    data.mkdir()
    kept = data / "autosave.mlpviz"
    kept.write_bytes(b"the user's own session")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MLPVIZ_DATA_DIR=str(data))
    proc = subprocess.run(
        [sys.executable, "-m", "mlpviz", "snapshot", "xor", "-o", str(tmp_path / "s.png")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert kept.read_bytes() == b"the user's own session"
