"""The multi-layer perceptron: forward pass, backpropagation and updates, as in docs/derivation.md.

For weight layer l (0-based): z⁽ˡ⁾ = W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = f⁽ˡ⁾(z⁽ˡ⁾), with W⁽ˡ⁾ of
shape (n_out, n_in) and a⁽⁻¹⁾ = x. Batches are rows: Z = A_prev @ W.T + b.

``forward``/``backward``/``apply`` are the readable teaching path that keeps every
intermediate. ``train_epoch`` is the fused fast path used while training runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from mlpviz.engine import activations as _acts
from mlpviz.engine import losses as _losses
from mlpviz.engine.fastpath import FastTrainer
from mlpviz.engine.init import init_layer
from mlpviz.engine.optimizers import Optimizer, check_learning_rate

MAX_LAYER_SIZE = 4096
MAX_LAYERS = 32
_OVERFLOW = "the update would make a weight NaN or infinite; lower the learning rate"


class NetworkError(ValueError):
    """A network description that cannot be built (sizes, activations, shapes)."""


class DivergenceError(ArithmeticError):
    """Training produced a non-finite loss or gradient; the weights were left unchanged."""


class Cancelled(Exception):
    """A long computation stopped because cancellation was asked for (see the ``stop`` and
    ``cancelled`` callbacks); the state is as it was before the unfinished step."""


def _numeric(value: object, what: str) -> np.ndarray:
    """``value`` as an array of numbers, or NetworkError naming ``what``."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise NetworkError(f"{what} is not an array of numbers ({exc})") from None
    if arr.dtype.kind not in "biuf":
        raise NetworkError(f"{what} must hold numbers, not {arr.dtype}")
    return arr


@dataclass
class LayerTrace:
    z: np.ndarray  # (batch, n_out) pre-activation
    a: np.ndarray  # (batch, n_out) activation f(z)


@dataclass
class Trace:
    """Everything the forward pass computed for a batch ``x`` (batch, n_in)."""

    x: np.ndarray
    layers: list[LayerTrace]

    @property
    def output(self) -> np.ndarray:
        return self.layers[-1].a


@dataclass
class LayerGrads:
    da: np.ndarray  # (batch, n_out) ∂L/∂a
    dz: np.ndarray  # (batch, n_out) ∂L/∂z  (δ)
    dW: np.ndarray  # (n_out, n_in)  ∂L/∂W
    db: np.ndarray  # (n_out,)       ∂L/∂b


@dataclass
class Grads:
    loss: float
    layers: list[LayerGrads]
    dx: np.ndarray  # (batch, n_in) ∂L/∂x, the last link of the lecture's (docs/derivation.md) chain

    def is_finite(self) -> bool:
        return bool(
            np.isfinite(self.loss)
            and all(np.isfinite(g.dW).all() and np.isfinite(g.db).all() for g in self.layers)
        )


class MLP:
    """A fully connected network.

    >>> net = MLP([2, 2, 1], ["sigmoid", "sigmoid"], loss="mse", seed=0)
    >>> trace = net.forward(X); grads = net.backward(trace, Y); net.apply(grads, lr=0.1)
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activations: Sequence[str | _acts.Activation] | str = "tanh",
        loss: str | _losses.Loss = "mse",
        seed: int | np.random.Generator = 0,
        init: str = "xavier",
        dtype: type | np.dtype = np.float64,
        init_scale: float = 0.5,
    ):
        sizes = list(sizes)
        if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in sizes):
            raise NetworkError(f"layer sizes must be whole numbers, got {sizes}")
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or len(sizes) > MAX_LAYERS + 1:
            raise NetworkError(f"a network needs 2 to {MAX_LAYERS + 1} layer sizes, got {sizes}")
        if any(s < 1 or s > MAX_LAYER_SIZE for s in sizes):
            raise NetworkError(f"layer sizes must be in 1..{MAX_LAYER_SIZE}, got {sizes}")
        try:
            self.dtype = np.dtype(dtype)
        except TypeError:
            self.dtype = np.dtype(object)
        if self.dtype not in (np.float32, np.float64):
            raise NetworkError(f"dtype must be float32 or float64, got {dtype!r}")
        self.sizes = sizes
        self.activations = self._resolve_activations(activations, len(sizes) - 1)
        self.loss = _losses.get(loss)
        _losses.check_pair(self.loss, self.activations[-1])
        self.init = init
        if isinstance(seed, np.random.Generator):
            rng = seed
        elif isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
            rng = np.random.default_rng(seed)
        else:
            raise NetworkError(f"seed must be an integer >= 0 or a Generator, got {seed!r}")
        self._allocate()
        for l in range(self.n_layers):
            w, b = init_layer(init, sizes[l], sizes[l + 1], rng, self.dtype, init_scale)
            self.weights[l][...] = w
            self.biases[l][...] = b
        self._fast: FastTrainer | None = None

    @classmethod
    def from_params(
        cls,
        weights: Sequence[np.ndarray],
        biases: Sequence[np.ndarray],
        activations: Sequence[str | _acts.Activation] | str,
        loss: str | _losses.Loss = "mse",
        dtype: type | np.dtype | None = None,
    ) -> MLP:
        """A network with the given W⁽ˡ⁾ (n_out, n_in) and b⁽ˡ⁾ (n_out,)."""
        ws = [_numeric(w, f"W{l + 1}") for l, w in enumerate(weights)]
        bs = [_numeric(b, f"b{l + 1}") for l, b in enumerate(biases)]
        if not ws or len(ws) != len(bs):
            raise NetworkError("give one bias vector per weight matrix (at least one layer)")
        sizes = [ws[0].shape[1] if ws[0].ndim == 2 else -1]
        for l, (w, b) in enumerate(zip(ws, bs, strict=True)):
            if w.ndim != 2 or w.shape[1] != sizes[-1]:
                raise NetworkError(
                    f"W{l + 1} has shape {w.shape}; expected (n_out, {sizes[-1]})"
                )
            if b.shape != (w.shape[0],):
                raise NetworkError(f"b{l + 1} has shape {b.shape}; expected ({w.shape[0]},)")
            if not (np.isfinite(w).all() and np.isfinite(b).all()):
                raise NetworkError(f"W{l + 1} or b{l + 1} holds NaN or infinity")
            sizes.append(w.shape[0])
        if dtype is None:
            dtype = np.float32 if all(w.dtype == np.float32 for w in ws) else np.float64
        net = cls(sizes, activations, loss, seed=0, init="zeros", dtype=dtype)
        for l in range(net.n_layers):
            net.weights[l][...] = ws[l]
            net.biases[l][...] = bs[l]
        return net

    @staticmethod
    def _resolve_activations(spec, n_layers: int) -> list[_acts.Activation]:
        if isinstance(spec, (str, _acts.Activation)):
            spec = [spec] * n_layers
        spec = list(spec)
        if len(spec) != n_layers:
            raise NetworkError(
                f"{n_layers} weight layers need {n_layers} activations, got {len(spec)}"
            )
        acts = [_acts.from_spec(s) for s in spec]
        if any(a.name == "softmax" for a in acts[:-1]):
            raise NetworkError("softmax can only be the activation of the output layer")
        return acts

    def _allocate(self) -> None:
        """One flat vector holds every layer's [W | b] block (n_out, n_in + 1), row-major."""
        shapes = [(self.sizes[l + 1], self.sizes[l] + 1) for l in range(self.n_layers)]
        total = sum(r * c for r, c in shapes)
        self.params = np.zeros(total, dtype=self.dtype)
        self.weight_mask = np.ones(total, dtype=self.dtype)
        self.blocks: list[np.ndarray] = []
        offset = 0
        for r, c in shapes:
            block = self.params[offset : offset + r * c].reshape(r, c)
            self.weight_mask[offset : offset + r * c].reshape(r, c)[:, -1] = 0.0
            self.blocks.append(block)
            offset += r * c
        self.weights = [b[:, :-1] for b in self.blocks]
        self.biases = [b[:, -1] for b in self.blocks]

    # ---- structure ---------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Number of weight layers L."""
        return len(self.sizes) - 1

    @property
    def n_params(self) -> int:
        return int(self.params.size)

    def copy(self) -> MLP:
        """An independent network with the same structure and parameters."""
        net = MLP.from_params(
            self.weights, self.biases, list(self.activations), self.loss, self.dtype
        )
        net.init = self.init
        return net

    def unflatten(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Copies of the weights (n_out, n_in) and biases (n_out,) of a parameter vector
        laid out like :attr:`params` (another state of this network, e.g. before an
        update)."""
        flat = np.asarray(flat)
        if flat.shape != self.params.shape:
            raise ValueError(f"parameter vector has shape {flat.shape}, "
                             f"expected {self.params.shape}")
        weights, biases, offset = [], [], 0
        for l in range(self.n_layers):
            rows, cols = self.sizes[l + 1], self.sizes[l] + 1
            block = flat[offset : offset + rows * cols].reshape(rows, cols)
            weights.append(block[:, :-1].copy())
            biases.append(block[:, -1].copy())
            offset += rows * cols
        return weights, biases

    def get_params(self) -> np.ndarray:
        """A copy of the flat parameter vector."""
        return self.params.copy()

    def set_params(self, flat: np.ndarray) -> None:
        flat = _numeric(flat, "the parameter vector")
        if flat.shape != self.params.shape:
            raise NetworkError(
                f"parameter vector has shape {flat.shape}, expected {self.params.shape}"
            )
        if not np.isfinite(flat).all():
            raise NetworkError("parameters hold NaN or infinity")
        self.params[...] = flat

    def describe(self) -> str:
        acts = ", ".join(a.name for a in self.activations)
        return f"{'-'.join(map(str, self.sizes))} [{acts}] loss={self.loss.name}"

    # ---- the teaching path -------------------------------------------------------------
    def _check_x(self, x: np.ndarray, dtype: np.dtype | None = None) -> np.ndarray:
        """x as (batch, n_in) of ``dtype`` (default: the network's); one sample may be 1-D."""
        x = _numeric(x, "inputs").astype(self.dtype if dtype is None else dtype, copy=False)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise NetworkError(f"inputs have shape {x.shape}; expected (batch, {self.sizes[0]})")
        return x

    def _check_y(self, y: np.ndarray, batch: int) -> np.ndarray:
        """y as (batch, n_out); a 1-D y is one sample (batch 1) or one output per sample."""
        y = _numeric(y, "targets").astype(self.dtype, copy=False)
        if y.ndim == 1:
            y = y[None, :] if batch == 1 else y[:, None]
        if y.shape != (batch, self.sizes[-1]):
            raise NetworkError(
                f"targets have shape {y.shape}; expected ({batch}, {self.sizes[-1]})"
            )
        return y

    def forward(self, x: np.ndarray) -> Trace:
        """Run x (batch, n_in) through every layer, keeping z and a of each."""
        x = a = self._check_x(x)
        layers = []
        with np.errstate(over="ignore", invalid="ignore"):  # huge weights give inf, quietly
            for w, b, f in zip(self.weights, self.biases, self.activations, strict=True):
                z = a @ w.T + b
                a = f.f(z)
                layers.append(LayerTrace(z=z, a=a))
        return Trace(x=x, layers=layers)

    def backward(self, trace: Trace, y: np.ndarray) -> Grads:
        """Backpropagate the batch loss of ``trace`` against targets y (batch, n_out)."""
        y = self._check_y(y, trace.x.shape[0])
        out = trace.layers[-1]
        with np.errstate(all="ignore"):
            loss = self.loss.value(out.z, out.a, y)
            da, dz = self.loss.backward(out.z, out.a, y, self.activations[-1])
            grads: list[LayerGrads] = []
            for l in range(self.n_layers - 1, -1, -1):
                a_prev = trace.layers[l - 1].a if l > 0 else trace.x
                dW = dz.T @ a_prev  # ∂L/∂W = δ a_prevᵀ, summed over the batch
                db = dz.sum(axis=0)
                grads.append(LayerGrads(da=da, dz=dz, dW=dW, db=db))
                da = dz @ self.weights[l]  # ∂L/∂a_prev = Wᵀ δ
                if l > 0:
                    prev = trace.layers[l - 1]
                    dz = self.activations[l - 1].backward(prev.z, prev.a, da)
        grads.reverse()
        return Grads(loss=loss, layers=grads, dx=da)

    def apply(self, grads: Grads, lr: float) -> None:
        """Plain SGD: W ← W − η ∂L/∂W, b ← b − η ∂L/∂b.

        Raises DivergenceError (weights untouched) if the loss, a gradient or a new weight
        is not finite, and OptimizerError for a negative or non-finite ``lr``.
        """
        lr = check_learning_rate(lr)
        if not grads.is_finite():
            raise DivergenceError("the loss or a gradient is not finite (NaN or infinity)")
        with np.errstate(over="ignore", invalid="ignore"):
            new_w = [w - lr * g.dW for w, g in zip(self.weights, grads.layers, strict=True)]
            new_b = [b - lr * g.db for b, g in zip(self.biases, grads.layers, strict=True)]
        if not all(np.isfinite(w).all() for w in new_w + new_b):
            raise DivergenceError(_OVERFLOW)
        for l in range(self.n_layers):
            self.weights[l][...] = new_w[l]
            self.biases[l][...] = new_b[l]

    def grads_vector(self, grads: Grads) -> np.ndarray:
        """The gradients laid out like :attr:`params` (flat)."""
        return np.concatenate(
            [np.hstack([g.dW, g.db[:, None]]).ravel() for g in grads.layers]
        ).astype(self.dtype, copy=False)

    def step(self, grads: Grads, optimizer: Optimizer) -> None:
        """Apply one optimizer step from ``grads``.

        DivergenceError leaves the weights and the optimizer's state untouched.
        """
        if not grads.is_finite():
            raise DivergenceError("the loss or a gradient is not finite (NaN or infinity)")
        saved = self.params.copy()
        saved_state = optimizer.state_dict()
        with np.errstate(all="ignore"):
            optimizer.step(self.params, self.grads_vector(grads), self.weight_mask)
        if not np.isfinite(self.params).all():
            self.params[...] = saved
            optimizer.load_state_dict(saved_state, saved.size)
            raise DivergenceError(_OVERFLOW)

    # ---- fast evaluation and training --------------------------------------------------
    def predict(self, x: np.ndarray) -> np.ndarray:
        """Network output (batch, n_out) for x (batch, n_in)."""
        return self.forward(x).output

    def activations_of(self, x: np.ndarray, dtype: type | None = None) -> list[np.ndarray]:
        """a⁽ˡ⁾ (batch, n_l) of every layer l for x (batch, n_in) in one pass, e.g. every
        neuron over a grid of input points; ``dtype=np.float32`` halves the cost."""
        dt = np.dtype(dtype) if dtype is not None else self.dtype
        if dt not in (np.float32, np.float64):
            raise NetworkError(f"maps are computed in float32 or float64, not {dt}")
        a = self._check_x(x, dt)
        out = []
        with np.errstate(over="ignore", invalid="ignore"):  # huge weights give inf, quietly
            for w, b, f in zip(self.weights, self.biases, self.activations, strict=True):
                z = a @ w.T.astype(dt, copy=False)
                z += b.astype(dt, copy=False)
                a = f.f(z)
                out.append(a)
        return out

    def evaluate(self, x: np.ndarray, y: np.ndarray) -> float:
        """The batch loss of x (batch, n_in) against targets y (batch, n_out)."""
        trace = self.forward(x)
        y = self._check_y(y, trace.x.shape[0])
        out = trace.layers[-1]
        with np.errstate(all="ignore"):
            return self.loss.value(out.z, out.a, y)

    def train_epoch(
        self,
        x: np.ndarray,
        y: np.ndarray,
        optimizer: Optimizer,
        batch_size: int = 10,
        rng: np.random.Generator | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        """One pass over x (n, n_in) and y (n, n_out) in mini-batches of ``batch_size`` (the
        last one may be smaller) with ``optimizer``, in an order shuffled by ``rng`` (in
        the given order if None).

        On a non-finite result the weights and the optimizer state are restored to their
        values before the epoch and DivergenceError is raised. ``stop`` is asked before each
        mini-batch; if it returns True they are restored the same way and Cancelled raised.
        """
        x = self._check_x(x)
        y = self._check_y(y, x.shape[0])
        if x.shape[0] == 0:
            raise NetworkError("there are no training samples")
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or batch_size < 1
        ):
            raise NetworkError(f"batch size must be a whole number >= 1, got {batch_size!r}")
        if self._fast is None or not self._fast.fits(self):
            self._fast = FastTrainer(self)
        done = self._fast.epoch(x, y, optimizer, int(batch_size), rng, stop)
        if done is None:
            raise Cancelled("training was cancelled")
        if not done:
            raise DivergenceError(
                "training diverged (a weight became NaN or infinite); the weights from "
                "before this epoch were kept — lower the learning rate"
            )
