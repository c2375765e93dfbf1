"""Captions that quote live numbers: a small template syntax for lessons and scripts.

A caption may quote the model's numbers by name, in braces; they are filled in each time
the caption is shown, from the session and the walkthrough on screen, so a caption can
never go stale::

    caption Forward, layer 1: h⁽¹⁾ = σ(z⁽¹⁾) = {h1}, and the output is ŷ = {yhat}.

Syntax: ``{NAME}``, ``{NAME[i]}`` or ``{NAME[i,j]}`` with 1-based indices, as on screen
(neuron i, weight wᵢⱼ); ``{{`` and ``}}`` are literal braces. A name without an index
prints the whole vector, "(0.5987, 0.6225)", or matrix, "((0.4, −0.2), (0.3, 0.6))".
``l`` is a layer number as on screen (1 = the first weight layer).

Values of the traced sample (sample 0 of a mini-batch, as in the inspector), known once
the walkthrough has revealed them — a caption shown earlier prints ``…`` instead:

    x, y          the input and the target of the traced sample (always known)
    z<l>, h<l>    pre-activation and hidden activation of layer l (h: hidden layers only)
    yhat          the output ŷ
    fprime<l>     the activation's slope f′(z) of layer l
    L, dL_dyhat   the walkthrough's loss and ∂L/∂ŷ (known from the loss stage on)
    delta<l>      δ = ∂L/∂z of layer l;   dh<l>: ∂L/∂h of a hidden layer
    dW<l>, db<l>  the gradients of W⁽ˡ⁾ and b⁽ˡ⁾
    L_new         the loss of the same sample(s) with the updated weights (after update)

Values of the session (always known):

    W<l>, b<l>    the network's current weights and biases (what the diagram shows)
    eta           the learning rate;  alpha<l>: the α of layer l's activation
    epoch         epochs trained;  batch: the mini-batch size
    loss          the training loss as the loss plot shows it (with any L1/L2 penalty)
    acc, test_acc training and test accuracy (classification)
    line_acc      the training accuracy of the best single straight line through the
                  input plane (two-class data on the plane)

Numbers follow the app's one number format (:mod:`mlpviz.model.notation.mathtext`): values with
4 significant digits, accuracies as whole percentages, counts as whole numbers — the
caption prints a value exactly as the diagram and the inspector do.
:func:`check_template` validates names and indices against a network's layer sizes
(lessons and scripts call it when they are loaded); :func:`render_caption` fills one in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlpviz.model.notation.mathtext import fmt_percent, fmt_text

UNKNOWN = "…"
_REF = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_BODY = re.compile(r"([A-Za-z_]+?)([0-9]*)(?:\[\s*([0-9]+)\s*(?:,\s*([0-9]+)\s*)?\])?")

#: name -> (per layer, kind): kind "vector" (per neuron), "matrix", "scalar", "percent",
#: "count"
_NAMES: dict[str, tuple[bool, str]] = {
    "x": (False, "vector"), "y": (False, "vector"), "yhat": (False, "vector"),
    "L": (False, "scalar"), "dL_dyhat": (False, "vector"), "L_new": (False, "scalar"),
    "z": (True, "vector"), "h": (True, "vector"), "fprime": (True, "vector"),
    "delta": (True, "vector"), "dh": (True, "vector"), "dW": (True, "matrix"),
    "db": (True, "vector"), "W": (True, "matrix"), "b": (True, "vector"),
    "alpha": (True, "scalar"), "eta": (False, "scalar"), "epoch": (False, "count"),
    "batch": (False, "count"), "loss": (False, "scalar"), "acc": (False, "percent"),
    "test_acc": (False, "percent"), "line_acc": (False, "percent"),
}


class CaptionError(ValueError):
    """A caption template with an unknown name, a bad index or unbalanced braces."""


@dataclass(frozen=True)
class Ref:
    """One parsed reference: ``name``, ``layer`` (1-based, or None), ``index`` (1-based
    neuron / row and column, or ()), and its source text."""

    name: str
    layer: int | None
    index: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class Filled:
    """A reference as printed: its ``ref``, the ``value`` (float or array, None when not
    known yet) and the ``text`` put into the caption."""

    ref: Ref
    value: Any
    text: str


def _parse_ref(body: str) -> Ref:
    m = _BODY.fullmatch(body.strip())
    if m is None:
        raise CaptionError(f"{{{body}}} is not a reference; write {{name}}, {{name[i]}} or "
                           "{name[i,j]}, and {{ }} for literal braces")
    name, layer, i, j = m.groups()
    if name not in _NAMES:
        raise CaptionError(f"unknown name {{{body}}}; known: "
                           f"{', '.join(n + ('<l>' if _NAMES[n][0] else '') for n in _NAMES)}")
    per_layer, _ = _NAMES[name]
    if per_layer and not layer:
        raise CaptionError(f"{{{body}}} needs a layer number, e.g. {{{name}1}}")
    if layer and not per_layer:
        raise CaptionError(f"{{{body}}}: {name} takes no layer number")
    index = tuple(int(k) for k in (i, j) if k is not None)
    return Ref(name, int(layer) if layer else None, index, f"{{{body}}}")


def parse_template(template: str) -> list[str | Ref]:
    """The template as literal text pieces and references; raises CaptionError."""
    pieces: list[str | Ref] = []
    pos = 0
    for m in _REF.finditer(template):
        pieces.append(template[pos : m.start()])
        token = m.group(0)
        if token in ("{{", "}}"):
            pieces.append(token[0])
        elif m.group(1) is None:
            raise CaptionError(f"a lone {token!r} at character {m.start() + 1}; write "
                               f"{token * 2} for a literal brace")
        else:
            pieces.append(_parse_ref(m.group(1)))
        pos = m.end()
    pieces.append(template[pos:])
    return [p for p in pieces if p != ""]


def _shape(ref: Ref, sizes: Sequence[int]) -> tuple[int, ...]:
    """The shape of the referenced quantity in a network of ``sizes``; CaptionError if
    its layer does not exist."""
    n_layers = len(sizes) - 1
    name, l = ref.name, ref.layer
    if l is not None:
        hidden_only = name in ("h", "dh")
        top = n_layers - 1 if hidden_only else n_layers
        if not 1 <= l <= top:
            what = "hidden layers" if hidden_only else "layers"
            span = f"1..{top}" if top >= 1 else "none"
            raise CaptionError(f"{ref.text}: the network's {what} are {span}"
                               + ("; the output is yhat" if name == "h" else ""))
        if name in ("W", "dW"):
            return (sizes[l], sizes[l - 1])
        if name == "alpha":
            return ()
        return (sizes[l],)
    if name == "x":
        return (sizes[0],)
    if name in ("y", "yhat", "dL_dyhat"):
        return (sizes[-1],)
    return ()


def _check_ref(ref: Ref, sizes: Sequence[int]) -> None:
    shape = _shape(ref, sizes)
    if not ref.index:
        return
    if len(ref.index) != len(shape):
        want = {0: "no index", 1: "one index [i]", 2: "two indices [i,j]"}[len(shape)]
        raise CaptionError(f"{ref.text}: {ref.name} takes {want}")
    for k, n in zip(ref.index, shape, strict=True):
        if not 1 <= k <= n:
            raise CaptionError(f"{ref.text}: indices run 1..{n}, not {k}")


def check_template(template: str, sizes: Sequence[int], activations: Sequence[Any] = ()
                   ) -> None:
    """Raise CaptionError unless every reference of ``template`` exists in a network of
    layer ``sizes`` (``activations``, if given, for alpha<l>)."""
    for piece in parse_template(template):
        if isinstance(piece, Ref):
            _check_ref(piece, sizes)
            if piece.name == "alpha" and activations:
                act = activations[piece.layer - 1]  # type: ignore[operator]
                if "alpha" not in act.params():
                    raise CaptionError(f"{piece.text}: layer {piece.layer}'s activation "
                                       f"({act.name}) has no α")


# ---- values --------------------------------------------------------------------------
def best_line_accuracy(X: np.ndarray, labels: np.ndarray, angles: int = 720) -> float:
    """The training accuracy of the best straight line for two classes of 2-D points
    X (n, 2), labels (n,) in {0, 1}: every direction in steps of 180°/``angles``, every
    threshold between projected points, either side."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(labels).astype(bool)
    n = len(y)
    if n == 0:
        return 0.0
    theta = np.linspace(0.0, np.pi, angles, endpoint=False)
    proj = np.cos(theta)[:, None] * X[None, :, 0] + np.sin(theta)[:, None] * X[None, :, 1]
    order = np.argsort(proj, axis=1, kind="stable")
    ys = y[order]  # (angles, n): labels sorted along each direction
    ones_left = np.concatenate([np.zeros((angles, 1)), np.cumsum(ys, axis=1)], axis=1)
    k = np.arange(n + 1)[None, :]
    total_ones = ys.sum(axis=1, keepdims=True)
    # class 0 on the left (the first k points), class 1 on the right
    right = (k - ones_left) + (total_ones - ones_left)
    best = np.maximum(right, n - right).max()
    return float(best / n)


class _Values:
    """The numbers a caption may quote, looked up lazily for one moment."""

    def __init__(self, session: Any, wt: Any, sample: int):
        self.session, self.wt, self.sample = session, wt, sample
        self.net = session.net
        self.L = self.net.n_layers

    def known(self, quantity: str, layer: int | None) -> bool:
        wt = self.wt
        if wt is None:
            return False
        if quantity == "loss":
            return bool(wt.loss_known)
        if quantity == "updated":
            return bool(wt.updated)
        return bool(wt.is_known(quantity, layer))

    def value(self, ref: Ref) -> Any:
        """The value (float or array), or None while the walkthrough has not revealed it."""
        name, l = ref.name, (ref.layer - 1 if ref.layer is not None else None)
        s, wt, last = self.session, self.wt, self.L - 1
        if name in ("x", "y"):
            if wt is not None:
                return (wt.x if name == "x" else wt.y)[0]
            x, y = s.sample(self.sample)
            return (x if name == "x" else y)[0]
        if name == "W":
            return self.net.weights[l]
        if name == "b":
            return self.net.biases[l]
        if name == "alpha":
            return self.net.activations[l].params().get("alpha", float("nan"))
        if name in ("eta", "epoch", "batch", "loss", "acc", "test_acc", "line_acc"):
            return self._session_value(name)
        trace = None if wt is None else wt.trace
        grads = None if wt is None else wt.grads
        if name in ("z", "h", "yhat", "fprime"):
            layer = last if name == "yhat" else l
            if not self.known("z" if name in ("z", "fprime") else "a", layer):
                return None
            tr = trace.layers[layer]  # type: ignore[union-attr]
            if name == "fprime":
                return self.net.activations[layer].df(tr.z[0:1], tr.a[0:1])[0]
            return (tr.z if name == "z" else tr.a)[0]
        if name in ("L", "dL_dyhat"):
            if not self.known("loss", None):
                return None
            return wt.loss if name == "L" else grads.layers[last].da[0]  # type: ignore[union-attr]
        if name == "L_new":
            if not self.known("updated", None):
                return None
            return float(self.net.evaluate(wt.x, wt.y))  # type: ignore[union-attr]
        quantity = {"delta": "dz", "dh": "da", "dW": "dW", "db": "db"}[name]
        if not self.known(quantity, l):
            return None
        g = grads.layers[l]  # type: ignore[union-attr]
        return {"delta": g.dz[0], "dh": g.da[0], "dW": g.dW, "db": g.db}[name]

    def _session_value(self, name: str) -> Any:
        s = self.session
        if name == "eta":
            return s.train_config.learning_rate
        if name == "epoch":
            return s.epoch
        if name == "batch":
            return s.train_config.batch_size
        if name == "line_acc":
            ts = s.train_set
            if ts is None or s.kind != "binary" or ts.X.shape[1] != 2:
                return None
            return best_line_accuracy(ts.X, ts.y)
        m = s.metrics()
        return {"loss": m["train_loss"], "acc": m["train_acc"],
                "test_acc": m["test_acc"]}[name]


def _format(value: Any, kind: str) -> str:
    if kind == "percent":
        return fmt_percent(value)
    if kind == "count":
        return str(int(value))
    return fmt_text(float(value))


def _fill(ref: Ref, values: _Values) -> Filled:
    _, kind = _NAMES[ref.name]
    value = values.value(ref)
    if value is None:
        return Filled(ref, None, UNKNOWN)
    if kind in ("vector", "matrix"):
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim == 2 and arr.shape[0] == 1 and not ref.index:
            arr = arr[0]  # a one-row matrix reads as the vector it is
        if ref.index:
            value = float(arr[tuple(k - 1 for k in ref.index)])
            return Filled(ref, value, fmt_text(value))
        if arr.ndim == 2:
            text = "(" + ", ".join("(" + ", ".join(fmt_text(v) for v in row) + ")"
                                   for row in arr) + ")"
        elif arr.size == 1:
            text = fmt_text(float(arr[0]))
        else:
            text = "(" + ", ".join(fmt_text(v) for v in arr) + ")"
        return Filled(ref, arr.copy(), text)
    return Filled(ref, value, _format(value, kind))


def fill_caption(template: str, session: Any, walkthrough: Any = None, sample: int = 0
                 ) -> list[str | Filled]:
    """The template's pieces with every reference filled (see :func:`render_caption`)."""
    values = _Values(session, walkthrough, sample)
    return [p if isinstance(p, str) else _fill(p, values) for p in parse_template(template)]


def without_numbers(template: str) -> str:
    """The template with ``…`` for every quoted number: text that does not depend on a
    moment (chapter titles are made before anything is rendered)."""
    try:
        pieces = parse_template(template)
    except CaptionError:
        return template
    return "".join(p if isinstance(p, str) else UNKNOWN for p in pieces)


def live_cues(cues: Sequence[tuple[float, float, str]], shown: Sequence[str], fps: int
              ) -> list[tuple[float, float, str]]:
    """Subtitle cues (start s, end s, template) with the text as rendered on screen:
    ``shown[k]`` is the caption rendered at frame k; each cue takes its last frame's
    text (the numbers a caption quotes are all known by then), or the template without
    numbers when no frame was recorded for it."""
    out = []
    for start, end, template in cues:
        # cue ends are frame times rounded up to the millisecond: the nearest frame
        # boundary, not a ceiling (64.4 s · 30 is 1932.0000000000002)
        k = min(round(end * fps) - 1, len(shown) - 1)
        text = shown[k] if k >= 0 and shown[k] else without_numbers(template)
        out.append((start, end, text))
    return out


def render_caption(template: str, session: Any, walkthrough: Any = None, sample: int = 0
                   ) -> str:
    """``template`` with its references filled from ``session`` (a Session), the
    ``walkthrough`` on screen (or None) and the traced ``sample``. Values the walkthrough
    has not revealed print as ``…``. A template that does not parse is shown as written
    (lessons and scripts are checked when loaded, so that only happens for text typed
    elsewhere)."""
    if "{" not in template and "}" not in template:
        return template
    try:
        pieces = fill_caption(template, session, walkthrough, sample)
    except (CaptionError, IndexError):
        return template
    return "".join(p if isinstance(p, str) else p.text for p in pieces)
