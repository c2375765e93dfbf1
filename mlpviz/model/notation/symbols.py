"""TeX symbols of the network's quantities and the formulas of activations and losses.

Layers are numbered as in docs/derivation.md and the app: weight layer l (0-based in code) is
layer l + 1 on screen, the inputs are layer 0 (x), neurons count from 1. Functions here
take 0-based code indices, or a letter such as ``"j"`` for a summation index.
"""

from __future__ import annotations

import re

from mlpviz.engine.activations import Activation
from mlpviz.model.notation.mathtext import fmt_tex


def n(i: int | str) -> str:
    """A neuron index as shown: 0-based int → 1-based text; a letter stays."""
    return str(i + 1) if isinstance(i, int) else i


def pair(i: int | str, j: int | str) -> str:
    """Two subscripts, comma-separated when one has more than one digit."""
    a, b = n(i), n(j)
    return f"{a},{b}" if len(a) > 1 or len(b) > 1 else f"{a}{b}"


def w(l: int, i: int | str, j: int | str) -> str:
    return f"w_{{{pair(i, j)}}}^{{({l + 1})}}"


def matrix(l: int) -> str:
    """W⁽ˡ⁺¹⁾, the weight matrix of weight layer l."""
    return f"W^{{({l + 1})}}"


def b(l: int, i: int | str) -> str:
    return f"b_{{{n(i)}}}^{{({l + 1})}}"


def z(l: int, i: int | str) -> str:
    return f"z_{{{n(i)}}}^{{({l + 1})}}"


def delta(l: int, i: int | str) -> str:
    return rf"\delta_{{{n(i)}}}^{{({l + 1})}}"


def a(l: int, i: int | str, n_layers: int) -> str:
    """Activation of neuron i of weight layer l: x for l = −1, ŷ for the output layer,
    h (hidden) in between."""
    if l < 0:
        return f"x_{{{n(i)}}}"
    if l == n_layers - 1:
        return rf"\hat{{y}}_{{{n(i)}}}"
    return f"h_{{{n(i)}}}^{{({l + 1})}}"


def y(k: int | str) -> str:
    return f"y_{{{n(k)}}}"


def d(sym: str) -> str:
    """∂L/∂(sym)."""
    return rf"\frac{{\partial L}}{{\partial {sym}}}"


def vec(kind: str, l: int, n_layers: int) -> str:
    """A layer's vector: kind "a" (x for l = −1, h⁽ˡ⁾ hidden, ŷ output), "z", "b",
    "delta"."""
    if kind == "a":
        if l < 0:
            return "x"
        return r"\hat{y}" if l == n_layers - 1 else f"h^{{({l + 1})}}"
    name = r"\delta" if kind == "delta" else kind
    return f"{name}^{{({l + 1})}}"


# name -> (symbol of f, f(z) in terms of z, f′, numeric pattern of f(#0))
_ACTIVATIONS: dict[str, tuple[str, str, str, str]] = {
    "sigmoid": (r"\sigma", r"\frac{1}{1 + e^{-z}}", r"\sigma'(z) = \sigma(z)(1 - \sigma(z))",
                r"\frac{1}{1 + e^{-#0}}"),
    "tanh": (r"\tanh", r"\frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}", r"\tanh'(z) = 1 - \tanh^2(z)",
             r"\tanh(#0)"),
    "relu": (r"\mathrm{ReLU}", r"\max(0, z)",
             r"\mathrm{ReLU}'(z) = 1 \text{ if } z > 0 \text{ else } 0", r"\max(0, #0)"),
    "leaky_relu": (r"\mathrm{LeakyReLU}", r"z \text{ if } z > 0 \text{ else } \alpha z",
                   r"\mathrm{LeakyReLU}'(z) = 1 \text{ if } z > 0 \text{ else } \alpha",
                   r"\mathrm{LeakyReLU}(#0)"),
    "elu": (r"\mathrm{ELU}", r"z \text{ if } z > 0 \text{ else } \alpha(e^{z} - 1)",
            r"\mathrm{ELU}'(z) = 1 \text{ if } z > 0 \text{ else } \alpha e^{z}",
            r"\mathrm{ELU}(#0)"),
    "step": (r"\mathrm{step}", r"1 \text{ if } z \ge 0 \text{ else } 0",
             r"\mathrm{step}'(z) = 0", r"\mathrm{step}(#0)"),
    "linear": ("f", "z", "f'(z) = 1", "#0"),
    "softmax": (r"\mathrm{softmax}", r"\frac{e^{z_k}}{\sum_j e^{z_j}}",
                r"\frac{\partial p_k}{\partial z_j} = p_k(\delta_{kj} - p_j)", ""),
}
_Z = re.compile(r"(?<![A-Za-z\\])z(?![A-Za-z])")


def activation(act: Activation) -> tuple[str, str, str, str]:
    """(symbol f, f(z) written in z, f′(z) = …, numeric pattern of f(#0)) of ``act`` in
    TeX."""
    return _ACTIVATIONS[act.name]


def activation_at(act: Activation, z_sym: str) -> str:
    """f(z) written out for the pre-activation ``z_sym``, e.g. 1/(1 + e^{−z₁⁽¹⁾})."""
    return _Z.sub(lambda _: z_sym, _ACTIVATIONS[act.name][1])


_SHOWN_NAMES = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "elu": "ELU"}


def activation_name(act: Activation) -> str:
    """The activation as written in running text and under the network's columns:
    "sigmoid", "tanh", "ReLU", "leaky ReLU", "ELU", "softmax", …"""
    return _SHOWN_NAMES.get(act.name, act.name)


def activation_params(act: Activation) -> str:
    """The activation's parameters as TeX (``\\alpha = 0.01``), or ""."""
    alpha = act.params().get("alpha")
    return "" if alpha is None else rf"\alpha = {fmt_tex(alpha)}"


# name -> (TeX of one output's loss term, numeric pattern with #0 = ŷ, #1 = y)
_LOSS_TERMS: dict[str, tuple[str, str]] = {
    "mse": (r"(\hat{y}_{k} - y_{k})^2", "(#0 - #1)^2"),
    "mse_half": (r"\frac{1}{2}(\hat{y}_{k} - y_{k})^2", r"\frac{1}{2}(#0 - #1)^2"),
    "bce": (r"-\left[y_{k} \log \hat{y}_{k} + (1 - y_{k}) \log(1 - \hat{y}_{k})\right]",
            r"-\left[#1 \log #0 + (1 - #1) \log(1 - #0)\right]"),
    "cross_entropy": (r"-y_{k} \log \hat{y}_{k}", r"-#1 \log #0"),
}

# name -> ∂L/∂ŷ_k of one sample before the 1/B, TeX and numeric pattern
_LOSS_GRADS: dict[str, tuple[str, str]] = {
    "mse": (r"2(\hat{y}_{k} - y_{k})", "2(#0 - #1)"),
    "mse_half": (r"\hat{y}_{k} - y_{k}", "#0 - #1"),
    "bce": (r"\frac{\hat{y}_{k} - y_{k}}{\hat{y}_{k}(1 - \hat{y}_{k})}",
            r"\frac{#0 - #1}{#0(1 - #0)}"),
    "cross_entropy": (r"-\frac{y_{k}}{\hat{y}_{k}}", r"-\frac{#1}{#0}"),
}


def loss_term(name: str, k: int | str) -> tuple[str, str]:
    """(TeX, numeric pattern) of output k's share of a sample's loss."""
    tex, pattern = _LOSS_TERMS[name]
    return tex.replace("{k}", f"{{{n(k)}}}"), pattern


def loss_grad(name: str, k: int | str, batch: int) -> tuple[str, str]:
    """(TeX, numeric pattern) of ∂L/∂ŷ_k for a batch of ``batch`` samples."""
    tex, pattern = _LOSS_GRADS[name]
    tex = tex.replace("{k}", f"{{{n(k)}}}")
    if batch > 1:
        tex, pattern = rf"\frac{{1}}{{B}} \left({tex}\right)", rf"\frac{{1}}{{{batch}}} ({pattern})"
    return tex, pattern
