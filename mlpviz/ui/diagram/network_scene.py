"""What the network diagram shows in one frame: the value on every drawn neuron, edge and
bias marker, whether it is known yet, what the stage being animated reveals, and the
colour scales. Plain NumPy (no Qt), built from an MLP, its layout and an optional
Walkthrough; the view paints it.

Quantities follow the walkthrough: neurons show a (or z) while the forward pass and the
loss are shown, and δ = ∂L/∂z during the backward pass and the update; edges show W,
except during the backward pass, when they show ∂L/∂W (bias markers b and ∂L/∂b alike).
Values the walkthrough has not computed yet are marked unknown, never shown stale.
With a batch, neuron values are batch means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mlpviz.ui.colors import auto_scale, nice_ceil
from mlpviz.ui.diagram.network_layout import NetworkLayout

EDGE_BUDGET = 3000  # edges drawn at most; the strongest |w| win
SCALE_SAMPLES = 20_000  # values the edge colour scale is estimated from, at most
QUANTITY = {"a": "a", "z": "z", "delta": "δ"}


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


def fmt(v: float) -> str:
    """Three significant digits with a true minus sign; outside 0.001..1000 a compact
    scientific form with two digits ("1.2e-5")."""
    if not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    if abs(v) >= 1000 or abs(v) < 0.001:
        mantissa, exponent = f"{v:.1e}".split("e")
        s = f"{mantissa}e{int(exponent)}"
    else:
        s = f"{v:.3g}"
    return s.replace("-", "−")


def describe(item: tuple, net, v: Values | None, input_labels: list[str]) -> str:
    """Hover text for ("neuron", l, i), ("bias", l, i), ("edge", l, i, j) or ("loss",):
    the values of the item, with "not computed yet" for what ``v`` does not know."""
    if item[0] == "loss":
        value = fmt(v.loss) if v is not None and v.loss_known else "not computed yet"
        return f"Loss ({net.loss.name}): {net.loss.formula}\nL = {value}"
    kind, l, i = item[0], item[1], item[2]

    def val(name: str, arrays, key: str, idx) -> str:
        if v is None or arrays is None or not bool(np.asarray(v.known[l][key])[idx]):
            return f"{name} = not computed yet"
        return f"{name} = {fmt(float(arrays[l][idx]))}"

    mean = " (batch mean)" if v is not None and v.batch > 1 else ""
    if kind == "neuron" and l < 0:
        name = input_labels[i] if i < len(input_labels) else f"x{i + 1}"
        return f"Input {name} = {'not set' if v is None else fmt(float(v.x[i]))}{mean}"
    where = "Output" if l == net.n_layers - 1 else f"Hidden {l + 1}"
    b = f"b = {fmt(float(net.biases[l][i]))}"
    if kind == "neuron":
        return "\n".join([f"{where}, neuron {i + 1} ({net.activations[l].name}){mean}",
                          val("z", v and v.z, "z", i), val("a", v and v.a, "a", i),
                          val("δ = ∂L/∂z", v and v.dz, "dz", i), b])
    if kind == "bias":
        return "\n".join([f"Bias b[{i + 1}] of {where.lower()} layer", b,
                          val("∂L/∂b", v and v.db, "db", i)])
    j = item[3]
    src = input_labels[j] if l == 0 and j < len(input_labels) else f"neuron {j + 1}"
    return "\n".join([f"Weight w[{i + 1},{j + 1}] of layer {l + 1}: {src} → neuron {i + 1}",
                      f"w = {fmt(float(net.weights[l][i, j]))}",
                      val("∂L/∂w", v and v.dW, "dW", (i, j))])


def _flags(known_l: dict, key: str, shape: tuple[int, ...]) -> np.ndarray:
    v = np.asarray(known_l.get(key, False), dtype=bool)
    if v.ndim == 1 and len(shape) == 2:
        v = v[:, None]
    return np.broadcast_to(v, shape)


def values_from_walkthrough(net, wt, animating: bool) -> Values:
    """Collect the walkthrough's values and known flags (per wt.known, wt.loss_known)."""
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
        stage=wt.stage,
        animating=animating,
        before=before,
        batch=x.shape[0],
    )


def values_from_sample(net, x: np.ndarray | None, y: np.ndarray | None) -> Values | None:
    """Forward (and, with a target, backward) values of one sample: everything known."""
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


def edge_scale(arrays: list[np.ndarray], most: int = SCALE_SAMPLES) -> float:
    """The legend clamp of the edge colours: a robust max |value| (colors.auto_scale) of all
    values, or of an evenly strided sample of ``most`` of them for big networks (109k
    weights: the 99th percentile of every 6th value lands on the same round number)."""
    values = np.concatenate([np.ravel(a) for a in arrays])
    step = -(-values.size // most)
    return nice_ceil(auto_scale(values[::step]))


def build_scene(
    net, layout: NetworkLayout, v: Values | None, mode: str, edges: list[tuple]
) -> Scene:
    """The scene for ``mode`` ("a", "z", "delta" or "none") from values ``v`` (None: no
    traced sample, everything but the weights unknown)."""
    stage = v.stage if v is not None else None
    kind = getattr(stage, "kind", None)
    layer, neuron = getattr(stage, "layer", None), getattr(stage, "neuron", None)
    anim = (kind, layer, neuron) if v is not None and v.animating and stage is not None else None
    qty = "δ" if mode == "delta" or kind in ("backward", "update") else QUANTITY.get(mode, "a")
    gradient_edges = kind == "backward"
    L = net.n_layers

    def rows_new(l: int, kinds: tuple[str, ...]) -> np.ndarray:
        col = layout.column(l)
        if anim is None or anim[0] not in kinds or anim[1] != l:
            return np.zeros(col.shown.size, bool)
        return np.ones(col.shown.size, bool) if neuron is None else col.shown == neuron

    full = {"a": "a", "z": "z", "δ": "dz"}[qty]
    cols = [Items(np.zeros(0), np.zeros(0, bool), np.zeros(0, bool)) for _ in range(L + 1)]
    sh0 = layout.column(-1).shown
    if v is None:
        cols[0] = Items(np.zeros(sh0.size), np.zeros(sh0.size, bool), np.zeros(sh0.size, bool))
    else:
        cols[0] = Items(v.x[sh0], np.ones(sh0.size, bool), np.zeros(sh0.size, bool))
    all_vals = []
    for l in range(L):
        sh = layout.column(l).shown
        src = None if v is None else {"a": v.a, "z": v.z, "dz": v.dz}[full]
        if src is None:
            cols[l + 1] = Items(np.zeros(sh.size), np.zeros(sh.size, bool), np.zeros(sh.size, bool))
            continue
        all_vals.append(src[l])
        known = v.known[l][full][sh] & (v.known[l]["a"][sh] if full == "z" else True)
        new = rows_new(l, ("backward",) if full == "dz" else ("forward",)) & known
        cols[l + 1] = Items(src[l][sh], known, new)
    def robust(parts: list) -> float:
        return nice_ceil(auto_scale(np.concatenate([np.ravel(q) for q in parts])
                                    if parts else 1.0))

    a_parts = [] if v is None else [v.x, *v.a] + ([v.y] if v.y is not None else [])
    ascale = robust(a_parts)
    scale = ascale if qty == "a" else robust(all_vals + ([v.x] if qty == "z" else []))

    eqty = "∂L/∂w" if gradient_edges else "w"
    ws = [np.asarray(w) for w in net.weights]
    bs = [np.asarray(b) for b in net.biases]
    morph = anim is not None and anim[0] == "update" and v is not None and v.before is not None
    if gradient_edges and v.dW is not None:
        escale = edge_scale([*v.dW, *v.db])
    else:
        pool = ws + bs + (list(v.before[0]) + list(v.before[1]) if morph else [])
        escale = edge_scale(pool)

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
            if morph:
                new[:], bnew[:] = True, True
                before, bias_before = v.before[0][l][ii, jj], v.before[1][l][sh]
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
    return Scene(
        qty=qty, scale=scale, ascale=ascale, show_values=mode != "none", eqty=eqty, escale=escale,
        pscale=max(pulses), cols=cols, edges=edge_items, biases=bias_items,
        yhat=yhat, yhat_known=yk, target=target, loss=loss,
        loss_new=anim is not None and anim[0] == "loss",
        anim=anim, caption=_caption(v), batch=1 if v is None else v.batch,
    )


def _caption(v: Values | None) -> str:
    if v is None:
        return "No sample traced"
    if v.stage is not None:
        return str(getattr(v.stage, "label", ""))
    if not v.known or not bool(np.asarray(v.known[0]["z"]).any()):
        return "Nothing computed yet: press → to run the forward pass"
    return "Forward pass of the traced sample"
