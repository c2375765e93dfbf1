"""The pieces of a worked formula — symbols, terms, numbers — and their numeric expansion.

A :class:`Formula` is what one line of the inspector or of a handout shows::

    z₁⁽¹⁾ = Σⱼ w₁ⱼ⁽¹⁾ xⱼ + b₁⁽¹⁾          ← symbolic (TeX in ``tex``)
          = 0.15 · 0.05 + 0.2 · 0.1 + 0.35  ← the terms, each with its factors
          = 0.3775                        ← the result

Everything symbolic is stored as TeX (see :mod:`mlpviz.model.notation.mathtext`); the Unicode
reading is a property (``symbolic``, ``label``), so every renderer — plain text, Markdown,
LaTeX, the GUI — shows the same formula. Numbers are stored as floats and formatted only
when rendered, with :data:`mlpviz.model.notation.mathtext.PRECISION` significant digits.

A formula whose ``known`` is False belongs to a stage the walkthrough has not reached:
its numbers are filled in (so tests can compare them) but must be shown as "not
computed yet"; :meth:`Formula.steps_tex` returns no numbers for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

import numpy as np

from mlpviz.model.notation.mathtext import factor_tex, fmt_tex, tex_to_text

#: a sum with more terms than this is shown elided (the full list stays in ``terms``)
MAX_TERMS = 6
#: matrices are shown with at most this many rows and columns
MAX_MATRIX = 6
NOT_COMPUTED = "not computed yet"
_PLACEHOLDER = re.compile(r"#([0-9]+)")


@dataclass(frozen=True)
class Factor:
    """One named number of a term, e.g. the weight w₁₂⁽¹⁾ = 0.2."""

    tex: str
    value: float

    @property
    def label(self) -> str:
        return tex_to_text(self.tex)


@dataclass(frozen=True)
class Term:
    """One summand: its symbol ``tex``, its ``value`` and the ``factors`` it is made of.

    ``pattern`` is the TeX of the numeric expression with ``#0``, ``#1``, … standing for
    the factors' values (e.g. ``"2(#0 - #1)"``); None means the product of the factors
    (or the bare value when there are none).
    """

    tex: str
    value: float
    factors: tuple[Factor, ...] = ()
    pattern: str | None = None

    @property
    def label(self) -> str:
        return tex_to_text(self.tex)

    def _fill(self, match: re.Match[str]) -> str:
        """A factor's number for placeholder ``#n``: negative numbers get parentheses
        unless the placeholder opens an expression (after "(", "{", "," or at the start)."""
        value = self.factors[int(match.group(1))].value
        before = match.string[: match.start()].rstrip()
        return fmt_tex(value) if not before or before[-1] in "({[," else factor_tex(value)

    def numeric_tex(self) -> str:
        """The term with numbers in place of symbols, e.g. ``0.15 \\cdot (-0.3)``."""
        if self.pattern is not None:
            return _PLACEHOLDER.sub(self._fill, self.pattern)
        if not self.factors:
            return fmt_tex(self.value)
        head, *rest = self.factors
        return r" \cdot ".join([fmt_tex(head.value)] + [factor_tex(f.value) for f in rest])


@dataclass(frozen=True)
class Matrix:
    """A named array shown in a matrix-form formula; vectors are columns (n, 1)."""

    tex: str
    values: np.ndarray
    known: bool = True

    @property
    def label(self) -> str:
        return tex_to_text(self.tex)

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape  # type: ignore[return-value]

    def grid_tex(self, limit: int = MAX_MATRIX) -> list[list[str]]:
        """The entries as TeX strings, at most ``limit`` rows and columns: larger
        matrices keep their first ``limit − 2`` and last row/column around ⋮ / ⋯."""
        rows, cols = self.shape
        r_idx = _elide(rows, limit)
        c_idx = _elide(cols, limit)
        grid = []
        for r in r_idx:
            row = []
            for c in c_idx:
                if r is None:
                    row.append(r"\ddots" if c is None else r"\vdots")
                elif c is None:
                    row.append(r"\cdots")
                else:
                    row.append(fmt_tex(self.values[r, c]))
            grid.append(row)
        return grid


def _elide(n: int, limit: int) -> list[int | None]:
    if n <= limit:
        return list(range(n))
    head = max(limit - 2, 1)
    return [*range(head), None, n - 1]


@dataclass(frozen=True)
class Formula:
    """One worked formula; see the module docstring.

    ``result`` = (Σ terms) · multiplier when ``multiplier`` is set, else Σ terms (up to
    rounding: ``result`` is always the engine's own number). ``subtotal`` is the engine's
    value of Σ terms when it is a named quantity (e.g. ∂L/∂a before f′ is applied).
    ``note`` is teacher's text with ``$…$`` around inline TeX math. Matrix-form formulas
    carry ``matrices`` (operands, then the result) instead of terms.
    """

    title: str
    tex: str
    terms: tuple[Term, ...] = ()
    result: float | None = None
    known: bool = True
    note: str = ""
    multiplier: Term | None = None
    subtotal: float | None = None
    matrices: tuple[Matrix, ...] = ()

    @property
    def symbolic(self) -> str:
        return tex_to_text(self.tex)

    @property
    def note_text(self) -> str:
        return math_note_to_text(self.note)

    @property
    def elided(self) -> bool:
        """True when the sum has more than MAX_TERMS terms and is shown shortened."""
        return len(self.terms) > MAX_TERMS

    def shown_terms(self) -> list[Term | None]:
        """The terms a renderer shows: all of them, or when elided the first four, None
        (for "…") and the last two (the last is usually the bias)."""
        if not self.elided:
            return list(self.terms)
        return [*self.terms[:4], None, *self.terms[-2:]]

    def _sum_tex(self) -> str:
        parts: list[str] = []
        hidden = len(self.terms) - (MAX_TERMS)
        for term in self.shown_terms():
            piece = rf"\dots\text{{ ({hidden} more) }}" if term is None else term.numeric_tex()
            if not parts:
                parts.append(piece)
            elif piece.startswith("-"):
                parts.append(f" - {piece[1:].lstrip()}")
            else:
                parts.append(f" + {piece}")
        return "".join(parts)

    def steps_tex(self) -> list[str]:
        """The right-hand sides after the symbolic formula, as TeX: the terms with
        numbers, the subtotal times the multiplier (if any), and the result. Empty when
        the formula is not known yet or has no numbers."""
        if not self.known or (not self.terms and self.result is None):
            return []
        steps: list[str] = []
        if self.terms:
            total = self._sum_tex()
            if self.multiplier is not None:
                mult = self.multiplier.numeric_tex()
                single = len(self.terms) == 1 and not self.terms[0].factors
                total = (f"{factor_tex(self.terms[0].value)}" if single
                         else rf"\left({total}\right)") + rf" \cdot {mult}"
            steps.append(total)
            if self.multiplier is not None and self.subtotal is not None:
                steps.append(rf"{factor_tex(self.subtotal)} \cdot "
                             f"{factor_tex(self.multiplier.value)}")
        if self.result is not None:
            steps.append(fmt_tex(self.result))
        return [s for n, s in enumerate(steps) if n == 0 or s != steps[n - 1]]

    @property
    def steps(self) -> list[str]:
        """:meth:`steps_tex` in Unicode."""
        return [tex_to_text(s) for s in self.steps_tex()]

    def to_html(self, muted: str = "#777777") -> str:
        """The formula as an HTML fragment for Qt rich text (QLabel, QTextBrowser): the
        title in bold, the Unicode formula and its numbers, matrices as tables, the note
        in italics; unknown numbers read NOT_COMPUTED in the ``muted`` colour."""
        unknown = f'<span style="color:{muted}"><i>{NOT_COMPUTED}</i></span>'
        parts = [f"<b>{escape(self.title)}</b>", escape(self.symbolic)]
        if not self.known and (self.terms or self.result is not None):
            parts.append(f"&nbsp;&nbsp;= {unknown}")
        parts += [f"&nbsp;&nbsp;= {escape(step)}" for step in self.steps]
        for m in self.matrices:
            if not m.known:
                parts.append(f"{escape(m.label)} = {unknown}")
                continue
            rows = "".join(
                "<tr>" + "".join(f'<td align="right">{escape(tex_to_text(c))}</td>'
                                 for c in row) + "</tr>" for row in m.grid_tex())
            parts.append(f"{escape(m.label)} =<table cellspacing=\"6\">{rows}</table>")
        if self.note:
            parts.append(f"<i>{escape(self.note_text)}</i>")
        return "<br>".join(parts)


@dataclass(frozen=True)
class Section:
    """A titled group of formulas, e.g. one stage of the iteration ("Forward: layer 1")."""

    title: str
    formulas: tuple[Formula, ...]
    note: str = ""

    @property
    def note_text(self) -> str:
        return math_note_to_text(self.note)


def split_note(note: str) -> list[tuple[bool, str]]:
    """``note`` cut at unescaped ``$`` into (is_math, text) pieces; raises ValueError when
    the math delimiters are unbalanced."""
    pieces: list[tuple[bool, str]] = []
    buf: list[str] = []
    math_mode = False
    i = 0
    while i < len(note):
        if note[i] == "\\" and i + 1 < len(note) and note[i + 1] == "$":
            buf.append("\\$" if math_mode else "$")
            i += 2
            continue
        if note[i] == "$":
            pieces.append((math_mode, "".join(buf)))
            buf, math_mode = [], not math_mode
        else:
            buf.append(note[i])
        i += 1
    if math_mode:
        raise ValueError(f"unbalanced $ in note {note!r}")
    pieces.append((False, "".join(buf)))
    return [(m, t) for m, t in pieces if t]


def math_note_to_text(note: str) -> str:
    """A note with its ``$…$`` math read as Unicode."""
    return "".join(tex_to_text(t) if m else t for m, t in split_note(note))
