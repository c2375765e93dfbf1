"""One training iteration of backpropagation, revealed one stage at a time.

A :class:`Walkthrough` takes one training sample (or the session's next mini-batch),
computes the whole forward pass and backpropagation up front, and then reveals the
results stage by stage in the order backpropagation derives them:

``forward(0) … forward(L−1)``, ``loss``, ``backward(L−1) … backward(0)``, ``update``

(layers are weight layers, 0-based in code and 1-based in labels, so layer 0 holds W1).
What each stage reveals, for weight layer l:

- ``forward(l)``: z⁽ˡ⁾ = W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = f(z⁽ˡ⁾).
- ``loss``: the loss L and ∂L/∂ŷ, the ``da`` of the output layer.
- ``backward(l)``: ∂L/∂a⁽ˡ⁾ (for hidden layers: W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾), δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾,
  ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾ a⁽ˡ⁻¹⁾ᵀ and ∂L/∂b⁽ˡ⁾ = δ⁽ˡ⁾.
- ``update``: one step of the session's optimizer; the only stage that changes the network.

With ``granularity="neuron"`` the forward and backward stages go one neuron at a time
(neuron i of layer l reveals z_i, a_i, or da_i, dz_i, row i of dW and b_i). A softmax
layer couples all its neurons, so it stays one whole-layer stage even then.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlpviz.engine import MLP, DivergenceError, Grads, Trace
from mlpviz.model import display

STAGE_KINDS: tuple[str, ...] = ("forward", "loss", "backward", "update")
GRANULARITIES: tuple[str, ...] = ("layer", "neuron")
QUANTITIES: tuple[str, ...] = ("z", "a", "da", "dz", "dW", "db")


class WalkthroughError(ValueError):
    """A walkthrough that cannot be built (bad granularity) or an unknown quantity."""


@dataclass(frozen=True)
class Stage:
    """One step of the walkthrough.

    ``layer`` is the 0-based weight layer of a forward/backward stage (None for loss and
    update); ``neuron`` the 0-based neuron of that layer in neuron granularity, else None.
    """

    kind: str
    layer: int | None = None
    neuron: int | None = None

    @property
    def label(self) -> str:
        """A short human title, 1-based: "Forward: layer 1", "Backward: neuron 2 of layer 1"."""
        if self.kind == "loss":
            return "Loss"
        if self.kind == "update":
            return "Update weights"
        head = self.kind.capitalize()
        if self.neuron is None:
            return f"{head}: layer {self.layer + 1}"  # type: ignore[operator]
        return f"{head}: neuron {self.neuron + 1} of layer {self.layer + 1}"  # type: ignore[operator]


def stage_list(n_layers: int, neurons: Sequence[int] | None = None) -> list[Stage]:
    """The stages of one iteration of an ``n_layers``-layer network, in order.

    ``neurons[l]`` > 0 steps layer l neuron by neuron (that many neurons); 0 or no
    ``neurons`` keeps it one stage.
    """
    split = list(neurons) if neurons is not None else [0] * n_layers

    def per_layer(kind: str, l: int) -> list[Stage]:
        if split[l] <= 0:
            return [Stage(kind, l)]
        return [Stage(kind, l, i) for i in range(split[l])]

    stages = [s for l in range(n_layers) for s in per_layer("forward", l)]
    stages.append(Stage("loss"))
    stages += [s for l in range(n_layers - 1, -1, -1) for s in per_layer("backward", l)]
    stages.append(Stage("update"))
    return stages


def net_stages(net: MLP, granularity: str = "layer") -> list[Stage]:
    """The stages of one iteration of ``net`` in ``granularity`` "layer" or "neuron"."""
    if granularity not in GRANULARITIES:
        raise WalkthroughError(
            f"granularity must be one of {', '.join(GRANULARITIES)}; got {granularity!r}"
        )
    if granularity == "layer":
        return stage_list(net.n_layers)
    pairs = zip(net.activations, net.sizes[1:], strict=True)
    return stage_list(net.n_layers, [0 if f.name == "softmax" else n for f, n in pairs])


class Walkthrough:
    """A training iteration of ``session`` on one sample (or the next mini-batch).

    ``session`` needs ``.net`` (MLP), ``.optimizer``, ``.sample(k) -> (x, y)``,
    ``.minibatch() -> (X, Y)`` and ``.count_step(batch)`` / ``.uncount_step(token)``
    (a Session: the update counts the step, and a mini-batch update moves the epoch
    along). Nothing in the network changes
    until the update stage; stepping back over it restores the weights and the optimizer
    state exactly, and ``finish()`` leaves the network exactly as
    ``net.step(net.backward(net.forward(x), y), optimizer)`` would.
    """

    def __init__(
        self, session: Any, sample: int = 0, batch: bool = False, granularity: str = "layer"
    ):
        self.session = session
        self.net: MLP = session.net
        self.granularity = granularity
        self.stages: list[Stage] = net_stages(self.net, granularity)
        self.sample_index: int | None = None if batch else int(sample)
        x, y = session.minibatch() if batch else session.sample(int(sample))
        self.x: np.ndarray = np.asarray(x, dtype=self.net.dtype)  # (batch, n_in)
        self.y: np.ndarray = np.asarray(y, dtype=self.net.dtype)  # (batch, n_out)
        self.trace: Trace = self.net.forward(self.x)
        self.grads: Grads = self.net.backward(self.trace, self.y)
        self.loss: float = self.grads.loss
        self._params_before = self.net.get_params()
        self._optimizer_before = copy.deepcopy(session.optimizer.state_dict())
        self._params_after: np.ndarray | None = None
        self._loss_after: float | None = None
        self._step_token: tuple = ()
        self.index = -1

    # ---- notebooks ---------------------------------------------------------------------
    def _repr_html_(self) -> str:
        return display.walkthrough_html(self)

    def _repr_png_(self) -> bytes | None:
        return display.diagram_png(self.session, self)

    # ---- position ----------------------------------------------------------------------
    @property
    def stage(self) -> Stage | None:
        """The last stage taken, or None before the first."""
        return self.stages[self.index] if self.index >= 0 else None

    @property
    def done(self) -> bool:
        return self.index == len(self.stages) - 1

    @property
    def at_start(self) -> bool:
        return self.index == -1

    @property
    def updated(self) -> bool:
        """True once the update stage has changed the network's weights."""
        return self.done

    @property
    def loss_known(self) -> bool:
        return self.index >= self.stages.index(Stage("loss"))

    def next(self) -> Stage | None:
        """Take the next stage and return it; None (and no change) when already done.

        The update stage runs the optimizer; if that diverges, DivergenceError is raised
        and the network, the optimizer and the walkthrough stay as they were.
        """
        if self.done:
            return None
        stage = self.stages[self.index + 1]
        if stage.kind == "update":
            self._apply_update()
        self.index += 1
        return stage

    def prev(self) -> Stage | None:
        """Undo the current stage and return the one now current (None at the start)."""
        if self.at_start:
            return None
        if self.stages[self.index].kind == "update":
            self._undo_update()
        self.index -= 1
        return self.stage

    def finish(self) -> None:
        """Take every remaining stage, including the update."""
        while not self.done:
            self.next()

    def rewind(self) -> None:
        """Step back to the start, restoring the weights if the update was applied."""
        while not self.at_start:
            self.prev()

    def _apply_update(self) -> None:
        optimizer = self.session.optimizer
        try:
            self.net.step(self.grads, optimizer)
        except DivergenceError:
            self._restore_optimizer()
            raise
        self._params_after = self.net.get_params()
        self._loss_after = None
        self._step_token = self.session.count_step(batch=self.sample_index is None)

    def _undo_update(self) -> None:
        self.net.params[...] = self._params_before
        self._restore_optimizer()
        self.session.uncount_step(self._step_token)

    def _restore_optimizer(self) -> None:
        self.session.optimizer.load_state_dict(
            copy.deepcopy(self._optimizer_before), self.net.n_params
        )

    # ---- values ------------------------------------------------------------------------
    @property
    def loss_after(self) -> float | None:
        """The loss of the traced sample (or batch) with the updated weights, once the
        update stage is taken (one forward pass, computed on first use); else None."""
        if not self.updated:
            return None
        if self._loss_after is None:
            self._loss_after = float(self.net.evaluate(self.x, self.y))
        return self._loss_after

    @property
    def params_before(self) -> np.ndarray:
        """The flat parameter vector before the update (a copy)."""
        return self._params_before.copy()

    @property
    def weights_before(self) -> list[np.ndarray]:
        """W⁽ˡ⁾ (n_out, n_in) of every layer before the update (copies)."""
        return self.net.unflatten(self._params_before)[0]

    @property
    def biases_before(self) -> list[np.ndarray]:
        """b⁽ˡ⁾ (n_out,) of every layer before the update (copies)."""
        return self.net.unflatten(self._params_before)[1]

    @property
    def weights_after(self) -> list[np.ndarray]:
        """W⁽ˡ⁾ after the update: the applied values, or a preview before it runs."""
        return self.net.unflatten(self._after())[0]

    @property
    def biases_after(self) -> list[np.ndarray]:
        return self.net.unflatten(self._after())[1]

    def _after(self) -> np.ndarray:
        if self._params_after is None:
            optimizer = copy.deepcopy(self.session.optimizer)
            optimizer.load_state_dict(copy.deepcopy(self._optimizer_before), self.net.n_params)
            params = self._params_before.copy()
            optimizer.step(params, self.net.grads_vector(self.grads), self.net.weight_mask)
            return params
        return self._params_after

    # ---- what is known -----------------------------------------------------------------
    @property
    def known(self) -> list[dict[str, Any]]:
        """Per weight layer l, which of z, a, da, dz, dW, db are computed so far.

        Layer granularity: each value is a bool. Neuron granularity: each value is a bool
        array (n_l,) with one entry per neuron of layer l (entry i of dW is row i).
        """
        sizes = self.net.sizes
        if self.granularity == "layer":
            known: list[dict[str, Any]] = [dict.fromkeys(QUANTITIES, False) for _ in sizes[1:]]
        else:
            known = [{q: np.zeros(n, dtype=bool) for q in QUANTITIES} for n in sizes[1:]]
        for stage in self.stages[: self.index + 1]:
            if stage.kind == "loss":
                self._mark(known[-1], ("da",), None)
            elif stage.kind == "forward":
                self._mark(known[stage.layer], ("z", "a"), stage.neuron)  # type: ignore[index]
            elif stage.kind == "backward":
                self._mark(known[stage.layer], ("da", "dz", "dW", "db"), stage.neuron)  # type: ignore[index]
        return known

    def _mark(self, entry: dict[str, Any], names: tuple[str, ...], neuron: int | None) -> None:
        for name in names:
            if self.granularity == "layer":
                entry[name] = True
            elif neuron is None:
                entry[name][:] = True
            else:
                entry[name][neuron] = True

    def is_known(self, quantity: str, layer: int, neuron: int | None = None) -> bool:
        """Whether ``quantity`` (one of QUANTITIES) of weight layer ``layer`` is computed.

        With ``neuron`` given, whether that neuron's entry is; without, whether all are.
        """
        if quantity not in QUANTITIES:
            raise WalkthroughError(f"quantity must be one of {', '.join(QUANTITIES)}")
        value = self.known[layer][quantity]
        if self.granularity == "layer":
            return bool(value)
        return bool(value[neuron]) if neuron is not None else bool(np.all(value))


def idle_walkthrough(session: Any, sample: int = 0, batch: bool = False,
                     granularity: str = "layer") -> Walkthrough:
    """What the views show of the traced sample (or mini-batch) while no walkthrough runs:
    a walkthrough with every stage but the update taken — every activation, the loss and
    every gradient known, the network unchanged."""
    wt = Walkthrough(session, sample=sample, batch=batch, granularity=granularity)
    while not wt.done and wt.stages[wt.index + 1].kind != "update":
        wt.next()
    return wt
