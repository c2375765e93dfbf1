"""Importing the non-UI packages never loads Qt (DESIGN.md §2).

Each check runs in a fresh interpreter, imports the package and every module in it, and
lists the Qt modules (PySide6, pyqtgraph, shiboken6) that ended up in ``sys.modules``.
Packages that do not exist (yet) are skipped.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["mlpviz", "mlpviz.engine", "mlpviz.model", "mlpviz.record", "mlpviz.cli",
            "mlpviz.api"]

PROBE = """
import importlib, importlib.util, json, pkgutil, sys
name = sys.argv[1]
if importlib.util.find_spec(name) is None:
    print("null")
    raise SystemExit
module = importlib.import_module(name)
if name != "mlpviz" and hasattr(module, "__path__"):
    for info in pkgutil.walk_packages(module.__path__, name + "."):
        importlib.import_module(info.name)
qt = ("PySide6", "pyqtgraph", "shiboken6")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in qt)))
"""


def qt_modules_loaded_by(name: str) -> list[str] | None:
    """The Qt modules a fresh interpreter holds after importing ``name`` and all its
    modules, or None if there is no such module."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, name],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("package", PACKAGES)
def test_importing_loads_no_qt(package):
    loaded = qt_modules_loaded_by(package)
    if loaded is None:
        pytest.skip(f"{package} does not exist yet")
    assert loaded == [], f"importing {package} loaded Qt: {loaded}"


def test_the_probe_notices_qt():
    loaded = qt_modules_loaded_by("PySide6.QtCore")
    assert loaded is not None and "PySide6.QtCore" in loaded
    assert qt_modules_loaded_by("mlpviz.no_such_module") is None
