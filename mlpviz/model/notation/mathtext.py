"""Formula text: a small TeX subset, its plain-Unicode reading, and number formatting.

Every formula of :mod:`mlpviz.model.notation.formulas` is written once, in TeX — as it goes into
a LaTeX handout or between ``$…$`` in Markdown — and :func:`tex_to_text` reads it as
plain Unicode for terminals and the GUI: ``z_1^{(1)}`` becomes ``z₁⁽¹⁾``, ``\\sigma``
becomes ``σ``, ``\\frac{a}{b}`` becomes ``a/b``. Where Unicode has no sub- or superscript
character the script is written ``_(…)`` / ``^(…)`` instead. Only the macros listed below
are understood; anything else raises :class:`MathTextError`, so a typo never reaches a
handout silently.

**The number format** (one rule for the whole app: the network diagram, its hover text,
the inspector, captions, the activation inset and ``mlpviz explain`` all print a value
through :func:`fmt_tex` / :func:`fmt_text`, so one value always reads the same):

- a value (activation, weight, gradient, loss, learning rate, …) has :data:`PRECISION`
  (4) significant digits, Python's ``g`` format — fixed notation from 1e-4 up to 1e4,
  scientific ``m × 10ᵉ`` outside that; trailing zeros are dropped, so numbers a user
  typed (0.15, −0.5, 1) read exactly as typed; −0 reads 0; a true minus sign in Unicode;
- a fraction shown as a percentage (accuracy) is a whole percent, :func:`fmt_percent`,
  with one decimal only where rounding would claim 0 % or 100 % that is not exact;
- counts (epochs, samples, neurons) are whole numbers.
"""

from __future__ import annotations

import math
import re

PRECISION = 4

_SUB = dict(zip("0123456789+-−=()aehijklmnoprstuvx",
                "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
_SUP = dict(zip("0123456789+-−=()inTᵀm×",
                "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁱⁿᵀᵀᵐˣ", strict=True))
#: control words that stand for a letter or symbol; spaces after them are skipped (as TeX
#: does) when a letter, digit or macro follows, so "\partial L" reads "∂L" but "\eta = 1"
#: keeps its space
_SYMBOLS = {
    "sigma": "σ", "delta": "δ", "Delta": "Δ", "eta": "η", "alpha": "α", "beta": "β",
    "epsilon": "ε", "mu": "μ", "lambda": "λ", "partial": "∂", "sum": "Σ", "top": "ᵀ",
    "infty": "∞", "ell": "ℓ", "dots": "…", "ldots": "…", "cdots": "⋯", "vdots": "⋮",
    "ddots": "⋱", "prime": "′",
}
#: control words that are operators or function names: the spacing around them is kept
_OPERATORS = {
    "cdot": "·", "odot": "⊙", "times": "×", "leftarrow": "←", "rightarrow": "→",
    "in": "∈", "ge": "≥", "le": "≤", "approx": "≈", "quad": "\u2003", "qquad": "\u2003\u2003",
    "log": "log", "exp": "exp", "max": "max", "min": "min", "tanh": "tanh",
    "lvert": "|", "rvert": "|",
}
#: control symbols (a backslash and one non-letter)
_CONTROL = {",": " ", ";": " ", ":": " ", "!": "", "{": "{", "}": "}", "%": "%", "$": "$",
            "_": "_", "#": "#", "&": "&", " ": " "}
_SPACES = re.compile(" {2,}")
_HATS = {"y": "ŷ", "a": "â", "m": "m̂", "v": "v̂"}
_BLACKBOARD = {"R": "ℝ", "N": "ℕ"}
_TEXT_ONE_ARG = ("text", "mathrm", "operatorname", "mathit", "mathbf")


class MathTextError(ValueError):
    """A formula uses TeX that this module does not understand (or unbalanced braces)."""


def _needs_parens(text: str) -> bool:
    return len(text) > 1 and any(c in text for c in " +−-·/") and not (
        text.startswith("(") and text.endswith(")")
    )


class _Reader:
    """Recursive-descent reader of the TeX subset, producing Unicode."""

    def __init__(self, tex: str):
        self.tex = tex
        self.i = 0

    def fail(self, message: str) -> MathTextError:
        return MathTextError(f"{message} at position {self.i} of {self.tex!r}")

    def read(self, in_group: bool = False) -> str:
        out: list[str] = []
        while self.i < len(self.tex):
            c = self.tex[self.i]
            if c == "}":
                if not in_group:
                    raise self.fail("unbalanced '}'")
                self.i += 1
                return "".join(out)
            if c == "{":
                self.i += 1
                out.append(self.read(in_group=True))
            elif c == "\\":
                out.append(self.macro())
            elif c in "_^":
                self.i += 1
                out.append(self.script(self.argument(), c))
            else:
                self.i += 1
                out.append({"-": "−", "'": "′", "~": " "}.get(c, c))
        if in_group:
            raise self.fail("unbalanced '{'")
        return "".join(out)

    def raw_group(self) -> str:
        """The verbatim text of a {…} group (for \\text), braces removed."""
        if self.i >= len(self.tex) or self.tex[self.i] != "{":
            raise self.fail("expected '{'")
        depth, start = 0, self.i
        while self.i < len(self.tex):
            c = self.tex[self.i]
            depth += (c == "{") - (c == "}")
            self.i += 1
            if depth == 0:
                return self.tex[start + 1 : self.i - 1]
        raise self.fail("unbalanced '{'")

    def argument(self) -> str:
        """One argument: a {group}, a control sequence or a single character."""
        while self.i < len(self.tex) and self.tex[self.i] == " ":
            self.i += 1
        if self.i >= len(self.tex):
            raise self.fail("missing argument")
        c = self.tex[self.i]
        if c == "{":
            self.i += 1
            return self.read(in_group=True)
        if c == "\\":
            return self.macro()
        self.i += 1
        return {"-": "−"}.get(c, c)

    @staticmethod
    def script(arg: str, kind: str) -> str:
        table = _SUB if kind == "_" else _SUP
        packed = arg.replace(" ", "")
        if packed and all(ch in table for ch in packed):
            return "".join(table[ch] for ch in packed)
        return f"{kind}{arg}" if len(arg) == 1 else f"{kind}({arg})"

    def macro(self) -> str:
        self.i += 1  # the backslash
        if self.i >= len(self.tex):
            raise self.fail("a lone backslash")
        start = self.i
        while self.i < len(self.tex) and self.tex[self.i].isalpha():
            self.i += 1
        name = self.tex[start : self.i]
        if not name:
            c = self.tex[self.i]
            self.i += 1
            if c not in _CONTROL:
                raise self.fail(f"unknown control symbol \\{c}")
            return _CONTROL[c]
        if name in _SYMBOLS:
            end = self.i
            while end < len(self.tex) and self.tex[end] == " ":
                end += 1
            if end < len(self.tex) and (self.tex[end].isalnum() or self.tex[end] == "\\"):
                self.i = end
            return _SYMBOLS[name]
        if name in _OPERATORS:
            return _OPERATORS[name]
        return self.macro_with_arguments(name)

    def macro_with_arguments(self, name: str) -> str:
        if name in _TEXT_ONE_ARG:
            return self.raw_group() if name == "text" else self.argument()
        if name == "hat":
            arg = self.argument()
            return _HATS.get(arg, arg + "\u0302")
        if name == "mathbb":
            arg = self.argument()
            return _BLACKBOARD.get(arg, arg)
        if name == "sqrt":
            arg = self.argument()
            return "√" + (f"({arg})" if _needs_parens(arg) else arg)
        if name == "frac":
            num, den = self.argument(), self.argument()
            num = f"({num})" if _needs_parens(num) else num
            den = f"({den})" if _needs_parens(den) else den
            return f"{num}/{den}"
        if name in ("left", "right", "big", "Big"):
            delim = self.argument()
            return "" if delim == "." else delim
        raise self.fail(f"unknown macro \\{name}")


def tex_to_text(tex: str) -> str:
    """The plain-Unicode reading of ``tex`` (see the module docstring).

    >>> tex_to_text(r"z_1^{(1)} = \\sum_j w_{1j}^{(1)} x_j + b_1^{(1)}")
    'z₁⁽¹⁾ = Σⱼ w₁ⱼ⁽¹⁾ xⱼ + b₁⁽¹⁾'
    """
    return _SPACES.sub(" ", _Reader(tex).read())


_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def fmt_tex(value: float) -> str:
    """``value`` with PRECISION significant digits, as TeX (``-1.5 \\times 10^{-5}``)."""
    value = float(value)
    if math.isnan(value):
        return r"\mathrm{NaN}"
    if math.isinf(value):
        return r"\infty" if value > 0 else r"-\infty"
    text = format(value, f".{PRECISION}g")
    if text in ("-0", "0"):
        return "0"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def fmt_text(value: float) -> str:
    """``value`` with PRECISION significant digits, as Unicode (``−1.5 × 10⁻⁵``)."""
    tex = fmt_tex(value)
    if _PLAIN_NUMBER.fullmatch(tex):  # most numbers: only the minus sign changes
        return tex.replace("-", "−")
    return tex_to_text(tex)


def fmt_percent(fraction: float) -> str:
    """A fraction in 0..1 as a percentage (see the module docstring): "78 %", "99.5 %"."""
    pct = 100.0 * float(fraction)
    text = f"{pct:.0f}"
    if text in ("0", "100") and pct not in (0.0, 100.0):
        text = f"{pct:.1f}"
        if text in ("0.0", "100.0"):
            text = f"{pct:.2g}" if pct < 50 else "99.9"
    return f"{text} %"


def factor_tex(value: float) -> str:
    """A number as a factor after another: negative numbers in parentheses."""
    text = fmt_tex(value)
    return f"({text})" if text.startswith("-") or r"\times" in text else text


def escape_latex_text(text: str) -> str:
    """Plain text for a LaTeX document: special characters escaped, Greek and a few
    typographic Unicode characters spelled in TeX."""
    out = []
    specials = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                "#": r"\#", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
                "^": r"\textasciicircum{}", "—": "---", "–": "--", "−": "$-$",
                "…": r"\ldots{}", "→": r"$\rightarrow$", "←": r"$\leftarrow$"}
    greek = {v: k for k, v in _SYMBOLS.items() if len(v) == 1 and k.isalpha()}
    for ch in text:
        if ch in specials:
            out.append(specials[ch])
        elif ch in greek and greek[ch] not in ("top", "prime"):
            out.append(f"$\\{greek[ch]}$")
        else:
            out.append(ch)
    return "".join(out)
