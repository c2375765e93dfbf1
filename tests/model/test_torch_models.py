"""PyTorch models open as mlpviz networks with the same outputs (1e-12 in float64): an
nn.Sequential directly, or a saved state_dict with a JSON description of the activations;
unsupported layers are refused by name. A state_dict of NumPy arrays needs no torch."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mlpviz.model.config import SettingsError
from mlpviz.model.session import Session
from mlpviz.model.torch_models import TorchModelError, mlp_from_state_dict

torch = pytest.importorskip("torch", reason="torch is not installed (pip install 'mlpviz[torch]')")
nn = torch.nn


def _model(*layers) -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(*layers).double()


MODELS = {
    "sigmoid": lambda: _model(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1), nn.Sigmoid()),
    "tanh-relu-linear": lambda: _model(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 3), nn.ReLU(),
                                       nn.Linear(3, 1)),
    "leaky-elu-softmax": lambda: _model(nn.Linear(2, 5), nn.LeakyReLU(0.2), nn.Linear(5, 4),
                                        nn.ELU(alpha=0.2), nn.Linear(4, 3),
                                        nn.Softmax(dim=1)),
    "elu": lambda: _model(nn.Linear(2, 5), nn.ELU(alpha=0.5), nn.Linear(5, 1)),
    "identity-no-bias": lambda: _model(nn.Linear(2, 3, bias=False), nn.Identity(),
                                       nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1),
                                       nn.Sigmoid()),
    "five-inputs": lambda: _model(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3), nn.Softmax(-1)),
}


def _inputs(n_in: int) -> np.ndarray:
    return np.random.default_rng(1).normal(0, 2, (64, n_in))


def _torch_out(model: nn.Sequential, X: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(X)).numpy()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_an_nn_sequential_round_trips_to_1e_12(name):
    model = MODELS[name]()
    n_in = model[0].in_features
    X = _inputs(n_in)
    expected = _torch_out(model, X)
    if n_in == 2 and expected.shape[1] in (1, 3):
        session = Session.from_torch(model)
    else:
        Y = np.eye(expected.shape[1])[np.argmax(expected, axis=1)]
        session = Session.from_torch(model, X, Y)
    got = session.net.forward(X).layers[-1].a
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert session.net.dtype == np.float64
    session.reset()  # the torch weights are what reset returns to
    np.testing.assert_allclose(session.net.forward(X).layers[-1].a, expected, rtol=0,
                               atol=1e-12)


def test_softmax_gets_cross_entropy_and_a_multiclass_dataset():
    session = Session.from_torch(MODELS["leaky-elu-softmax"]())
    assert session.net.loss.name == "cross_entropy"
    assert session.kind == "multiclass" and session.data_config.dataset == "spiral3"
    acts = [a.name for a in session.net.activations]
    assert acts == ["leaky_relu", "elu", "softmax"]
    assert session.net.activations[0].params() == {"alpha": pytest.approx(0.2)}
    session.train(2)  # it trains like any session


def test_a_saved_state_dict_with_a_json_description_round_trips(tmp_path):
    model = MODELS["leaky-elu-softmax"]()
    torch.save(model.state_dict(), tmp_path / "model.pt")
    (tmp_path / "model.json").write_text(json.dumps({
        "activations": [{"name": "LeakyReLU", "alpha": 0.2}, {"name": "elu", "alpha": 0.2},
                        "softmax"],
        "loss": "cross_entropy"}), encoding="utf-8")
    session = Session.from_state_dict(tmp_path / "model.pt", tmp_path / "model.json")
    X = _inputs(2)
    np.testing.assert_allclose(session.net.forward(X).layers[-1].a, _torch_out(model, X),
                               rtol=0, atol=1e-12)


def test_a_state_dict_of_numpy_arrays_needs_no_torch_file():
    model = MODELS["tanh-relu-linear"]()
    arrays = {k: v.numpy() for k, v in model.state_dict().items()}
    net = mlp_from_state_dict(arrays, {"activations": ["tanh", "relu", "identity"]})
    X = _inputs(2)
    np.testing.assert_allclose(net.forward(X).layers[-1].a, _torch_out(model, X), rtol=0,
                               atol=1e-12)
    assert net.loss.name == "mse"


@pytest.mark.parametrize(
    ("layers", "fragment"),
    [
        (lambda: [nn.Linear(2, 3), nn.Dropout(0.1), nn.Linear(3, 1)],
         r"layer 1 \(Dropout\) is not supported; .*Linear, Sigmoid, Tanh, ReLU"),
        (lambda: [nn.Linear(2, 3), nn.GELU(), nn.Linear(3, 1)], r"layer 1 \(GELU\)"),
        (lambda: [nn.Tanh(), nn.Linear(2, 1)], r"layer 0 \(Tanh\) must follow a Linear"),
        (lambda: [nn.Linear(2, 3), nn.Tanh(), nn.Tanh(), nn.Linear(3, 1)],
         r"layer 2 \(Tanh\) must follow"),
        (lambda: [nn.Linear(2, 3), nn.Softmax(dim=1), nn.Linear(3, 3)],
         r"layer 1 \(Softmax\) must be the last"),
        (lambda: [nn.Linear(2, 3), nn.Softmax(dim=0)], r"dim=-1 or dim=1"),
        (lambda: [nn.ReLU()], r"must follow a Linear"),
    ],
)
def test_unsupported_layers_are_named(layers, fragment):
    with pytest.raises(TorchModelError, match=fragment):
        Session.from_torch(_model(*layers()))


def test_other_models_and_bad_files_are_clear_errors(tmp_path):
    with pytest.raises(TorchModelError, match="expected an nn.Sequential, got Linear"):
        Session.from_torch(nn.Linear(2, 1))
    assert issubclass(TorchModelError, SettingsError)
    (tmp_path / "bad.pt").write_bytes(b"not a torch file")
    with pytest.raises(TorchModelError, match="bad.pt: not a state_dict"):
        Session.from_state_dict(tmp_path / "bad.pt", {"activations": ["tanh"]})
    state = MODELS["sigmoid"]().state_dict()
    with pytest.raises(TorchModelError, match="a list of 2"):
        Session.from_state_dict(state, {"activations": ["tanh"]})
    with pytest.raises(TorchModelError, match="activation 2: unknown activation 'gelu'"):
        Session.from_state_dict(state, {"activations": ["tanh", "gelu"]})
    (tmp_path / "d.json").write_text("{", encoding="utf-8")
    with pytest.raises(TorchModelError, match="d.json is not valid JSON"):
        Session.from_state_dict(state, tmp_path / "d.json")
    with pytest.raises(SettingsError, match="no built-in data fits a 5-4-3"):
        Session.from_torch(MODELS["five-inputs"]())
    mixed = _model(nn.Linear(2, 3), nn.LeakyReLU(0.1), nn.Linear(3, 3), nn.ELU(0.5),
                   nn.Linear(3, 1))
    with pytest.raises(SettingsError, match="one alpha for all layers"):
        Session.from_torch(mixed)
