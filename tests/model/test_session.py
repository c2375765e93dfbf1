"""Specification of Session: data, network, training, settings changes, snapshots."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlpviz.engine import MLP, DivergenceError, datasets, optimizers
from mlpviz.engine.features import apply_features
from mlpviz.model.config import DataConfig, NetConfig, SettingsError, TrainConfig
from mlpviz.model.session import Session


def test_default_session_is_the_xor_lesson_and_learns_it():
    s = Session()
    assert s.data_config.dataset == "xor" and s.kind == "binary"
    assert s.net.sizes == [2, 2, 1]
    assert [a.name for a in s.net.activations] == ["sigmoid", "sigmoid"]
    assert s.X_train.shape == (100, 2) and s.X_test.shape == (100, 2)
    assert s.Y_train.shape == (100, 1) and s.epoch == 0 and len(s.history) == 0
    s.train(400)
    m = s.metrics()
    assert m["train_acc"] == 1.0 and m["test_acc"] >= 0.95
    assert m["train_loss"] < 0.05
    assert s.epoch == 400 and s.steps == 400 * 10 and len(s.history) == 400
    assert s.history.last == {"epoch": 400, **m}


def test_history_records_the_metrics_after_every_epoch():
    s = Session()
    s.train(3)
    m3 = s.metrics()
    assert list(s.history.epochs) == [1, 2, 3]
    assert s.history.train_loss[-1] == m3["train_loss"]
    assert s.history.test_acc[-1] == m3["test_acc"]


def test_train_zero_epochs_does_nothing_and_bad_counts_are_rejected():
    s = Session()
    before = s.net.get_params()
    s.train(0)
    assert np.array_equal(before, s.net.params) and s.epoch == 0
    for bad in (-1, 1.5, True, "3"):
        with pytest.raises(SettingsError, match="epochs"):
            s.train(bad)  # type: ignore[arg-type]


def test_metrics_are_loss_and_accuracy_on_each_split():
    s = Session()
    s.train(5)
    out = s.net.predict(s.X_test)
    expected_loss = float(np.mean(np.sum((out - s.Y_test) ** 2, axis=1)))
    expected_acc = float(np.mean((out[:, 0] >= 0.5) == s.test_set.y))
    m = s.metrics()
    assert m["test_loss"] == pytest.approx(expected_loss, rel=1e-12)
    assert m["test_acc"] == expected_acc


def test_changing_the_learning_rate_keeps_weights_and_optimizer_state():
    s = Session(train=TrainConfig(optimizer="adam", learning_rate=0.01))
    s.train(3)
    params, state = s.net.get_params(), s.optimizer.state_dict()
    opt = s.optimizer
    s.set_train(learning_rate=0.05, batch_size=5)
    assert np.array_equal(params, s.net.params)
    assert s.optimizer is opt and s.optimizer.lr == 0.05
    after = s.optimizer.state_dict()
    assert all(np.array_equal(state[k], after[k]) for k in state)
    assert s.epoch == 3 and len(s.history) == 3
    s.train(1)
    assert s.steps == 3 * 10 + 20  # 100 samples in batches of 5


def test_changing_the_optimizer_starts_it_fresh_but_keeps_weights():
    s = Session(train=TrainConfig(optimizer="adam", learning_rate=0.01))
    s.train(2)
    params = s.net.get_params()
    s.set_train(optimizer="momentum")
    assert isinstance(s.optimizer, optimizers.SGD) and s.optimizer.momentum == 0.9
    assert s.optimizer.state_dict() == {}
    assert np.array_equal(params, s.net.params)


def test_set_net_rebuilds_the_network_from_its_seed_and_starts_over():
    s = Session()
    s.train(5)
    s.set_net(hidden=(4, 3), activation="tanh")
    assert s.net.sizes == [2, 4, 3, 1] and s.epoch == 0 and len(s.history) == 0
    fresh = NetConfig(hidden=(4, 3), activation="tanh").build(2, 1)
    assert np.array_equal(s.net.params, fresh.params)


def test_set_net_with_new_hidden_sizes_adapts_a_per_layer_activation_list():
    s = Session(net=NetConfig(hidden=(3,), activation=("relu",), output="sigmoid"))
    s.set_net(hidden=(5, 4, 2))
    assert s.net_config.activation == ("relu", "relu", "relu")
    s.set_net(hidden=())
    assert s.net.sizes == [2, 1] and s.net_config.activation == ()


def test_set_data_keeps_weights_unless_input_or_output_size_changes():
    s = Session()
    s.train(3)
    params = s.net.get_params()
    s.set_data(noise=0.2)
    assert np.array_equal(params, s.net.params)
    assert s.epoch == 0 and len(s.history) == 0
    net = s.net
    s.set_data(features=("x1", "x2", "x1*x2"))
    assert s.net is not net and s.net.sizes == [3, 2, 1]
    assert np.array_equal(s.X_train[:, 2], s.train_set.X[:, 0] * s.train_set.X[:, 1])
    s.set_data(dataset="spiral3")
    assert s.kind == "multiclass" and s.net.sizes == [3, 2, 3]


def test_regenerate_draws_new_data_from_the_next_seed_keeping_the_net():
    s = Session(data=DataConfig(dataset="circle", seed=4))
    params = s.net.get_params()
    old = s.dataset.X.copy()
    s.regenerate()
    assert s.data_config.seed == 5
    assert np.array_equal(s.dataset.X, datasets.make("circle", 200, 0.1, 5).X)
    assert not np.array_equal(s.dataset.X, old)
    assert np.array_equal(params, s.net.params)


def test_reset_gives_the_same_run_again_bit_for_bit():
    s = Session(train=TrainConfig(optimizer="adam", learning_rate=0.02))
    s.train(7)
    first = s.net.get_params()
    s.reset()
    assert s.epoch == 0 and s.steps == 0 and len(s.history) == 0
    assert np.array_equal(s.net.params, Session().net.params)
    s.train(7)
    assert np.array_equal(first, s.net.params)


def test_fixed_weights_are_what_reset_returns_to():
    w = [np.array([[1.0, -1.0], [-1.0, 1.0]]), np.array([[2.0, 2.0]])]
    b = [np.array([-0.5, -0.5]), np.array([-1.0])]
    s = Session(weights=(w, b))
    assert np.array_equal(s.net.weights[0], w[0]) and np.array_equal(s.net.biases[1], b[1])
    s.train(2)
    s.reset()
    assert np.array_equal(s.net.weights[1], w[1]) and np.array_equal(s.net.biases[0], b[0])
    with pytest.raises(SettingsError, match="fixed weights"):
        Session(weights=([np.ones((3, 2)), np.ones((1, 3))], [np.zeros(3), np.zeros(1)]))


def test_sample_and_minibatch_are_training_rows():
    s = Session()
    x, y = s.sample(7)
    assert np.array_equal(x, s.X_train[7:8]) and np.array_equal(y, s.Y_train[7:8])
    with pytest.raises(SettingsError, match="0..99"):
        s.sample(100)
    X, Y = s.minibatch()
    assert X.shape == (10, 2) and Y.shape == (10, 1)
    again = s.minibatch()
    assert np.array_equal(X, again[0])  # the RNG is not advanced


def test_stepping_through_the_minibatches_equals_one_training_epoch():
    a, b = Session(), Session()
    for _ in range(10):
        X, Y = a.minibatch()
        a.net.step(a.net.backward(a.net.forward(X), Y), a.optimizer)
        a.steps += 1
    b.train(1)
    assert np.allclose(a.net.params, b.net.params, rtol=0, atol=1e-13)
    assert np.array_equal(a.minibatch()[0], Session().minibatch()[0])  # wrapped around


def _regression_session() -> Session:
    return Session(
        data=DataConfig(dataset="plane"),
        net=NetConfig(hidden=(4,), activation="tanh", output="linear"),
        train=TrainConfig(learning_rate=0.01, optimizer="momentum"),
    )


def test_diverging_training_raises_and_leaves_no_trace_of_the_failed_epoch():
    s = _regression_session()
    s.train(2)
    s.set_train(learning_rate=1e6)
    for good in range(10):
        params, rng_state = s.net.get_params(), s.rng.bit_generator.state
        velocity = s.optimizer.state_dict()["v"].copy()
        try:
            s.train(1)
        except DivergenceError as exc:
            assert f"epoch {3 + good} at learning rate 1e+06" in str(exc)
            assert "lower the learning rate" in str(exc)
            break
    else:
        pytest.fail("learning rate 1e6 did not diverge")
    assert np.array_equal(params, s.net.params) and np.isfinite(s.net.params).all()
    assert np.array_equal(velocity, s.optimizer.state_dict()["v"])
    assert s.rng.bit_generator.state == rng_state
    assert s.epoch == 2 + good and len(s.history) == 2 + good
    twin = _regression_session()
    twin.train(2)
    twin.set_train(learning_rate=1e6)
    twin.train(good)
    for session in (s, twin):
        session.set_train(learning_rate=1e-9)
        session.train(1)
    assert np.array_equal(twin.net.params, s.net.params)


@pytest.mark.parametrize("make", [
    lambda: DataConfig(dataset="no-such-data"),
    lambda: DataConfig(n=10**7),
    lambda: DataConfig(n=2),
    lambda: DataConfig(noise=-0.1),
    lambda: DataConfig(train_fraction=0.0),
    lambda: DataConfig(features=("x1", "x3")),
    lambda: DataConfig(features=()),
    lambda: NetConfig(hidden=(10**6,)),
    lambda: NetConfig(hidden=(4,) * 40),
    lambda: NetConfig(hidden=(0,)),
    lambda: NetConfig(hidden=(2.5,)),
    lambda: NetConfig(activation="swish"),
    lambda: NetConfig(activation=("relu", "relu")),
    lambda: NetConfig(output="softmax", loss="bce"),
    lambda: NetConfig(init="magic"),
    lambda: NetConfig(alpha=float("nan")),
    lambda: TrainConfig(learning_rate=-0.1),
    lambda: TrainConfig(learning_rate=float("inf")),
    lambda: TrainConfig(batch_size=0),
    lambda: TrainConfig(batch_size=True),
    lambda: TrainConfig(optimizer="lbfgs"),
    lambda: TrainConfig(regularization="l3"),
    lambda: Session(net=NetConfig(hidden=(4096, 4096))),
])
def test_absurd_settings_raise_settings_error(make):
    with pytest.raises(SettingsError):
        make()


def test_a_rejected_change_leaves_the_session_as_it_was():
    s = Session()
    s.train(2)
    before = (s.data_config, s.net_config, s.train_config, s.net.get_params(), s.epoch)
    for call in (lambda: s.set_train(learning_rate=-1), lambda: s.set_train(speed=3),
                 lambda: s.set_net(hidden=(10**6,)), lambda: s.set_data(dataset="nope"),
                 lambda: s.set_net(hidden=(4096, 4096))):
        with pytest.raises(SettingsError):
            call()
    after = (s.data_config, s.net_config, s.train_config, s.net.get_params(), s.epoch)
    assert before[:3] == after[:3] and np.array_equal(before[3], after[3])
    assert before[4] == after[4]


def test_settings_errors_say_what_is_wrong():
    with pytest.raises(SettingsError, match=r"learning rate .* got -0.5"):
        TrainConfig(learning_rate=-0.5)
    with pytest.raises(SettingsError, match=r"hidden layer 1 .*1..4096, got 1000000"):
        NetConfig(hidden=(10**6,))
    with pytest.raises(SettingsError, match="unknown hidden activation 'swish'; choose"):
        NetConfig(activation="swish")
    with pytest.raises(SettingsError, match="unknown dataset 'nope'; choose"):
        DataConfig(dataset="nope")


def test_configs_round_trip_through_dicts():
    for cfg in (DataConfig(dataset="moons", features=["x1", "sin(x2)"]),
                NetConfig(hidden=[3, 4], activation=["elu", "tanh"], alpha=0.5),
                TrainConfig(optimizer="adam", reg_rate=0.001, regularization="l2")):
        assert type(cfg).from_dict(cfg.to_dict()) == cfg
    with pytest.raises(SettingsError, match="unknown DataConfig setting"):
        DataConfig.from_dict({"dataset": "xor", "colour": "red"})


def test_from_arrays_infers_the_task_from_the_targets():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    s = Session.from_arrays(X, np.array([0, 1, 1, 0]))
    assert s.kind == "binary" and s.Y_train.shape == (4, 1) and s.net.sizes == [2, 2, 1]
    assert s.test_set is None and s.metrics()["test_loss"] is None
    assert s.train_set.X.shape == (4, 2) and s.is_planar
    onehot = np.eye(3)[[0, 1, 2, 1]]
    m = Session.from_arrays(np.arange(12.0).reshape(4, 3), onehot)
    assert m.kind == "multiclass" and m.net.sizes == [3, 2, 3] and not m.is_planar
    assert m.feature_names == ("x1", "x2", "x3") and m.input_labels == ("x₁", "x₂", "x₃")
    r = Session.from_arrays(X, np.array([0.5, 1.5, 2.0, -1.0]))
    assert r.kind == "regression" and r.metrics()["train_acc"] is None
    pm = Session.from_arrays(X, np.array([-1.0, 1.0, 1.0, -1.0]))
    assert pm.kind == "binary" and pm._data.threshold == 0.0


def test_from_arrays_uses_the_given_network_and_test_set():
    rng = np.random.default_rng(1)
    X, Xt = rng.normal(size=(40, 3)), rng.normal(size=(10, 3))
    Y, Yt = (X[:, :1] > 0).astype(float), (Xt[:, :1] > 0).astype(float)
    net = MLP([3, 5, 1], ["tanh", "sigmoid"], "bce", seed=2)
    start = net.get_params()
    s = Session.from_arrays(X, Y, net=net, learning_rate=0.3, batch_size=8, X_test=Xt,
                            Y_test=Yt, optimizer="adam")
    assert s.net is net and s.net_config.loss == "bce" and s.train_config.batch_size == 8
    assert s.metrics()["test_acc"] is not None
    s.train(3)
    assert not np.array_equal(start, net.params)
    s.reset()
    assert np.array_equal(start, net.params)
    with pytest.raises(SettingsError, match="does not fit"):
        Session.from_arrays(X, Y, net=MLP([2, 1], "sigmoid"))


@pytest.mark.parametrize("bad, match", [
    (dict(X=[[0.0, np.nan]], Y=[1.0]), "X holds NaN or infinity"),
    (dict(X=[[0.0, 1.0]], Y=[np.inf]), "Y holds NaN or infinity"),
    (dict(X=[[0.0, 1.0]], Y=[1.0], X_test=[[1.0, -np.inf]], Y_test=[0.0]), "X_test"),
    (dict(X=[[0.0, 1.0], [1.0, 1.0]], Y=[1.0]), "Y has 1 rows"),
    (dict(X=[[0.0, 1.0]], Y=[1.0], X_test=[[1.0, 2.0]]), "both X_test and Y_test"),
    (dict(X=[[0.0, 1.0]], Y=[1.0], X_test=[[1.0, 2.0, 3.0]], Y_test=[0.0]), "test arrays"),
    (dict(X=[0.0, 1.0], Y=[1.0, 0.0]), "shape"),
    (dict(X=[["a", "b"]], Y=[1.0]), "numeric"),
    (dict(X=np.zeros((100_001, 1)), Y=np.zeros(100_001)), "at most 100000"),
])
def test_from_arrays_rejects_bad_data_clearly(bad, match):
    with pytest.raises(SettingsError, match=match):
        Session.from_arrays(**bad)


def test_extent_holds_every_point_with_a_margin():
    s = Session(data=DataConfig(dataset="moons", noise=0.05))
    x0, x1, y0, y1 = s.extent
    X = s.dataset.X
    assert x1 - x0 == pytest.approx(y1 - y0)
    span = max(np.ptp(X[:, 0]), np.ptp(X[:, 1]))
    assert x0 <= X[:, 0].min() - 0.1 * span + 1e-12 and X[:, 0].max() + 0.1 * span <= x1 + 1e-12
    assert y0 <= X[:, 1].min() and X[:, 1].max() <= y1
    flat = Session.from_arrays(np.ones((3, 5)), np.array([0, 1, 0]))
    with pytest.raises(SettingsError, match="not 2-D points"):
        flat.extent  # noqa: B018


def test_set_dataset_uses_custom_points_with_the_chosen_split():
    ds = datasets.truth_table("or")
    s = Session()
    s.set_dataset(ds, train_fraction=1.0)
    assert s.data_config.dataset == "custom" and s.data_config.n == 4
    assert s.X_train.shape == (4, 2) and len(s.X_test) == 0
    assert s.metrics()["test_acc"] is None
    s.set_data(seed=3)
    with pytest.raises(SettingsError, match="generated datasets"):
        s.set_data(n=100)
    s.set_data(dataset="xor")
    assert s.dataset.name == "xor" and len(s.dataset) == 4


def test_snapshot_and_restore_bring_back_everything_bit_for_bit():
    s = Session(train=TrainConfig(optimizer="adam", learning_rate=0.02))
    s.train(4)
    snap = s.snapshot()
    s.train(6)
    after = (s.net.get_params(), s.history.train_loss.copy())
    s.set_net(hidden=(7,))
    s.restore(snap)
    assert s.net.sizes == [2, 2, 1] and s.epoch == 4 and len(s.history) == 4
    s.train(6)
    assert np.array_equal(after[0], s.net.params)
    assert np.array_equal(after[1], s.history.train_loss)
    s.restore(snap)
    assert s.epoch == 4 and s.steps == 40


def test_grid_shapes_follow_the_network():
    s = Session(net=NetConfig(hidden=(4, 3), activation="relu"))
    g = s.grid(20)
    assert g.xs.shape == (20,) and g.inputs.shape == (20, 20, 2)
    assert [a.shape for a in g.layers] == [(20, 20, 4), (20, 20, 3), (20, 20, 1)]
    assert g.layers[0].dtype == np.float32
    assert (g.xs[0], g.xs[-1], g.ys[0], g.ys[-1]) == pytest.approx(s.extent)


def test_steps_per_epoch_count_partial_batches():
    s = Session(data=DataConfig(n=46), train=TrainConfig(batch_size=10))
    s.train(2)
    assert s.steps == 2 * math.ceil(len(s.X_train) / 10) == 6


def test_features_are_applied_to_the_raw_points():
    s = Session(data=DataConfig(dataset="circle", features=("x1^2", "x2^2", "sin(x1)")))
    assert np.array_equal(s.X_train, apply_features(s.train_set.X, s.feature_names))
    assert s.input_labels == ("x₁²", "x₂²", "sin x₁") and s.net.sizes[0] == 3


def _step_batches(session, k):
    from mlpviz.model.walkthrough import Walkthrough

    walkthroughs = []
    for _ in range(k):
        wt = Walkthrough(session, batch=True)
        wt.finish()
        walkthroughs.append(wt)
    return walkthroughs


def test_stepping_batches_then_training_applies_each_batch_once_and_counts_the_epoch():
    reference = Session()
    reference.train(2)
    session = Session()
    _step_batches(session, 4)  # 4 of the 10 batches of epoch 1, by hand
    assert session.epoch == 0
    session.train(1)  # Run: the other 6 batches of epoch 1 (not all 10 again)
    assert session.epoch == 1 and len(session.history) == 1 and session.steps == 10
    session.train(1)
    assert session.epoch == 2 and session.steps == 20
    np.testing.assert_allclose(session.net.params, reference.net.params, rtol=1e-12,
                               atol=1e-14)
    assert session.rng.bit_generator.state == reference.rng.bit_generator.state


def test_stepping_every_batch_of_an_epoch_counts_the_epoch_and_back_uncounts_it():
    reference = Session()
    reference.train(1)
    session = Session()
    walkthroughs = _step_batches(session, 10)
    assert session.epoch == 1 and session.steps == 10 and len(session.history) == 1
    np.testing.assert_allclose(session.net.params, reference.net.params, rtol=1e-12,
                               atol=1e-14)
    assert session.history.last["train_loss"] == pytest.approx(
        reference.history.last["train_loss"], rel=1e-12)
    walkthroughs[-1].rewind()  # step back over the epoch's last update
    assert session.epoch == 0 and session.steps == 9 and len(session.history) == 0
    _step_batches(session, 1)
    assert session.epoch == 1
    session.train(1)
    reference.train(1)
    np.testing.assert_allclose(session.net.params, reference.net.params, rtol=1e-12,
                               atol=1e-14)


def test_a_one_sample_step_does_not_move_the_epochs_batches_along():
    from mlpviz.model.walkthrough import Walkthrough

    session = Session()
    first = session.minibatch()
    wt = Walkthrough(session, sample=3)
    wt.finish()
    assert session.steps == 1
    np.testing.assert_array_equal(session.minibatch()[0], first[0])
    wt.rewind()
    assert session.steps == 0


def test_plotted_loss_includes_the_regularization_penalty_the_updates_use():
    session = Session()
    plain = session.metrics()["train_loss"]
    assert session.loss_name == "loss"
    session.set_train(regularization="l2", reg_rate=0.01)
    w = np.concatenate([W.ravel() for W in session.net.weights])
    assert session.metrics()["train_loss"] == pytest.approx(plain + 0.005 * np.sum(w * w))
    assert session.loss_name == "loss + L2 penalty"
    session.set_train(regularization="l1")
    assert session.metrics()["train_loss"] == pytest.approx(plain + 0.01 * np.abs(w).sum())
    session.train(1)
    assert session.history.last["train_loss"] == pytest.approx(session.metrics()["train_loss"])


def test_cancelling_the_rest_of_a_stepped_epoch_leaves_the_stepped_batches():
    from mlpviz.engine import Cancelled

    session = Session()
    _step_batches(session, 4)
    params, rng = session.net.get_params(), session.rng.bit_generator.state
    with pytest.raises(Cancelled):
        session.train(1, cancelled=lambda: True)
    assert (session.epoch, session.steps) == (0, 4)
    np.testing.assert_array_equal(session.net.params, params)
    assert session.rng.bit_generator.state == rng
    session.train(1)
    assert (session.epoch, session.steps) == (1, 10)
