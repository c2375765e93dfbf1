"""Hostile session files: each is refused with one short SessionFileError, and small files
are refused with little work — checked in a worker process under a memory cap, which also
reports the time and peak memory each refusal took."""

from __future__ import annotations

import errno
import json
import os
import zipfile

import numpy as np
import pytest

from mlpviz.model import sessionfile
from mlpviz.model.config import TrainConfig
from mlpviz.model.session import Session
from mlpviz.model.sessionfile import SessionFileError

SMALL_FILE_MB = 60  # a few-KB file may not raise the worker's peak memory by more


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A trained Adam session on the xor lesson's data, saved."""
    path = tmp_path_factory.mktemp("good") / "good.mlpviz"
    session = Session(train=TrainConfig(optimizer="adam", learning_rate=0.01))
    session.train(3)
    session.save(path)
    return path


def refuse(worker, path, *needles, seconds=10.0):
    """Load ``path`` in the worker: a one-line SessionFileError of at most 400 characters
    holding ``needles``, taking little time and memory. Returns the message."""
    answer = worker.ask(kind="session", path=str(path))
    assert answer["outcome"] == "SessionFileError", answer
    message = answer["message"]
    assert answer["length"] <= 400 and "\n" not in message, message
    for needle in needles:
        assert needle in message, message
    assert answer["seconds"] < seconds, answer
    if path.stat().st_size < 64 * 1024:
        assert answer["peak_mb"] - worker.baseline_mb < SMALL_FILE_MB, answer
    return message


def edited(hostile, good, tmp_path, edit, name="bad.mlpviz"):
    state, arrays = hostile.members(good)
    edit(state, arrays)
    return hostile.write_session(tmp_path / name, state, arrays)


def test_a_huge_class_count_is_refused_before_any_work(hostile_worker, hostile, good,
                                                         tmp_path):
    def huge(state, arrays):
        state["dataset"]["n_classes"] = 10**12
        state["dataset"]["kind"] = "multiclass"
    path = edited(hostile, good, tmp_path, huge)
    assert path.stat().st_size < 8 * 1024
    refuse(hostile_worker, path, "10000", "classes", seconds=1.0)


def test_a_huge_history_length_is_refused(hostile_worker, hostile, good, tmp_path):
    path = edited(hostile, good, tmp_path,
                  lambda s, a: a["history_meta"].__setitem__(0, 10_000_000))
    refuse(hostile_worker, path, "history keeps 10000000 points", "8 to 10000", seconds=1.0)


@pytest.mark.parametrize("header, needle", [
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }'''", "damaged"),  # TokenError
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (3L,), }", "declares"),
    ("((((" * 300, "damaged"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }" + " " * 20_000, "oversized"),
    ("{'descr': 'O', 'fortran_order': False, 'shape': (3,), }", "pickled"),
    ("{'descr': '<c16', 'fortran_order': False, 'shape': (3,), }", "unsupported type"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (10**9, 10**9), }", "damaged"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }", "at most"),
])
def test_a_damaged_npy_header_is_a_session_file_error(hostile_worker, hostile, good, tmp_path,
                                                       header, needle):
    state, arrays = hostile.members(good)
    arrays["params"] = hostile.npy_header(header)
    path = hostile.write_session(tmp_path / "bad.mlpviz", state, arrays)
    message = refuse(hostile_worker, path, "'params'", needle)
    assert "allow_pickle" not in message and "max_header_size" not in message


def test_an_oversized_npy_header_does_not_suggest_unsafe_loading(hostile_worker, hostile,
                                                                  good, tmp_path):
    state, arrays = hostile.members(good)
    text = "{'descr': '<f8', 'fortran_order': False, 'shape': (9,), }" + " " * 20_000
    arrays["params"] = hostile.npy_header(text, version=2) + bytes(72)
    message = refuse(hostile_worker, hostile.write_session(tmp_path / "b.mlpviz", state, arrays),
                     "oversized")
    assert "pickle" not in message and "trust" not in message


@pytest.mark.parametrize("method", [99, 12, 14])  # unknown, bzip2, lzma
def test_an_npz_member_with_another_compression_method_is_refused(hostile_worker, hostile,
                                                                  good, tmp_path, method):
    state, arrays = hostile.members(good)
    blob = hostile.set_compression_method(hostile.npz_bytes(arrays), method)
    path = hostile.write_session(tmp_path / "bad.mlpviz", state, blob)
    refuse(hostile_worker, path, f"compression method {method}")


def test_an_outer_member_with_an_unknown_compression_method_is_refused(hostile_worker,
                                                                      hostile, good, tmp_path):
    path = tmp_path / "bad.mlpviz"
    path.write_bytes(hostile.set_compression_method(good.read_bytes(), 99))
    refuse(hostile_worker, path, "compression method 99")


def test_a_nested_compression_bomb_is_refused_by_its_packing_ratio(hostile_worker, hostile,
                                                                   good, tmp_path):
    state, arrays = hostile.members(good)
    path = tmp_path / "inner.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as npz:  # 200 MB of zeros,
        npz.writestr("X_train.npy", bytes(200 * 2**20))  # deflated twice: a few KB
    inner = path.read_bytes()
    bomb = hostile.write_session(tmp_path / "bomb.mlpviz", state, inner)
    assert bomb.stat().st_size < 64 * 1024
    refuse(hostile_worker, bomb, "unpacks to more than its size allows")


@pytest.mark.parametrize("where", ["format", "data.dataset", "data.features", "unknown key",
                                   "net.output", "lesson", "rng.bit_generator"])
def test_a_900_kb_json_value_gives_a_short_message(hostile_worker, hostile, good, tmp_path,
                                                   where):
    big = "A" * 900_000

    def put(state, arrays):
        if where == "unknown key":
            state[big] = 1
        elif "." in where:
            outer, inner = where.split(".")
            state[outer][inner] = [big] if inner == "features" else big
        else:
            state[where] = big
    message = refuse(hostile_worker, edited(hostile, good, tmp_path, put))
    assert "A" * 61 not in message


@pytest.mark.parametrize("value", [1e308, -1e308, 1e6 + 1, -2e6])
def test_extreme_coordinates_are_refused(hostile_worker, hostile, good, tmp_path, value):
    def far(state, arrays):
        arrays["data_X"][7, 1] = value
    refuse(hostile_worker, edited(hostile, good, tmp_path, far), "beyond ±1,000,000",
           "row 7")


def test_extreme_targets_in_an_arrays_session_are_refused(hostile, tmp_path):
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    session = Session.from_arrays(X, np.array([0.5, 1.5, 2.5]))
    session.save(tmp_path / "reg.mlpviz")
    state, arrays = hostile.members(tmp_path / "reg.mlpviz")
    arrays["Y_train"][1, 0] = -1e308
    with pytest.raises(SessionFileError, match=r"Y holds a value beyond ±1,000,000.*row 1"):
        Session.load(hostile.write_session(tmp_path / "bad.mlpviz", state, arrays))


def test_coordinates_at_the_limit_still_load(hostile, good, tmp_path):
    def edge(state, arrays):
        arrays["data_X"][0] = (1e6, -1e6)
    session = Session.load(edited(hostile, good, tmp_path, edge))
    assert session.dataset.X.max() == 1e6 and session.dataset.X.min() == -1e6


def test_a_negative_adam_second_moment_is_refused(hostile_worker, hostile, good, tmp_path):
    def negative(state, arrays):
        arrays["optimizer_v"][4] = -1e-12
    refuse(hostile_worker, edited(hostile, good, tmp_path, negative),
           "second moment", "negative", "index 4")


@pytest.mark.parametrize("digits", [4_301, 50_000])
def test_a_number_of_thousands_of_digits_names_its_line(hostile_worker, hostile, good,
                                                         tmp_path, digits):
    state, arrays = hostile.members(good)
    text = json.dumps(state, indent=1).replace('"epoch": 3', '"epoch": 1' + "7" * digits)
    line = text[: text.index('"epoch"')].count("\n") + 1
    path = hostile.write_session(tmp_path / "bad.mlpviz", text, arrays)
    message = refuse(hostile_worker, path, f"line {line}", f"{digits + 1} characters",
                     "177777")
    assert "7" * 61 not in message


def test_a_damaged_zip_of_many_members_is_refused_quickly(hostile_worker, hostile, tmp_path):
    path = tmp_path / "many.mlpviz"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(2_000):
            archive.writestr(f"{'x' * 200}{i}", b"")
    message = refuse(hostile_worker, path, "session.json and arrays.npz", "and 1995 more")
    assert "x" * 31 not in message


def test_an_encrypted_member_is_refused(hostile_worker, hostile, good, tmp_path):
    data = bytearray(good.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (found := data.find(signature, start)) >= 0:
            data[found + offset] |= 1
            start = found + 4
    path = tmp_path / "locked.mlpviz"
    path.write_bytes(bytes(data))
    refuse(hostile_worker, path, "encrypted")


# ---- writing -----------------------------------------------------------------------------
def test_a_save_interrupted_by_ctrl_c_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "s.mlpviz"
    Session().save(path)
    old = path.read_bytes()

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(zipfile.ZipFile, "writestr", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Session().save(path)
    assert os.listdir(tmp_path) == ["s.mlpviz"] and path.read_bytes() == old


def test_a_full_disk_names_the_path_and_the_reason_in_one_line(tmp_path, monkeypatch):
    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(sessionfile.os, "fsync", full)
    target = tmp_path / "run.mlpviz"
    with pytest.raises(SessionFileError) as info:
        Session().save(target)
    assert str(info.value) == f"cannot save {target}: {os.strerror(errno.ENOSPC)}"
    assert os.listdir(tmp_path) == []


def test_an_unreadable_file_names_the_path_and_the_reason(tmp_path, monkeypatch, good):
    def broken(*_args, **_kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(zipfile.ZipFile, "read", broken)
    with pytest.raises(SessionFileError) as info:
        Session.load(good)
    assert str(info.value) == f"cannot read {good}: {os.strerror(errno.EIO)}"
