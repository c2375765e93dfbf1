"""The Linux desktop integration files validate and agree with each other.

The validators are Debian packages (desktop-file-utils, appstream, shared-mime-info);
tests that need one skip with the install command when it is missing.
"""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
DESKTOP = PACKAGING / "io.github.mlpviz.mlpviz.desktop"
METAINFO = PACKAGING / "io.github.mlpviz.mlpviz.metainfo.xml"
MIME = PACKAGING / "mlpviz-mime.xml"
ICON_SVG = REPO / "resources" / "mlpviz.svg"
ICON_SIZES = (16, 32, 48, 64, 128, 256)
MIME_NS = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
SESSION_TYPE = "application/x-mlpviz-session"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install -y {package})")
    return path


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def _install_tree(root: Path) -> Path:
    """Lay the files out as a distribution package would under ``root/usr/share``."""
    share = root / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    (share / "metainfo").mkdir(parents=True)
    (share / "mime" / "packages").mkdir(parents=True)
    shutil.copy(DESKTOP, share / "applications" / DESKTOP.name)
    shutil.copy(METAINFO, share / "metainfo" / METAINFO.name)
    shutil.copy(MIME, share / "mime" / "packages" / "mlpviz.xml")
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy(ICON_SVG, scalable / "mlpviz.svg")
    for size in ICON_SIZES:
        apps = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        apps.mkdir(parents=True)
        shutil.copy(REPO / "resources" / "icons" / f"mlpviz-{size}.png", apps / "mlpviz.png")
    return share


def _png_header(path: Path) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) from a PNG's IHDR chunk, CRC checked."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[16:29]
    (crc,) = struct.unpack(">I", data[29:33])
    assert zlib.crc32(kind + body) == crc, f"{path.name}: IHDR checksum mismatch"
    width, height, depth, colour = struct.unpack(">IIBB", body[:10])
    return width, height, depth, colour


def test_desktop_file_validates() -> None:
    validator = _tool("desktop-file-validate", "desktop-file-utils")
    result = subprocess.run([validator, str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "", f"validator hints: {result.stdout}"


def test_metainfo_validates_strictly() -> None:
    cli = _tool("appstreamcli", "appstream")
    result = subprocess.run(
        [cli, "validate", "--no-net", "--strict", "--pedantic", str(METAINFO)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_installed_tree_validates(tmp_path: Path) -> None:
    """validate-tree also checks that the launchable .desktop file and icons exist."""
    cli = _tool("appstreamcli", "appstream")
    _install_tree(tmp_path)
    result = subprocess.run(
        [cli, "validate-tree", "--no-net", "--pedantic", str(tmp_path)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation was successful" in result.stdout


def test_mime_type_claims_mlpviz_files() -> None:
    root = ET.parse(MIME).getroot()
    types = root.findall("m:mime-type", MIME_NS)
    assert [t.get("type") for t in types] == [SESSION_TYPE]
    globs = [g.get("pattern") for g in types[0].findall("m:glob", MIME_NS)]
    assert globs == ["*.mlpviz"]
    # Session files are zip archives (mlpviz.model.sessionfile).
    assert types[0].find("m:sub-class-of", MIME_NS).get("type") == "application/zip"


def test_desktop_entry_opens_session_files() -> None:
    entry = _desktop_entry()
    assert entry["MimeType"].rstrip(";").split(";") == [SESSION_TYPE]
    assert entry["Exec"] == "mlpviz %f"
    assert entry["Icon"] == "mlpviz"
    assert entry["Terminal"] == "false"


def test_desktop_file_is_named_after_the_appstream_id() -> None:
    app_id = ET.parse(METAINFO).getroot().findtext("id")
    assert DESKTOP.name == f"{app_id}.desktop"
    assert sorted(p.name for p in PACKAGING.glob("*.desktop")) == [DESKTOP.name]
    assert f"packaging/{DESKTOP.name}" in (PACKAGING / "README.md").read_text(encoding="utf-8")


def test_metainfo_matches_desktop_entry_and_mime_type() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == METAINFO.name.removesuffix(".metainfo.xml")
    assert root.findtext("launchable[@type='desktop-id']") == DESKTOP.name
    assert root.findtext("provides/binary") == "mlpviz"
    assert root.findtext("provides/mediatype") == SESSION_TYPE
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    from mlpviz import __version__

    assert root.find("releases/release").get("version") == __version__


def test_update_mime_database_maps_glob_to_type(tmp_path: Path) -> None:
    tool = _tool("update-mime-database", "shared-mime-info")
    mime_dir = _install_tree(tmp_path) / "mime"
    result = subprocess.run([tool, str(mime_dir)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    globs2 = (mime_dir / "globs2").read_text(encoding="utf-8").splitlines()
    assert f"50:{SESSION_TYPE}:*.mlpviz" in globs2


def test_icon_pngs_are_square_rgba_at_every_size() -> None:
    for size in ICON_SIZES:
        path = REPO / "resources" / "icons" / f"mlpviz-{size}.png"
        assert _png_header(path) == (size, size, 8, 6), path.name  # colour type 6: RGBA


def test_icon_svg_is_square_and_scalable() -> None:
    root = ET.parse(ICON_SVG).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 256 256"


def test_the_running_app_names_its_desktop_file() -> None:
    from mlpviz.ui.shell.app import DESKTOP_ID, make_app

    assert make_app().desktopFileName() == DESKTOP_ID == DESKTOP.name.removesuffix(".desktop")
