"""What the network diagram shows in one frame: the value on every drawn neuron, edge and
bias marker, whether it is known yet, what the stage being animated reveals, and the
colour scales. Plain NumPy (no Qt), built from an MLP, its layout and an optional
Walkthrough; the view paints it.

Quantities follow the walkthrough: neurons show a (or z, or δ = ∂L/∂z in the δ value
mode) all the time; during the backward pass a neuron whose δ is known also carries δ
beside it (a badge), so δ·a is readable. Edges show W, except during the backward pass,
when they show ∂L/∂W (bias markers b and ∂L/∂b alike) on a scale of the stage's own
gradients (or one locked scale for all stages); the update stage morphs every edge from
its old to its new weight and marks the change Δw. Small networks get the gradient or
Δw written on each edge. Values the walkthrough has not computed yet are marked unknown,
never shown stale. With a batch, neuron values are batch means.

Weights are drawn on a :class:`WeightScale` that stays fixed for a session and only grows
(with headroom) when the weights outgrow it, so editing one weight does not make every
other edge look weaker.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mlpviz.model.notation import symbols as S
from mlpviz.model.notation.mathtext import fmt_text, tex_to_text
from mlpviz.ui.colors import auto_scale, nice_ceil
from mlpviz.ui.diagram.network_layout import NetworkLayout

EDGE_BUDGET = 3000  # edges drawn at most; the strongest |w| win
QUANTITY = {"a": "a", "z": "z", "delta": "δ"}
PERCENTILE = 95.0  # gradient, Δw and weight scales: this percentile of |value|
SCALE_SAMPLES = 20_000  # values a scale is estimated from, at most
LABEL_EDGES = 30  # networks with at most this many drawn edges get numbers on the edges
GROW_HEADROOM = 1.25  # a weight scale that is outgrown grows to a nice number above this × p95
#: colour and width of edges (weights, gradients, Δw) follow |v / scale| ** GAMMA: an edge
#: at 10 % of the scale is drawn at 32 % of the colour, visible from the back of a hall
GAMMA = 0.5
#: where along an edge (from source to target) a number may sit, in order of preference
LABEL_FRACTIONS = (0.72, 0.5, 0.6, 0.4, 0.8, 0.3, 0.66, 0.55, 0.45, 0.35, 0.25, 0.85)


@dataclass
class Items:
    """Values of a set of drawn items: ``val`` (k,), ``known`` (k,) bool, ``new`` (k,)
    bool (revealed by the stage being animated), ``before`` (k,) start values of a morph."""

    val: np.ndarray
    known: np.ndarray
    new: np.ndarray
    before: np.ndarray | None = None


@dataclass
class Edges(Items):
    """Drawn edges of one weight layer: target ``i`` (k,), source ``j`` (k,), ``segs``
    (k, 4) and ``pulse`` (k,) the signal a pulse carries along new edges (0 = none)."""

    i: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    j: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    segs: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))
    pulse: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass
class LegendRow:
    """One colour scale of the legend: what it colours, its clamp ±``scale``, the exponent
    of its colour mapping (1 linear for neurons, GAMMA for edges) and a note ("" or e.g.
    "this stage", "scale ±2 → ±5")."""

    name: str
    scale: float
    gamma: float = 1.0
    note: str = ""


@dataclass
class EdgeLabel:
    """A number written on drawn edge ``k`` of weight layer ``layer``: ``text`` and the
    ``value`` that colours it."""

    layer: int
    k: int
    text: str
    value: float


@dataclass
class Scene:
    qty: str  # "a", "z" or "δ" on hidden/output neurons
    scale: float  # clamp of the neuron scale
    ascale: float  # clamp of the scale of inputs, activations and targets
    show_values: bool  # numbers on neurons (value mode other than "none")
    eqty: str  # "w" or "∂L/∂w"
    escale: float
    pscale: float  # clamp for pulse sizes
    cols: list[Items]  # per column (inputs first), over the shown neurons
    edges: list[Edges]  # per weight layer
    biases: list[Items]  # per weight layer, over the shown neurons
    yhat: np.ndarray  # (m,) output activations of the shown output neurons
    yhat_known: np.ndarray
    target: np.ndarray | None  # (m,) targets or None when unknown
    loss: float | None
    loss_new: bool
    anim: tuple | None  # (kind, layer, neuron) of the stage being animated, else None
    caption: str
    batch: int
    ekind: str = "w"  # edges show "w", "grad" (∂L/∂w) or "update" (w morphing, Δw marked)
    egamma: float = GAMMA  # exponent of the edge colour mapping
    dscale: float = 1.0  # clamp of the Δw marks of the update stage
    badges: list[Items] | None = None  # per column: δ beside the neurons (backward)
    labels: list[EdgeLabel] = field(default_factory=list)  # numbers on edges
    loss_after: float | None = None  # loss of the traced sample after the update
    legend: list[LegendRow] = field(default_factory=list)


@dataclass
class Values:
    """Everything numeric the scene draws from: trace/grads of the traced sample (or batch),
    the known flags per weight layer, and the stage being animated."""

    x: np.ndarray
    z: list[np.ndarray]  # per layer (n_l,) batch means
    a: list[np.ndarray]
    dz: list[np.ndarray] | None
    dW: list[np.ndarray] | None
    db: list[np.ndarray] | None
    known: list[dict[str, np.ndarray]]
    y: np.ndarray | None
    loss: float | None
    loss_known: bool
    stage: object | None
    animating: bool
    before: tuple[list[np.ndarray], list[np.ndarray]] | None
    batch: int
    loss_after: float | None = None


def signed(v: float) -> str:
    """The app's number format with an explicit sign: "+0.01652", "−0.2"."""
    text = fmt_text(v)
    return text if text.startswith("−") or v == 0 or not math.isfinite(v) else "+" + text


def robust_max(arrays: list[np.ndarray], q: float = PERCENTILE,
               most: int = SCALE_SAMPLES) -> float:
    """The ``q``-th percentile of |value| over the finite values of ``arrays`` (0 when
    there are none): one outlier does not wash out every other value. Past ``most``
    values an evenly strided sample of them is used (109k weights: every 6th gives the
    same legend number, in a fraction of the time)."""
    parts = [np.abs(np.ravel(np.asarray(a, dtype=np.float64))) for a in arrays]
    v = np.concatenate(parts) if parts else np.zeros(0)
    v = v[:: -(-v.size // most)] if v.size > most else v
    v = v[np.isfinite(v)]
    return float(np.percentile(v, q)) if v.size else 0.0


def round_up(x: float) -> float:
    """``x`` (> 0) rounded up to two significant digits (0.1652 → 0.17), or 1.0 for 0,
    negatives and non-finite values: a clamp the legend can print that is at most 10 %
    above x."""
    if not math.isfinite(x) or x <= 1e-12:
        return 1.0
    k = math.floor(math.log10(x)) - 1
    step = 10.0**k
    return round(math.ceil(x / step * (1 - 1e-9)) * step, 12)


def gradient_scale(v: Values, stage: object | None, locked: bool) -> float:
    """The clamp of the gradient colours in a backward stage: the 95th percentile of
    |∂L/∂w| of what the stage computes (its layer, or its neuron's row), or, ``locked``,
    of every ∂L/∂w of the iteration, so stages can be compared. Bias gradients and δ
    (often larger) are drawn on the same scale and clamp at its ends."""
    if v.dW is None:
        return 1.0
    layer, neuron = getattr(stage, "layer", None), getattr(stage, "neuron", None)
    if locked or layer is None:
        return round_up(robust_max(list(v.dW)))
    rows = slice(None) if neuron is None else slice(neuron, neuron + 1)
    return round_up(robust_max([v.dW[layer][rows]]))


class WeightScale:
    """The clamp of the weight colours for a session: set from the first weights seen,
    it never shrinks by itself and grows only when the 95th percentile of |w| exceeds it,
    then to a nice number (1, 2, 2.5, 5 × 10ᵏ) at least GROW_HEADROOM times above, so
    small drifts do not make it change again. :meth:`rescale` fits it to the weights now
    (and may shrink it). ``previous`` is the clamp before the last change (None before
    any)."""

    def __init__(self) -> None:
        self.scale: float | None = None
        self.previous: float | None = None

    def observe(self, arrays: list[np.ndarray]) -> float:
        """The clamp for weights ``arrays``, grown if they outgrew it."""
        p = robust_max(arrays)
        if self.scale is None:
            self.scale = nice_ceil(p) if p > 1e-12 else 1.0
        elif p > self.scale:
            self.previous, self.scale = self.scale, nice_ceil(GROW_HEADROOM * p)
        return self.scale

    def rescale(self, arrays: list[np.ndarray]) -> float:
        """Fit the clamp to ``arrays`` now (it may shrink); a change is remembered."""
        p = robust_max(arrays)
        new = nice_ceil(p) if p > 1e-12 else 1.0
        if self.scale is not None and new != self.scale:
            self.previous = self.scale
        self.scale = new
        return new

    def reset(self) -> None:
        """Forget the clamp (a new session): the next weights set it afresh."""
        self.scale = self.previous = None

    @property
    def note(self) -> str:
        """"scale ±2 → ±5" after a change, else ""."""
        if self.previous is None or self.scale is None:
            return ""
        return f"scale ±{fmt_text(self.previous)} → ±{fmt_text(self.scale)}"


def _crossings(rect: tuple[float, float, float, float], segs: np.ndarray) -> np.ndarray:
    """Mask (k,) of the segments (k, 4) that pass through ``rect`` (x, y, w, h)
    (Liang–Barsky clipping, vectorised)."""
    x, y, w, h = rect
    x0, y0 = segs[:, 0], segs[:, 1]
    dx, dy = segs[:, 2] - x0, segs[:, 3] - y0
    lo, hi = np.zeros(len(segs)), np.ones(len(segs))
    ok = np.ones(len(segs), bool)
    for p, q in ((-dx, x0 - x), (dx, x + w - x0), (-dy, y0 - y), (dy, y + h - y0)):
        parallel = np.abs(p) < 1e-12
        ok &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        lo = np.where(~parallel & (p < 0), np.maximum(lo, t), lo)
        hi = np.where(~parallel & (p > 0), np.minimum(hi, t), hi)
    return ok & (lo <= hi)


def place_labels(segs: np.ndarray, sizes: np.ndarray, obstacles: np.ndarray | None = None,
                 fractions: tuple[float, ...] = LABEL_FRACTIONS,
                 others: np.ndarray | None = None) -> list[tuple | None]:
    """Rectangles (x, y, w, h) for labels of ``sizes`` (k, 2) (width, height) centred on
    segments ``segs`` (k, 4) at one of ``fractions`` of their length (source to target):
    of the spots that overlap neither an obstacle (m, 4) (x, y, w, h) nor a label placed
    before, the first crossed by the fewest other edges (``segs`` and ``others`` (n, 4)),
    so a number is not read as another edge's; None for a label that fits nowhere.
    Labels are placed in order: put the most important first."""
    placed: list[tuple[float, float, float, float]] = []
    obs = np.zeros((0, 4)) if obstacles is None else np.asarray(obstacles, float).reshape(-1, 4)
    segs = np.asarray(segs, float).reshape(-1, 4)
    lines = segs if others is None else np.vstack([segs, np.asarray(others, float)])
    out: list[tuple | None] = []

    def free(r: tuple[float, float, float, float]) -> bool:
        x, y, w, h = r
        for o in (*placed, *obs.tolist()):
            if x < o[0] + o[2] and o[0] < x + w and y < o[1] + o[3] and o[1] < y + h:
                return False
        return True

    for k, ((x0, y0, x1, y1), (w, h)) in enumerate(
            zip(segs.tolist(), np.asarray(sizes, float).tolist(), strict=True)):  # noqa: B007
        best, best_n = None, None
        for f in fractions:
            cx, cy = x0 + (x1 - x0) * f, y0 + (y1 - y0) * f
            r = (cx - w / 2, cy - h / 2, w, h)
            if not free(r):
                continue
            hits = _crossings(r, lines) & ~np.all(lines == segs[k], axis=1)  # not its own
            n = int(hits.sum())
            if best_n is None or n < best_n:
                best, best_n = r, n
            if n == 0:
                break
        if best is not None:
            placed.append(best)
        out.append(best)
    return out


def describe(item: tuple, net, v: Values | None, input_labels: list[str]) -> str:
    """Hover text for ("neuron", l, i), ("bias", l, i), ("edge", l, i, j) or ("loss",):
    the values of the item, with "not computed yet" for what ``v`` does not know."""
    if item[0] == "loss":
        value = fmt_text(v.loss) if v is not None and v.loss_known else "not computed yet"
        return f"Loss ({net.loss.name}): {net.loss.formula}\nL = {value}"
    kind, l, i = item[0], item[1], item[2]

    def val(name: str, arrays, key: str, idx) -> str:
        if v is None or arrays is None or not bool(np.asarray(v.known[l][key])[idx]):
            return f"{name} = not computed yet"
        return f"{name} = {fmt_text(float(arrays[l][idx]))}"

    mean = " (batch mean)" if v is not None and v.batch > 1 else ""
    if kind == "neuron" and l < 0:
        name = input_labels[i] if i < len(input_labels) else f"x{i + 1}"
        return f"Input {name} = {'not set' if v is None else fmt_text(float(v.x[i]))}{mean}"
    where = "Output" if l == net.n_layers - 1 else f"Hidden {l + 1}"
    b_sym = tex_to_text(S.b(l, i))
    b = f"{b_sym} = {fmt_text(float(net.biases[l][i]))}"
    if kind == "neuron":
        z_sym, a_sym = tex_to_text(S.z(l, i)), tex_to_text(S.a(l, i, net.n_layers))
        d_sym = tex_to_text(S.delta(l, i))
        return "\n".join([f"{where}, neuron {i + 1} ({net.activations[l].name}){mean}",
                          val(z_sym, v and v.z, "z", i), val(a_sym, v and v.a, "a", i),
                          val(f"{d_sym} = ∂L/∂{z_sym}", v and v.dz, "dz", i), b])
    if kind == "bias":
        return "\n".join([f"Bias {b_sym} of {where.lower()} layer", b,
                          val(f"∂L/∂{b_sym}", v and v.db, "db", i)])
    j = item[3]
    w_sym = tex_to_text(S.w(l, i, j))
    src = input_labels[j] if l == 0 and j < len(input_labels) else f"neuron {j + 1}"
    w = float(net.weights[l][i, j])
    lines = [f"Weight {w_sym} of {tex_to_text(S.matrix(l))}: {src} → neuron {i + 1}",
             f"{w_sym} = {fmt_text(w)}", val(f"∂L/∂{w_sym}", v and v.dW, "dW", (i, j))]
    if v is not None and v.before is not None and getattr(v.stage, "kind", None) == "update":
        old = float(v.before[0][l][i, j])
        lines[1] = f"{w_sym} = {fmt_text(old)} → {fmt_text(w)}  (Δw = {signed(w - old)})"
    return "\n".join(lines)


def _flags(known_l: dict, key: str, shape: tuple[int, ...]) -> np.ndarray:
    v = np.asarray(known_l.get(key, False), dtype=bool)
    if v.ndim == 1 and len(shape) == 2:
        v = v[:, None]
    return np.broadcast_to(v, shape)


def values_from_walkthrough(net, wt, animating: bool, idle: bool = False) -> Values:
    """Collect the walkthrough's values and known flags (per wt.known, wt.loss_known).
    ``idle``: the walkthrough stands for the traced sample while none runs (see
    model.walkthrough.idle_walkthrough): its values with no stage, so the edges show the
    weights and no stage is named."""
    tr, gr = wt.trace, wt.grads
    known = []
    for l, kl in enumerate(wt.known):
        n, m = net.weights[l].shape
        known.append({k: _flags(kl, k, (n,)) for k in ("z", "a", "dz", "db")}
                     | {"dW": _flags(kl, "dW", (n, m))})
    before = None
    if getattr(wt, "weights_before", None) is not None:
        before = (list(wt.weights_before), list(getattr(wt, "biases_before", net.biases)))
    x = np.atleast_2d(wt.x)
    return Values(
        x=x.mean(axis=0),
        z=[lt.z.mean(axis=0) for lt in tr.layers],
        a=[lt.a.mean(axis=0) for lt in tr.layers],
        dz=[g.dz.mean(axis=0) for g in gr.layers],
        dW=[g.dW for g in gr.layers],
        db=[g.db for g in gr.layers],
        known=known,
        y=np.atleast_2d(wt.y).mean(axis=0),
        loss=float(wt.loss),
        loss_known=bool(wt.loss_known),
        stage=None if idle else wt.stage,
        animating=animating and not idle,
        before=before,
        batch=x.shape[0],
        loss_after=getattr(wt, "loss_after", None),
    )


def values_from_sample(net, x: np.ndarray | None, y: np.ndarray | None) -> Values | None:
    """Forward (and, with a target, backward) values of one sample: everything known. For
    a view on a bare network (no session); the app's views show a session's traced
    sample through its idle walkthrough instead."""
    if x is None:
        return None
    x2 = np.atleast_2d(np.asarray(x, dtype=net.dtype))
    tr = net.forward(x2)
    gr = None
    if y is not None:
        gr = net.backward(tr, np.atleast_2d(np.asarray(y, dtype=net.dtype)))
    known = []
    for l in range(net.n_layers):
        n, m = net.weights[l].shape
        g = gr is not None
        known.append({"z": np.ones(n, bool), "a": np.ones(n, bool), "dz": np.full(n, g),
                      "db": np.full(n, g), "dW": np.full((n, m), g)})
    return Values(
        x=x2.mean(axis=0),
        z=[lt.z.mean(axis=0) for lt in tr.layers],
        a=[lt.a.mean(axis=0) for lt in tr.layers],
        dz=None if gr is None else [g.dz.mean(axis=0) for g in gr.layers],
        dW=None if gr is None else [g.dW for g in gr.layers],
        db=None if gr is None else [g.db for g in gr.layers],
        known=known,
        y=None if y is None else np.atleast_2d(y).mean(axis=0),
        loss=None if gr is None else float(gr.loss),
        loss_known=gr is not None,
        stage=None,
        animating=False,
        before=None,
        batch=x2.shape[0],
    )


def choose_edges(net, layout: NetworkLayout, budget: int = EDGE_BUDGET) -> list[tuple]:
    """Per weight layer (i, j, segs) of the edges to draw: all edges between shown
    neurons, or, past ``budget`` in total, the strongest |w| of each layer in proportion."""
    per = [layout.edges(l) for l in range(net.n_layers)]
    total = sum(p[0].size for p in per)
    if total <= budget:
        return per
    out = []
    for l, (ii, jj, segs) in enumerate(per):
        k = max(1, int(budget * ii.size / total))
        order = np.argsort(-np.abs(net.weights[l][ii, jj]), kind="stable")[:k]
        order.sort()
        out.append((ii[order], jj[order], segs[order]))
    return out


def build_scene(
    net, layout: NetworkLayout, v: Values | None, mode: str, edges: list[tuple],
    wscale: WeightScale | None = None, locked: bool = False,
) -> Scene:
    """The scene for ``mode`` ("a", "z", "delta" or "none") from values ``v`` (None: no
    traced sample, everything but the weights unknown). ``wscale`` holds the session's
    weight colour scale (default: a fresh one, fitted to these weights); ``locked`` puts
    every backward stage on one gradient scale."""
    stage = v.stage if v is not None else None
    kind = getattr(stage, "kind", None)
    layer, neuron = getattr(stage, "layer", None), getattr(stage, "neuron", None)
    anim = (kind, layer, neuron) if v is not None and v.animating and stage is not None else None
    qty = QUANTITY.get(mode, "a")
    gradient_edges = kind == "backward" and v is not None and v.dW is not None
    L = net.n_layers

    def rows_new(l: int, kinds: tuple[str, ...]) -> np.ndarray:
        col = layout.column(l)
        if anim is None or anim[0] not in kinds or anim[1] != l:
            return np.zeros(col.shown.size, bool)
        return np.ones(col.shown.size, bool) if neuron is None else col.shown == neuron

    def empty(n: int) -> Items:
        return Items(np.zeros(n), np.zeros(n, bool), np.zeros(n, bool))

    full = {"a": "a", "z": "z", "δ": "dz"}[qty]
    cols = [empty(0) for _ in range(L + 1)]
    sh0 = layout.column(-1).shown
    if v is None:
        cols[0] = empty(sh0.size)
    else:
        cols[0] = Items(v.x[sh0], np.ones(sh0.size, bool), np.zeros(sh0.size, bool))
    badges = [empty(sh0.size)] + [empty(layout.column(l).shown.size) for l in range(L)] \
        if gradient_edges and qty != "δ" else None
    all_vals = []
    for l in range(L):
        sh = layout.column(l).shown
        src = None if v is None else {"a": v.a, "z": v.z, "dz": v.dz}[full]
        if src is None:
            cols[l + 1] = empty(sh.size)
            continue
        all_vals.append(src[l])
        known = v.known[l][full][sh] & (v.known[l]["a"][sh] if full == "z" else True)
        new = rows_new(l, ("backward",) if full == "dz" else ("forward",)) & known
        cols[l + 1] = Items(src[l][sh], known, new)
        if badges is not None:
            dknown = v.known[l]["dz"][sh].copy()
            badges[l + 1] = Items(v.dz[l][sh], dknown, rows_new(l, ("backward",)) & dknown)

    def robust(parts: list) -> float:
        return nice_ceil(auto_scale(np.concatenate([np.ravel(q) for q in parts])
                                    if parts else 1.0))

    a_parts = [] if v is None else [v.x, *v.a] + ([v.y] if v.y is not None else [])
    ascale = robust(a_parts)
    scale = ascale if qty == "a" else robust(all_vals + ([v.x] if qty == "z" else []))

    ws = [np.asarray(w) for w in net.weights]
    bs = [np.asarray(b) for b in net.biases]
    update = kind == "update" and v is not None and v.before is not None
    morph = update and anim is not None
    pool = ws + bs + (list(v.before[0]) + list(v.before[1]) if update else [])
    wscale = wscale if wscale is not None else WeightScale()
    weight_scale = wscale.observe(pool)
    dscale = 1.0
    if gradient_edges:
        eqty, ekind, egamma = "∂L/∂w", "grad", GAMMA
        escale = gradient_scale(v, stage, locked)
    else:
        eqty, ekind, egamma, escale = "w", "update" if update else "w", GAMMA, weight_scale
        if update:
            deltas = [w - b for w, b in zip(ws, v.before[0], strict=True)]
            deltas += [b - b0 for b, b0 in zip(bs, v.before[1], strict=True)]
            dscale = round_up(robust_max(deltas))

    edge_items, bias_items, pulses = [], [], [1e-12]
    for l, (ii, jj, segs) in enumerate(edges):
        sh = layout.column(l).shown
        k = ii.size
        pulse = np.zeros(k)
        before = bias_before = None
        if gradient_edges:
            val = v.dW[l][ii, jj]
            known = v.known[l]["dW"][ii, jj]
            new_rows = rows_new(l, ("backward",))
            new = np.isin(ii, sh[new_rows]) & known
            if new.any():
                pulse[new] = val[new]
            bval, bknown = v.db[l][sh], v.known[l]["db"][sh]
            bnew = new_rows & bknown
        else:
            val, known = ws[l][ii, jj], np.ones(k, bool)
            new = np.zeros(k, bool)
            bval, bknown, bnew = bs[l][sh], np.ones(sh.size, bool), np.zeros(sh.size, bool)
            if update:
                before, bias_before = v.before[0][l][ii, jj], v.before[1][l][sh]
            if morph:
                new[:], bnew[:] = True, True
            fwd_rows = rows_new(l, ("forward",))
            if v is not None and fwd_rows.any():
                a_prev = v.x if l == 0 else v.a[l - 1]
                moving = np.isin(ii, sh[fwd_rows])
                with np.errstate(over="ignore", invalid="ignore"):
                    pulse[moving] = (val * a_prev[jj])[moving]
        np.nan_to_num(pulse, copy=False, nan=0.0)  # a blown-up network: finite sizes
        pulses.append(float(np.abs(pulse).max(initial=0.0)))
        edge_items.append(Edges(val, known, new, before, i=ii, j=jj, segs=segs, pulse=pulse))
        bias_items.append(Items(bval, bknown, bnew, bias_before))

    out_sh = layout.column(L - 1).shown
    if v is None:
        yhat, yk = np.zeros(out_sh.size), np.zeros(out_sh.size, bool)
    else:
        yhat, yk = v.a[L - 1][out_sh], v.known[L - 1]["a"][out_sh].copy()
    target = None if v is None or v.y is None else v.y[out_sh]
    loss = v.loss if v is not None and v.loss_known else None
    loss_after = v.loss_after if update and loss is not None else None

    names = {"a": "h, ŷ  (neurons)", "z": "z  (neurons)", "δ": "δ = ∂L/∂z  (neurons)"}
    legend = [LegendRow(names[qty], scale)]
    if gradient_edges:
        what = "∂L/∂w (edges), δ (rings)" if badges is not None else "∂L/∂w  (edges)"
        legend.append(LegendRow(what, escale, GAMMA,
                                "one scale, all stages" if locked else "scale of this stage"))
    else:
        legend.append(LegendRow("w  (edges)", escale, GAMMA, wscale.note))
        if update:
            legend.append(LegendRow("Δw  (dashes)", dscale, GAMMA))
    return Scene(
        qty=qty, scale=scale, ascale=ascale, show_values=mode != "none", eqty=eqty, escale=escale,
        pscale=max(pulses), cols=cols, edges=edge_items, biases=bias_items,
        yhat=yhat, yhat_known=yk, target=target, loss=loss,
        loss_new=anim is not None and anim[0] == "loss",
        anim=anim, caption=_caption(v), batch=1 if v is None else v.batch,
        ekind=ekind, egamma=egamma, dscale=dscale, badges=badges,
        labels=edge_labels(edge_items, ekind), loss_after=loss_after, legend=legend,
    )


def edge_labels(edges: list[Edges], ekind: str, most: int = LABEL_EDGES) -> list[EdgeLabel]:
    """Numbers to write on the edges of a network with at most ``most`` drawn edges: the
    known ∂L/∂w in a backward stage, Δw in the update stage, nothing otherwise; largest
    magnitude first (they are placed in that order)."""
    if ekind == "w" or sum(e.i.size for e in edges) > most:
        return []
    out = []
    for l, e in enumerate(edges):
        for k in range(e.i.size):
            if ekind == "grad" and e.known[k]:
                out.append(EdgeLabel(l, k, fmt_text(float(e.val[k])), float(e.val[k])))
            elif ekind == "update" and e.before is not None:
                d = float(e.val[k] - e.before[k])
                out.append(EdgeLabel(l, k, "Δ " + signed(d), d))
    out.sort(key=lambda lab: -abs(lab.value))
    return out


def _caption(v: Values | None) -> str:
    if v is None:
        return "No sample traced"
    if v.stage is not None:
        return str(getattr(v.stage, "label", ""))
    if not v.known or not bool(np.asarray(v.known[0]["z"]).any()):
        return "Nothing computed yet: the forward pass comes first"
    return "Forward pass of the traced sample"
