"""Where shipped resources (lessons, icons) live, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path


def resource_dir() -> Path:
    """The folder holding ``lessons/`` and ``icons/``.

    An installed package carries it as ``mlpviz/resources``; a source checkout keeps it
    at the top level of the repository.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "resources", here.parent / "resources"):
        if (candidate / "lessons").is_dir():
            return candidate
    return here.parent / "resources"


def lessons_dir() -> Path:
    return resource_dir() / "lessons"


def icons_dir() -> Path:
    return resource_dir() / "icons"
