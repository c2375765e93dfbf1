"""The rules behind each worked formula: which numbers of a walkthrough go where.

One function per quantity of docs/derivation.md — z, a, L, ∂L/∂ŷ, δ, ∂L/∂W, ∂L/∂b, the update —
each returning a :class:`~mlpviz.model.notation.formula_types.Formula` for neuron i of weight
layer l (0-based) on sample 0 of the walkthrough. :mod:`mlpviz.model.notation.formulas` puts
them together per selection and per stage.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mlpviz.model.notation import symbols as S
from mlpviz.model.notation.formula_types import Factor, Formula, Term
from mlpviz.model.notation.mathtext import fmt_tex
from mlpviz.model.walkthrough import Walkthrough


class Numbers:
    """The values of one walkthrough, indexed the way the formulas need them (sample 0)."""

    def __init__(self, wt: Walkthrough):
        self.wt = wt
        self.net = wt.net
        self.L = wt.net.n_layers
        self.B = int(wt.x.shape[0])
        self.batch = wt.sample_index is None
        self.W, self.b = wt.weights_before, wt.biases_before
        self._after: tuple[list[np.ndarray], list[np.ndarray]] | None = None

    def after(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(weights, biases) after the update (a preview until the update has run)."""
        if self._after is None:
            self._after = (self.wt.weights_after, self.wt.biases_after)
        return self._after

    def a_prev(self, l: int) -> np.ndarray:
        """a⁽ˡ⁻¹⁾ (B, n_in) feeding weight layer l (x for l = 0)."""
        return self.wt.trace.x if l == 0 else self.wt.trace.layers[l - 1].a

    def known(self, q: str, l: int, i: int | None = None) -> bool:
        return self.wt.is_known(q, l, i)

    def sample_note(self) -> str:
        if not self.batch:
            return ""
        return f" These are the numbers of sample 0 of the mini-batch of {self.B}."


# ---- forward ---------------------------------------------------------------------------
def forward_z(v: Numbers, l: int, i: int) -> Formula:
    """z_i = Σⱼ w_ij a_j + b_i, one term per input j, the bias last."""
    prev, w_row = v.a_prev(l)[0], v.W[l][i]
    with np.errstate(over="ignore", invalid="ignore"):  # a blown-up network shows inf
        products = w_row * prev
    terms = [
        Term(f"{S.w(l, i, j)} {S.a(l - 1, j, v.L)}", float(products[j]),
             (Factor(S.w(l, i, j), float(w_row[j])), Factor(S.a(l - 1, j, v.L), float(prev[j]))))
        for j in range(len(w_row))
    ]
    terms.append(Term(S.b(l, i), float(v.b[l][i])))
    tex = rf"{S.z(l, i)} = \sum_j {S.w(l, i, 'j')} {S.a(l - 1, 'j', v.L)} + {S.b(l, i)}"
    note = "Each input times its weight, plus the bias." + v.sample_note()
    return Formula("Forward: pre-activation", tex, tuple(terms),
                   float(v.wt.trace.layers[l].z[0, i]), v.known("z", l, i), note.strip())


def forward_a(v: Numbers, l: int, i: int) -> Formula:
    """a_i = f(z_i) = (f written out), with f named."""
    act = v.net.activations[l]
    sym, _, _, pattern = S.activation(act)
    z_row = v.wt.trace.layers[l].z[0]
    a_val = float(v.wt.trace.layers[l].a[0, i])
    if act.name == "softmax":
        exps = np.exp(z_row - z_row.max())
        term = Term(rf"\frac{{e^{{{S.z(l, i)}}}}}{{\sum_k e^{{{S.z(l, 'k')}}}}}", a_val,
                    (Factor(f"e^{{{S.z(l, i)} - m}}", float(exps[i])),
                     Factor(f"\\sum_k e^{{{S.z(l, 'k')} - m}}", float(exps.sum()))),
                    r"\frac{#0}{#1}")
        tex = rf"{S.a(l, i, v.L)} = {sym}(z^{{({l + 1})}})_{{{i + 1}}} = {term.tex}"
        note = ("Softmax turns the outputs into probabilities that sum to 1 (shown with "
                f"$m = \\max_k z_k = {fmt_tex(z_row.max())}$ subtracted, which changes nothing).")
    else:
        term = Term(f"{sym}({S.z(l, i)})", a_val, (Factor(S.z(l, i), float(z_row[i])),),
                    pattern)
        tex = rf"{S.a(l, i, v.L)} = {sym}({S.z(l, i)})"
        written = S.activation_at(act, S.z(l, i))
        if written != S.z(l, i):
            tex += f" = {written}"
        params = S.activation_params(act)
        note = " ".join(filter(None, [
            f"{act.title}; its slope, used by the backward pass: ${S.activation(act)[2]}$"
            + (f" with ${params}$." if params else "."),
            activation_note(act.name, float(z_row[i]), a_val)]))
    return Formula("Forward: activation", tex, (term,), a_val, v.known("a", l, i), note)


def activation_note(name: str, z: float, a: float) -> str:
    """Teacher's remark on where z sits on the activation curve ("" if nothing to say)."""
    if name == "step":
        return "A step outputs only 0 or 1; its slope is 0 everywhere, so no gradient flows back."
    if name == "sigmoid" and (a < 0.02 or a > 0.98):
        return ("The sigmoid is saturated here: $\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$ is "
                "tiny, so hardly any gradient flows back through this neuron.")
    if name == "tanh" and abs(a) > 0.98:
        return "tanh is saturated here: $1 - \\tanh^2(z)$ is tiny, so the gradient vanishes."
    if name == "relu" and z <= 0:
        return "ReLU is inactive ($z \\le 0$): it outputs 0 and passes no gradient back."
    return ""


# ---- loss ------------------------------------------------------------------------------
def _output_loss_terms(v: Numbers, s: int) -> list[Term]:
    """Each output's share of sample s's loss."""
    out, y = v.wt.trace.layers[-1], v.wt.y
    loss = v.net.loss
    terms = []
    for k in range(out.a.shape[1]):
        if loss.name == "cross_entropy":
            zs = out.z[s]
            log_p = zs[k] - zs.max() - np.log(np.exp(zs - zs.max()).sum())
            value = float(-y[s, k] * log_p)
        else:
            sl = slice(k, k + 1)
            value = float(loss.per_sample(out.z[s : s + 1, sl], out.a[s : s + 1, sl],
                                          y[s : s + 1, sl])[0])
        tex, pattern = S.loss_term(loss.name, k)
        terms.append(Term(tex, value, (Factor(S.a(v.L - 1, k, v.L), float(out.a[s, k])),
                                       Factor(S.y(k), float(y[s, k]))), pattern))
    return terms


def loss_formulas(v: Numbers) -> list[Formula]:
    """L with the numbers: per output for one sample; per sample and 1/B for a batch."""
    loss, known = v.net.loss, v.wt.loss_known
    one_output = v.wt.y.shape[1] == 1
    per_out, _ = S.loss_term(loss.name, 0 if one_output else "k")
    sample_tex = per_out if one_output else rf"\sum_k {per_out}"
    note = ("The lecture's loss, $L = (\\hat{y} - y)^2$." if loss.name == "mse" and one_output
            else f"{loss.title}.")
    opt = v.wt.session.optimizer
    if opt.regularization != "none" and opt.reg_rate > 0:
        penalty = opt.penalty(v.wt.params_before, v.net.weight_mask)
        term = ("\\lambda \\sum |w|" if opt.regularization == "l1"
                else "\\frac{\\lambda}{2} \\sum w^2")
        note += (f" The updates also descend the {opt.regularization.upper()} penalty "
                 f"${term} = {fmt_tex(penalty)}$, so the loss they lower is "
                 f"$L + {fmt_tex(penalty)}$; the plotted loss includes the penalty too.")
    if not v.batch or v.B == 1:
        return [Formula("Loss", f"L = {sample_tex}", tuple(_output_loss_terms(v, 0)),
                        float(v.wt.loss), known, note)]
    out = v.wt.trace.layers[-1]
    per_sample = loss.per_sample(out.z, out.a, v.wt.y)
    terms = tuple(Term(rf"\ell[{s}]", float(per_sample[s])) for s in range(v.B))
    batch = Formula("Loss (mini-batch mean)", r"L = \frac{1}{B} \sum_s \ell[s]", terms,
                    float(v.wt.loss), known,
                    f"The loss of a mini-batch is the mean over its {v.B} samples. {note}",
                    multiplier=Term(r"\frac{1}{B}", 1.0 / v.B, pattern=rf"\frac{{1}}{{{v.B}}}"),
                    subtotal=float(per_sample.sum()))
    sample = Formula("Loss of sample 0", rf"\ell[0] = {sample_tex}",
                     tuple(_output_loss_terms(v, 0)), float(per_sample[0]), known)
    return [batch, sample]


def output_grad(v: Numbers, k: int) -> Formula:
    """∂L/∂ŷ_k of sample 0."""
    l = v.L - 1
    tex, pattern = S.loss_grad(v.net.loss.name, k, v.B)
    value = float(v.wt.grads.layers[l].da[0, k])
    factors = (Factor(S.a(l, k, v.L), float(v.wt.trace.layers[l].a[0, k])),
               Factor(S.y(k), float(v.wt.y[0, k])))
    note = ("As in the lecture: $\\frac{\\partial L}{\\partial \\hat{y}} = 2(\\hat{y} - y)$."
            if v.net.loss.name == "mse" and v.B == 1 else "")
    return Formula("Backward: loss gradient", f"{S.d(S.a(l, k, v.L))} = {tex}",
                   (Term(tex, value, factors, pattern),), value, v.known("da", l, k), note)


# ---- backward --------------------------------------------------------------------------
def fprime_term(v: Numbers, l: int, i: int) -> Term:
    """f′(z_i) of layer l for sample 0, written through h where that is the form of
    docs/derivation.md."""
    act = v.net.activations[l]
    tr = v.wt.trace.layers[l]
    zi, ai = tr.z[0:1, i : i + 1], tr.a[0:1, i : i + 1]
    value = float(act.df(zi, ai)[0, 0])
    sym = S.activation(act)[0]
    tex = f"{sym}'({S.z(l, i)})"
    a_factor = (Factor(S.a(l, i, v.L), float(ai[0, 0])),)
    if act.name == "sigmoid":
        return Term(tex, value, a_factor, "#0(1 - #0)")
    if act.name == "tanh":
        return Term(tex, value, a_factor, "(1 - #0^2)")
    return Term(tex, value)


def _delta_note(v: Numbers, l: int, fprime: float) -> str:
    name = v.net.activations[l].name
    notes = []
    if name == "step":
        notes.append("$\\mathrm{step}'(z) = 0$, so $\\delta = 0$: no gradient flows back "
                     "through a step, which is why the perceptron needs its own learning rule.")
    elif name == "relu" and fprime == 0:
        notes.append("$\\mathrm{ReLU}'(z) = 0$ for $z \\le 0$: this neuron passes no gradient.")
    elif name == "sigmoid" and fprime < 0.02:
        notes.append(f"$\\sigma'(z) = {fmt_tex(fprime)}$ is tiny (at most 0.25): the sigmoid is "
                     "saturated and the gradient vanishes here.")
    elif name == "tanh" and fprime < 0.04:
        notes.append(f"$\\tanh'(z) = {fmt_tex(fprime)}$ is tiny: tanh is saturated here.")
    if v.batch and v.B > 1:
        notes.append(f"Sample 0 of the mini-batch; δ includes the 1/B = 1/{v.B} of the mean.")
    return " ".join(notes)


def output_delta(v: Numbers, k: int) -> Formula:
    """δ_k of the output layer: ∂L/∂ŷ · f′(z), the fused p − y, or softmax's Jacobian."""
    l = v.L - 1
    act, loss = v.net.activations[l], v.net.loss
    tr, g = v.wt.trace.layers[l], v.wt.grads.layers[l]
    result, da = float(g.dz[0, k]), g.da[0]
    known = v.known("dz", l, k)
    yhat, y = S.a(l, k, v.L), S.y(k)
    if (act.name, loss.name) in (("sigmoid", "bce"), ("softmax", "cross_entropy")):
        fused = Term(f"{yhat} - {y}", float(tr.a[0, k] - v.wt.y[0, k]),
                     (Factor(yhat, float(tr.a[0, k])), Factor(y, float(v.wt.y[0, k]))),
                     "#0 - #1")
        mult = (Term(r"\frac{1}{B}", 1.0 / v.B, pattern=rf"\frac{{1}}{{{v.B}}}")
                if v.B > 1 else None)
        rhs = rf"\frac{{1}}{{B}}({yhat} - {y})" if v.B > 1 else f"{yhat} - {y}"
        pair_name = "sigmoid and binary" if act.name == "sigmoid" else "softmax and"
        note = (f"With {pair_name} cross-entropy the factors of $\\frac{{\\partial L}}"
                f"{{\\partial \\hat{{y}}}} \\cdot f'(z)$ cancel, leaving $\\hat{{y}} - y$.")
        return Formula("Backward: output δ (fused)",
                       f"{S.delta(l, k)} = {rhs}", (fused,), result, known,
                       f"{note} {_delta_note(v, l, 1.0)}".strip(), multiplier=mult)
    if act.name == "softmax":
        p = tr.a[0]
        terms = [Term(S.d(S.a(l, k, v.L)), float(da[k]))]
        terms += [Term(rf"-{S.a(l, j, v.L)} {S.d(S.a(l, j, v.L))}", float(-p[j] * da[j]),
                       (Factor(S.a(l, j, v.L), float(p[j])), Factor(S.d(S.a(l, j, v.L)),
                                                                     float(da[j]))),
                       r"-#0 \cdot #1") for j in range(len(p))]
        tex = (rf"{S.delta(l, k)} = {yhat} \left({S.d(yhat)} - \sum_j {S.a(l, 'j', v.L)} "
               rf"{S.d(S.a(l, 'j', v.L))}\right)")
        return Formula("Backward: output δ (softmax)", tex, tuple(terms), result, known,
                       "Softmax couples the outputs: every $\\hat{y}_j$ depends on every $z_k$.",
                       multiplier=Term(yhat, float(p[k])))
    fp = fprime_term(v, l, k)
    tex = rf"{S.delta(l, k)} = {S.d(yhat)} \cdot {fp.tex}"
    return Formula("Backward: output δ", tex, (Term(S.d(yhat), float(da[k])),), result, known,
                   _delta_note(v, l, fp.value), multiplier=fp, subtotal=float(da[k]))


def hidden_delta(v: Numbers, l: int, i: int) -> Formula:
    """δ_i⁽ˡ⁾ = (Σₖ w_ki⁽ˡ⁺¹⁾ δ_k⁽ˡ⁺¹⁾) · f′(z_i⁽ˡ⁾), one term per downstream neuron k."""
    w_col, d_next = v.W[l + 1][:, i], v.wt.grads.layers[l + 1].dz[0]
    terms = tuple(
        Term(f"{S.w(l + 1, k, i)} {S.delta(l + 1, k)}", float(w_col[k] * d_next[k]),
             (Factor(S.w(l + 1, k, i), float(w_col[k])), Factor(S.delta(l + 1, k),
                                                                  float(d_next[k]))))
        for k in range(len(w_col))
    )
    fp = fprime_term(v, l, i)
    tex = (rf"{S.delta(l, i)} = \left(\sum_k {S.w(l + 1, 'k', i)} {S.delta(l + 1, 'k')}"
           rf"\right) \cdot {fp.tex}")
    note = ("Each neuron k of the next layer sends back its δ through the weight that "
            f"connects it; the sum is $\\partial L/\\partial {S.a(l, i, v.L)}$. "
            + _delta_note(v, l, fp.value))
    g = v.wt.grads.layers[l]
    return Formula("Backward: hidden δ", tex, terms, float(g.dz[0, i]), v.known("dz", l, i),
                   note.strip(), multiplier=fp, subtotal=float(g.da[0, i]))


def delta(v: Numbers, l: int, i: int) -> Formula:
    return output_delta(v, i) if l == v.L - 1 else hidden_delta(v, l, i)


def input_formulas(v: Numbers, j: int) -> list[Formula]:
    """x_j and ∂L/∂x_j = Σₖ w_kj⁽¹⁾ δ_k⁽¹⁾ (the last link of the chain, docs/derivation.md)."""
    x = float(v.wt.trace.x[0, j])
    value = Formula("Input", S.a(-1, j, v.L), (), x, True, v.sample_note().strip())
    w_col, d1 = v.W[0][:, j], v.wt.grads.layers[0].dz[0]
    terms = tuple(
        Term(f"{S.w(0, k, j)} {S.delta(0, k)}", float(w_col[k] * d1[k]),
             (Factor(S.w(0, k, j), float(w_col[k])), Factor(S.delta(0, k), float(d1[k]))))
        for k in range(len(w_col))
    )
    grad = Formula("Backward: input gradient",
                   rf"{S.d(S.a(-1, j, v.L))} = \sum_k {S.w(0, 'k', j)} {S.delta(0, 'k')}",
                   terms, float(v.wt.grads.dx[0, j]), v.known("dz", 0),
                   "Inputs are not trained; this says how the loss would change with the input.")
    return [value, grad]


# ---- gradients and the update ------------------------------------------------------------
def weighted_input(v: Numbers, l: int, i: int, j: int) -> Formula:
    """The term w_ij a_j that edge (i, j) adds to z_i."""
    wij, aj = float(v.W[l][i, j]), float(v.a_prev(l)[0, j])
    term = Term(f"{S.w(l, i, j)} {S.a(l - 1, j, v.L)}", wij * aj,
                (Factor(S.w(l, i, j), wij), Factor(S.a(l - 1, j, v.L), aj)))
    return Formula("Forward: weighted input", term.tex, (term,), wij * aj, v.known("z", l, i),
                   f"One of the {len(v.W[l][i])} products summed into ${S.z(l, i)}$.")


def _batch_sum_note(v: Numbers) -> str:
    return (f"Summed over the {v.B} samples of the mini-batch; each δ already carries the "
            f"1/B = 1/{v.B} of the batch mean, so this is the mean's gradient.")


def weight_grad(v: Numbers, l: int, i: int, j: int) -> Formula:
    """∂L/∂w_ij = δ_i a_j (summed over the samples of a mini-batch)."""
    dz, ap = v.wt.grads.layers[l].dz[:, i], v.a_prev(l)[:, j]
    d_sym, a_sym = S.delta(l, i), S.a(l - 1, j, v.L)
    result = float(v.wt.grads.layers[l].dW[i, j])
    known = v.known("dW", l, i)
    head = S.d(S.w(l, i, j))
    if v.B == 1:
        term = Term(f"{d_sym} {a_sym}", float(dz[0] * ap[0]),
                    (Factor(d_sym, float(dz[0])), Factor(a_sym, float(ap[0]))))
        return Formula("Backward: weight gradient", f"{head} = {d_sym} \\, {a_sym}", (term,),
                       result, known, "The error at the weight's target neuron times the "
                       "activation at its source ($\\partial z / \\partial W = x$ in the "
                       "lecture's derivation).")
    terms = tuple(Term(f"{d_sym}[{s}] \\, {a_sym}[{s}]", float(dz[s] * ap[s]),
                       (Factor(f"{d_sym}[{s}]", float(dz[s])), Factor(f"{a_sym}[{s}]",
                                                                       float(ap[s]))))
                  for s in range(v.B))
    return Formula("Backward: weight gradient", rf"{head} = \sum_s {d_sym}[s] \, {a_sym}[s]",
                   terms, result, known, _batch_sum_note(v))


def bias_grad(v: Numbers, l: int, i: int) -> Formula:
    """∂L/∂b_i = δ_i (summed over the samples of a mini-batch)."""
    dz = v.wt.grads.layers[l].dz[:, i]
    d_sym, head = S.delta(l, i), S.d(S.b(l, i))
    result, known = float(v.wt.grads.layers[l].db[i]), v.known("db", l, i)
    if v.B == 1:
        return Formula("Backward: bias gradient", f"{head} = {d_sym}",
                       (Term(d_sym, float(dz[0])),), result, known,
                       "A bias is a weight on a constant input 1, so its gradient is δ itself.")
    terms = tuple(Term(f"{d_sym}[{s}]", float(dz[s])) for s in range(v.B))
    return Formula("Backward: bias gradient", rf"{head} = \sum_s {d_sym}[s]", terms, result,
                   known, _batch_sum_note(v))


def _regularization_term(opt: Any, sym: str, old: float) -> tuple[str, Term] | None:
    if opt.regularization == "none" or opt.reg_rate == 0.0:
        return None
    factors = [Factor(r"\eta", float(opt.lr)), Factor(r"\lambda", float(opt.reg_rate))]
    if opt.regularization == "l2":
        factors.append(Factor(sym, old))
        tex = rf"\eta \lambda {sym}"
    else:
        factors.append(Factor(rf"\operatorname{{sign}}({sym})", float(np.sign(old))))
        tex = rf"\eta \lambda \operatorname{{sign}}({sym})"
    term = Term(f"-{tex}", -float(np.prod([f.value for f in factors])), tuple(factors),
                r"-#0 \cdot #1 \cdot #2")
    return tex, term


def update(v: Numbers, l: int, i: int, j: int | None = None) -> Formula:
    """w ← w − η ∂L/∂w for SGD with its numbers; old → new for momentum and Adam.

    ``j`` None updates the bias b_i (never regularized)."""
    opt = v.wt.session.optimizer
    g_layer = v.wt.grads.layers[l]
    if j is None:
        sym, old, grad = S.b(l, i), float(v.b[l][i]), float(g_layer.db[i])
        new = float(v.after()[1][l][i])
    else:
        sym, old, grad = S.w(l, i, j), float(v.W[l][i, j]), float(g_layer.dW[i, j])
        new = float(v.after()[0][l][i, j])
    reg = _regularization_term(opt, sym, old) if j is not None else None
    lr = float(opt.lr)
    known = bool(v.wt.updated)
    if opt.name == "sgd":
        terms = [Term(sym, old),
                 Term(rf"-\eta \, {S.d(sym)}", -lr * grad,
                      (Factor(r"\eta", lr), Factor(S.d(sym), grad)), r"-#0 \cdot #1")]
        tex = rf"{sym} \leftarrow {sym} - \eta \, {S.d(sym)}"
        note = f"Gradient descent with learning rate $\\eta = {fmt_tex(lr)}$: a step downhill."
        if reg is not None:
            tex += f" - {reg[0]}"
            terms.append(reg[1])
            note += f" {opt.regularization.upper()} regularization pulls the weight toward 0."
        return Formula("Update", tex, tuple(terms), new, known, note)
    terms = [Term(sym, old), Term(rf"\Delta {sym}", new - old)]
    gradient = f"this iteration's gradient is ${S.d(sym)} = {fmt_tex(grad)}$"
    if opt.name == "momentum":
        tex = rf"v \leftarrow \mu v + {S.d(sym)}, \quad {sym} \leftarrow {sym} - \eta v"
        note = (f"SGD with momentum ($\\mu = {fmt_tex(opt.momentum)}$, "
                f"$\\eta = {fmt_tex(lr)}$): the step follows the velocity v, a decaying sum "
                f"of past gradients; {gradient}.")
    else:
        tex = rf"{sym} \leftarrow {sym} - \eta \frac{{\hat{{m}}}}{{\sqrt{{\hat{{v}}}} + \epsilon}}"
        note = (f"Adam ($\\eta = {fmt_tex(lr)}$, $\\beta_1 = {fmt_tex(opt.beta1)}$, "
                f"$\\beta_2 = {fmt_tex(opt.beta2)}$): $\\hat{{m}}$ and $\\hat{{v}}$ are "
                f"bias-corrected running means of the gradient and its square, so every "
                f"weight gets its own step size; {gradient}.")
    if reg is not None:
        note += f" The gradient includes {opt.regularization.upper()} regularization."
    return Formula(f"Update ({opt.name})", tex, tuple(terms), new, known, note)
