"""The inspector: the formulas of docs/derivation.md for the selection, with the walkthrough's
numbers.

For a neuron it shows z = Σⱼ wᵢⱼ aⱼ + bᵢ term by term, a = f(z) with the activation
inset, (for the output) the loss and ∂L/∂ŷ, and δ — for a hidden neuron one row per
downstream neuron's share wₖᵢ δₖ; for an edge ∂L/∂w = δ·a and the update; for a bias its
gradient and update. "Matrix form" shows the selection's whole layer as docs/derivation.md writes
it. Every number comes from :mod:`mlpviz.model.notation.formulas`; numbers a stage has not reached
read "not computed yet", and the formulas the current stage just revealed are outlined.

With no walkthrough running, a read-only preview walkthrough of the traced sample shows
what the idle network shows: its forward values, loss and gradients under the current
weights, all but the update (nothing in the session changes; in predict mode nothing is
revealed). With no
selection the output is shown. The predict-then-reveal box sits on top.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mlpviz.engine import DivergenceError
from mlpviz.model.notation import formula_rules as R
from mlpviz.model.notation import symbols as S
from mlpviz.model.notation.formulas import Formula, FormulaError, formulas_for, layer_formulas
from mlpviz.model.notation.mathtext import tex_to_text
from mlpviz.model.walkthrough import Stage, Walkthrough
from mlpviz.ui.colors import LIGHT, Theme
from mlpviz.ui.controller import Controller
from mlpviz.ui.teaching.activation_inset import ActivationInset
from mlpviz.ui.teaching.formula_html import contributions_html, formula_html, plain_text, tex_html
from mlpviz.ui.teaching.predict_panel import PredictPanel

#: while training runs, the inspector redraws at most this often (ms)
RUNNING_REFRESH_MS = 250
#: one formula card: (rich text, outlined as just revealed, key of its "show all terms")
Card = tuple[str, bool, str]


def is_current(f: Formula, stage: Stage | None, layer: int, index: int | None) -> bool:
    """Whether ``stage`` is the one that revealed ``f`` of the selection at weight layer
    ``layer`` (neuron/row ``index``)."""
    if stage is None or not f.known:
        return False
    title = f.title
    if stage.kind == "loss":
        return title.startswith("Loss") or title == "Backward: loss gradient"
    if stage.kind == "update":
        return title.startswith("Update")
    if stage.layer != layer or (None not in (stage.neuron, index) and stage.neuron != index):
        return False
    if stage.kind == "forward":
        return title.startswith(("Forward", "Activation"))
    return title.startswith("Backward") and title != "Backward: loss gradient"


class Inspector(QWidget):
    """The panel; it follows the controller's selection, stage and model by itself."""

    def __init__(self, controller: Controller, theme: Theme = LIGHT,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("inspector")
        self.ctl = controller
        self.theme = theme
        self.matrix = False
        self._full: set[str] = set()
        self._dirty = True
        #: set by the window while the inspector's dock is a tab behind another dock
        self.behind = False
        self._cards: list[QLabel] = []
        self.shown_key: tuple = ()
        self.preview = False
        self._place: tuple = ()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        header = QWidget()
        header.setObjectName("inspectorHeader")
        hl = QVBoxLayout(header)
        hl.setContentsMargins(12, 8, 12, 8)
        hl.setSpacing(2)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("inspectorTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.matrix_button = QToolButton()
        self.matrix_button.setText("Matrix form")
        self.matrix_button.setCheckable(True)
        self.matrix_button.setToolTip("Show the whole layer in matrix form: W ∈ ℝ^(m×n), "
                                      "z = Wx + b and δ = (Wᵀ δ) ⊙ f′(z)")
        self.matrix_button.toggled.connect(self.set_matrix_view)
        top.addWidget(self.title, 1)
        top.addWidget(self.matrix_button, 0, Qt.AlignmentFlag.AlignTop)
        hl.addLayout(top)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("inspectorSubtitle")
        self.subtitle.setWordWrap(True)
        hl.addWidget(self.subtitle)
        outer.addWidget(header)

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body.setObjectName("inspectorBody")
        self.body = QVBoxLayout(body)
        self.body.setContentsMargins(10, 8, 10, 10)
        self.body.setSpacing(8)
        self.predict = PredictPanel(controller, theme)
        self.inset = ActivationInset(theme)
        self.body.addWidget(self.predict)
        self.body.addStretch(1)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        c = controller
        c.selectionChanged.connect(self._on_selection)
        c.stageChanged.connect(self._context_changed)
        c.sessionReplaced.connect(self._context_changed)
        c.modelChanged.connect(self._model_changed)
        c.runningChanged.connect(self._running_changed)
        self.set_theme(theme)

    # ---- options ----------------------------------------------------------------------
    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        t = theme
        self.setStyleSheet(
            f"#inspectorHeader {{ background: {t.panel}; border-bottom: 1px solid {t.grid}; }}"
            f"#inspectorBody {{ background: {t.background}; }}"
            f"QLabel#inspectorTitle {{ color: {t.foreground}; }}"
            f"QLabel#inspectorSubtitle {{ color: {t.muted}; }}"
            f"QLabel#formulaCard {{ background: {t.panel}; color: {t.foreground};"
            f" border: 1px solid {t.grid}; border-radius: 6px; padding: 8px 10px; }}"
            f'QLabel#formulaCard[current="true"] {{ border: 1px solid {t.accent};'
            f" border-left: 4px solid {t.accent}; }}"
            f"QFrame#predictPanel {{ background: {t.panel}; border: 2px solid {t.accent};"
            f" border-radius: 8px; }}"
            f"QLabel#predictHeading {{ color: {t.accent}; font-weight: 700; }}"
            f"QLabel#predictScore {{ color: {t.foreground}; font-weight: 600; }}"
        )
        self.inset.set_theme(theme)
        self.predict.set_theme(theme)
        self._dirty = True
        self.refresh()

    def set_matrix_view(self, on: bool) -> None:
        """Show the selection's whole layer in matrix form (or the single item)."""
        self.matrix = bool(on)
        if self.matrix_button.isChecked() != self.matrix:
            self.matrix_button.setChecked(self.matrix)
        self._dirty = True
        self.refresh()

    def set_predict_mode(self, on: bool) -> None:
        self.predict.set_mode(on)
        self._dirty = True
        self.refresh()

    # ---- following the controller ---------------------------------------------------
    def _context_changed(self) -> None:
        self.predict.on_context_changed()
        self._dirty = True
        self.refresh()

    def _model_changed(self) -> None:
        self.predict.on_context_changed()
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start(RUNNING_REFRESH_MS if self.ctl.running else 0)

    def _running_changed(self, running: bool) -> None:
        """Paused: the numbers of the last frame at once, not at the next throttled
        refresh."""
        if not running and self._dirty:
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def walkthrough(self) -> Walkthrough | None:
        """The walkthrough shown: the controller's, or a read-only preview of the traced
        sample (every stage but the update taken, unless predict mode hides them)."""
        wt = self.ctl.walkthrough
        self.preview = wt is None
        if wt is not None:
            return wt
        if not self.predict.mode:  # what the idle diagram shows: the same object
            return self.ctl.idle_walkthrough()
        try:  # predict mode: nothing revealed yet
            return Walkthrough(self.ctl.session, sample=self.ctl.sample,
                               batch=self.ctl.use_batch, granularity=self.ctl.granularity)
        except (ValueError, ArithmeticError, DivergenceError):
            return None

    def selection_key(self, wt: Walkthrough) -> tuple:
        """The selection as a formulas key; the output when nothing (valid) is selected."""
        sel = self.ctl.selection
        if sel:
            key = tuple(sel)
            try:
                formulas_for(wt, key)
                return key
            except FormulaError:
                pass
        return ("neuron", wt.net.n_layers - 1, 0) if wt.net.sizes[-1] == 1 else ("output",)

    # ---- building the view ---------------------------------------------------------------
    def _on_selection(self, _selection: object) -> None:
        self._context_changed()

    def refresh(self) -> None:
        """Rebuild from the controller (skipped, and done on show, while hidden)."""
        self._timer.stop()
        if not self.isVisible() or self.behind:  # closed, or a dock tab behind another
            self._dirty = True
            return
        self._dirty = False
        wt = self.walkthrough()
        if wt is None:
            self.title.setText("<b>Inspector</b>")
            self.subtitle.setText("The values cannot be computed with the current weights.")
            self._show([])
            return
        key = self.shown_key = self.selection_key(wt)
        self.title.setText(self._title_html(wt, key))
        self.subtitle.setText(self._subtitle(wt))
        self._show(self._layer_cards(wt, key) if self.matrix else self._item_cards(wt, key))
        # a preview is made anew at every refresh: only a real walkthrough's stage counts
        place = (None if self.preview else id(wt), wt.index, key, self.matrix)
        if place != self._place:  # a new stage or selection: show what it revealed
            self._place = place
            self._scroll_to_current()

    def _scroll_to_current(self) -> None:
        """Bring the card the stage just revealed into view, or the top when there is none
        or the predict box has something to say."""
        current = [c for c in self._cards if c.property("current")]
        self.body.activate()
        if current and not (self.predict.isVisible() and self.predict.busy()):
            self.scroll.ensureWidgetVisible(current[-1], 0, 12)
        else:
            self.scroll.verticalScrollBar().setValue(0)

    def _size(self) -> float:
        return 11.5 * self.theme.font_scale

    def _layer_of(self, wt: Walkthrough, key: tuple) -> tuple[int, int | None]:
        if key[0] in ("output", "loss"):
            return wt.net.n_layers - 1, None
        return max(key[1], 0), key[2]

    def _stage(self, wt: Walkthrough) -> Stage | None:
        """The stage whose formulas are outlined (none in the idle preview)."""
        return None if self.preview else wt.stage

    def _show(self, specs: list[Card | QWidget]) -> None:
        """Lay out the cards (html, outlined, key for "show all terms") and the inset,
        reusing the existing card labels (new labels cost a style polish each)."""
        self.body.removeWidget(self.inset)
        cards = [c for c in specs if isinstance(c, tuple)]
        while len(self._cards) < len(cards):
            card = QLabel()
            card.setObjectName("formulaCard")
            card.setTextFormat(Qt.TextFormat.RichText)
            card.setWordWrap(True)
            card.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                         | Qt.TextInteractionFlag.LinksAccessibleByMouse)
            card.linkActivated.connect(lambda _href, c=card: self._toggle_terms(c))
            self.body.insertWidget(1 + len(self._cards), card)
            self._cards.append(card)
        for card in self._cards[len(cards):]:
            self.body.removeWidget(card)
            card.hide()  # deleted later, but must not be painted until then
            card.deleteLater()
        self._cards = self._cards[: len(cards)]
        for card, (html, current, full_key) in zip(self._cards, cards, strict=True):
            if card.property("current") != current:
                card.setProperty("current", current)
                card.style().unpolish(card)
                card.style().polish(card)
            card.setProperty("fullKey", full_key)
            if card.text() != html:
                card.setText(html)
            card.show()
        if self.inset in specs:
            self.body.insertWidget(1 + specs.index(self.inset), self.inset)
            self.inset.show()
        else:
            self.inset.hide()

    def _toggle_terms(self, card: QLabel) -> None:
        self._full.symmetric_difference_update({str(card.property("fullKey"))})
        self._dirty = True
        self.refresh()

    def _item_cards(self, wt: Walkthrough, key: tuple) -> list[Card | QWidget]:
        layer, index = self._layer_of(wt, key)
        if key[0] == "neuron" and key[1] < 0:
            layer = 0  # an input's gradient arrives with backward(0)
        out: list[Card | QWidget] = []
        for f in formulas_for(wt, key):
            fk = f"{key}:{f.title}"
            full = fk in self._full
            if f.title == "Backward: hidden δ":
                l, i = key[1], key[2]
                html = contributions_html(f, S.d(S.a(l, i, wt.net.n_layers)), self.theme,
                                          self._size(), full)
            else:
                html = formula_html(f, self.theme, self._size(), full)
            out.append((html, is_current(f, self._stage(wt), layer, index), fk))
            if f.title == "Forward: activation" and key[0] == "neuron":
                if self._set_inset(wt, key[1], key[2]):
                    out.append(self.inset)
        return out

    def _set_inset(self, wt: Walkthrough, l: int, i: int) -> bool:
        act = wt.net.activations[l]
        if not act.elementwise:
            return False
        name = tex_to_text(S.activation(act)[0])
        if not wt.is_known("z", l, i):
            self.inset.set_activation(act, name)
            return True
        v = R.Numbers(wt)
        self.inset.set_activation(act, name, float(wt.trace.layers[l].z[0, i]),
                                  float(wt.trace.layers[l].a[0, i]), R.fprime_term(v, l, i).value)
        return True

    def _layer_cards(self, wt: Walkthrough, key: tuple) -> list[Card | QWidget]:
        layer, _ = self._layer_of(wt, key)
        return [(formula_html(f, self.theme, self._size()),
                 is_current(f, self._stage(wt), layer, None), f"layer:{f.title}")
                for f in layer_formulas(wt, layer)]

    # ---- header texts --------------------------------------------------------------------
    def _title_html(self, wt: Walkthrough, key: tuple) -> str:
        size = 12.5 * self.theme.font_scale
        net, L = wt.net, wt.net.n_layers
        if self.matrix:
            layer, _ = self._layer_of(wt, key)
            kind = "output layer" if layer == L - 1 else f"layer {layer + 1}"
            text = f"The whole {kind} in matrix form"
        elif key[0] == "neuron" and key[1] < 0:
            text = f"Input {tex_html(S.a(-1, key[2], L))}"
        elif key[0] == "neuron":
            l, i = key[1], key[2]
            act = S.activation_name(net.activations[l])
            if l == L - 1:
                text = f"Output {tex_html(S.a(l, i, L))} · {act}"
            else:
                text = f"Hidden neuron {tex_html(S.a(l, i, L))} · {act}"
        elif key[0] == "edge":
            l, i, j = key[1:]
            src = "input" if l == 0 else f"layer {l}"
            text = (f"Weight {tex_html(S.w(l, i, j))}: {src} neuron {j + 1} → "
                    f"{'output' if l == L - 1 else f'layer {l + 1}'} neuron {i + 1}")
        elif key[0] == "bias":
            text = f"Bias {tex_html(S.b(key[1], key[2]))}"
        else:
            text = "Outputs and loss"
        return f'<span style="font-size:{size:.1f}pt; font-weight:700">{text}</span>'

    def _subtitle(self, wt: Walkthrough) -> str:
        if wt.sample_index is None:
            where = f"mini-batch of {wt.x.shape[0]}, sample 0 shown"
        else:
            where = f"sample #{wt.sample_index + 1}"
        if self.preview:
            what = ("Not stepping: nothing computed yet" if self.predict.mode else
                    "Not stepping: this sample's values with the current weights, as the "
                    "network shows them")
            text = f"{what} ({where}). Press → to step through an iteration."
        elif wt.stage is None:
            text = f"Ready ({where}): press → for the first stage."
        else:
            text = f"Step {wt.index + 1} of {len(wt.stages)}: {wt.stage.label} ({where})."
        if not self.ctl.selection:
            text += " Click a neuron, an edge or a bias to inspect it."
        return text

    # ---- reading what is shown (tests, accessibility) ---------------------------------
    def cards(self) -> list[QLabel]:
        """The formula cards shown, in order (their text is rich text)."""
        return list(self._cards)

    def card_htmls(self) -> list[str]:
        return [c.text() for c in self._cards]

    def card_texts(self) -> list[str]:
        """The plain text of each formula card, in order."""
        return [plain_text(h) for h in self.card_htmls()]

    def text(self) -> str:
        """Everything the inspector shows as plain text (header, then the cards)."""
        return "\n".join([plain_text(self.title.text()), self.subtitle.text(), *self.card_texts()])
