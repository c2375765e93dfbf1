"""The licence files a distributor needs: mlpviz's MIT LICENSE, the third-party notices for
what the standalone app bundles, and the licence texts they refer to, all wired into the
PyInstaller spec."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"


def test_license_is_mit_for_the_mlpviz_developers() -> None:
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Copyright (c) 2026 mlpviz developers" in text
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]


def test_notices_name_every_bundled_component_and_its_licence() -> None:
    text = (PACKAGING / "THIRD_PARTY_NOTICES.md").read_text(encoding="utf-8")
    for needle in ("Qt 6", "PySide6", "LGPL-3.0-only", "FFmpeg", "x264", "x265",
                   "GPL-2.0-or-later", "NumPy", "BSD-3-Clause", "pyqtgraph", "MIT", "PyAV",
                   "Python Software Foundation"):
        assert needle in text, needle
    for name in ("LGPL-3.0.txt", "GPL-2.0.txt", "GPL-3.0.txt"):
        assert name in text
        licence = (PACKAGING / "licenses" / name).read_text(encoding="utf-8")
        assert "GNU" in licence.splitlines()[0]


def test_spec_ships_the_notices_and_readme_mentions_them() -> None:
    spec = (PACKAGING / "mlpviz.spec").read_text(encoding="utf-8")
    for needle in ('"LICENSE"', '"THIRD_PARTY_NOTICES.md"', 'packaging / "licenses"',
                   "_license_datas()"):
        assert needle in spec, needle
    readme = (PACKAGING / "README.md").read_text(encoding="utf-8")
    assert "THIRD_PARTY_NOTICES.md" in readme and "x264" in readme
