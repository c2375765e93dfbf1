"""Networks trained in PyTorch, opened as mlpviz networks.

Two ways in:

- :func:`mlp_from_torch` takes an ``nn.Sequential`` of ``nn.Linear`` layers, each followed
  by at most one supported activation: ``Sigmoid``, ``Tanh``, ``ReLU``,
  ``LeakyReLU(negative_slope)``, ``ELU(alpha)``, ``Identity`` (or none: linear), and
  ``Softmax`` after the last layer only. Anything else is refused with its position and
  class name.
- :func:`mlp_from_state_dict` takes a saved ``state_dict`` (a mapping, or a file written
  by ``torch.save``) of such a Sequential and a description of the activations (a mapping,
  or a JSON file)::

      {"activations": ["tanh", {"name": "leaky_relu", "alpha": 0.2}, "softmax"],
       "loss": "cross_entropy"}

  one activation per Linear layer, named as in mlpviz (``sigmoid``, ``tanh``, ``relu``,
  ``leaky_relu``, ``elu``, ``linear``, ``softmax``) or as the torch class (``Tanh``,
  ``LeakyReLU``, ``Identity``, …); ``alpha`` is LeakyReLU's ``negative_slope`` or ELU's
  ``alpha``. ``loss`` is optional.

A session keeps one ``alpha`` for all its LeakyReLU and ELU layers, so a model that
mixes different ones opens as a network (:class:`~mlpviz.engine.mlp.MLP`) but not as a
session. W⁽ˡ⁾ is torch's ``weight`` (n_out, n_in) as is, b⁽ˡ⁾ its ``bias`` (zeros for
``bias=False``). The loss is cross-entropy after a softmax, else MSE, unless given.
torch is imported only to read a model or a ``.pt`` file (``pip install mlpviz[torch]``);
a state_dict of NumPy arrays needs no torch at all.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mlpviz.engine import activations as acts
from mlpviz.engine.mlp import MLP, NetworkError
from mlpviz.model.config import SettingsError

SUPPORTED = ("Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "Identity",
             "Softmax (last layer only)")
_TORCH_NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "leakyrelu": "leaky_relu",
                "elu": "elu", "identity": "linear", "softmax": "softmax"}
MAX_DESCRIPTION_BYTES = 64 * 1024


class TorchModelError(SettingsError):
    """A torch model or state_dict that mlpviz cannot show; the message says which part."""


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise TorchModelError("reading a PyTorch model needs torch: pip install "
                              "'mlpviz[torch]'") from None
    return torch


def _array(value: Any, name: str) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().double().numpy()
    try:
        return np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TorchModelError(f"{name} is not a numeric array: {exc}") from None


def _activation(module: Any, position: int) -> acts.Activation:
    kind = type(module).__name__
    name = _TORCH_NAMES.get(kind.lower())
    if name is None:
        raise TorchModelError(f"layer {position} ({kind}) is not supported; a model must be "
                              f"an nn.Sequential of {', '.join(SUPPORTED)}")
    if kind == "LeakyReLU":
        return acts.get("leaky_relu", alpha=float(module.negative_slope))
    if kind == "ELU":
        return acts.get("elu", alpha=float(module.alpha))
    if kind == "Softmax" and module.dim not in (None, -1, 1):
        raise TorchModelError(f"layer {position} (Softmax) must work on dim=-1 or dim=1, "
                              f"not dim={module.dim}")
    return acts.get(name)


def _build(weights: list[np.ndarray], biases: list[np.ndarray],
           activations: list[acts.Activation], loss: str | None, dtype: Any) -> MLP:
    if loss is None:
        loss = "cross_entropy" if activations[-1].name == "softmax" else "mse"
    try:
        return MLP.from_params(weights, biases, activations, loss, dtype=dtype)
    except (NetworkError, ValueError) as exc:
        raise TorchModelError(f"the model cannot be an mlpviz network: {exc}") from None


def mlp_from_torch(module: Any, loss: str | None = None,
                   dtype: type | np.dtype = np.float64) -> MLP:
    """The mlpviz network equal to ``module`` (see the module docstring)."""
    torch = _torch()
    if not isinstance(module, torch.nn.Sequential):
        raise TorchModelError(f"expected an nn.Sequential, got {type(module).__name__}")
    layers = list(module)
    weights: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    activations: list[acts.Activation] = []
    for position, layer in enumerate(layers):
        if isinstance(layer, torch.nn.Linear):
            if len(activations) < len(weights):
                activations.append(acts.get("linear"))  # Linear right after Linear
            weights.append(_array(layer.weight, f"layer {position} weight"))
            biases.append(np.zeros(layer.out_features) if layer.bias is None
                          else _array(layer.bias, f"layer {position} bias"))
            continue
        activation = _activation(layer, position)
        if not weights or len(activations) == len(weights):
            raise TorchModelError(f"layer {position} ({type(layer).__name__}) must follow a "
                                  "Linear layer (one activation per Linear layer)")
        if activation.name == "softmax" and position != len(layers) - 1:
            raise TorchModelError(f"layer {position} (Softmax) must be the last layer")
        activations.append(activation)
    if not weights:
        raise TorchModelError("the model has no Linear layer")
    if len(activations) < len(weights):
        activations.append(acts.get("linear"))
    return _build(weights, biases, activations, loss, dtype)


def _read_state_dict(source: Mapping[str, Any] | str | os.PathLike[str]) -> Mapping[str, Any]:
    if isinstance(source, Mapping):
        return source
    path = Path(source)
    if not path.is_file():
        raise TorchModelError(f"no such state_dict file: {path}")
    torch = _torch()
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for a damaged or foreign file
        raise TorchModelError(f"{path.name}: not a state_dict saved by torch.save "
                              f"({type(exc).__name__})") from None
    if not isinstance(loaded, Mapping):
        raise TorchModelError(f"{path.name} holds a {type(loaded).__name__}, not a state_dict")
    return loaded


def _read_description(source: Mapping[str, Any] | str | os.PathLike[str]) -> Mapping[str, Any]:
    if isinstance(source, Mapping):
        return source
    path = Path(source)
    try:
        if path.stat().st_size > MAX_DESCRIPTION_BYTES:
            raise TorchModelError(f"{path.name} is larger than {MAX_DESCRIPTION_BYTES} bytes")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TorchModelError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TorchModelError(f"{path.name} is not valid JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise TorchModelError(f"{path.name} must hold a JSON object with 'activations'")
    return data


def _description_activation(spec: Any, layer: int) -> acts.Activation:
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str):
        raise TorchModelError(f"activation {layer}: expected a name or "
                              "{\"name\": …, \"alpha\": …}")
    name = spec["name"]
    name = _TORCH_NAMES.get(name.replace("_", "").lower(), name)
    try:
        return acts.from_spec({**spec, "name": name})
    except (acts.ActivationError, ValueError, TypeError) as exc:
        raise TorchModelError(f"activation {layer}: {exc}") from None


def mlp_from_state_dict(state_dict: Mapping[str, Any] | str | os.PathLike[str],
                        description: Mapping[str, Any] | str | os.PathLike[str],
                        dtype: type | np.dtype = np.float64) -> MLP:
    """The mlpviz network from a Sequential's ``state_dict`` and the description of its
    activations (see the module docstring)."""
    params = _read_state_dict(state_dict)
    spec = _read_description(description)
    unknown = sorted(set(spec) - {"activations", "loss"})
    if unknown:
        raise TorchModelError(f"the description has unknown keys: {', '.join(unknown)}")
    layers: dict[int, dict[str, Any]] = {}
    for key, value in params.items():
        match = re.fullmatch(r"(?:[A-Za-z_][\w.]*\.)?(\d+)\.(weight|bias)", str(key))
        if match is None:
            raise TorchModelError(f"state_dict entry {str(key)[:60]!r} is not the weight or "
                                  "bias of a Linear layer in an nn.Sequential")
        layers.setdefault(int(match.group(1)), {})[match.group(2)] = value
    if not layers:
        raise TorchModelError("the state_dict is empty")
    order = sorted(layers)
    weights, biases = [], []
    for index in order:
        if "weight" not in layers[index]:
            raise TorchModelError(f"state_dict layer {index} has a bias but no weight")
        w = _array(layers[index]["weight"], f"{index}.weight")
        weights.append(w)
        biases.append(_array(layers[index]["bias"], f"{index}.bias")
                      if "bias" in layers[index] else np.zeros(w.shape[0] if w.ndim else 0))
    names = spec.get("activations")
    if not isinstance(names, Sequence) or isinstance(names, str) or len(names) != len(order):
        raise TorchModelError(f"the description needs 'activations': a list of "
                              f"{len(order)} (one per Linear layer)")
    activations = [_description_activation(s, i + 1) for i, s in enumerate(names)]
    loss = spec.get("loss")
    if loss is not None and not isinstance(loss, str):
        raise TorchModelError("the description's 'loss' must be a loss name")
    return _build(weights, biases, activations, loss, dtype)
