"""Session files (``.mlpviz``): a zip of ``session.json`` and ``arrays.npz``.

``session.json`` holds ``"format": "mlpviz-session"``, ``"version": 1``, the three configs,
the weights' dtype, the data source, epoch and step counters, the RNG state, the optimizer
settings and the lesson name. ``arrays.npz`` holds plain numeric arrays only (read with
``allow_pickle=False``): the parameters, the fixed initial parameters of a lesson, the
optimizer state (momentum, Adam moments), the data and the history.

Saving writes a temporary file next to the target and renames it over the target, so a
failed save leaves any existing file intact. Loading checks everything — archive members
and sizes, version, keys, types, shapes against the network's sizes, finite values and
limits — and raises :class:`SessionFileError` with a clear message. The codec knows only
:class:`~mlpviz.model.snapshot.Snapshot` values (:func:`write`, :func:`read_snapshot`,
:func:`encode`, :func:`decode`); ``Session.save`` and ``Session.load`` call it, and a new
Session is built from a file, so the caller's open session is never half-replaced.
"""

from __future__ import annotations

import io
import json
import os
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from mlpviz.atomic import atomic_write, os_error_text
from mlpviz.engine import optimizers
from mlpviz.engine.datasets import KINDS, Dataset
from mlpviz.engine.mlp import MAX_LAYER_SIZE
from mlpviz.model.config import CUSTOM, MAX_PARAMS, MAX_SAMPLES, DataConfig, NetConfig, TrainConfig
from mlpviz.model.data import from_arrays, from_dataset
from mlpviz.model.history import History
from mlpviz.model.quoting import clip, one_line, quote
from mlpviz.model.snapshot import Snapshot

FORMAT = "mlpviz-session"
VERSION = 1
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_PACKING_RATIO = 2000  # unpacked bytes per byte on disk (deflate alone reaches ~1032)
MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DIGITS = 64  # characters of one number in session.json (the RNG state needs 39)
MAX_ARRAYS = 64
MAX_COUNTER = 2**62
MAX_CLASSES = 10
MAX_HISTORY_POINTS = 10_000
MAX_NAME = 200
MEMBERS = ("session.json", "arrays.npz")
KEYS = {"format", "version", "data", "net", "train", "dtype", "source", "dataset", "epoch",
        "steps", "epoch_start_steps", "rng", "optimizer", "lesson"}
HISTORY_KEYS = ("epochs", "values", "bucket", "bucket_min", "latest", "min_loss", "meta")
KNOWN_ARRAYS = {"params", "fixed_params", "X_train", "Y_train", "X_test", "Y_test", "data_X",
                "data_y", *(f"history_{k}" for k in HISTORY_KEYS),
                *(f"optimizer_{k}" for k in ("t", "m", "v"))}
OPTIMIZER_STATE = {"sgd": (set(), set()), "momentum": (set(), {"v"}),
                   "adam": ({"t"}, {"t", "m", "v"})}


class SessionFileError(ValueError):
    """A session file that cannot be written or read; the message (one line, at most
    ``quoting.MAX_MESSAGE`` characters) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


def _fail(message: str) -> SessionFileError:
    return SessionFileError(message)


@contextmanager
def _where(place: str) -> Iterator[None]:
    """Turn a validation error raised inside into a SessionFileError naming ``place``."""
    try:
        yield
    except SessionFileError:
        raise
    except Exception as exc:  # a validator's error, or any failure on hostile values
        raise _fail(f"{place}: {exc or type(exc).__name__}") from None


# ---- encoding ------------------------------------------------------------------------
def encode(snap: Snapshot) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(session.json dict, arrays.npz arrays) for a snapshot."""
    d = snap.data
    state: dict[str, Any] = {
        "format": FORMAT, "version": VERSION,
        "data": snap.data_config.to_dict(), "net": snap.net_config.to_dict(),
        "train": snap.train_config.to_dict(), "dtype": snap.dtype.name,
        "source": "arrays" if d.dataset is None else "dataset", "dataset": None,
        "epoch": snap.epoch, "steps": snap.steps, "epoch_start_steps": snap.epoch_start_steps,
        "rng": snap.rng_state, "optimizer": snap.optimizer_config, "lesson": snap.lesson_name,
    }
    arrays: dict[str, np.ndarray] = {"params": snap.params}
    if d.dataset is None:
        arrays.update(X_train=d.raw_train, Y_train=d.Y_train, X_test=d.raw_test, Y_test=d.Y_test)
    else:
        ds = d.dataset
        state["dataset"] = {"kind": ds.kind, "n_classes": ds.n_classes, "name": ds.name}
        if ds.class_names:
            state["dataset"]["class_names"] = list(ds.class_names)
        arrays.update(data_X=ds.X, data_y=ds.y)
    if snap.fixed_params is not None:
        arrays["fixed_params"] = snap.fixed_params
    arrays.update({f"optimizer_{k}": np.asarray(v) for k, v in snap.optimizer_state.items()})
    arrays.update({f"history_{k}": v for k, v in snap.history.items()})
    return state, arrays


# ---- decoding ------------------------------------------------------------------------
def _int(state: dict[str, Any], key: str) -> int:
    v = state[key]
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_COUNTER:
        raise _fail(f"session.json: '{key}' must be an integer in 0..{MAX_COUNTER}, "
                    f"got {quote(v)}")
    return v


def _vector(arrays: dict[str, np.ndarray], key: str, size: int, dtype: np.dtype) -> np.ndarray:
    a = arrays[key]
    if a.shape != (size,) or a.dtype.kind != "f":
        raise _fail(f"arrays.npz: '{key}' must be {size} floats (the network's parameters), "
                    f"got shape {clip(str(a.shape), 40)} of {a.dtype}")
    if not np.isfinite(a).all():
        raise _fail(f"arrays.npz: '{key}' holds NaN or infinity")
    return a.astype(dtype)


def _names(keys: list[str]) -> str:
    """At most five names, each cut short: "a, b, c and 12 more"."""
    shown = ", ".join(clip(str(k), 30) for k in keys[:5])
    return shown + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")


def _check_header(state: object) -> dict[str, Any]:
    if not isinstance(state, dict):
        raise _fail("session.json must hold a JSON object")
    if state.get("format") != FORMAT:
        raise _fail(f"not an mlpviz session (format {quote(state.get('format'))})")
    version = state.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _fail(f"session.json: 'version' must be an integer, got {quote(version)}")
    if version != VERSION:
        newer = " (written by a newer mlpviz)" if version > VERSION else ""
        raise _fail(f"unsupported session file version {version}{newer}; "
                    f"this mlpviz reads version {VERSION}")
    missing, extra = sorted(KEYS - set(state)), sorted(set(state) - KEYS)
    if missing or extra:
        raise _fail("session.json: " + "; ".join(
            ([f"missing keys: {', '.join(missing)}"] if missing else [])
            + ([f"unexpected keys: {_names(extra)}"] if extra else [])))
    return state


def _data(state: dict[str, Any], arrays: dict[str, np.ndarray], dc: DataConfig):
    if state["source"] == "arrays":
        _need(arrays, ("X_train", "Y_train", "X_test", "Y_test"))
        Xt = arrays["X_test"] if len(arrays["X_test"]) else None
        Yt = arrays["Y_test"] if Xt is not None else None
        data, base = from_arrays(arrays["X_train"], arrays["Y_train"], Xt, Yt)
        return data if base == dc else data.rebuilt(base, dc)
    if state["source"] != "dataset":
        raise _fail(f"session.json: 'source' must be \"dataset\" or \"arrays\", "
                    f"got {quote(state['source'])}")
    _need(arrays, ("data_X", "data_y"))
    meta = state["dataset"]
    if not isinstance(meta, dict) \
            or set(meta) - {"class_names"} != {"kind", "n_classes", "name"} \
            or not isinstance(meta["name"], str) or isinstance(meta["n_classes"], bool) \
            or not isinstance(meta["n_classes"], int):
        raise _fail("session.json: 'dataset' must be {kind, n_classes, name[, class_names]}")
    if meta["kind"] not in KINDS:
        raise _fail(f"session.json: the dataset kind must be one of {', '.join(KINDS)}, "
                    f"got {quote(meta['kind'])}")
    if not 1 <= meta["n_classes"] <= MAX_CLASSES:
        raise _fail(f"session.json: 'dataset' has {quote(meta['n_classes'])} classes; "
                    f"session files hold 1 to {MAX_CLASSES}")
    if len(meta["name"]) > MAX_NAME:
        raise _fail(f"session.json: the dataset name is longer than {MAX_NAME} characters")
    names = meta.get("class_names", [])
    if not isinstance(names, list) or len(names) > MAX_CLASSES \
            or not all(isinstance(n, str) and len(n) <= MAX_NAME for n in names):
        raise _fail(f"session.json: 'dataset'.'class_names' must be a list of at most "
                    f"{MAX_CLASSES} names of at most {MAX_NAME} characters")
    ds = Dataset(arrays["data_X"], arrays["data_y"], meta["kind"], meta["n_classes"],
                 meta["name"], tuple(names))
    if len(ds) != dc.n:
        raise _fail(f"arrays.npz: the data has {len(ds)} rows, the settings say n = {dc.n}")
    return from_dataset(ds, dc)


def _need(arrays: dict[str, np.ndarray], keys: tuple[str, ...]) -> None:
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise _fail(f"arrays.npz: missing arrays: {', '.join(missing)}")


def _rng_state(spec: object) -> dict[str, Any]:
    if not isinstance(spec, dict) or spec.get("bit_generator") != "PCG64":
        raise _fail("session.json: 'rng' must be a PCG64 generator state")
    bit_gen = np.random.PCG64()
    try:
        bit_gen.state = spec
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise _fail(f"session.json: 'rng' is not a valid generator state ({exc})") from None
    return bit_gen.state


def _optimizer(spec: object, tc: TrainConfig, arrays: dict[str, np.ndarray], size: int):
    if not isinstance(spec, dict) or len(spec) > 16:
        raise _fail("session.json: 'optimizer' must be an object of its settings")
    for key, value in spec.items():
        if len(key) > 30 or not (value is None or isinstance(value, (bool, int, float))
                                 or isinstance(value, str) and len(value) <= 30):
            raise _fail(f"session.json: optimizer setting {quote(key, 30)} = {quote(value)} "
                        "is not a setting value")
    opt = optimizers.from_config(spec)
    if (opt.name, opt.lr, opt.regularization, opt.reg_rate) != (
            tc.optimizer, tc.learning_rate, tc.regularization, tc.reg_rate):
        raise _fail("session.json: 'optimizer' disagrees with the training settings")
    state = {k[len("optimizer_"):]: v for k, v in arrays.items() if k.startswith("optimizer_")}
    if set(state) not in OPTIMIZER_STATE[opt.name]:
        raise _fail(f"arrays.npz: unexpected {opt.name} optimizer state "
                    f"{_names(sorted(state)) or 'none'}")
    for key, a in state.items():
        if key == "t":
            if a.shape != () or a.dtype.kind not in "iu" or not 0 <= int(a) <= MAX_COUNTER:
                raise _fail("arrays.npz: 'optimizer_t' must be one non-negative integer")
        else:
            moment = _vector(arrays, f"optimizer_{key}", size, np.dtype(np.float64))
            if opt.name == "adam" and key == "v" and (moment < 0).any():
                raise _fail("arrays.npz: Adam's second moment 'optimizer_v' holds a negative "
                            f"value (first at index {int(np.argmax(moment < 0))}); it is a "
                            "mean of squares, never below 0")
    return opt.config(), state


def decode(state: object, arrays: dict[str, np.ndarray]) -> Snapshot:
    """Validate a session.json dict and its arrays into a Snapshot (SessionFileError)."""
    state = _check_header(state)
    with _where("invalid session file"):
        return _decode(state, arrays)


def _decode(state: dict[str, Any], arrays: dict[str, np.ndarray]) -> Snapshot:
    unknown = sorted(set(arrays) - KNOWN_ARRAYS)
    if unknown:
        raise _fail(f"arrays.npz: unexpected arrays: {_names(unknown)}")
    with _where("session.json, data settings"):
        dc = DataConfig.from_dict(state["data"])
    with _where("session.json, network settings"):
        nc = NetConfig.from_dict(state["net"])
    with _where("session.json, training settings"):
        tc = TrainConfig.from_dict(state["train"])
    if state["dtype"] not in ("float64", "float32"):
        raise _fail(f"session.json: 'dtype' must be float64 or float32, "
                    f"got {quote(state['dtype'])}")
    dtype = np.dtype(state["dtype"])
    epoch, steps, start = (_int(state, k) for k in ("epoch", "steps", "epoch_start_steps"))
    if start > steps:
        raise _fail("session.json: 'epoch_start_steps' is larger than 'steps'")
    lesson = state["lesson"]
    if lesson is not None and (not isinstance(lesson, str) or len(lesson) > 64):
        raise _fail("session.json: 'lesson' must be a lesson name or null")
    if dc.dataset == CUSTOM and state["source"] == "dataset" and dc.noise != 0.0:
        raise _fail("session.json: custom data has no noise setting")
    with _where("arrays.npz, data"):
        data = _data(state, arrays, dc)
    with _where("session.json, network settings"):
        sizes = nc.sizes(data.n_in, data.n_out)
    n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    _need(arrays, ("params",))
    params = _vector(arrays, "params", n_params, dtype)
    fixed = _vector(arrays, "fixed_params", n_params, dtype) if "fixed_params" in arrays \
        else None
    with _where("session.json, optimizer"):
        opt_config, opt_state = _optimizer(state["optimizer"], tc, arrays, n_params)
    hist = {k: arrays.get(f"history_{k}") for k in HISTORY_KEYS}
    if any(v is None for v in hist.values()):
        raise _fail("arrays.npz: the history arrays are incomplete")
    meta = hist["meta"]
    if meta.ndim == 1 and len(meta) and meta.dtype.kind in "iu" \
            and not 8 <= int(meta[0]) <= MAX_HISTORY_POINTS:
        raise _fail(f"arrays.npz: the history keeps {int(meta[0])} points; session files "
                    f"keep 8 to {MAX_HISTORY_POINTS}")
    with _where("arrays.npz, history"):
        history = History.from_arrays(hist)  # type: ignore[arg-type]
    return Snapshot(dc, nc, tc, data, dtype, params, fixed, opt_config, opt_state,
                    _rng_state(state["rng"]), epoch, steps, start, history.to_arrays(), lesson)


# ---- files ---------------------------------------------------------------------------
def write(snap: Snapshot, path: str | os.PathLike[str]) -> None:
    """Write the session state ``snap`` to ``path`` atomically; SessionFileError leaves
    ``path`` as it was."""
    path = Path(path)
    state, arrays = encode(snap)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    payload = (json.dumps(state, indent=1, allow_nan=False).encode("utf-8"), buffer.getvalue())
    if sum(len(p) for p in payload) > MAX_FILE_BYTES:
        raise _fail(f"cannot save {path.name}: the session is larger than "
                    f"{MAX_FILE_BYTES // 2**20} MB")
    try:
        with atomic_write(path) as tmp, open(tmp, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, data in zip(MEMBERS, payload, strict=True):
                    archive.writestr(name, data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise _fail(os_error_text(path, exc, "save")) from None


def _reject_constant(name: str) -> None:
    raise _fail(f"session.json holds {name}, which is not a valid number here")


class _NumberTooLong(Exception):
    """A JSON number with more digits than any setting needs (carries the token)."""


def _json_int(token: str) -> int:
    if len(token) > MAX_JSON_DIGITS:
        raise _NumberTooLong(token)
    return int(token)


def _json_float(token: str) -> float:
    if len(token) > MAX_JSON_DIGITS:
        raise _NumberTooLong(token)
    return float(token)


def _parse_json(name: str, text: bytes) -> Any:
    try:
        decoded = text.decode("utf-8")
        return json.loads(decoded, parse_int=_json_int, parse_float=_json_float,
                          parse_constant=_reject_constant)
    except SessionFileError:
        raise
    except _NumberTooLong as exc:
        token = str(exc)
        line = decoded.count("\n", 0, max(decoded.find(token), 0)) + 1
        raise _fail(f"{name}: session.json, line {line}: the number {clip(token, 20)} has "
                    f"{len(token)} characters; numbers here have at most "
                    f"{MAX_JSON_DIGITS}") from None
    except json.JSONDecodeError as exc:
        raise _fail(f"{name}: session.json is not valid JSON ({exc.msg}: line {exc.lineno} "
                    f"column {exc.colno})") from None
    except UnicodeDecodeError as exc:
        raise _fail(f"{name}: session.json is not UTF-8 text (byte {exc.start})") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        kind = "nested too deeply" if isinstance(exc, RecursionError) else "not valid JSON"
        raise _fail(f"{name}: session.json is {kind}") from None


def _unpacked_budget(file_size: int) -> int:
    """Bytes a file of ``file_size`` may unpack to: deflate packs at most about 1:1032, so
    a file that claims more is a nested-compression bomb."""
    return min(MAX_UNPACKED_BYTES, max(2**20, MAX_PACKING_RATIO * file_size))


def _check_members(name: str, infos: list[zipfile.ZipInfo], allowed: int, what: str) -> None:
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _fail(f"{name}: {what} member {quote(info.filename)} uses compression "
                        f"method {info.compress_type}; session files use deflate or none")
        if info.flag_bits & 0x1:
            raise _fail(f"{name}: {what} member {quote(info.filename)} is encrypted")
    if sum(i.file_size for i in infos) > allowed:
        raise _fail(f"{name}: {what} unpacks to more than its size allows "
                    f"({allowed // 2**20 or 1} MB for this file)")


def read(path: str | os.PathLike[str]) -> tuple[Any, dict[str, np.ndarray]]:
    """The raw (session.json object, arrays) of a file, after container-level checks.

    Work and memory stay proportional to the file's size on disk: archive members may
    unpack to at most :data:`MAX_PACKING_RATIO` times that (and :data:`MAX_UNPACKED_BYTES`),
    every array's declared shape is checked against the bytes it really has before it is
    read, and any damage the zip, npz or JSON readers find becomes a SessionFileError.
    """
    path = Path(path)
    try:
        if not path.is_file():
            raise _fail(f"cannot open {path}: not a file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _fail(f"{path.name} is {size / 2**20:.0f} MB; session files are at most "
                        f"{MAX_FILE_BYTES // 2**20} MB")
        budget = _unpacked_budget(size)
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if sorted(i.filename for i in infos) != sorted(MEMBERS):
                found = ", ".join(quote(i.filename, 30) for i in infos[:5])
                more = f" and {len(infos) - 5} more" if len(infos) > 5 else ""
                raise _fail(f"{path.name}: a session file holds exactly session.json and "
                            f"arrays.npz, found {found or 'nothing'}{more}")
            if archive.getinfo("session.json").file_size > MAX_JSON_BYTES:
                raise _fail(f"{path.name}: session.json is larger than "
                            f"{MAX_JSON_BYTES // 2**20} MB")
            _check_members(path.name, infos, budget, "the archive")
            text, blob = (archive.read(name) for name in MEMBERS)
    except SessionFileError:
        raise
    except OSError as exc:
        raise _fail(os_error_text(path, exc, "read")) from None
    except Exception as exc:  # whatever zipfile/zlib find in a damaged archive
        raise _fail(f"{path.name} is not a valid session file (damaged or not a zip "
                    f"archive: {clip(str(exc) or type(exc).__name__)})") from None
    state = _parse_json(path.name, text)
    return state, _read_arrays(path.name, blob, budget)


def _read_arrays(name: str, blob: bytes, budget: int = MAX_UNPACKED_BYTES
                 ) -> dict[str, np.ndarray]:
    if not blob.startswith(b"PK\x03\x04"):
        raise _fail(f"{name}: arrays.npz is not an npz archive")
    arrays: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as npz:
            infos = npz.infolist()
            if len(infos) > MAX_ARRAYS:
                raise _fail(f"{name}: arrays.npz holds {len(infos)} arrays; session files "
                            f"hold at most {MAX_ARRAYS}")
            _check_members(name, infos, budget, "arrays.npz")
            for info in infos:
                key = info.filename.removesuffix(".npy")
                if key in arrays or not info.filename.endswith(".npy"):
                    raise _fail(f"{name}: arrays.npz member {quote(info.filename)} is not "
                                "a .npy array, or appears twice")
                arrays[key] = _read_array(npz, info, key, name)
    except SessionFileError:
        raise
    except Exception as exc:  # whatever zipfile/zlib find in a damaged archive
        raise _fail(f"{name}: arrays.npz is damaged "
                    f"({clip(str(exc) or type(exc).__name__)})") from None
    return arrays


_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}


def _read_array(npz: zipfile.ZipFile, info: zipfile.ZipInfo, key: str,
                name: str) -> np.ndarray:
    """One array, after checking that its .npy header describes a plain numeric array no
    larger than its member and within :data:`MAX_ARRAY_ELEMENTS` for its key."""
    where = f"{name}: array {quote(key, 30)}"
    with npz.open(info) as fp:
        try:
            version = np.lib.format.read_magic(fp)
            with warnings.catch_warnings():  # e.g. "created on Python 2": not for users
                warnings.simplefilter("ignore")
                shape, fortran, dtype = _HEADER_READERS[version](fp)
        except KeyError:
            raise _fail(f"{where} has an unsupported .npy version") from None
        except Exception:  # numpy's header parser raises many kinds; none is helpful here
            raise _fail(f"{where} has a damaged or oversized .npy header") from None
        if dtype.hasobject:
            raise _fail(f"{where} is a pickled object array; session files hold plain "
                        "numbers only")
        if dtype.kind not in "biuf" or dtype.itemsize > 8 or dtype.fields is not None:
            raise _fail(f"{where} has unsupported type {clip(str(dtype), 30)}")
        count = int(np.prod(shape, dtype=object))
        limit = _element_limit(key)
        if count > limit:
            raise _fail(f"{where} declares {count:,} values; at most {limit:,} are allowed")
        available = info.file_size - fp.tell()
        if count * dtype.itemsize > available:
            raise _fail(f"{where} declares shape {clip(str(shape), 40)} but arrays.npz "
                        f"holds only {max(available, 0)} bytes of it")
        data = fp.read(count * dtype.itemsize)
    if len(data) != count * dtype.itemsize:
        raise _fail(f"{where} is cut short")
    array = np.frombuffer(data, dtype=dtype).copy()
    return array.reshape(shape, order="F" if fortran else "C")


def _element_limit(key: str) -> int:
    if key in ("params", "fixed_params", "optimizer_m", "optimizer_v"):
        return MAX_PARAMS
    if key.startswith("history_"):
        return 4 * MAX_HISTORY_POINTS
    if key == "data_X":
        return 2 * MAX_SAMPLES
    if key == "data_y":
        return MAX_SAMPLES
    return MAX_SAMPLES * MAX_LAYER_SIZE  # X_/Y_ arrays; the budget bounds them further


def read_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """The session state in the file at ``path``, validated (SessionFileError naming the
    file if anything is wrong). Session.load builds the session from it."""
    state, arrays = read(path)
    try:
        return decode(state, arrays)
    except SessionFileError as exc:
        raise _fail(f"{Path(path).name}: {exc}") from None
