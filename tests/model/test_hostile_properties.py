"""Property-based: any session file or script either loads or is refused with the documented
error (SessionFileError, ScriptError), within a time and memory cap.

Inputs are made here with hypothesis (mutations of good session files — JSON values, arrays,
.npy headers, zip bytes — and scripts from the language's words with hostile arguments)
and opened in a worker process under RLIMIT_AS (see conftest.py), so a runaway allocation
fails the test instead of the machine. The example counts keep the suite near 30 s.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mlpviz.model.config import DataConfig, NetConfig, TrainConfig
from mlpviz.model.session import Session

SECONDS = 5.0  # per input; refusals take milliseconds, so only a runaway can pass this
PEAK_MB = 400  # growth of the worker's peak resident memory over its baseline
def bounded(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    """Good files to mutate: generated data with Adam, a custom dataset with momentum and
    fixed weights, and an arrays session."""
    folder = tmp_path_factory.mktemp("bases")
    adam = Session(data=DataConfig(dataset="spiral3", n=60),
                   net=NetConfig(hidden=(4,), activation="tanh", output="softmax",
                                 loss="cross_entropy"),
                   train=TrainConfig(optimizer="adam", learning_rate=0.01))
    adam.train(3)
    lesson = Session.from_lesson("perceptron")
    lesson.set_train(optimizer="momentum", learning_rate=0.1)
    lesson.train(2)
    rng = np.random.default_rng(0)
    arrays = Session.from_arrays(rng.normal(size=(12, 3)), rng.normal(size=(12, 2)))
    arrays.train(1)
    paths = []
    for name, session in (("adam", adam), ("lesson", lesson), ("arrays", arrays)):
        path = folder / f"{name}.mlpviz"
        session.save(path)
        paths.append(path)
    return paths


def check(worker, answer_of, documented):
    answer = answer_of(worker)
    event(answer["outcome"])
    assert answer["outcome"] in ("ok", documented), answer
    assert answer["seconds"] < SECONDS, answer
    assert answer["peak_mb"] - worker.baseline_mb < PEAK_MB, answer
    if answer["outcome"] != "ok":
        assert answer["length"] <= 400 and "\n" not in answer["message"], answer


# ---- session files -------------------------------------------------------------------------
json_leaf = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 2**62, 2**63, 10**12, 10**40, 4096, 4097, 100_001]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1e-300, 1e300, 5.0, 1e9]),
    st.text(max_size=20),
    st.sampled_from(["x" * 600, "\u2028", "sgd", "adam", "relu", "custom", "dataset",
                     "arrays", "multiclass", "PCG64", "float32"]),
)
json_value = st.recursive(json_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=8)


def _paths(value, prefix=()):
    """Every (key path) inside a JSON value."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


def _replace(state, path, value):
    if not path:
        return value
    target = state
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return state


dtypes = st.sampled_from(["<f8", "<f4", ">f8", "<i8", "<u1", "|b1", "<c16", "<U3", "<f2"])
shapes = st.lists(st.sampled_from([0, 1, 2, 3, 4, 9, 17, 100, 10**6]), max_size=3)


@st.composite
def arrays_edit(draw, arrays):
    key = draw(st.sampled_from([*arrays, "extra", "optimizer_m", "fixed_params"]))
    kind = draw(st.sampled_from(["drop", "array", "header", "scale", "nan"]))
    if kind == "drop":
        arrays.pop(key, None)
    elif kind == "array":
        shape = tuple(d for d in draw(shapes) if d < 10**6)
        dtype = np.dtype(draw(dtypes))
        arrays[key] = np.zeros(shape, dtype=dtype) if dtype.kind != "U" \
            else np.array(["abc"] * int(np.prod(shape)), dtype=dtype).reshape(shape)
    elif kind == "header":
        shape = tuple(draw(shapes))
        text = f"{{'descr': '{draw(dtypes)}', 'fortran_order': {draw(st.booleans())}, " \
               f"'shape': {shape!r}, }}"
        if draw(st.booleans()):
            text = draw(st.text(max_size=40)) + text[draw(st.integers(0, len(text))):]
        arrays[key] = b"\x93NUMPY\x01\x00" + (len(text) + 1).to_bytes(2, "little") \
            + (text + "\n").encode("utf-8") + draw(st.binary(max_size=64))
    elif (key in arrays and isinstance(arrays[key], np.ndarray) and arrays[key].size
          and arrays[key].dtype.kind in "biuf"):  # numbers (class names are text)
        a = arrays[key].astype(np.float64) if arrays[key].dtype.kind != "f" else arrays[key]
        index = draw(st.integers(0, a.size - 1))
        with np.errstate(over="ignore"):  # 1e308 in a float32 array: infinity
            a.flat[index] = draw(st.sampled_from([1e308, -1e308, 1e7, -1.0, 2.0**62])) \
                if kind == "scale" else np.nan
        arrays[key] = a


@st.composite
def hostile_file(draw, bases, hostile, tmp_path):
    base = bases[draw(st.integers(0, len(bases) - 1))]
    mode = draw(st.sampled_from(["json", "arrays", "both", "bytes", "text"]))
    if mode == "bytes":
        data = bytearray(base.read_bytes())
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
        path = tmp_path / "bytes.mlpviz"
        path.write_bytes(bytes(data))
        return path
    state, arrays = hostile.members(base)
    text = None
    if mode in ("json", "both"):
        for _ in range(draw(st.integers(1, 3))):
            where = draw(st.sampled_from(list(_paths(state))))
            state = _replace(state, where, draw(json_value))
    if mode in ("arrays", "both"):
        for _ in range(draw(st.integers(1, 3))):
            draw(arrays_edit(arrays))
    if mode == "text":
        text = json.dumps(state, indent=1)
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(
            ["1" * 5000, "-", "1e999", "NaN", "[" * 5000, "\ud800", '"\\u0000"', ""])) + \
            text[cut + draw(st.integers(0, 3)):]
    return hostile.write_session(tmp_path / "mutated.mlpviz",
                                 state if text is None else text, arrays)


@bounded(220)
@given(data=st.data())
def test_any_session_file_loads_or_is_refused_cleanly(hostile_worker, hostile, bases,
                                                      tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("mutant", numbered=True)
    path = data.draw(hostile_file(bases, hostile, folder))
    check(hostile_worker, lambda w: w.ask(kind="session", path=str(path)), "SessionFileError")


# ---- scripts -------------------------------------------------------------------------------
numbers = st.one_of(st.integers(0, 200_000).map(str), st.sampled_from(
    ["0", "1", "100000", "100001", "1" * 25, "9" * 5000, "0.5", "600", "600.1", ".5", "1e3",
     "-1", "10", "0.1", "nan", "inf", "١٢"]))
words = st.sampled_from(["forward", "loss", "backward", "update", "iteration", "train",
                         "hold", "caption", "select", "sample", "speed", "FORWARD", "fly"])
selection = st.one_of(st.sampled_from(["none", "neuron 1:1", "edge 1:2:1", "neuron 9:9",
                                       "edge 0:1:1", "neuron 1:" + "9" * 5000, "edge"]),
                      st.text(max_size=12))
caption = st.one_of(st.text(max_size=30), st.sampled_from(
    ['"quoted ; with # inside"', '"unclosed', "x" * 501, "y" * 30_000, "a\u2028b", '"\\""']))


@st.composite
def statement(draw):
    word = draw(words)
    if word in ("train", "hold", "sample", "speed"):
        return f"{word} {draw(numbers)}"
    if word == "caption":
        return f"caption {draw(caption)}"
    if word == "select":
        return f"select {draw(selection)}"
    return word


separators = st.sampled_from(["\n", "\r\n", "\r", ";", " ; ", "\u2028", "\u2029", "\x0b",
                              "\x85", "\n# comment\n"])


@st.composite
def script(draw):
    pieces = st.one_of(statement(), statement(), statement(), st.text(max_size=10))
    parts = draw(st.lists(pieces, max_size=12))
    text = ""
    for part in parts:
        text += part + draw(separators)
    if draw(st.integers(0, 9)) == 0:  # now and then, far too much work or text
        text += draw(st.sampled_from(["train 100000\n" * 11, "hold 600\n" * 7,
                                      "forward\n" * 10_001, "x" * 1_000_001]))
    return text


@bounded(250)
@given(text=script())
def test_any_script_plans_or_is_refused_cleanly(hostile_worker, text):
    check(hostile_worker, lambda w: w.ask(kind="script", text=text, sizes=[2, 3, 1]),
          "ScriptError")
