"""The Python API for notebooks and scripts (see docs/python-api.md).

Everything here is importable without Qt: the functions that draw (:func:`snapshot`,
:func:`record`, :func:`show`) import the app's Qt code when called. :func:`snapshot`,
:func:`record` and :func:`explain` leave the session as it was, even when their
``steps`` train it or step through an iteration: rerunning a notebook cell gives the same
result.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mlpviz.model import display
from mlpviz.model.session import Session

_open_windows: list[Any] = []  # windows show() opened, kept referenced while open


def _diagram_png(session: Session, walkthrough: Any, size: tuple[int, int]) -> bytes:
    """A notebook's picture of a session: Qt is loaded here, when it is first asked for."""
    from mlpviz.ui.video.snapshot import render_png

    return render_png(session, size=size, view="network", walkthrough=walkthrough)


display.set_diagram_renderer(_diagram_png)


def open_lesson(name: str) -> Session:
    """The session of built-in lesson ``name`` (``mlpviz lessons`` lists them)."""
    return Session.from_lesson(name)


def _session(source: Session | str | os.PathLike[str]) -> Session:
    """``source`` itself, or the session a lesson name or a ``.mlpviz`` file holds."""
    if isinstance(source, Session):
        return source
    path = Path(source)
    if path.suffix == ".mlpviz" or path.is_file():
        return Session.load(path)
    return Session.from_lesson(str(source))


@contextmanager
def _unchanged(session: Session) -> Iterator[None]:
    snap = session.snapshot()
    try:
        yield
    finally:
        session.restore(snap)


def snapshot(session: Session | str, output: str | os.PathLike[str], *,
             steps: str | None = None, size: tuple[int, int] = (1280, 720),
             view: str = "network+plots", theme: str = "light") -> Path:
    """Render ``session`` (or a lesson name / ``.mlpviz`` file) to a PNG at ``output``
    after the script ``steps``, like ``mlpviz snapshot``; returns the path. ``view``:
    "network+plots" (the default, as a video), "network", "plots" or "window";
    ``theme``: "light", "dark" or "colorblind"."""
    from mlpviz.ui.shell.app import offscreen_without_screen
    from mlpviz.ui.video.snapshot import snapshot as render

    offscreen_without_screen()
    return render(_session(session), Path(output), size=size, steps=steps, view=view,
                  theme=theme)


def record(session: Session | str, output: str | os.PathLike[str],
           steps: str | None = None, *, size: tuple[int, int] = (1280, 720), fps: int = 30,
           view: str = "network+plots", theme: str = "light", captions: bool = True) -> Path:
    """Render a video of the script ``steps`` (default: the lesson's own script, else one
    iteration) to ``output`` (.mp4, .webm or .gif), like ``mlpviz record``; returns the
    path. ``view``: "network+plots" (the teaching layout), "network", "plots" or
    "window"."""
    from mlpviz.ui.shell.app import offscreen_without_screen
    from mlpviz.ui.video.recording import record as render

    offscreen_without_screen()
    return render(_session(session), output, steps, size=size, fps=fps, view=view,
                  theme=theme, captions=captions)


def explain(session: Session | str, steps: str | None = None,
            select: str | Sequence[str] | None = None, fmt: str = "text") -> str:
    """The worked numbers of one iteration (a handout), like ``mlpviz explain``.
    ``select``: ``"neuron L:I"`` or ``"edge L:I:J"`` (or that as a pair) for one neuron's
    or weight's formulas; ``fmt``: "text", "markdown" or "latex"."""
    from mlpviz.model.notation.explain import explain as worked

    session = _session(session)
    if isinstance(select, str):
        select = select.split()
    with _unchanged(session):
        return worked(session, steps=steps, select=select, fmt=fmt)


def _ipython() -> Any:
    """The running IPython shell (a notebook kernel or the terminal), or None."""
    module = sys.modules.get("IPython")
    get = getattr(module, "get_ipython", None)
    return get() if get is not None else None


def show(session: Session | str | None = None, block: bool | None = None) -> Any:
    """Open the app's window on ``session`` (default: the xor lesson); returns the window.

    Under IPython (a Jupyter kernel or the terminal) the window runs in IPython's Qt event
    loop integration (what ``%gui qt`` turns on), so the kernel stays usable and the
    session can be changed while the window shows it (the window redraws on its next
    change). Elsewhere — or with ``block=True`` — it runs Qt's event loop until the
    window is closed.
    """
    from mlpviz.ui.shell.app import make_app, open_window

    shell = _ipython() if block is not True else None
    if shell is not None:
        os.environ.setdefault("QT_API", "pyside6")
        try:
            shell.enable_gui("qt")
        except Exception as exc:  # noqa: BLE001 - a shell without Qt support: block instead
            print(f"mlpviz: IPython cannot run Qt's event loop here ({exc}); the window "
                  "blocks until it is closed", file=sys.stderr)
            shell = None
    window = open_window(None if session is None else _session(session),
                         lesson="xor" if session is None else None)
    if shell is not None and block is not True:
        _open_windows.append(window)
        window.destroyed.connect(lambda *_: _forget(window))
        return window
    make_app().exec()
    return window


def _forget(window: Any) -> None:
    if window in _open_windows:
        _open_windows.remove(window)
