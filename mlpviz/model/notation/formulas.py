"""The worked numbers of a walkthrough: the formulas of docs/derivation.md with the engine's values.

This is the single source of what the GUI inspector and ``mlpviz explain`` print, so the
two always agree. :func:`formulas_for` gives the formulas of one selection (indices are
0-based weight layers and neurons, as in code)::

    ("neuron", l, i)     neuron i of weight layer l; l = −1 is input x_i
    ("edge", l, i, j)    weight w_ij of W⁽ˡ⁺¹⁾ (row i, column j)
    ("bias", l, i)       bias b_i of weight layer l
    ("output",)          every output: ŷ, the loss, ∂L/∂ŷ and δ
    ("loss",)            the loss and ∂L/∂ŷ
    ("layer", l)         weight layer l in matrix form (:func:`layer_formulas`)

A script's 1-based :class:`~mlpviz.model.script.Selection` gives such a key as
``Selection.key``. :func:`worked_iteration` gives every
stage's formulas for every neuron. Every number is the engine's own (``wt.trace``,
``wt.grads``, the weights before and after the update); a formula's terms are
recomputed from their factors only for display. A mini-batch walkthrough shows sample 0
of the batch; sums over the batch (L, ∂L/∂W, ∂L/∂b) list one term per sample, and δ
includes the batch mean's 1/B. ``Formula.known`` is False for numbers the walkthrough
has not revealed yet: renderers must print :data:`NOT_COMPUTED` for them.
"""

from __future__ import annotations

import numpy as np

from mlpviz.model.notation import formula_rules as R
from mlpviz.model.notation import symbols as S
from mlpviz.model.notation.formula_types import (
    MAX_MATRIX,
    MAX_TERMS,
    NOT_COMPUTED,
    Factor,
    Formula,
    Matrix,
    Section,
    Term,
)
from mlpviz.model.notation.mathtext import fmt_tex
from mlpviz.model.walkthrough import Stage, Walkthrough

__all__ = [
    "MAX_MATRIX", "MAX_TERMS", "NOT_COMPUTED", "Factor", "Formula", "FormulaError", "Matrix",
    "Section", "Term", "formulas_for", "layer_formulas", "worked_iteration",
]

#: networks with more neurons than this (inputs included) are elided by worked_iteration
MAX_FULL_NEURONS = 40
#: layers with more weights than this show only some of their edges in worked_iteration
MAX_FULL_EDGES = 36
#: neurons (and edge sources) shown per layer when eliding
ELIDED_NEURONS = 3


class FormulaError(ValueError):
    """A selection that does not exist in the walkthrough's network."""


def _check(sizes: list[int], key: tuple) -> None:
    """Raise FormulaError unless ``key`` names something in a network of ``sizes``."""
    n_layers = len(sizes) - 1
    kind, args = (key[0], key[1:]) if key else ("", ())
    arity = {"neuron": 2, "edge": 3, "bias": 2, "output": 0, "loss": 0, "layer": 1}
    if kind not in arity or len(args) != arity[kind]:
        raise FormulaError(f"not a selection: {key!r}; see formulas_for for the forms")
    if not all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in args):
        raise FormulaError(f"selection indices must be integers, got {key!r}")
    if not args:
        return
    l, lo = args[0], -1 if kind == "neuron" else 0
    if not lo <= l < n_layers:
        raise FormulaError(f"{kind} layer {l} does not exist (weight layers {lo}..{n_layers - 1})")
    if len(args) > 1 and not 0 <= args[1] < sizes[l + 1]:
        raise FormulaError(f"layer {l} has neurons 0..{sizes[l + 1] - 1}, not {args[1]}")
    if len(args) > 2 and not 0 <= args[2] < sizes[l]:
        raise FormulaError(f"W of layer {l} has columns 0..{sizes[l] - 1}, not {args[2]}")


def formulas_for(wt: Walkthrough, selection: tuple) -> list[Formula]:
    """The worked formulas of ``selection`` (see the module docstring) at the walkthrough's
    current stage. Raises FormulaError for a selection that does not exist."""
    _check(wt.net.sizes, tuple(selection))
    v = R.Numbers(wt)
    kind, args = selection[0], [int(x) for x in selection[1:]]
    last = v.L - 1
    if kind == "neuron":
        l, i = args
        if l < 0:
            return R.input_formulas(v, i)
        out = [R.forward_z(v, l, i), R.forward_a(v, l, i)]
        if l == last:
            out += R.loss_formulas(v) + [R.output_grad(v, i)]
        return out + [R.delta(v, l, i)]
    if kind == "edge":
        l, i, j = args
        return [R.weighted_input(v, l, i, j), R.weight_grad(v, l, i, j), R.update(v, l, i, j)]
    if kind == "bias":
        l, i = args
        return [R.bias_grad(v, l, i), R.update(v, l, i)]
    if kind == "layer":
        return layer_formulas(wt, args[0])
    outputs = range(v.net.sizes[-1])
    grads = [R.output_grad(v, k) for k in outputs]
    if kind == "loss":
        return R.loss_formulas(v) + grads
    return ([R.forward_a(v, last, k) for k in outputs] + R.loss_formulas(v) + grads
            + [R.output_delta(v, k) for k in outputs])


# ---- matrix form -----------------------------------------------------------------------
def _col(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=float).reshape(-1, 1)


def layer_formulas(wt: Walkthrough, l: int) -> list[Formula]:
    """Weight layer l in matrix form (docs/derivation.md) with the numeric matrices (sample 0):
    shapes, z = Wa + b, a = f(z), δ (with the transpose of the next W marked), ∂L/∂W and
    the update."""
    _check(wt.net.sizes, ("layer", l))
    v = R.Numbers(wt)
    m, n = wt.net.sizes[l + 1], wt.net.sizes[l]
    W, a_in, b, z, a, d = (f"W^{{({l + 1})}}", S.vec("a", l - 1, v.L), S.vec("b", l, v.L),
                           S.vec("z", l, v.L), S.vec("a", l, v.L), S.vec("delta", l, v.L))
    tr, g = wt.trace.layers[l], wt.grads.layers[l]
    z_known, d_known = v.known("z", l), v.known("dz", l)
    in_known = l == 0 or v.known("a", l - 1)
    act = wt.net.activations[l]
    f_sym = S.activation(act)[0]
    out = [
        Formula(f"Layer {l + 1}: shapes",
                rf"{W} \in \mathbb{{R}}^{{{m} \times {n}}}, \quad {a_in} \in \mathbb{{R}}^{{{n}}},"
                rf" \quad {b} \in \mathbb{{R}}^{{{m}}}",
                note=f"Row i of ${W}$ holds the weights into neuron i of layer {l + 1}; "
                     f"column j the weights out of neuron j of layer {l}."),
        Formula("Forward (matrix form)", f"{z} = {W} {a_in} + {b}", known=z_known,
                matrices=(Matrix(W, v.W[l]), Matrix(a_in, _col(v.a_prev(l)[0]), in_known),
                          Matrix(b, _col(v.b[l])), Matrix(z, _col(tr.z[0]), z_known))),
        Formula("Activation (matrix form)", f"{a} = {f_sym}({z})", known=v.known("a", l),
                matrices=(Matrix(z, _col(tr.z[0]), z_known),
                          Matrix(a, _col(tr.a[0]), v.known("a", l)))),
        _delta_matrix(v, l, d),
    ]
    dW = S.d(W)
    if v.B == 1:
        grad_tex = rf"{dW} = {d} \, {a_in}^{{\top}}, \quad {S.d(b)} = {d}"
        operands = (Matrix(d, _col(g.dz[0]), d_known),
                    Matrix(f"{a_in}^{{\\top}}", v.a_prev(l)[0:1], in_known))
    else:
        grad_tex = (rf"{dW} = \sum_s {d}[s] \, {a_in}[s]^{{\top}} = \Delta^{{\top}} A, "
                    rf"\quad {S.d(b)} = \sum_s {d}[s]")
        operands = (Matrix(r"\Delta", g.dz, d_known), Matrix("A", v.a_prev(l), in_known))
    out.append(Formula("Backward: gradients (matrix form)", grad_tex, known=d_known,
                       note="" if v.B == 1 else "Rows of $\\Delta$ and $A$ are the samples.",
                       matrices=(*operands, Matrix(dW, g.dW, d_known),
                                 Matrix(S.d(b), _col(g.db), d_known))))
    opt, updated = wt.session.optimizer, bool(wt.updated)
    rule = (rf"{W} \leftarrow {W} - \eta \, {dW}" if opt.name == "sgd"
            else rf"{W} \leftarrow {W} + \Delta {W} \text{{ ({opt.name})}}")
    out.append(Formula("Update (matrix form)", rule, known=updated,
                       note=f"$\\eta = {fmt_tex(opt.lr)}$; $b$ is updated the same way with "
                            "its gradient.",
                       matrices=(Matrix(rf"{W} \text{{ (old)}}", v.W[l]),
                                 Matrix(dW, g.dW, d_known),
                                 Matrix(rf"{W} \text{{ (new)}}", v.after()[0][l], updated))))
    return out


def _delta_matrix(v: R.Numbers, l: int, d: str) -> Formula:
    """δ of layer l in matrix form: from the loss for the output layer, else via Wᵀ."""
    tr, g = v.wt.trace.layers[l], v.wt.grads.layers[l]
    act, known = v.net.activations[l], v.known("dz", l)
    f_sym = S.activation(act)[0]
    z = S.vec("z", l, v.L)
    delta = Matrix(d, _col(g.dz[0]), known)
    fprime = act.df(tr.z[0:1], tr.a[0:1])[0] if act.elementwise else None
    if l < v.L - 1:
        W_next = f"W^{{({l + 2})}}"
        d_next = S.vec("delta", l + 1, v.L)
        return Formula(
            "Backward: δ (matrix form)",
            rf"{d} = \left({W_next}^{{\top}} {d_next}\right) \odot {f_sym}'({z})",
            known=known, note="The transpose ($\\top$) sends each error back along the weights "
            "it came through: row i of the transposed matrix is column i of the weights.",
            matrices=(Matrix(f"{W_next}^{{\\top}}", v.W[l + 1].T),
                      Matrix(d_next, _col(v.wt.grads.layers[l + 1].dz[0]), known),
                      Matrix(f"{f_sym}'({z})", _col(fprime), known), delta))
    yhat, loss_known = S.vec("a", l, v.L), v.known("da", l)
    fused = (act.name, v.net.loss.name) in (("sigmoid", "bce"), ("softmax", "cross_entropy"))
    if fused:
        scale = r"\frac{1}{B}" if v.B > 1 else ""
        return Formula("Backward: output δ (matrix form)", rf"{d} = {scale}({yhat} - y)",
                       known=known, matrices=(Matrix(yhat, _col(tr.a[0]), v.known("a", l)),
                                              Matrix("y", _col(v.wt.y[0])), delta))
    grad = Matrix(S.d(yhat), _col(g.da[0]), loss_known)
    if fprime is None:
        tex = rf"{d} = {yhat} \odot \left({S.d(yhat)} - {yhat}^{{\top}} {S.d(yhat)}\right)"
        return Formula("Backward: output δ (matrix form)", tex, known=known,
                       matrices=(grad, Matrix(yhat, _col(tr.a[0])), delta))
    return Formula("Backward: output δ (matrix form)",
                   rf"{d} = {S.d(yhat)} \odot {f_sym}'({z})", known=known,
                   matrices=(grad, Matrix(f"{f_sym}'({z})", _col(fprime), known), delta))


# ---- the whole iteration ---------------------------------------------------------------
def _shown(n: int, full: bool) -> range:
    return range(n if full else min(n, ELIDED_NEURONS))


def worked_iteration(wt: Walkthrough) -> list[Section]:
    """Every stage's formulas for every neuron, one Section per stage (titled like the
    stage), then each layer in matrix form. Networks with more than MAX_FULL_NEURONS
    neurons show the first ELIDED_NEURONS neurons of each layer (and their edges); layers
    with more than MAX_FULL_EDGES weights show only the edges among those neurons."""
    v = R.Numbers(wt)
    sizes = wt.net.sizes
    full = sum(sizes) <= MAX_FULL_NEURONS
    note = "" if full else (
        f"The network has {sum(sizes)} neurons: each layer shows its first "
        f"{ELIDED_NEURONS}; select a neuron or an edge for its own formulas.")

    def edges(l: int) -> list[tuple[int, int]]:
        all_edges = full and sizes[l] * sizes[l + 1] <= MAX_FULL_EDGES
        return [(i, j) for i in _shown(sizes[l + 1], all_edges)
                for j in _shown(sizes[l], all_edges)]

    sections = []
    for l in range(v.L):
        formulas = [f for i in _shown(sizes[l + 1], full)
                    for f in (R.forward_z(v, l, i), R.forward_a(v, l, i))]
        sections.append(Section(Stage("forward", l).label, tuple(formulas), note))
    out_grads = [R.output_grad(v, k) for k in _shown(sizes[-1], full)]
    sections.append(Section(Stage("loss").label, tuple(R.loss_formulas(v) + out_grads)))
    updates: list[Formula] = []
    for l in range(v.L - 1, -1, -1):
        neurons = _shown(sizes[l + 1], full)
        formulas = [R.delta(v, l, i) for i in neurons]
        formulas += [R.weight_grad(v, l, i, j) for i, j in edges(l)]
        formulas += [R.bias_grad(v, l, i) for i in neurons]
        sections.append(Section(Stage("backward", l).label, tuple(formulas), note))
    for l in range(v.L):
        updates += [R.update(v, l, i, j) for i, j in edges(l)]
        updates += [R.update(v, l, i) for i in _shown(sizes[l + 1], full)]
    sections.append(Section(Stage("update").label, tuple(updates), note))
    for l in range(v.L):
        sections.append(Section(f"Layer {l + 1} in matrix form", tuple(layer_formulas(wt, l))))
    return sections
