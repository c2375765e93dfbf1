"""Keyboard moves over the network diagram: which item a key selects next, given the
current selection and the diagram's geometry. No Qt here: plain selection tuples
(``("neuron", l, i)`` with l = −1 for inputs, ``("edge", l, i, j)``, ``("bias", l, i)``).

Only drawn neurons are reached: the hidden middle of a wide layer (its "⋮ N more" row)
is skipped. An edge or bias counts as standing on its neuron (an edge: the neuron it
feeds), so moves between neurons start from there.
"""

from __future__ import annotations

from mlpviz.ui.diagram.network_layout import NetworkLayout


def _shown(layout: NetworkLayout, layer: int) -> list[int]:
    return [int(i) for i in layout.column(layer).shown]


def _neurons(layout: NetworkLayout) -> list[tuple[int, int]]:
    """Every drawn neuron as (layer, i) in reading order: column by column, top down."""
    return [(col.layer, int(i)) for col in layout.columns for i in col.shown]


def anchor(sel: tuple) -> tuple[int, int]:
    """The neuron (layer, i) a selection stands on."""
    return int(sel[1]), int(sel[2])


def _y(layout: NetworkLayout, layer: int, i: int) -> float:
    pos = layout.pos(layer, i)
    return pos[1] if pos is not None else layout.column(layer).more_y


def tab(layout: NetworkLayout, sel: tuple | None, forward: bool) -> tuple | None:
    """The neuron after (``forward``) or before the selection in reading order, or None
    past either end (the focus then leaves the diagram)."""
    order = _neurons(layout)
    if sel is None:
        return ("neuron", *order[0 if forward else -1])
    a = anchor(sel)
    if forward:
        after = [n for n in order if n > a]
        return ("neuron", *after[0]) if after else None
    before = [n for n in order if n < a]
    return ("neuron", *before[-1]) if before else None


def vertical(layout: NetworkLayout, sel: tuple | None, step: int) -> tuple | None:
    """The item below (step +1) or above (−1) in its column, of the same kind: the next
    neuron or bias of the layer, or for an edge the edge into the same neuron from the
    next source. Stays put at the ends; with nothing selected, the first input."""
    if sel is None:
        return ("neuron", *_neurons(layout)[0])
    kind = sel[0]
    moving = int(sel[3]) if kind == "edge" else int(sel[2])
    layer = int(sel[1]) - 1 if kind == "edge" else int(sel[1])
    shown = _shown(layout, layer)
    ahead = [k for k in shown if k > moving] if step > 0 else [k for k in shown if k < moving]
    if not ahead:
        return sel
    k = ahead[0] if step > 0 else ahead[-1]
    return (*sel[:3], k) if kind == "edge" else (kind, sel[1], k)


def horizontal(layout: NetworkLayout, sel: tuple | None, step: int) -> tuple | None:
    """The neuron of the next layer to the right (step +1) or left (−1) nearest in height;
    from an edge, its target (right) or source (left) neuron. Stays put at the ends."""
    if sel is None:
        return ("neuron", *_neurons(layout)[0])
    if sel[0] == "edge":
        l, i, j = int(sel[1]), int(sel[2]), int(sel[3])
        return ("neuron", l, i) if step > 0 else ("neuron", l - 1, j)
    l, i = anchor(sel)
    to = l + (1 if step > 0 else -1)
    if not -1 <= to < len(layout.sizes) - 1:
        return ("neuron", l, i)
    y = _y(layout, l, i)
    shown = _shown(layout, to)
    best = min(shown, key=lambda k: (abs(_y(layout, to, k) - y), k))
    return ("neuron", to, best)


def edge(layout: NetworkLayout, sel: tuple | None, into: bool) -> tuple | None:
    """Cycle through edges: ``into`` the selected neuron (from an edge: the next edge into
    its target), else out of it (from an edge: the next edge out of its source). An input
    has only edges out and an output only edges in, so there the other kind is taken."""
    if sel is None:
        return None
    last = len(layout.sizes) - 2
    if sel[0] == "edge":
        l, i, j = int(sel[1]), int(sel[2]), int(sel[3])
        if into:
            src = _shown(layout, l - 1)
            return ("edge", l, i, _after(src, j))
        dst = _shown(layout, l)
        return ("edge", l, _after(dst, i), j)
    l, i = anchor(sel)
    if l < 0:
        into = False
    elif l == last:
        into = True
    if into:
        return ("edge", l, i, _shown(layout, l - 1)[0])
    return ("edge", l + 1, _shown(layout, l + 1)[0], i)


def _after(shown: list[int], k: int) -> int:
    """The shown index after k, wrapping round to the first."""
    later = [m for m in shown if m > k]
    return later[0] if later else shown[0]


def bias(sel: tuple | None) -> tuple | None:
    """The bias of the selected neuron (of an edge: of the neuron it feeds); None for an
    input, which has no bias."""
    if sel is None:
        return None
    l, i = anchor(sel)
    return None if l < 0 else ("bias", l, i)
