"""``mlpviz explain``: the worked numbers of one training iteration, as a handout.

:func:`explain` runs a walkthrough on a session (sample 0; or the steps of a script),
then prints the lecture's (docs/derivation.md) formulas with the engine's numbers from
:mod:`mlpviz.model.notation.formulas` — the same numbers the GUI inspector shows — as plain
Unicode text, Markdown (headings, lists, ``$…$`` math) or a standalone LaTeX document
(``align*`` environments). Numbers have :data:`~mlpviz.model.notation.mathtext.PRECISION` (6)
significant digits; values the given steps have not computed yet read "not computed yet".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from mlpviz.engine import DivergenceError
from mlpviz.model.notation.formula_types import NOT_COMPUTED, Formula, Matrix, Section, split_note
from mlpviz.model.notation.formulas import (
    FormulaError,
    formulas_for,
    worked_iteration,
)
from mlpviz.model.notation.mathtext import PRECISION, escape_latex_text, fmt_tex, tex_to_text
from mlpviz.model.script import ScriptError, ScriptRunner, parse_script
from mlpviz.model.walkthrough import Walkthrough

FORMATS: tuple[str, ...] = ("text", "markdown", "latex")
SELECT_KINDS: tuple[str, ...] = ("neuron", "edge", "bias")
_INDEX = re.compile(r"[0-9]+(:[0-9]+)*")


class ExplainError(ValueError):
    """Bad explain input: an unknown format, a malformed or missing selection, bad steps."""


def parse_select(select: Sequence[str], sizes: Sequence[int]) -> tuple:
    """A formulas key from a CLI selection ``(kind, index)``, numbered as in the app:
    ``("neuron", "L:I")`` with layer L in 0..n_layers (0 = inputs) and neuron I from 1;
    ``("edge", "L:I:J")`` for w_IJ of W_L (L from 1, J a neuron of layer L − 1);
    ``("bias", "L:I")`` for b_I of layer L."""
    if isinstance(select, str) or not isinstance(select, Sequence) or len(select) != 2:
        raise ExplainError(f"a selection is (kind, index), e.g. ('neuron', '1:2'); got {select!r}")
    kind, index = (str(part).strip() for part in select)
    kind = kind.lower()
    if kind not in SELECT_KINDS:
        raise ExplainError(f"unknown selection kind {kind!r}; use neuron L:I, edge L:I:J "
                           "or bias L:I")
    form = "L:I:J" if kind == "edge" else "L:I"
    if not _INDEX.fullmatch(index) or index.count(":") != form.count(":"):
        article = "an" if kind[0] in "aeiou" else "a"
        raise ExplainError(f"{article} {kind} is written {form} with whole numbers, got {index!r}")
    nums = [int(p) for p in index.split(":")]
    n_layers = len(sizes) - 1
    layer, neuron = nums[0], nums[1]
    first = 0 if kind == "neuron" else 1
    if not first <= layer <= n_layers:
        raise ExplainError(f"{kind} {index}: layer {layer} does not exist "
                           f"(layers are {first}..{n_layers}; 0 is the input layer)")
    if not 1 <= neuron <= sizes[layer]:
        raise ExplainError(f"{kind} {index}: layer {layer} has neurons 1..{sizes[layer]}")
    if kind == "edge":
        if not 1 <= nums[2] <= sizes[layer - 1]:
            raise ExplainError(f"edge {index}: layer {layer - 1} has neurons "
                               f"1..{sizes[layer - 1]}, so J must be in that range")
        return ("edge", layer - 1, neuron - 1, nums[2] - 1)
    return (kind, layer - 1, neuron - 1)


def _run(session: Any, steps: str | None) -> tuple[Walkthrough, tuple | None]:
    """The walkthrough after ``steps`` (default: one full iteration) and the script's
    last selection as a formulas key (None if it made none)."""
    if steps is None:
        wt = Walkthrough(session, sample=0)
        wt.finish()
        return wt, None
    try:
        runner = ScriptRunner(session, parse_script(steps))
        runner.run_all()
    except ScriptError as exc:
        raise ExplainError(f"bad steps: {exc}") from None
    wt = runner.walkthrough or Walkthrough(session, sample=runner.sample)
    key = runner.selection
    return wt, key


def explain(session: Any, steps: str | None = None, select: Sequence[str] | None = None,
            fmt: str = "text") -> str:
    """The handout of one iteration of ``session`` (which the steps change, like the app).

    ``steps``: script text (see :mod:`mlpviz.model.script`); default one full iteration
    on sample 0. ``select``: ``(kind, "L:I[:J]")`` (see :func:`parse_select`); default the
    script's last ``select``, else every formula of the iteration. ``fmt``: "text",
    "markdown" or "latex". Raises ExplainError for bad input, including a diverging update.
    """
    if fmt not in FORMATS:
        raise ExplainError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    key = parse_select(select, session.net.sizes) if select is not None else None
    try:
        wt, script_key = _run(session, steps)
    except DivergenceError as exc:
        raise ExplainError(f"the steps diverged: {exc}") from None
    key = key or script_key
    try:
        sections = ([Section(_selection_title(key, wt), tuple(formulas_for(wt, key)))]
                    if key is not None else worked_iteration(wt))
    except FormulaError as exc:
        raise ExplainError(str(exc)) from None
    header = _header(session, wt)
    render = {"text": _text, "markdown": _markdown, "latex": _latex}[fmt]
    return render(header, sections)


def _selection_title(key: tuple, wt: Walkthrough) -> str:
    kind, l, i = key[0], key[1] + 1, key[2] + 1
    if kind == "edge":
        j = key[3] + 1
        return f"Edge w{i},{j} of W{l} (neuron {j} of layer {l - 1} to neuron {i} of layer {l})"
    if kind == "bias":
        return f"Bias b{i} of layer {l}"
    if l == 0:
        return f"Input x{i}"
    return f"Neuron {i} of layer {l}" + (" (output)" if l == wt.net.n_layers else "")


# ---- header ----------------------------------------------------------------------------
def _vector_tex(values: Any) -> str:
    return r"\left(" + ", ".join(fmt_tex(v) for v in values) + r"\right)"


def _header(session: Any, wt: Walkthrough) -> tuple[str, list[str]]:
    """(title, lines) — each line plain text with $…$ math."""
    net, opt = wt.net, session.optimizer
    lesson = getattr(session, "lesson", None)
    title = f"Worked numbers: {lesson.title}" if lesson is not None else "Worked numbers"
    acts = ", ".join(f"layer {l + 1} {a.name}" for l, a in enumerate(net.activations))
    lines = [f"Network: {'-'.join(map(str, net.sizes))} ({acts}); loss: {net.loss.title} "
             f"({net.loss.name})."]
    optimizer = f"Optimizer: {opt.name}, learning rate $\\eta = {fmt_tex(opt.lr)}$"
    if opt.regularization != "none" and opt.reg_rate > 0:
        reg = opt.regularization.upper()
        optimizer += f", {reg} regularization $\\lambda = {fmt_tex(opt.reg_rate)}$"
    lines.append(optimizer + ".")
    if wt.sample_index is None:
        lines.append(f"Mini-batch of {wt.x.shape[0]} samples; the numbers shown are those "
                     "of sample 0, and the gradients are averaged over the batch.")
    sample = "sample 0" if wt.sample_index is None else f"training sample {wt.sample_index}"
    lines.append(f"Traced {sample}: $x = {_vector_tex(wt.x[0])}$, "
                 f"$y = {_vector_tex(wt.y[0])}$.")
    if wt.done:
        reached = "one full iteration (forward, loss, backward, update)"
    elif wt.stage is None:
        reached = "none yet, so no value is computed"
    else:
        reached = f"up to \"{wt.stage.label}\"; later values are not computed yet"
    lines.append(f"Stages taken: {reached}.")
    lines.append(f"Numbers are rounded to {PRECISION} significant digits.")
    return title, lines


def _with_notes(section: Section) -> list[tuple[Formula, str]]:
    """The section's formulas, each with its note unless the same note came before."""
    seen: set[str] = set()
    out = []
    for f in section.formulas:
        out.append((f, "" if f.note in seen else f.note))
        seen.add(f.note)
    return out


def _chain(f: Formula) -> list[str]:
    """TeX right-hand sides after the symbolic formula (NOT_COMPUTED when unknown)."""
    if not f.known and (f.terms or f.result is not None):
        return [rf"\text{{{NOT_COMPUTED}}}"]
    return f.steps_tex()


# ---- plain text ------------------------------------------------------------------------
def _note_plain(note: str) -> str:
    return "".join(tex_to_text(t) if m else t for m, t in split_note(note))


def _matrix_text(m: Matrix, indent: str) -> list[str]:
    head = f"{indent}{m.label} = "
    if not m.known:
        return [head + NOT_COMPUTED]
    grid = [[tex_to_text(c) for c in row] for row in m.grid_tex()]
    if m.shape[1] == 1 and m.shape[0] > 1:
        return [head + "[" + "  ".join(row[0] for row in grid) + "]ᵀ"]
    widths = [max(len(row[c]) for row in grid) for c in range(len(grid[0]))]
    rows = ["[ " + "  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) + " ]"
            for row in grid]
    pad = " " * len(head)
    return [head + rows[0]] + [pad + r for r in rows[1:]]


def _text(header: tuple[str, list[str]], sections: list[Section]) -> str:
    title, lines = header
    out = [title, "=" * len(title)] + [_note_plain(line) for line in lines]
    for section in sections:
        out += ["", section.title, "-" * len(section.title)]
        if section.note:
            out.append(_note_plain(section.note))
        for f, note in _with_notes(section):
            out += ["", f.title, f"    {f.symbolic}"]
            out += [f"      = {tex_to_text(s)}" for s in _chain(f)]
            for m in f.matrices:
                out += _matrix_text(m, "      ")
            if note:
                out.append(f"    {_note_plain(note)}")
    return "\n".join(out) + "\n"


# ---- Markdown --------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#$|])")


def _md_text(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _note_md(note: str) -> str:
    return "".join(f"${t}$" if m else _md_text(t) for m, t in split_note(note))


def _bmatrix(m: Matrix) -> str:
    if not m.known:
        return rf"\text{{{NOT_COMPUTED}}}"
    rows = [" & ".join(row) for row in m.grid_tex()]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def _markdown(header: tuple[str, list[str]], sections: list[Section]) -> str:
    title, lines = header
    out = [f"# {_md_text(title)}", ""] + [f"- {_note_md(line)}" for line in lines]
    for section in sections:
        out += ["", f"## {_md_text(section.title)}", ""]
        if section.note:
            out += [_note_md(section.note), ""]
        for f, note in _with_notes(section):
            chain = " = ".join([f.tex, *_chain(f)])
            out.append(f"- **{_md_text(f.title)}**: ${chain}$")
            for m in f.matrices:
                out.append(f"  $${m.tex} = {_bmatrix(m)}$$")
            if note:
                out.append(f"  {_note_md(note)}")
    return "\n".join(out) + "\n"


# ---- LaTeX -----------------------------------------------------------------------------
_PREAMBLE = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage{amsmath,amssymb}
\usepackage[margin=2cm]{geometry}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
"""


def _note_latex(note: str) -> str:
    return "".join(f"${t}$" if m else escape_latex_text(t) for m, t in split_note(note))


def _align_head(tex: str) -> str:
    """``tex`` with ``&`` before its first top-level ``=`` or ``\\leftarrow``."""
    depth = 0
    for i, c in enumerate(tex):
        depth += (c == "{") - (c == "}")
        if depth == 0 and (c == "=" or tex.startswith(r"\leftarrow", i)):
            return f"{tex[:i]}&{tex[i:]}"
    return f"{tex} &"


def _latex(header: tuple[str, list[str]], sections: list[Section]) -> str:
    title, lines = header
    out = [_PREAMBLE, r"\begin{document}", rf"\section*{{{escape_latex_text(title)}}}",
           r"\begin{itemize}"]
    out += [rf"\item {_note_latex(line)}" for line in lines]
    out.append(r"\end{itemize}")
    for section in sections:
        out.append(rf"\subsection*{{{escape_latex_text(section.title)}}}")
        if section.note:
            out += [_note_latex(section.note), ""]
        for f, note in _with_notes(section):
            rows = [_align_head(f.tex)] + [f"&= {s}" for s in _chain(f)]
            rows += [rf"{m.tex} &= {_bmatrix(m)}" for m in f.matrices]
            out += [rf"\paragraph{{{escape_latex_text(f.title)}}}", r"\begin{align*}",
                    " \\\\\n".join(rows), r"\end{align*}"]
            if note:
                out += [_note_latex(note), ""]
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
