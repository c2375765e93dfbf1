"""Predict, then reveal: the student states a value before the walkthrough shows it.

Before a stage reveals a quantity of the selection, :func:`question_for` says what to ask
(selection keys are 0-based, as in :mod:`mlpviz.model.notation.formulas`):

- neuron (l, i): at ``forward(l)`` its activation aᵢ (ŷ for the output layer); at ``loss``
  the loss L when it is an output neuron of a one-sample walkthrough; at ``backward(l)``
  its error δᵢ = ∂L/∂zᵢ.
- edge (l, i, j): at ``backward(l)`` the gradient ∂L/∂wᵢⱼ (one-sample walkthroughs; δᵢ
  arrives in the same stage, so the givens are what δᵢ is computed from, and aⱼ); at
  ``update`` the new weight.
- bias (l, i): at ``backward(l)`` ∂L/∂bᵢ (one sample); at ``update`` the new bias.
- output / loss: at ``loss`` the loss L (one-sample walkthroughs).

In neuron granularity only the selected neuron's own stage asks. Updates are asked for
plain SGD only (momentum and Adam depend on optimizer state nobody can see).

:func:`grade` accepts an answer when ``|answer − truth| ≤ max(abs_tol, rel_tol · |truth|)``:
by default within 2 % of the value or within 0.005 of it, whichever is more generous —
hand arithmetic with the digits on screen passes, a wrong formula does not. An answer
within :data:`CLOSE_FACTOR` times that tolerance is called close (and still wrong).
Answers are parsed by :func:`parse_answer`: ``0.5``, ``-1e-3``, ``.25``, ``1/3``, a
Unicode minus, a decimal comma; anything else is "not a number" (never an exception
for the caller of :func:`grade`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from mlpviz.model.notation import formula_rules as R
from mlpviz.model.notation import symbols as S
from mlpviz.model.notation.formula_types import Factor, Formula
from mlpviz.model.notation.mathtext import fmt_text, tex_to_text
from mlpviz.model.walkthrough import Stage, Walkthrough

REL_TOL = 0.02
ABS_TOL = 0.005
CLOSE_FACTOR = 5.0
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "\u2009": "", "\u00a0": "", " ": ""})


class AnswerError(ValueError):
    """An answer that is not a number (the message says what to type instead)."""


class PredictError(RuntimeError):
    """A predict-session call out of order, e.g. answering with no open question."""


def parse_answer(text: str) -> float:
    """The number typed in ``text``: a decimal (``0.5``, ``.25``, ``-1e-3``, ``1,5``) or a
    fraction of two decimals (``1/3``). Raises AnswerError for anything else, for a zero
    denominator and for values that are not finite."""
    s = str(text).strip().translate(_DASHES)
    if not s:
        raise AnswerError("Type a number first, e.g. 0.5, -1e-3, .25 or 1/3.")
    if "," in s and "." not in s and s.count(",") == 1:
        s = s.replace(",", ".")
    parts = s.split("/")
    if len(parts) > 2 or not all(_NUMBER.fullmatch(p) for p in parts):
        raise AnswerError(f"“{text.strip()}” is not a number: type e.g. 0.5, -1e-3, .25 or 1/3.")
    values = [float(p) for p in parts]
    if len(values) == 2:
        if values[1] == 0.0:
            raise AnswerError(f"“{text.strip()}” divides by zero.")
        value = values[0] / values[1]
    else:
        value = values[0]
    if not math.isfinite(value):
        raise AnswerError(f"“{text.strip()}” is too large to be a useful answer.")
    return value


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer; ``parsed`` is None when the answer was not a number."""

    correct: bool
    message: str
    parsed: float | None


def tolerance(truth: float, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL) -> float:
    """The largest accepted distance from ``truth``: max(abs_tol, rel_tol · |truth|)."""
    return max(abs_tol, rel_tol * abs(truth))


def grade(answer_text: str, truth: float, rel_tol: float = REL_TOL,
          abs_tol: float = ABS_TOL) -> Grade:
    """Grade ``answer_text`` against ``truth`` (see the module docstring for the rule)."""
    try:
        value = parse_answer(answer_text)
    except AnswerError as exc:
        return Grade(False, str(exc), None)
    tol = tolerance(truth, rel_tol, abs_tol)
    off = abs(value - truth)
    said, true, dist, allowed = (fmt_text(x) for x in (value, truth, off, tol))
    if off <= tol:
        if off == 0:
            return Grade(True, f"Right: {said} is exactly the value.", value)
        return Grade(True, f"Right: {said} is within ±{allowed} of the value {true}.", value)
    if off <= CLOSE_FACTOR * tol:
        return Grade(False, f"Close, but outside the tolerance: {said} is {dist} away from "
                            f"{true} (accepted within ±{allowed}).", value)
    return Grade(False, f"Not right: the value is {true}; {said} is {dist} away.", value)


# ---- questions --------------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    """What to predict before ``stage`` reveals it.

    ``symbol`` and ``formula`` are TeX (the asked quantity, and its defining formula);
    ``truth`` is the engine's value; ``givens`` are the already revealed numbers it is
    computed from; ``working`` are the worked formulas (numbers shown) for after the answer.
    """

    quantity: str
    symbol: str
    formula: str
    truth: float
    stage: Stage
    givens: tuple[Factor, ...]
    working: tuple[Formula, ...]

    @property
    def label(self) -> str:
        return tex_to_text(self.symbol)

    @property
    def formula_text(self) -> str:
        return tex_to_text(self.formula)


def upcoming(wt: Walkthrough) -> Stage | None:
    """The stage the next step of ``wt`` reveals (None when it is done)."""
    return None if wt.done else wt.stages[wt.index + 1]


def _givens(formulas: tuple[Formula, ...], extra: tuple[Factor, ...] = ()) -> tuple[Factor, ...]:
    """The known inputs of ``formulas``: the factors of their terms, bare terms (a bias, an
    old weight, ∂L/∂ŷ) and the multiplier's factors, each symbol once."""
    found: dict[str, Factor] = {}
    for f in formulas:
        for term in f.terms:
            if term.factors:
                found.update((x.tex, x) for x in term.factors if x.tex not in found)
            elif term.pattern is None and term.tex not in found:
                found[term.tex] = Factor(term.tex, term.value)
        if f.multiplier is not None:
            found.update((x.tex, x) for x in f.multiplier.factors if x.tex not in found)
    for x in extra:
        found.setdefault(x.tex, x)
    return tuple(found.values())


def _delta_inputs(v: R.Numbers, l: int, i: int) -> tuple[Formula, tuple[Factor, ...]]:
    """δᵢ of layer l and what it is computed from (known before backward(l)): the next
    layer's weights and δ (or ∂L/∂ŷ), aᵢ where f′ is written through it, and zᵢ."""
    d = R.delta(v, l, i)
    return d, _givens((d,), (Factor(S.z(l, i), float(v.wt.trace.layers[l].z[0, i])),))


def _ask(quantity: str, symbol: str, shown: Formula, stage: Stage,
         working: tuple[Formula, ...], givens: tuple[Factor, ...]) -> Question:
    assert shown.result is not None
    return Question(quantity, symbol, shown.tex, float(shown.result), stage, givens,
                    tuple(replace(f, known=True) for f in working))


def question_for(wt: Walkthrough, selection: tuple | None) -> Question | None:
    """The question for the next stage of ``wt`` about ``selection``, or None when that
    stage reveals nothing of it (see the module docstring)."""
    stage = upcoming(wt)
    if stage is None or not selection:
        return None
    v = R.Numbers(wt)
    kind, args = selection[0], [int(x) for x in selection[1:]]

    def own(l: int, i: int) -> bool:
        return stage.layer == l and (stage.neuron is None or stage.neuron == i)

    if stage.kind == "loss":
        output = kind in ("output", "loss") or (kind == "neuron" and args[0] == v.L - 1)
        if not output or v.B != 1:
            return None
        loss = R.loss_formulas(v)[0]
        return _ask("loss", "L", loss, stage, (loss,), _givens((loss,)))
    if kind == "neuron" and args[0] >= 0:
        l, i = args
        if stage.kind == "forward" and own(l, i):
            z, a = R.forward_z(v, l, i), R.forward_a(v, l, i)
            return _ask("a", S.a(l, i, v.L), a, stage, (z, a), _givens((z,)))
        if stage.kind == "backward" and own(l, i):
            d, known = _delta_inputs(v, l, i)
            return _ask("delta", S.delta(l, i), d, stage, (d,), known)
        return None
    if kind in ("edge", "bias"):
        l, i = args[0], args[1]
        j = args[2] if kind == "edge" else None
        if stage.kind == "backward" and own(l, i) and v.B == 1:
            # δᵢ arrives with the same stage: the student works it out on the way
            d, known = _delta_inputs(v, l, i)
            if j is None:
                g = R.bias_grad(v, l, i)
            else:
                g = R.weight_grad(v, l, i, j)
                known = _givens((), (*known, Factor(S.a(l - 1, j, v.L), float(v.a_prev(l)[0, j]))))
            sym = S.w(l, i, j) if j is not None else S.b(l, i)
            return _ask(f"{kind}_grad", S.d(sym), g, stage, (d, g), known)
        if stage.kind == "update" and wt.session.optimizer.name == "sgd":
            u = R.update(v, l, i, j)
            sym = S.w(l, i, j) if j is not None else S.b(l, i)
            return _ask("weight" if j is not None else "bias", rf"{sym} \text{{ (new)}}", u,
                        stage, (u,), _givens((u,)))
    return None


# ---- a session of questions -------------------------------------------------------------
@dataclass(frozen=True)
class Record:
    """One asked question: the answer typed and its grade (None when skipped)."""

    question: Question
    answer: str
    grade: Grade | None


def question_id(question: Question) -> tuple:
    """What makes two questions the same: the stage that reveals it and the quantity."""
    return (question.stage, question.symbol)


class PredictSession:
    """The questions of each training iteration and their score.

    ``ask(question, iteration)`` opens a question and returns True — or returns False and
    opens nothing when that question was already asked in that iteration (stepping back
    and forward again, or a lesson replaying the stage, never asks or scores it twice).
    ``iteration`` is a key such as (session, step count); the score shown is the current
    iteration's. ``answer(text)`` grades the open question: an answer that is not a number
    leaves it open and is not scored; otherwise it is recorded and closed.
    """

    def __init__(self, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL):
        if not (rel_tol >= 0 and abs_tol >= 0):
            raise ValueError("tolerances must be non-negative numbers")
        self.rel_tol, self.abs_tol = float(rel_tol), float(abs_tol)
        self.question: Question | None = None
        self.iteration: object | None = None
        self._records: dict[object, list[Record]] = {}
        self._asked: dict[object, set[tuple]] = {}

    @property
    def records(self) -> list[Record]:
        """The scored questions of the current iteration."""
        return self._records.get(self.iteration, [])

    def was_asked(self, question: Question, iteration: object | None = None) -> bool:
        return question_id(question) in self._asked.get(iteration, set())

    def ask(self, question: Question, iteration: object | None = None) -> bool:
        self.iteration = iteration
        if self.was_asked(question, iteration):
            return False
        self._asked.setdefault(iteration, set()).add(question_id(question))
        self.question = question
        return True

    def answer(self, text: str) -> Grade:
        """Grade ``text`` against the open question (PredictError when none is open)."""
        if self.question is None:
            raise PredictError("no question is open")
        result = grade(text, self.question.truth, self.rel_tol, self.abs_tol)
        if result.parsed is not None:
            self._record(Record(self.question, str(text), result))
        return result

    def _record(self, record: Record) -> None:
        self._records.setdefault(self.iteration, []).append(record)
        self.question = None

    def skip(self) -> None:
        """Give up on the open question: it counts as asked and not right."""
        if self.question is None:
            raise PredictError("no question is open")
        self._record(Record(self.question, "", None))

    def cancel(self) -> None:
        """Drop the open question unscored (the selection or the stage changed); it may
        be asked again."""
        if self.question is not None:
            self._asked.get(self.iteration, set()).discard(question_id(self.question))
        self.question = None

    @property
    def right(self) -> int:
        return sum(1 for r in self.records if r.grade is not None and r.grade.correct)

    @property
    def asked(self) -> int:
        return len(self.records)

    @property
    def skipped(self) -> int:
        return sum(1 for r in self.records if r.grade is None)

    def score_text(self) -> str:
        """"3 of 4 right" (with the skipped ones named), or a hint before any question."""
        if not self.records:
            return "No predictions yet in this iteration."
        text = f"{self.right} of {self.asked} right"
        if self.skipped:
            text += f" ({self.skipped} skipped)"
        return text + " in this iteration."
