"""Worked formulas as Qt rich text: real sub- and superscripts, numbers on the diverging
colour scale (negative orange, positive blue), matrices as tables, the transpose marked.

The text of every formula comes from :mod:`mlpviz.model.notation.formulas` (TeX read as Unicode by
:func:`mlpviz.model.notation.mathtext.tex_to_text`); this module only lays it out. Unicode sub- and
superscript characters (and the ``_(…)`` / ``^(…)`` fallbacks) become ``<sub>``/``<sup>``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from html import escape

from PySide6.QtGui import QColor, QTextDocument

from mlpviz.model.notation.formula_types import NOT_COMPUTED, Factor, Formula, Matrix, Term
from mlpviz.model.notation.mathtext import factor_tex, fmt_tex, tex_to_text
from mlpviz.ui.colors import Theme

_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", "0123456789+−=()aehijklmnoprstuvx",
                strict=True))
_SUP = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿᵀᵐˣ", "0123456789+−=()inTm×", strict=True))
_NOT_POSITIVE = ("0", r"\vdots", r"\cdots", r"\ddots")
MATH_FONT = "'DejaVu Serif', 'Cambria Math', serif"


def _closing(text: str, start: int) -> int:
    """Index of the ")" matching the "(" at ``start`` (or the end of ``text``)."""
    depth = 0
    for k in range(start, len(text)):
        depth += (text[k] == "(") - (text[k] == ")")
        if depth == 0:
            return k
    return len(text)


def script_html(text: str, accent: str = "") -> str:
    """Unicode formula text as HTML: script characters and ``_(…)``/``^(…)`` as
    ``<sub>``/``<sup>``, everything escaped; a superscript T (transpose) in ``accent``."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        table, tag = (_SUB, "sub") if c in _SUB else (_SUP, "sup") if c in _SUP else (None, "")
        if table is not None:
            j = i
            while j < len(text) and text[j] in table:
                j += 1
            plain = escape("".join(table[ch] for ch in text[i:j]))
            if accent and tag == "sup":
                plain = plain.replace("T", f'<span style="color:{accent}; font-weight:700">'
                                           "T</span>")
            out.append(f"<{tag}>{plain}</{tag}>")
            i = j
            continue
        if c in "_^" and i + 1 < len(text):
            tag = "sub" if c == "_" else "sup"
            if text[i + 1] == "(":
                end = _closing(text, i + 1)
                out.append(f"<{tag}>{script_html(text[i + 2 : end], accent)}</{tag}>")
                i = end + 1
            else:
                out.append(f"<{tag}>{escape(text[i + 1])}</{tag}>")
                i += 2
            continue
        out.append(escape(c))
        i += 1
    return "".join(out)


def tex_html(tex: str, accent: str = "") -> str:
    """A TeX formula of the model as rich text (see :func:`script_html`)."""
    return script_html(tex_to_text(tex), accent)


def value_colour(value: float, theme: Theme) -> str:
    """Text colour of a number: the theme's negative/positive colour, deepened (light
    themes) or brightened (dark themes) for contrast with text; zero in the foreground."""
    if not math.isfinite(value) or value == 0:
        return theme.foreground
    c = QColor(theme.neg if value < 0 else theme.pos)
    c = c.lighter(118) if theme.dark else c.darker(135 if value < 0 else 108)
    return c.name()


def coloured(html: str, value: float, theme: Theme, bold: bool = False) -> str:
    weight = "; font-weight:700" if bold else ""
    return f'<span style="color:{value_colour(value, theme)}{weight}">{html}</span>'


def number_html(value: float, theme: Theme, bold: bool = False, factor: bool = False) -> str:
    """One number with PRECISION digits, coloured by its sign; ``factor`` parenthesizes a
    negative number that follows an operator."""
    return coloured(tex_html(factor_tex(value) if factor else fmt_tex(value)), value, theme,
                    bold)


def muted(text: str, theme: Theme) -> str:
    return f'<span style="color:{theme.muted}"><i>{escape(text)}</i></span>'


def link_html(label: str, theme: Theme, style: str = "") -> str:
    """``label`` as the "terms" link in the theme's accent (Qt's default link blue is
    unreadable on the dark theme); ``style`` adds CSS, e.g. a font size."""
    return f'<a href="terms" style="color:{theme.accent}; {style}">{escape(label)}</a>'


def _sum_html(terms: Sequence[Term | None], hidden: int, theme: Theme) -> str:
    """Σ of the terms with numbers, each coloured by the sign of its value; None is the
    elision ("… N more", a link that shows every term)."""
    parts: list[str] = []
    for term in terms:
        if term is None:
            piece, value = link_html(f"… {hidden} more", theme), 0.0
        else:
            piece, value = term.numeric_tex(), term.value
        negative = term is not None and piece.startswith("-")
        body = piece[1:].lstrip() if negative else piece
        html = body if term is None else coloured(tex_html(body), value, theme)
        if not parts:
            parts.append(("−" if negative else "") + html)
        else:
            parts.append(f" {'−' if negative else '+'} {html}")
    return "".join(parts)


def steps_html(f: Formula, theme: Theme, full: bool = False) -> list[str]:
    """The numeric right-hand sides of ``f`` (the same steps as :attr:`Formula.steps`),
    as rich text; ``full`` lists every term of an elided sum."""
    if not f.known or (not f.terms and f.result is None):
        return []
    steps: list[str] = []
    if f.terms:
        shown = list(f.terms) if full else f.shown_terms()
        total = _sum_html(shown, len(f.terms) - len(shown) + 1, theme)
        if f.multiplier is not None:
            single = len(f.terms) == 1 and not f.terms[0].factors
            head = number_html(f.terms[0].value, theme, factor=True) if single else f"({total})"
            total = f"{head} · {tex_html(f.multiplier.numeric_tex())}"
        steps.append(total)
        if f.multiplier is not None and f.subtotal is not None:
            steps.append(f"{number_html(f.subtotal, theme, factor=True)} · "
                         f"{number_html(f.multiplier.value, theme, factor=True)}")
    if f.result is not None:
        steps.append(number_html(f.result, theme, bold=True))
    return [s for n, s in enumerate(steps) if n == 0 or s != steps[n - 1]]


def _line(html: str, size: float, family: str = "", extra: str = "") -> str:
    font = f"font-family:{family}; " if family else ""
    return f'<div style="{font}font-size:{size:.1f}pt; {extra}">{html}</div>'


def title_html(text: str, theme: Theme, size: float) -> str:
    caps = "".join(c.upper() if c.isascii() else c for c in text)  # keep δ a δ
    return _line(escape(caps), size * 0.78,
                 extra=f"color:{theme.muted}; font-weight:700; letter-spacing:0.5px")


def formula_html(f: Formula, theme: Theme, size: float = 11.0, full: bool = False) -> str:
    """One formula as a card body: title, symbolic form, the numbers step by step (or
    "not computed yet"), matrices, and the note."""
    accent = theme.accent
    parts = [title_html(f.title, theme, size),
             _line(tex_html(f.tex, accent), size * 1.12, MATH_FONT, "margin-top:3px")]
    if not f.known and (f.terms or f.result is not None or f.matrices):
        parts.append(_line(f"= {muted(NOT_COMPUTED, theme)}", size, MATH_FONT))
    else:
        steps = steps_html(f, theme, full)
        if f.elided and f.known:
            label = "show fewer terms" if full else f"show all {len(f.terms)} terms"
            steps[0] += " &nbsp;" + link_html(label, theme, f"font-size:{size * 0.8:.1f}pt")
        parts += [_line(f"= {s}", size, MATH_FONT) for s in steps]
        if f.matrices:
            parts.append(matrices_html(f.matrices, theme, size))
    if f.note:
        parts.append(_line(escape(f.note_text), size * 0.82,
                           extra=f"color:{theme.muted}; margin-top:4px"))
    return "".join(parts)


def _grid_html(m: Matrix, theme: Theme, size: float) -> str:
    """A matrix as a tinted table of coloured entries (elided like Matrix.grid_tex)."""
    if not m.known:
        body = f"<tr><td>{muted(NOT_COMPUTED, theme)}</td></tr>"
    else:
        body = ""
        for row in m.grid_tex():
            cells = []
            for tex in row:
                sign = -1.0 if tex.startswith("-") else 0.0 if tex in _NOT_POSITIVE else 1.0
                cells.append(f'<td align="right">{coloured(tex_html(tex), sign, theme)}</td>')
            body += "<tr>" + "".join(cells) + "</tr>"
    return (f'<table cellspacing="0" cellpadding="4" border="1" style="border-color:'
            f'{theme.grid}; border-style:solid; background-color:{theme.panel}; '
            f'font-family:{MATH_FONT}; font-size:{size * 0.92:.1f}pt">{body}</table>')


def matrices_html(matrices: Sequence[Matrix], theme: Theme, size: float) -> str:
    """Named matrices side by side, each label above its table."""
    cells = "".join(
        f'<td valign="top" style="padding-right:10px">'
        f'{_line(tex_html(m.tex, theme.accent), size * 0.92, MATH_FONT)}'
        f"{_grid_html(m, theme, size)}</td>" for m in matrices)
    return f'<table cellspacing="0" cellpadding="2" style="margin-top:4px"><tr>{cells}</tr></table>'


def contributions_html(f: Formula, sum_tex: str, theme: Theme, size: float = 11.0,
                       full: bool = False) -> str:
    """A hidden δ with each downstream neuron's share w·δ on its own row, their sum
    (``sum_tex``, i.e. ∂L/∂a), the slope f′(z) and δ; "not computed yet" while unknown."""
    parts = [title_html(f.title, theme, size),
             _line(tex_html(f.tex, theme.accent), size * 1.12, MATH_FONT, "margin-top:3px")]
    if not f.known or f.multiplier is None or f.subtotal is None or f.result is None:
        parts.append(_line(f"= {muted(NOT_COMPUTED, theme)}", size, MATH_FONT))
    else:
        shown = list(f.terms) if full else f.shown_terms()
        big = max((abs(t.value) for t in f.terms), default=0.0) or 1.0
        rows = []
        for term in shown:
            if term is None:
                more = len(f.terms) - len(shown) + 1
                rows.append(f'<tr><td colspan="5">{link_html(f"… {more} more (show all)", theme)}'
                            "</td></tr>")
                continue
            w, d = term.factors
            bar = max(2, round(28 * abs(term.value) / big))
            rows.append(
                f"<tr><td>{tex_html(w.tex)} {tex_html(d.tex)}</td><td>=</td>"
                f'<td align="right">{number_html(w.value, theme)} · '
                f"{number_html(d.value, theme, factor=True)}</td><td>=</td>"
                f'<td align="right">{number_html(term.value, theme, bold=True)}</td>'
                f'<td><table cellspacing="0" cellpadding="0"><tr><td width="{bar}" '
                f'bgcolor="{value_colour(term.value, theme)}" style="font-size:4pt">'
                "&nbsp;</td></tr></table></td></tr>")
        if full and f.elided:
            rows.append(f'<tr><td colspan="5">{link_html("show fewer", theme)}</td></tr>')
        parts.append(f'<table cellspacing="0" cellpadding="2" style="font-family:{MATH_FONT}; '
                     f'font-size:{size:.1f}pt">{"".join(rows)}</table>')
        mult = f.multiplier
        slope = tex_html(mult.numeric_tex())
        slope_steps = f" = {slope}" if slope != tex_html(fmt_tex(mult.value)) else ""
        parts += [
            _line(f"Σ = {tex_html(sum_tex)} = {number_html(f.subtotal, theme, bold=True)}",
                  size, MATH_FONT, "margin-top:4px"),
            _line(f"{tex_html(mult.tex)}{slope_steps} = "
                  f"{number_html(mult.value, theme, bold=True)}", size, MATH_FONT),
            _line(f"{tex_html(f.tex.split('=')[0])} = "
                  f"{number_html(f.subtotal, theme, factor=True)} · "
                  f"{number_html(mult.value, theme, factor=True)} = "
                  f"{number_html(f.result, theme, bold=True)}", size * 1.05, MATH_FONT),
        ]
    if f.note:
        parts.append(_line(escape(f.note_text), size * 0.82,
                           extra=f"color:{theme.muted}; margin-top:4px"))
    return "".join(parts)


def givens_html(givens: Sequence[Factor], theme: Theme, size: float = 11.0,
                limit: int = 8) -> str:
    """The known inputs of a question: "w₁₁⁽¹⁾ = 0.4, x₁ = 1, …" (at most ``limit``)."""
    items = [f"{tex_html(g.tex)} = {number_html(g.value, theme)}" for g in givens[:limit]]
    if len(givens) > limit:
        items.append(f"… {len(givens) - limit} more")
    return _line(", &nbsp;".join(items), size, MATH_FONT)


_UNICODE_SCRIPTS = {"sub": {v: k for k, v in _SUB.items()},
                    "sup": {v: k for k, v in _SUP.items()}}
_SCRIPT = re.compile(r"<(sub|sup)>([^<]*)</\1>")


def _unicode_script(match: re.Match[str]) -> str:
    table, text = _UNICODE_SCRIPTS[match.group(1)], match.group(2)
    return "".join(table[c] for c in text) if all(c in table for c in text) else match.group(0)


def plain_text(html: str) -> str:
    """Rich text as plain text, simple sub/superscripts as Unicode (z₁⁽¹⁾)."""
    doc = QTextDocument()
    doc.setHtml(_SCRIPT.sub(_unicode_script, html))
    return doc.toPlainText()
