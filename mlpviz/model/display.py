"""How a Session and a Walkthrough show themselves in a Jupyter notebook.

``_repr_html_`` is a small table of the key numbers (network, data, epoch, loss,
accuracy; for a walkthrough also the sample, the stage and its loss), built here from the
model alone. ``_repr_png_`` is the network diagram, drawn offscreen by the app's own
renderer. The model never imports the app: the public API (:mod:`mlpviz.api`) registers the
renderer with :func:`set_diagram_renderer`, and it loads Qt only when a notebook asks for a
picture. Without a renderer (the model used on its own) there is no picture, and Jupyter
shows the HTML table.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from mlpviz.model.notation.mathtext import fmt_text

DIAGRAM_SIZE = (800, 450)


def network_text(net: Any) -> str:
    """``2-2-1 (sigmoid, sigmoid), loss Mean squared error``."""
    acts = ", ".join(a.name for a in net.activations)
    return f"{'-'.join(map(str, net.sizes))} ({acts}), loss {net.loss.title}"


def _accuracy(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def _number(value: float | None) -> str:
    return "—" if value is None else fmt_text(value)


def _table(title: str, rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th style=\"text-align:left\">{html.escape(k)}</th>"
                   f"<td style=\"text-align:left\">{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<table><caption>{html.escape(title)}</caption>{body}</table>"


def session_rows(session: Any) -> list[tuple[str, str]]:
    """(label, value) rows of a session's key numbers."""
    m = session.metrics()
    data = session.data_config.dataset
    names = ", ".join(session.class_names)
    rows = [
        ("network", network_text(session.net)),
        ("data", f"{data} ({session.kind}; {len(session.X_train)} training, "
                 f"{len(session.X_test)} test points)" + (f"; classes {names}" if names else "")),
        ("epoch", str(session.epoch)),
        ("training loss", _number(m["train_loss"])),
        ("test loss", _number(m["test_loss"])),
    ]
    if session.kind != "regression":
        rows += [("training accuracy", _accuracy(m["train_acc"])),
                 ("test accuracy", _accuracy(m["test_acc"]))]
    return rows


def session_html(session: Any) -> str:
    lesson = getattr(session, "lesson", None)
    title = f"mlpviz session: {lesson.title}" if lesson is not None else "mlpviz session"
    return _table(title, session_rows(session))


def walkthrough_html(wt: Any) -> str:
    sample = "the mini-batch" if wt.sample_index is None else f"training sample {wt.sample_index}"
    if wt.done:
        stage = "done: forward, loss, backward and update"
    elif wt.stage is None:
        stage = f"none of {len(wt.stages)} taken yet"
    else:
        stage = f"{wt.stage.label} ({wt.index + 1} of {len(wt.stages)})"
    rows = [("network", network_text(wt.net)), ("traced", sample), ("stage", stage),
            ("loss of this iteration", _number(wt.loss) if wt.loss_known else "not yet")]
    return _table("mlpviz walkthrough", rows)


#: draws (session, walkthrough or None, (width, height)) as PNG bytes; set by mlpviz.api
DiagramRenderer = Callable[[Any, Any, tuple[int, int]], bytes]
_renderer: DiagramRenderer | None = None


def set_diagram_renderer(renderer: DiagramRenderer | None) -> None:
    """Register what draws the notebook pictures (None: no pictures)."""
    global _renderer
    _renderer = renderer


def diagram_png(session: Any, walkthrough: Any = None) -> bytes | None:
    """The network diagram of ``session`` (at ``walkthrough``'s stage) as PNG bytes, or
    None when no renderer is registered."""
    if _renderer is None:
        return None
    return _renderer(session, walkthrough, DIAGRAM_SIZE)
