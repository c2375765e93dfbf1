"""Smoke test of the standalone app: build it with packaging/build.sh, then run it.

Runs ``mlpviz --version``, ``lessons``, ``snapshot`` and a short ``record`` (which needs
the FFmpeg libraries from PyAV's wheel inside the bundle).

The frozen app runs from a temporary folder outside the repository, with no
PYTHONPATH, so it can only use what the bundle carries. Building takes about 1-2 minutes
on two cores, once for the whole module.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from mlpviz import __version__

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "packaging" / "build.sh"
MAX_BUNDLE_MB = 300  # 251 MB measured on Linux (PySide6-Essentials 6.11, PyAV 18, NumPy 2.4)


@pytest.fixture(scope="module")
def frozen_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built executable ``<tmp>/dist/mlpviz/mlpviz``."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (pip install '.[package]')")
    if shutil.which("bash") is None or sys.platform == "win32":
        pytest.skip("packaging/build.sh needs bash on Linux or macOS")
    from PyInstaller.depend.bindepend import get_python_library_path

    if get_python_library_path() is None:
        version = f"{sys.version_info[0]}.{sys.version_info[1]}"
        pytest.skip(f"PyInstaller needs this Python's shared library libpython{version} "
                    f"(Debian: apt-get install libpython{version})")
    out = tmp_path_factory.mktemp("frozen")
    result = subprocess.run(
        ["bash", str(BUILD), "--distpath", str(out / "dist"), "--workpath", str(out / "work")],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True, text=True, timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "bundle size:" in result.stdout
    exe = out / "dist" / "mlpviz" / "mlpviz"
    assert exe.is_file()
    return exe


def _run(exe: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the frozen app in ``cwd`` as a user would: offscreen Qt, no Python paths."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "MLPVIZ_"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["HOME"] = env["XDG_CONFIG_HOME"] = str(cwd)
    return subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_version(frozen_app: Path, tmp_path: Path) -> None:
    result = _run(frozen_app, tmp_path, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"mlpviz {__version__}\n"


def test_lessons_come_from_the_bundle(frozen_app: Path, tmp_path: Path) -> None:
    from mlpviz.model.lessons import list_lessons

    result = _run(frozen_app, tmp_path, "lessons")
    assert result.returncode == 0, result.stderr
    expected = [f"{lesson.name} — {lesson.title}" for lesson in list_lessons()]
    assert "xor" in [lesson.name for lesson in list_lessons()]
    assert result.stdout.splitlines() == expected


def test_snapshot_renders_offscreen(frozen_app: Path, tmp_path: Path) -> None:
    result = _run(frozen_app, tmp_path, "snapshot", "xor", "-o", "x.png")
    assert result.returncode == 0, result.stderr
    assert _png_size(tmp_path / "x.png") == (1280, 720)


def test_record_encodes_with_the_bundled_ffmpeg(frozen_app: Path, tmp_path: Path) -> None:
    import av

    result = _run(frozen_app, tmp_path, "record", "xor", "-o", "x.mp4", "--size", "320x180",
                  "--fps", "25", "--steps", "forward")
    assert result.returncode == 0, result.stderr
    with av.open(str(tmp_path / "x.mp4")) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.codec_context.width, stream.codec_context.height) == (320, 180)
        assert sum(1 for _ in container.decode(stream)) > 1


def test_bad_input_is_one_error_line(frozen_app: Path, tmp_path: Path) -> None:
    result = _run(frozen_app, tmp_path, "snapshot", "no-such-lesson", "-o", "x.png")
    assert result.returncode == 1
    assert result.stderr.startswith("mlpviz: error: ")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "x.png").exists()


def test_bundle_is_lean_and_carries_ffmpeg(frozen_app: Path) -> None:
    root = frozen_app.parent
    files = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    names = {p.name for p in files}
    assert any(name.startswith("libavcodec") for name in names), "PyAV's FFmpeg is missing"
    assert any(name.startswith("libQt6Widgets") for name in names)
    unused = [name for name in names
              if name.startswith(("libQt6Qml", "libQt6Quick", "libQt6Network", "libQt6Pdf",
                                  "libQt6WebEngine", "libQt6Multimedia", "libQt63D"))]
    assert unused == []
    assert (root / "_internal" / "mlpviz" / "resources" / "mlpviz.svg").is_file()
    size_mb = sum(p.stat().st_size for p in files) / 2**20
    assert size_mb < MAX_BUNDLE_MB, f"bundle grew to {size_mb:.0f} MB"


def test_licences_and_notices_are_in_the_bundle(frozen_app: Path) -> None:
    app = frozen_app.parent
    for name in ("LICENSE", "THIRD_PARTY_NOTICES.md"):
        assert (app / name).read_bytes() == (REPO / _source(name)).read_bytes()
    (licenses,) = [p for p in app.rglob("licenses") if p.is_dir() and
                   (p / "THIRD_PARTY_NOTICES.md").is_file()]
    for name in ("LICENSE", "LGPL-3.0.txt", "GPL-2.0.txt", "GPL-3.0.txt",
                 "av/LICENSE.txt", "numpy/LICENSE.txt", "pyqtgraph/LICENSE.txt"):
        assert (licenses / name).is_file(), name


def _source(name: str) -> str:
    return name if name == "LICENSE" else f"packaging/{name}"
