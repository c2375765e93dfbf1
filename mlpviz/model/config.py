"""The settings of a session: data, network and training, each a small frozen dataclass.

Every config validates itself on construction (and :meth:`validate` can be called again), so
an absurd setting — a negative learning rate, a batch of 0, a layer of a million neurons, an
unknown dataset or activation — raises :class:`SettingsError` with a message that names the
setting, the bad value and what is allowed. ``dataclasses.asdict`` gives a JSON-able dict;
``from_dict`` reads it back (rejecting unknown keys).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np

from mlpviz.engine import activations, datasets, features, init, losses, optimizers
from mlpviz.engine.mlp import MAX_LAYER_SIZE, MAX_LAYERS, MLP
from mlpviz.model.quoting import clip, quote

MAX_SAMPLES = datasets.MAX_SAMPLES
MAX_HIDDEN_LAYERS = MAX_LAYERS - 1
MAX_PARAMS = 5_000_000  # weights + biases; keeps memory and session files bounded
MAX_NOISE = 5.0
MAX_LEARNING_RATE = 1e9
MAX_REG_RATE = 1e6
MAX_SEED = 2**63 - 1
CUSTOM = "custom"


class SettingsError(ValueError):
    """A setting that is out of range, of the wrong type or unknown."""


def _int(name: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise SettingsError(f"{name} must be an integer, got {quote(value)}")
    if not lo <= int(value) <= hi:
        raise SettingsError(f"{name} must be within {lo}..{hi}, got {quote(value)}")
    return int(value)


def _float(name: str, value: object, lo: float, hi: float, lo_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise SettingsError(f"{name} must be a number, got {quote(value)}")
    v = float(value)
    ok = np.isfinite(v) and (lo < v if lo_open else lo <= v) and v <= hi
    if not ok:
        interval = f"({lo:g}, {hi:g}]" if lo_open else f"[{lo:g}, {hi:g}]"
        raise SettingsError(f"{name} must be a finite number in {interval}, got {quote(value)}")
    return v


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise SettingsError(f"unknown {name} {quote(value)}; choose one of: {', '.join(allowed)}")
    return value


def _as_tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


class _Config:
    """Shared helpers: ``replace`` and ``from_dict`` with validation."""

    def validate(self) -> None:
        raise NotImplementedError

    def replace(self, **changes: Any) -> Any:
        """A copy with ``changes`` applied (validated); unknown names raise SettingsError."""
        names = {f.name for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        unknown = sorted(set(changes) - names)
        if unknown:
            raise SettingsError(
                f"unknown {type(self).__name__} setting(s): {', '.join(unknown)}; "
                f"known: {', '.join(sorted(names))}"
            )
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    @classmethod
    def from_dict(cls, data: object) -> Any:
        """The config from a dict such as ``dataclasses.asdict`` gives (lists allowed)."""
        if not isinstance(data, dict):
            raise SettingsError(f"{cls.__name__} must be a mapping, got {type(data).__name__}")
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(str(k) for k in set(data) - names)
        if unknown:
            raise SettingsError(f"unknown {cls.__name__} setting(s): {clip(', '.join(unknown))}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (tuples become lists)."""
        out = dataclasses.asdict(self)  # type: ignore[call-overload]
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


@dataclass(frozen=True)
class DataConfig(_Config):
    """Which data the network learns from.

    ``dataset``: a generated set (``datasets.NAMES``) or ``"custom"`` (arrays, a CSV file or
    a lesson). ``n`` samples with Gaussian input ``noise`` (std, data units), split into a
    training part of ``train_fraction`` and a test part. ``features``: the network inputs
    computed from (x1, x2) (``features.FEATURES``); empty only for custom arrays whose
    inputs are not 2-D points. ``seed`` drives generation, the split and (with the net
    seed) the shuffling of mini-batches.
    """

    dataset: str = "xor"
    n: int = 200
    noise: float = 0.1
    train_fraction: float = 0.5
    features: tuple[str, ...] = ("x1", "x2")
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", _as_tuple(self.features))
        self.validate()

    def validate(self) -> None:
        _choice("dataset", self.dataset, (*datasets.NAMES, CUSTOM))
        low = 1 if self.dataset == CUSTOM else datasets.MIN_SAMPLES
        _int("number of samples n", self.n, low, MAX_SAMPLES)
        _float("noise", self.noise, 0.0, MAX_NOISE)
        _float("train_fraction", self.train_fraction, 0.0, 1.0, lo_open=True)
        _int("data seed", self.seed, 0, MAX_SEED)
        if not isinstance(self.features, tuple):
            raise SettingsError(f"features must be a list of names, got {quote(self.features)}")
        if len(self.features) > len(features.FEATURES):
            raise SettingsError(f"at most {len(features.FEATURES)} features, "
                                f"got {len(self.features)}")
        for name in self.features:
            if name not in features.FEATURES:
                raise SettingsError(f"unknown feature {quote(name)}; choose from: "
                                    f"{', '.join(features.FEATURES)}")
        if self.features or self.dataset != CUSTOM:
            try:
                features.check_features(self.features)
            except features.FeatureError as exc:
                raise SettingsError(str(exc)) from None


@dataclass(frozen=True)
class NetConfig(_Config):
    """The network between the inputs (from the features) and the outputs (from the data).

    ``hidden``: neurons per hidden layer (may be empty: a linear model). ``activation``: one
    name for every hidden layer or one per hidden layer (``activations.HIDDEN_NAMES``);
    ``output`` the output activation; ``loss`` (``losses.NAMES``) must suit it. ``init``
    (``init.NAMES``) with ``init_scale`` for "uniform"; ``seed`` for the initial weights;
    ``alpha`` the slope/scale of leaky_relu and elu (None: their defaults 0.01 and 1.0).
    """

    hidden: tuple[int, ...] = (2,)
    activation: str | tuple[str, ...] = ("sigmoid",)
    output: str = "sigmoid"
    loss: str = "mse"
    init: str = "xavier"
    init_scale: float = 0.5
    seed: int = 0
    alpha: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", _as_tuple(self.hidden))
        object.__setattr__(self, "activation", _as_tuple(self.activation))
        self.validate()

    def validate(self) -> None:
        if not isinstance(self.hidden, tuple):
            raise SettingsError(f"hidden must be a list of layer sizes, got {quote(self.hidden)}")
        if len(self.hidden) > MAX_HIDDEN_LAYERS:
            raise SettingsError(
                f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(self.hidden)}"
            )
        for i, size in enumerate(self.hidden):
            _int(f"size of hidden layer {i + 1}", size, 1, MAX_LAYER_SIZE)
        for name in self.hidden_activations():
            _choice("hidden activation", name, activations.HIDDEN_NAMES)
        _choice("output activation", self.output, activations.NAMES)
        _choice("loss", self.loss, losses.NAMES)
        _choice("init", self.init, (*init.NAMES, *init.ALIASES))
        _float("init_scale", self.init_scale, 0.0, 100.0, lo_open=True)
        _int("net seed", self.seed, 0, MAX_SEED)
        if self.alpha is not None:
            _float("alpha", self.alpha, -100.0, 100.0)
        try:
            losses.check_pair(losses.get(self.loss), activations.get(self.output))
        except losses.LossError as exc:
            raise SettingsError(str(exc)) from None

    def hidden_activations(self) -> tuple[str, ...]:
        """One activation name per hidden layer."""
        if isinstance(self.activation, str):
            return (self.activation,) * len(self.hidden)
        if not isinstance(self.activation, tuple):
            raise SettingsError(
                f"activation must be a name or a list, got {quote(self.activation)}")
        if len(self.activation) != len(self.hidden):
            raise SettingsError(
                f"{len(self.hidden)} hidden layer(s) need {len(self.hidden)} activation(s), "
                f"got {len(self.activation)}: {quote(list(self.activation))}"
            )
        return self.activation

    def with_hidden(self, hidden: tuple[int, ...] | list[int]) -> NetConfig:
        """A copy with new hidden sizes; a per-layer activation list is cut or extended with
        its last entry (sigmoid when it was empty)."""
        hidden = tuple(hidden)
        act = self.activation
        if isinstance(act, tuple) and len(act) != len(hidden):
            fill = act[-1] if act else "sigmoid"
            act = (act + (fill,) * len(hidden))[: len(hidden)]
        return self.replace(hidden=hidden, activation=act)

    def layer_activations(self) -> list[activations.Activation]:
        """Activation objects for every weight layer, hidden then output, alpha applied."""
        names = [*self.hidden_activations(), self.output]
        out = []
        for name in names:
            if self.alpha is not None and name in ("leaky_relu", "elu"):
                out.append(activations.get(name, alpha=self.alpha))
            else:
                out.append(activations.get(name))
        return out

    def sizes(self, n_in: int, n_out: int) -> list[int]:
        """Layer sizes [n_in, *hidden, n_out]; SettingsError past MAX_PARAMS parameters."""
        sizes = [int(n_in), *self.hidden, int(n_out)]
        n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
        if n_params > MAX_PARAMS:
            raise SettingsError(
                f"a {'-'.join(map(str, sizes))} network has {n_params:,} parameters; "
                f"the limit is {MAX_PARAMS:,}"
            )
        return sizes

    def build(self, n_in: int, n_out: int, dtype: type | np.dtype = np.float64) -> MLP:
        """A freshly initialised network (from ``seed``) with n_in inputs, n_out outputs."""
        sizes = self.sizes(n_in, n_out)
        try:
            return MLP(sizes, self.layer_activations(), self.loss, seed=self.seed,
                       init=self.init, dtype=dtype, init_scale=self.init_scale)
        except ValueError as exc:
            raise SettingsError(str(exc)) from None

    def matches(self, net: MLP, n_in: int, n_out: int) -> bool:
        """Whether ``net`` has exactly the structure this config gives for n_in, n_out."""
        return (net.sizes == [n_in, *self.hidden, n_out] and net.loss.name == self.loss
                and list(net.activations) == self.layer_activations())

    @classmethod
    def of_net(cls, net: MLP) -> NetConfig:
        """The config describing an existing network (its leaky_relu/elu layers must share
        one alpha); ``seed`` is 0 as the network's own seed is unknown."""
        acts = list(net.activations)
        defaults = {"leaky_relu": 0.01, "elu": 1.0}
        alphas = {a.params()["alpha"] for a in acts if a.name in defaults}
        if all(a.params()["alpha"] == defaults[a.name] for a in acts if a.name in defaults):
            alpha = None
        elif len(alphas) == 1:
            alpha = alphas.pop()
        else:
            raise SettingsError(f"a session needs one alpha for all layers, got {alphas}")
        return cls(hidden=tuple(net.sizes[1:-1]), activation=tuple(a.name for a in acts[:-1]),
                   output=acts[-1].name, loss=net.loss.name, init=net.init, alpha=alpha)


@dataclass(frozen=True)
class TrainConfig(_Config):
    """How the network learns: ``learning_rate`` η ≥ 0, ``batch_size`` samples per step,
    ``optimizer`` ("sgd", "momentum", "adam"), ``regularization`` ("none", "l1", "l2") with
    strength ``reg_rate`` λ ≥ 0 (applied to weights, not biases)."""

    learning_rate: float = 0.5
    batch_size: int = 10
    optimizer: str = "sgd"
    regularization: str = "none"
    reg_rate: float = 0.0

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        _float("learning rate", self.learning_rate, 0.0, MAX_LEARNING_RATE)
        _int("batch size", self.batch_size, 1, MAX_SAMPLES)
        _choice("optimizer", self.optimizer, optimizers.NAMES)
        _choice("regularization", self.regularization, optimizers.REGULARIZATIONS)
        _float("regularization rate", self.reg_rate, 0.0, MAX_REG_RATE)

    def make_optimizer(self) -> optimizers.Optimizer:
        """A fresh optimizer (no accumulated state) with these settings."""
        return optimizers.make(
            self.optimizer,
            self.learning_rate,
            regularization=self.regularization,
            reg_rate=self.reg_rate,
        )
