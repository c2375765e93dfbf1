"""The wheel's contents as pyproject.toml declares them: every package under mlpviz/ is
listed (a forgotten one would be missing from an installed mlpviz), and the package data
patterns take every resource the app reads — the icon, its PNG sizes, the lessons — and
leave README's screenshot out."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _setuptools() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"]


def test_every_package_is_listed():
    code = {".".join(p.parent.relative_to(REPO).parts)
            for p in (REPO / "mlpviz").rglob("__init__.py")}
    listed = set(_setuptools()["packages"])
    assert {p for p in listed if not p.startswith("mlpviz.resources")} == code
    assert {"mlpviz.resources", "mlpviz.resources.icons", "mlpviz.resources.lessons"} <= listed


def test_package_data_takes_every_resource_but_the_screenshot():
    config = _setuptools()
    assert config["package-dir"] == {"mlpviz.resources": "resources"}
    assert config["include-package-data"] is False
    taken = set()
    for package, patterns in config["package-data"].items():
        folder = REPO / "resources" / Path(*package.split(".")[2:])
        for path in folder.iterdir():
            if path.is_file() and any(fnmatch.fnmatch(path.name, p) for p in patterns):
                taken.add(path.relative_to(REPO / "resources").as_posix())
    every = {p.relative_to(REPO / "resources").as_posix()
             for p in (REPO / "resources").rglob("*") if p.is_file()}
    assert every - taken == {"screenshot.png"}
    assert "mlpviz.svg" in taken and any(t.startswith("lessons/") for t in taken)
    assert {f"icons/mlpviz-{s}.png" for s in (16, 32, 48, 64, 128, 256)} <= taken
