"""The pinned lowest versions CI installs (.ci/lowest-versions.txt) are exactly the lower
bounds pyproject.toml declares, so the lowest-versions smoke step tests what we promise."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _lower_bounds() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bounds: dict[str, str] = {}
    for requirement in project["dependencies"]:
        spec = requirement.split(";")[0]
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9.]+)\s*(,.*)?", spec)
        assert match, f"dependency without a lower bound: {requirement!r}"
        name = match.group(1).lower()
        assert bounds.setdefault(name, match.group(2)) == match.group(2), name
    return bounds


def _pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / ".ci" / "lowest-versions.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def _release(version: str) -> tuple[int, ...]:
    parts = tuple(int(p) for p in version.split("."))
    return parts + (0,) * (3 - len(parts))


def test_ci_pins_every_dependency_at_its_lower_bound() -> None:
    bounds, pins = _lower_bounds(), _pins()
    assert set(pins) == set(bounds)
    for name, bound in bounds.items():
        assert _release(pins[name]) == _release(bound), name


def test_pyav_lower_bound_is_17() -> None:
    # The video writer fails to import with PyAV 12.3 and 16.1 and works from 17.0.
    assert _release(_lower_bounds()["av"]) >= (17, 0, 0)
