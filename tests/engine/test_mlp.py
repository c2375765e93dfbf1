"""The MLP: shapes, parameter layout, validation, divergence safety, the fused fast path."""

import numpy as np
import pytest

from mlpviz.engine import MLP, DivergenceError, NetworkError, activations, init, losses
from mlpviz.engine import optimizers as opt
from mlpviz.engine.activations import ActivationError
from mlpviz.engine.losses import LossError


def data(n: int, n_in: int, n_out: int, seed: int = 0, kind: str = "real"):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, n_in))
    if kind == "binary":
        y = rng.integers(0, 2, (n, n_out)).astype(float)
    elif kind == "onehot":
        y = np.eye(n_out)[rng.integers(0, n_out, n)]
    else:
        y = rng.normal(size=(n, n_out))
    return x, y


# ---- structure and shapes ------------------------------------------------------------------
def test_trace_and_grads_have_the_documented_shapes():
    sizes = [3, 5, 4, 2]
    net = MLP(sizes, ["tanh", "relu", "sigmoid"], "mse", seed=1)
    x, y = data(7, 3, 2)
    trace = net.forward(x)
    grads = net.backward(trace, y)
    assert net.n_layers == 3 and len(trace.layers) == 3 and len(grads.layers) == 3
    for l in range(3):
        n_in, n_out = sizes[l], sizes[l + 1]
        assert net.weights[l].shape == (n_out, n_in)
        assert net.biases[l].shape == (n_out,)
        assert trace.layers[l].z.shape == trace.layers[l].a.shape == (7, n_out)
        g = grads.layers[l]
        assert g.da.shape == g.dz.shape == (7, n_out)
        assert g.dW.shape == (n_out, n_in) and g.db.shape == (n_out,)
    assert trace.output is trace.layers[-1].a
    assert grads.dx.shape == (7, 3)
    assert isinstance(grads.loss, float)
    assert net.n_params == 5 * 4 + 4 * 6 + 2 * 5


def test_forward_is_w_a_plus_b_then_f_layer_by_layer():
    net = MLP([2, 3, 1], ["tanh", "sigmoid"], seed=4)
    x = np.array([[0.5, -1.5], [2.0, 0.25]])
    trace = net.forward(x)
    z0 = x @ net.weights[0].T + net.biases[0]
    np.testing.assert_allclose(trace.layers[0].z, z0, rtol=1e-15)
    np.testing.assert_allclose(trace.layers[0].a, np.tanh(z0), rtol=1e-15)
    z1 = np.tanh(z0) @ net.weights[1].T + net.biases[1]
    np.testing.assert_allclose(trace.output, 1 / (1 + np.exp(-z1)), rtol=1e-14)
    np.testing.assert_array_equal(net.predict(x), trace.output)


def test_one_sample_may_be_given_as_a_vector():
    net = MLP([2, 2, 1], "sigmoid", seed=0)
    trace = net.forward([0.3, -0.2])
    assert trace.x.shape == (1, 2) and trace.output.shape == (1, 1)
    grads = net.backward(trace, [1.0])
    assert grads.layers[0].dW.shape == (2, 2)


def test_one_dimensional_targets_are_one_output_per_sample():
    net = MLP([2, 3, 1], "tanh", "mse", seed=0)
    x, y = data(5, 2, 1)
    assert net.evaluate(x, y[:, 0]) == net.evaluate(x, y)
    assert net.backward(net.forward(x), y[:, 0]).loss == net.evaluate(x, y)


def test_activations_of_matches_forward_and_float32_is_close():
    net = MLP([2, 8, 8, 8, 1], "tanh", seed=2)
    grid = np.random.default_rng(0).uniform(-6, 6, (100, 2))
    trace = net.forward(grid)
    maps = net.activations_of(grid)
    maps32 = net.activations_of(grid, dtype=np.float32)
    for layer, m, m32 in zip(trace.layers, maps, maps32, strict=True):
        np.testing.assert_array_equal(m, layer.a)
        assert m32.dtype == np.float32
        np.testing.assert_allclose(m32, layer.a, atol=2e-6)


# ---- parameters ----------------------------------------------------------------------------
def test_weights_and_biases_are_views_of_the_flat_parameter_vector():
    net = MLP([2, 3, 1], "tanh", seed=0)
    for w, b in zip(net.weights, net.biases, strict=True):
        assert np.shares_memory(w, net.params) and np.shares_memory(b, net.params)
    # layout: layer blocks [W | b] of shape (n_out, n_in + 1), row-major
    np.testing.assert_array_equal(net.params[:3], [*net.weights[0][0], net.biases[0][0]])
    net.weights[1][0, 2] = 7.0
    assert net.params[9 + 2] == 7.0
    net.params[-1] = -3.0
    assert net.biases[1][0] == -3.0
    flat = np.arange(net.n_params, dtype=float)
    net.set_params(flat)
    np.testing.assert_array_equal(net.weights[0], [[0, 1], [3, 4], [6, 7]])
    np.testing.assert_array_equal(net.biases[0], [2, 5, 8])
    got = net.get_params()
    got[0] = 100.0
    assert net.params[0] == 0.0


def test_weight_mask_marks_weights_not_biases():
    net = MLP([2, 3, 1], "tanh", seed=0)
    net.set_params(np.arange(net.n_params, dtype=float))
    masked = net.params[net.weight_mask == 1]
    assert sorted(masked) == sorted(np.concatenate([w.ravel() for w in net.weights]))
    assert sorted(net.params[net.weight_mask == 0]) == sorted(np.concatenate(net.biases))


def test_copy_is_independent():
    net = MLP([2, 4, 1], ["relu", "sigmoid"], "bce", seed=3, init="he")
    twin = net.copy()
    np.testing.assert_array_equal(twin.params, net.params)
    assert twin.activations == net.activations and twin.loss.name == "bce"
    assert twin.init == "he"
    assert not np.shares_memory(twin.params, net.params)
    before = net.get_params()
    x, y = data(8, 2, 1, kind="binary")
    twin.train_epoch(x, y, opt.SGD(lr=0.5), batch_size=4)
    twin.weights[0][0, 0] = 42.0
    np.testing.assert_array_equal(net.params, before)


def test_seed_makes_initialisation_reproducible():
    a = MLP([3, 5, 2], "tanh", seed=11)
    b = MLP([3, 5, 2], "tanh", seed=np.random.default_rng(11))
    c = MLP([3, 5, 2], "tanh", seed=12)
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)


def test_init_schemes():
    rng = np.random.default_rng(0)
    w, b = init.init_layer("zeros", 4, 3, rng)
    assert not w.any() and not b.any() and w.shape == (3, 4)
    w, b = init.init_layer("uniform", 400, 300, rng, scale=0.5)
    assert -0.5 <= w.min() < -0.49 and 0.49 < w.max() <= 0.5 and np.abs(b).max() <= 0.5
    w, b = init.init_layer("xavier", 400, 300, rng)
    assert w.std() == pytest.approx(np.sqrt(2 / 700), rel=0.02) and not b.any()
    w, _ = init.init_layer("glorot", 400, 300, rng)
    assert w.std() == pytest.approx(np.sqrt(2 / 700), rel=0.02)
    w, _ = init.init_layer("he", 400, 300, rng)
    assert w.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    w, _ = init.init_layer("he", 4, 3, rng, dtype=np.float32)
    assert w.dtype == np.float32
    with pytest.raises(init.InitError, match="unknown init"):
        init.init_layer("lecun", 2, 2, rng)
    with pytest.raises(init.InitError, match="scale"):
        init.init_layer("uniform", 2, 2, rng, scale=-1)


# ---- validation ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "weights, biases, message",
    [
        ([np.ones((2, 3)), np.ones((1, 3))], [np.ones(2), np.ones(1)], r"W2 has shape \(1, 3\)"),
        ([np.ones((2, 3))], [np.ones(3)], r"b1 has shape \(3,\)"),
        ([np.ones(3)], [np.ones(1)], r"W1 has shape \(3,\)"),
        ([np.ones((2, 3))], [], "one bias vector per weight matrix"),
        ([], [], "one bias vector per weight matrix"),
        ([np.array([[1.0, np.nan]])], [np.ones(1)], "NaN or infinity"),
        ([np.ones((1, 2))], [np.array([np.inf])], "NaN or infinity"),
        ([np.array([["a", "b"]])], [np.ones(1)], "numbers"),
        ([[[1.0, 2.0], [3.0]]], [np.ones(2)], "W1"),
    ],
)
def test_from_params_rejects_bad_arrays(weights, biases, message):
    acts = ["sigmoid"] * max(len(weights), 1)
    with pytest.raises(NetworkError, match=message):
        MLP.from_params(weights, biases, acts)


def test_from_params_keeps_values_and_dtype():
    w1, b1 = np.array([[1.0, 2.0]], dtype=np.float32), np.array([0.5], dtype=np.float32)
    net = MLP.from_params([w1], [b1], ["linear"])
    assert net.dtype == np.float32
    np.testing.assert_array_equal(net.weights[0], w1)
    w1[0, 0] = 9.0
    assert net.weights[0][0, 0] == 1.0
    assert MLP.from_params([[[1, 2]]], [[0]], "linear").dtype == np.float64


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"activations": ["tanh", "swish"]}, ActivationError, "unknown activation 'swish'"),
        ({"loss": "hinge"}, LossError, "unknown loss 'hinge'"),
        ({"activations": ["softmax", "sigmoid"]}, NetworkError, "softmax can only"),
        ({"activations": ["tanh", "linear"], "loss": "bce"}, LossError, "needs a sigmoid"),
        ({"activations": ["tanh", "sigmoid"], "loss": "cross_entropy"}, LossError, "softmax"),
        ({"activations": ["tanh", "softmax"], "loss": "bce"}, LossError, "sigmoid"),
        ({"activations": ["tanh"]}, NetworkError, "need 2 activations"),
        ({"sizes": [2]}, NetworkError, "2 to"),
        ({"sizes": [2, 0, 1]}, NetworkError, "layer sizes"),
        ({"dtype": np.int32}, NetworkError, "float32 or float64"),
        ({"dtype": "no such type"}, NetworkError, "float32 or float64"),
        ({"sizes": [2, 2.5, 1]}, NetworkError, "whole numbers"),
        ({"sizes": [2, "3", 1]}, NetworkError, "whole numbers"),
        ({"seed": -1}, NetworkError, "seed"),
        ({"seed": 1.5}, NetworkError, "seed"),
        ({"init": "lecun"}, init.InitError, "unknown init"),
    ],
)
def test_bad_network_descriptions_raise_clear_errors(kwargs, error, message):
    args = {"sizes": [2, 3, 1], "activations": ["tanh", "sigmoid"], "loss": "mse"} | kwargs
    with pytest.raises(error, match=message):
        MLP(**args)


def test_activation_parameters_are_validated():
    with pytest.raises(ActivationError, match="takes no parameters"):
        activations.get("relu", alpha=0.1)
    with pytest.raises(ActivationError, match="alpha"):
        activations.get("elu", alpha=float("nan"))
    with pytest.raises(ActivationError, match="given twice"):
        activations.get(activations.get("elu"), alpha=0.5)
    with pytest.raises(ActivationError, match="unknown activation"):
        activations.from_spec({"alpha": 0.5})


def test_leaky_relu_and_elu_use_alpha():
    z = np.array([[-2.0, -0.5, 0.0, 1.5]])
    leaky = activations.get("leaky_relu", alpha=0.2)
    np.testing.assert_allclose(leaky.f(z), [[-0.4, -0.1, 0.0, 1.5]], rtol=1e-15)
    np.testing.assert_allclose(leaky.df(z, leaky.f(z)), [[0.2, 0.2, 0.2, 1.0]])
    elu = activations.get("elu", alpha=0.5)
    np.testing.assert_allclose(elu.f(z), [[0.5 * np.expm1(-2), 0.5 * np.expm1(-0.5), 0, 1.5]])
    slopes = [[0.5 * np.exp(-2), 0.5 * np.exp(-0.5), 0.5, 1.0]]
    np.testing.assert_allclose(elu.df(z, elu.f(z)), slopes)
    assert activations.get("leaky_relu").alpha == 0.01 and activations.get("elu").alpha == 1.0
    spec = {"name": "elu", "alpha": 0.5}
    net = MLP([1, 2, 1], [spec, "linear"], seed=0)
    assert net.activations[0] == elu and activations.to_spec(net.activations[0]) == spec
    assert net.activations[0] != activations.get("elu", alpha=0.6)


@pytest.mark.parametrize(
    "x, y, batch_size, message",
    [
        (np.zeros((4, 3)), np.zeros((4, 1)), 2, "inputs have shape"),
        (np.zeros((4, 2)), np.zeros((3, 1)), 2, "targets have shape"),
        (np.zeros((4, 2)), np.zeros((4, 2)), 2, "targets have shape"),
        (np.zeros((0, 2)), np.zeros((0, 1)), 2, "no training samples"),
        (np.zeros((4, 2)), np.zeros((4, 1)), 0, "batch size"),
        (np.zeros((4, 2)), np.zeros((4, 1)), 2.5, "batch size"),
        (np.array([["a", "b"]]), np.zeros((1, 1)), 1, "numbers"),
    ],
)
def test_train_epoch_rejects_bad_input(x, y, batch_size, message):
    net = MLP([2, 2, 1], "tanh", seed=0)
    before = net.get_params()
    with pytest.raises(NetworkError, match=message):
        net.train_epoch(x, y, opt.SGD(lr=0.1), batch_size=batch_size)
    np.testing.assert_array_equal(net.params, before)


def test_forward_and_backward_reject_bad_shapes():
    net = MLP([2, 2, 1], "tanh", seed=0)
    with pytest.raises(NetworkError, match="inputs have shape"):
        net.forward(np.zeros((3, 4)))
    with pytest.raises(NetworkError, match="targets have shape"):
        net.backward(net.forward(np.zeros((3, 2))), np.zeros((3, 2)))
    with pytest.raises(NetworkError, match="parameter vector"):
        net.set_params(np.zeros(3))
    with pytest.raises(NetworkError, match="NaN"):
        net.set_params(np.full(net.n_params, np.nan))


# ---- divergence leaves everything as it was ------------------------------------------------
def overflowing_case():
    """A linear 1-1 network whose gradient is finite (2e300) but whose SGD step with a
    learning rate of 1e9 would overflow."""
    net = MLP.from_params([np.array([[1.0]])], [np.array([0.0])], ["linear"], "mse")
    return net, np.array([[1e150]]), np.array([[0.0]])


def test_apply_that_would_overflow_raises_and_keeps_weights():
    net, x, y = overflowing_case()
    grads = net.backward(net.forward(x), y)
    assert grads.is_finite()
    before = net.get_params()
    with pytest.raises(DivergenceError, match="lower the learning rate"):
        net.apply(grads, lr=1e9)
    np.testing.assert_array_equal(net.params, before)


def test_apply_with_nan_inputs_raises_and_keeps_weights():
    net = MLP([2, 3, 1], "tanh", seed=0)
    before = net.get_params()
    grads = net.backward(net.forward([[np.nan, 1.0]]), [[0.0]])
    with pytest.raises(DivergenceError, match="not finite"):
        net.apply(grads, lr=0.1)
    np.testing.assert_array_equal(net.params, before)


@pytest.mark.parametrize("lr", [-0.1, float("nan"), float("inf"), "fast"])
def test_apply_rejects_bad_learning_rates(lr):
    net = MLP([2, 3, 1], "tanh", seed=0)
    grads = net.backward(net.forward([[0.1, 1.0]]), [[0.0]])
    with pytest.raises(opt.OptimizerError, match="learning rate"):
        net.apply(grads, lr=lr)


@pytest.mark.parametrize("name", ["sgd", "momentum"])
def test_step_that_would_overflow_keeps_weights_and_optimizer_state(name):
    net, x, y = overflowing_case()
    optimizer = opt.make(name, lr=1e-3)
    net.step(net.backward(net.forward([[1.0]]), [[0.5]]), optimizer)
    before, state = net.get_params(), optimizer.state_dict()
    optimizer.lr = 1e9
    with pytest.raises(DivergenceError):
        net.step(net.backward(net.forward(x), y), optimizer)
    np.testing.assert_array_equal(net.params, before)
    after = optimizer.state_dict()
    assert after.keys() == state.keys()
    for key in state:
        np.testing.assert_array_equal(after[key], state[key])


def test_step_with_nan_inputs_keeps_adam_state():
    net = MLP([2, 3, 1], "tanh", seed=0)
    adam = opt.Adam(lr=0.01)
    net.step(net.backward(net.forward([[0.2, 0.1]]), [[1.0]]), adam)
    before, m = net.get_params(), adam.state_dict()["m"].copy()
    with pytest.raises(DivergenceError):
        net.step(net.backward(net.forward([[np.nan, 0.1]]), [[1.0]]), adam)
    np.testing.assert_array_equal(net.params, before)
    np.testing.assert_array_equal(adam.state_dict()["m"], m)
    assert adam.t == 1


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_diverging_epoch_restores_weights_and_optimizer_state(name):
    net = MLP([2, 4, 1], "linear", "mse", seed=0)
    x, y = data(40, 2, 1)
    optimizer = opt.make(name, lr=0.01)
    net.train_epoch(x, y, optimizer, batch_size=5)
    before, state = net.get_params(), optimizer.state_dict()
    optimizer.lr = 1e9
    with pytest.raises(DivergenceError, match="weights from before this epoch were kept"):
        net.train_epoch(x * 1e200, y, optimizer, batch_size=5)
    np.testing.assert_array_equal(net.params, before)
    for key, value in state.items():
        np.testing.assert_array_equal(optimizer.state_dict()[key], value)
    optimizer.lr = 0.01  # and training goes on as if the bad epoch never happened
    twin = net.copy()
    twin_opt = opt.make(name, lr=0.01)
    twin_opt.load_state_dict(state, twin.n_params)
    net.train_epoch(x, y, optimizer, batch_size=5)
    twin.train_epoch(x, y, twin_opt, batch_size=5)
    np.testing.assert_array_equal(net.params, twin.params)


def test_nan_inputs_in_an_epoch_raise_and_keep_weights():
    net = MLP([2, 3, 1], ["relu", "sigmoid"], "bce", seed=0)
    x, y = data(10, 2, 1, kind="binary")
    x[7, 1] = np.nan
    before = net.get_params()
    with pytest.raises(DivergenceError):
        net.train_epoch(x, y, opt.SGD(lr=0.1), batch_size=4)
    np.testing.assert_array_equal(net.params, before)


# ---- the fused fast path equals the teaching path ------------------------------------------
CONFIGS = [
    ([2, 5, 1], ["tanh", "tanh"], "mse_half", "real"),
    ([2, 4, 3, 1], ["sigmoid", "relu", "sigmoid"], "bce", "binary"),
    ([3, 6, 4], ["leaky_relu", "softmax"], "cross_entropy", "onehot"),
    ([3, 4, 4, 2], [{"name": "elu", "alpha": 0.5}, "linear", "sigmoid"], "mse", "real"),
    ([2, 3, 3], ["relu", "softmax"], "mse", "onehot"),
    ([4, 2], ["linear"], "mse", "real"),
]


def reference_epoch(net, x, y, batch_size, update):
    for start in range(0, len(x), batch_size):
        batch = slice(start, start + batch_size)
        update(net.backward(net.forward(x[batch]), y[batch]))


@pytest.mark.parametrize("sizes, acts, loss, kind", CONFIGS)
@pytest.mark.parametrize("batch_size", [10, 3])
def test_fast_path_equals_forward_backward_apply(sizes, acts, loss, kind, batch_size):
    x, y = data(10, sizes[0], sizes[-1], seed=5, kind=kind)
    fast = MLP(sizes, acts, loss, seed=2, init="uniform")
    slow = fast.copy()
    for _ in range(3):
        fast.train_epoch(x, y, opt.SGD(lr=0.3), batch_size=batch_size)
        reference_epoch(slow, x, y, batch_size, lambda g: slow.apply(g, lr=0.3))
    assert not np.array_equal(fast.params, MLP(sizes, acts, loss, seed=2, init="uniform").params)
    np.testing.assert_allclose(fast.params, slow.params, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "name, settings",
    [
        ("momentum", {"momentum": 0.8}),
        ("adam", {}),
        ("sgd", {"regularization": "l2", "reg_rate": 0.01}),
        ("adam", {"regularization": "l1", "reg_rate": 0.003}),
    ],
)
@pytest.mark.parametrize("sizes, acts, loss, kind", CONFIGS[:3])
def test_fast_path_equals_step_with_optimizers(name, settings, sizes, acts, loss, kind):
    x, y = data(12, sizes[0], sizes[-1], seed=6, kind=kind)
    fast = MLP(sizes, acts, loss, seed=3)
    slow = fast.copy()
    fast_opt, slow_opt = opt.make(name, 0.05, **settings), opt.make(name, 0.05, **settings)
    for _ in range(4):
        fast.train_epoch(x, y, fast_opt, batch_size=12)
        reference_epoch(slow, x, y, 12, lambda g: slow.step(g, slow_opt))
    np.testing.assert_allclose(fast.params, slow.params, rtol=1e-12, atol=1e-12)


def test_shuffled_epoch_visits_the_samples_in_the_rng_order():
    x, y = data(9, 2, 1, seed=1)
    fast = MLP([2, 3, 1], "tanh", "mse", seed=0)
    slow = fast.copy()
    fast.train_epoch(x, y, opt.SGD(lr=0.2), batch_size=4, rng=np.random.default_rng(7))
    order = np.random.default_rng(7).permutation(9)
    reference_epoch(slow, x[order], y[order], 4, lambda g: slow.apply(g, lr=0.2))
    np.testing.assert_allclose(fast.params, slow.params, rtol=1e-12, atol=1e-12)


def test_training_lowers_the_loss_and_does_not_touch_the_data():
    x, _ = data(50, 2, 1, seed=3)
    y = np.tanh(x @ [[1.0], [-2.0]])
    x_before, y_before = x.copy(), y.copy()
    net = MLP([2, 6, 1], "tanh", "mse", seed=0)
    start = net.evaluate(x, y)
    sgd = opt.SGD(lr=0.05)
    for _ in range(30):
        net.train_epoch(x, y, sgd, batch_size=10, rng=np.random.default_rng(0))
    assert net.evaluate(x, y) < 0.9 * start
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(y, y_before)


# ---- float32 -------------------------------------------------------------------------------
def test_float32_networks_stay_float32_and_track_float64():
    x, y = data(20, 3, 2, seed=4)
    net32 = MLP([3, 8, 2], ["tanh", "linear"], "mse", seed=0, dtype=np.float32)
    net64 = MLP.from_params(net32.weights, net32.biases, ["tanh", "linear"], "mse", np.float64)
    assert net32.params.dtype == np.float32 and all(w.dtype == np.float32 for w in net32.weights)
    trace = net32.forward(x)
    assert trace.output.dtype == np.float32
    grads = net32.backward(trace, y)
    assert all(g.dW.dtype == np.float32 for g in grads.layers)
    for optimizer in (opt.SGD(lr=0.05), opt.SGD(lr=0.05)), (opt.Adam(0.01), opt.Adam(0.01)):
        for _ in range(5):
            net32.train_epoch(x, y, optimizer[0], batch_size=5)
            net64.train_epoch(x, y, optimizer[1], batch_size=5)
        assert net32.params.dtype == np.float32
        np.testing.assert_allclose(net32.params, net64.params, rtol=1e-4, atol=1e-5)
    net32.step(net32.backward(net32.forward(x), y), opt.make("momentum", 0.01))
    assert net32.params.dtype == np.float32
    assert net32.copy().dtype == np.float32


def test_describe_names_the_structure():
    net = MLP([2, 3, 1], ["relu", "sigmoid"], "bce")
    assert net.describe() == "2-3-1 [relu, sigmoid] loss=bce"
    assert losses.get("bce").requires == "sigmoid"
