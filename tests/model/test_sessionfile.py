"""Specification of .mlpviz session files: exact resume, validation, atomic saving."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mlpviz.engine import MLP, datasets
from mlpviz.model import sessionfile
from mlpviz.model.config import DataConfig, NetConfig, TrainConfig
from mlpviz.model.session import Session
from mlpviz.model.sessionfile import SessionFileError


def _assert_same(a: Session, b: Session) -> None:
    assert np.array_equal(a.net.params, b.net.params)
    assert a.net.params.dtype == b.net.params.dtype
    for name in ("epochs", "train_loss", "test_loss", "train_acc", "test_acc"):
        assert np.array_equal(getattr(a.history, name), getattr(b.history, name),
                              equal_nan=True)
    sa, sb = a.optimizer.state_dict(), b.optimizer.state_dict()
    assert sa.keys() == sb.keys() and all(np.array_equal(sa[k], sb[k]) for k in sa)
    assert a.rng.bit_generator.state == b.rng.bit_generator.state
    assert (a.epoch, a.steps, a.data_config, a.net_config, a.train_config) == \
        (b.epoch, b.steps, b.data_config, b.net_config, b.train_config)


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.5), ("adam", 0.02), ("momentum", 0.1)])
def test_save_load_then_train_is_bit_identical_to_training_on(tmp_path, optimizer, lr):
    s = Session(data=DataConfig(dataset="circle", noise=0.05),
                net=NetConfig(hidden=(5, 3), activation="tanh"),
                train=TrainConfig(optimizer=optimizer, learning_rate=lr, batch_size=7,
                                  regularization="l2", reg_rate=1e-4))
    s.train(20)
    path = tmp_path / "run.mlpviz"
    s.save(path)
    loaded = Session.load(path)
    _assert_same(s, loaded)
    s.train(50)
    loaded.train(50)
    _assert_same(s, loaded)
    assert np.array_equal(s.minibatch()[0], loaded.minibatch()[0])


def test_array_sessions_round_trip(tmp_path):
    rng = np.random.default_rng(5)
    X, Xt = rng.normal(size=(30, 4)), rng.normal(size=(8, 4))
    Y, Yt = np.eye(3)[rng.integers(0, 3, 30)], np.eye(3)[rng.integers(0, 3, 8)]
    net = MLP([4, 6, 3], ["relu", "softmax"], "cross_entropy", seed=1, dtype=np.float32)
    s = Session.from_arrays(X, Y, net=net, X_test=Xt, Y_test=Yt, optimizer="adam",
                            learning_rate=0.01)
    s.train(4)
    s.save(tmp_path / "a.mlpviz")
    t = Session.load(tmp_path / "a.mlpviz")
    _assert_same(s, t)
    assert t.kind == "multiclass" and np.array_equal(t.X_test, Xt)
    s.reset()
    t.reset()
    assert np.array_equal(s.net.params, t.net.params)  # the given network's start weights


def test_custom_dataset_and_fixed_weights_round_trip(tmp_path):
    w = [np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([[1.0, 1.0]])]
    b = [np.array([-0.5, 1.5]), np.array([-1.5])]
    s = Session(DataConfig(dataset="custom", train_fraction=1.0), NetConfig(activation="step"),
                weights=(w, b), dataset=datasets.truth_table("xor"))
    s.save(tmp_path / "gate.mlpviz")
    t = Session.load(tmp_path / "gate.mlpviz")
    assert t.metrics()["train_acc"] == 1.0
    t.train(3)
    t.reset()
    assert np.array_equal(t.net.weights[0], w[0])
    assert np.array_equal(t.dataset.X, datasets.truth_table("xor").X)


def test_the_file_is_a_zip_of_versioned_json_and_plain_arrays(tmp_path):
    Session().save(tmp_path / "s.mlpviz")
    with zipfile.ZipFile(tmp_path / "s.mlpviz") as z:
        assert sorted(z.namelist()) == ["arrays.npz", "session.json"]
        state = json.loads(z.read("session.json"))
        npz = np.load(io.BytesIO(z.read("arrays.npz")), allow_pickle=False)
        assert npz["params"].shape == (9,)
    assert state["format"] == "mlpviz-session" and state["version"] == 1
    assert state["net"]["hidden"] == [2] and state["rng"]["bit_generator"] == "PCG64"


# ---- corrupt files ---------------------------------------------------------------------
def _members(path: Path) -> tuple[dict, dict]:
    with zipfile.ZipFile(path) as z:
        state = json.loads(z.read("session.json"))
        with np.load(io.BytesIO(z.read("arrays.npz"))) as npz:
            arrays = {k: npz[k] for k in npz.files}
    return state, arrays


def _write(path: Path, state: dict, arrays: dict, allow_pickle: bool = False) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=allow_pickle, **arrays)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("session.json", json.dumps(state))
        z.writestr("arrays.npz", buffer.getvalue())


def _edit(fn):
    def make(good: Path, bad: Path) -> None:
        state, arrays = _members(good)
        fn(state, arrays)
        _write(bad, state, arrays)
    return make


def _pickled(good: Path, bad: Path) -> None:
    state, arrays = _members(good)
    arrays["params"] = np.array([{"evil": 1}] * 9, dtype=object)
    _write(bad, state, arrays, allow_pickle=True)


def _json_bytes(text: bytes):
    def make(good: Path, bad: Path) -> None:
        with zipfile.ZipFile(good) as z, zipfile.ZipFile(bad, "w") as out:
            out.writestr("session.json", text)
            out.writestr("arrays.npz", z.read("arrays.npz"))
    return make


def _set(d: dict, key: str, value) -> None:
    d[key] = value


CORRUPTIONS = {
    "truncated zip": (lambda g, b: b.write_bytes(g.read_bytes()[: len(g.read_bytes()) // 2]),
                      "not a valid session file"),
    "not a zip": (lambda g, b: b.write_text("x1,x2,label\n0,0,1\n"), "not a valid session"),
    "empty file": (lambda g, b: b.write_bytes(b""), "not a valid session file"),
    "pickle instead of zip": (lambda g, b: b.write_bytes(pickle.dumps({"a": 1})),
                              "not a valid session file"),
    "wrong version": (_edit(lambda s, a: _set(s, "version", 2)), "version 2 .*newer"),
    "wrong format": (_edit(lambda s, a: _set(s, "format", "other")), "not an mlpviz session"),
    "missing key": (_edit(lambda s, a: s.pop("rng")), "missing keys: rng"),
    "unexpected key": (_edit(lambda s, a: _set(s, "colour", 1)), "unexpected keys: colour"),
    "missing array": (_edit(lambda s, a: a.pop("params")), "missing arrays: params"),
    "missing history": (_edit(lambda s, a: a.pop("history_meta")), "history"),
    "wrong shape": (_edit(lambda s, a: _set(a, "params", a["params"][:5])),
                    r"'params' must be 9 floats"),
    "NaN weights": (_edit(lambda s, a: a["params"].__setitem__(3, np.nan)), "NaN or infinity"),
    "infinite Adam moment": (None, "NaN or infinity"),
    "huge layer": (_edit(lambda s, a: s["net"].__setitem__("hidden", [10**6])),
                   "hidden layer 1 must be within 1..4096"),
    "absurd sample count": (_edit(lambda s, a: s["data"].__setitem__("n", 10**9)),
                            "number of samples"),
    "too many parameters": (_edit(lambda s, a: s["net"].update(hidden=[4096] * 3,
                                                               activation="relu")),
                            "limit is 5,000,000"),
    "activations do not match layers": (
        _edit(lambda s, a: s["net"].__setitem__("hidden", [3, 3])),
        "network settings: 2 hidden layer.* need 2 activation"),
    "unknown activation": (_edit(lambda s, a: s["net"].__setitem__("output", "swish")),
                           "unknown output activation"),
    "string epoch": (_edit(lambda s, a: _set(s, "epoch", "12")), "'epoch' must be an integer"),
    "bad rng": (_edit(lambda s, a: s["rng"].__setitem__("state", {"state": -1})), "'rng'"),
    "optimizer mismatch": (_edit(lambda s, a: s["optimizer"].__setitem__("lr", 9.0)),
                           "disagrees"),
    "data rows differ": (_edit(lambda s, a: a.update(data_X=a["data_X"][:10],
                                                     data_y=a["data_y"][:10])),
                         "the data has 10 rows, the settings say n = 200"),
    "labels do not match points": (_edit(lambda s, a: _set(a, "data_X", a["data_X"][:10])),
                                   "arrays.npz, data: y must have shape"),
    "text array": (_edit(lambda s, a: _set(a, "extra", np.array(["x"]))), "unsupported type"),
    "pickled array": (_pickled, "pickled object array"),
    "not json": (_json_bytes(b"{not json"), "not valid JSON"),
    "NaN in json": (_json_bytes(b'{"format": NaN}'), "NaN"),
    "json list": (_json_bytes(b"[1, 2]"), "JSON object"),
}


def _adam_inf(good: Path, bad: Path) -> None:
    s = Session(train=TrainConfig(optimizer="adam", learning_rate=0.01))
    s.train(1)
    s.save(good)
    state, arrays = _members(good)
    arrays["optimizer_v"][0] = np.inf
    _write(bad, state, arrays)


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_corrupt_session_file_gives_a_clear_error_and_changes_nothing(tmp_path, name):
    make, match = CORRUPTIONS[name]
    good, bad = tmp_path / "good.mlpviz", tmp_path / "bad.mlpviz"
    open_session = Session(train=TrainConfig(optimizer="adam", learning_rate=0.01))
    open_session.train(3)
    open_session.save(good)
    (_adam_inf if make is None else make)(good, bad)
    before = (bad.read_bytes(), open_session.net.get_params(), open_session.epoch)
    with pytest.raises(SessionFileError, match=match):
        Session.load(bad)
    assert bad.read_bytes() == before[0]
    assert np.array_equal(open_session.net.params, before[1])
    assert open_session.epoch == before[2] and len(open_session.history) == 3


def test_a_file_larger_than_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.mlpviz"
    Session().save(path)
    monkeypatch.setattr(sessionfile, "MAX_FILE_BYTES", 1000)
    with pytest.raises(SessionFileError, match="at most"):
        Session.load(path)


def test_missing_file_and_directory_give_clear_errors(tmp_path):
    with pytest.raises(SessionFileError, match="not a file"):
        Session.load(tmp_path / "nothing.mlpviz")
    with pytest.raises(SessionFileError, match="not a file"):
        Session.load(tmp_path)


# ---- saving ----------------------------------------------------------------------------
def test_saving_under_a_regular_file_fails_cleanly(tmp_path):
    blocker = tmp_path / "plain.txt"
    blocker.write_text("I am a file")
    with pytest.raises(SessionFileError, match="cannot save"):
        Session().save(blocker / "s.mlpviz")
    assert blocker.read_text() == "I am a file"


def test_a_failed_save_leaves_the_existing_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "s.mlpviz"
    Session().save(path)
    old = path.read_bytes()
    s = Session()
    s.train(5)

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sessionfile.os, "fsync", disk_full)
    with pytest.raises(SessionFileError, match="No space left"):
        s.save(path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["s.mlpviz"]  # no temporary file left behind


def test_saving_over_a_directory_fails_and_cleans_up(tmp_path):
    target = tmp_path / "dir.mlpviz"
    target.mkdir()
    with pytest.raises(SessionFileError, match="cannot save"):
        Session().save(target)
    assert sorted(os.listdir(tmp_path)) == ["dir.mlpviz"] and target.is_dir()


def test_saving_replaces_an_existing_file(tmp_path):
    path = tmp_path / "s.mlpviz"
    Session().save(path)
    s = Session()
    s.train(2)
    s.save(path)
    assert Session.load(path).epoch == 2


def test_state_round_trips_in_memory():
    s = Session()
    s.train(2)
    state, arrays = sessionfile.encode(s.snapshot())
    t = Session.from_snapshot(sessionfile.decode(json.loads(json.dumps(state)), arrays))
    _assert_same(s, t)
    with pytest.raises(SessionFileError, match="missing arrays"):
        without_x = {k: v for k, v in arrays.items() if k != "data_X"}
        Session.from_snapshot(sessionfile.decode(state, without_x))


def test_class_names_of_custom_data_are_saved_and_loaded(tmp_path):
    from mlpviz.engine.datasets import Dataset

    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [0.0, 2.0]])
    ds = Dataset(X, np.array([0, 1, 2, 1]), "multiclass", 3, "fruit",
                 ("apple", "fig", "pear"))
    s = Session()
    s.set_dataset(ds, train_fraction=1.0)
    assert s.class_names == ("apple", "fig", "pear")
    sessionfile.write(s.snapshot(), tmp_path / "f.mlpviz")
    back = Session.from_snapshot(sessionfile.read_snapshot(tmp_path / "f.mlpviz"))
    assert back.class_names == ("apple", "fig", "pear")
    assert back.train_set.class_names == ("apple", "fig", "pear")
    assert Session().class_names == ()
