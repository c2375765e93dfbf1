"""Session files (``.mlpviz``): a zip of ``session.json`` and ``arrays.npz``.

``session.json`` holds ``"format": "mlpviz-session"``, ``"version": 1``, the three configs,
the weights' dtype, the data source, epoch and step counters, the RNG state, the optimizer
settings and the lesson name. ``arrays.npz`` holds plain numeric arrays only (read with
``allow_pickle=False``): the parameters, the fixed initial parameters of a lesson, the
optimizer state (momentum, Adam moments), the data and the history.

Saving writes a temporary file next to the target and renames it over the target, so a
failed save leaves any existing file intact. Loading checks everything — archive members
and sizes, version, keys, types, shapes against the network's sizes, finite values and
limits — and raises :class:`SessionFileError` with a clear message; it builds a new
Session, so the caller's open session is never half-replaced.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mlpviz.atomic import atomic_write, os_error_text
from mlpviz.engine import optimizers
from mlpviz.engine.datasets import Dataset
from mlpviz.model.config import CUSTOM, DataConfig, NetConfig, TrainConfig
from mlpviz.model.data import from_arrays, from_dataset
from mlpviz.model.history import History
from mlpviz.model.session import Snapshot

if TYPE_CHECKING:
    from mlpviz.model.session import Session

FORMAT = "mlpviz-session"
VERSION = 1
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_JSON_BYTES = 1024 * 1024
MAX_COUNTER = 2**62
MEMBERS = ("session.json", "arrays.npz")
KEYS = {"format", "version", "data", "net", "train", "dtype", "source", "dataset", "epoch",
        "steps", "epoch_start_steps", "rng", "optimizer", "lesson"}
HISTORY_KEYS = ("epochs", "values", "bucket", "bucket_min", "latest", "min_loss", "meta")
OPTIMIZER_STATE = {"sgd": (set(), set()), "momentum": (set(), {"v"}),
                   "adam": ({"t"}, {"t", "m", "v"})}


class SessionFileError(ValueError):
    """A session file that cannot be written or read; the message says why."""


def _fail(message: str) -> SessionFileError:
    return SessionFileError(message)


@contextmanager
def _where(place: str) -> Iterator[None]:
    """Turn a validation error raised inside into a SessionFileError naming ``place``."""
    try:
        yield
    except SessionFileError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise _fail(f"{place}: {exc}") from None


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
        raise _fail(f"session.json: '{key}' must be an integer in 0..{MAX_COUNTER}, got {v!r}")
    return v


def _vector(arrays: dict[str, np.ndarray], key: str, size: int, dtype: np.dtype) -> np.ndarray:
    a = arrays[key]
    if a.shape != (size,) or a.dtype.kind != "f":
        raise _fail(f"arrays.npz: '{key}' must be {size} floats (the network's parameters), "
                    f"got shape {a.shape} of {a.dtype}")
    if not np.isfinite(a).all():
        raise _fail(f"arrays.npz: '{key}' holds NaN or infinity")
    return a.astype(dtype)


def _check_header(state: object) -> dict[str, Any]:
    if not isinstance(state, dict):
        raise _fail("session.json must hold a JSON object")
    if state.get("format") != FORMAT:
        raise _fail(f"not an mlpviz session (format {state.get('format')!r})")
    version = state.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _fail(f"session.json: 'version' must be an integer, got {version!r}")
    if version != VERSION:
        newer = " (written by a newer mlpviz)" if version > VERSION else ""
        raise _fail(f"unsupported session file version {version}{newer}; "
                    f"this mlpviz reads version {VERSION}")
    missing, extra = sorted(KEYS - set(state)), sorted(set(state) - KEYS)
    if missing or extra:
        raise _fail("session.json: " + "; ".join(
            ([f"missing keys: {', '.join(missing)}"] if missing else [])
            + ([f"unexpected keys: {', '.join(map(str, extra))}"] if extra else [])))
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
                    f"got {state['source']!r}")
    _need(arrays, ("data_X", "data_y"))
    meta = state["dataset"]
    if not isinstance(meta, dict) or set(meta) != {"kind", "n_classes", "name"} \
            or not isinstance(meta["name"], str) or isinstance(meta["n_classes"], bool) \
            or not isinstance(meta["n_classes"], int):
        raise _fail("session.json: 'dataset' must be {kind, n_classes, name}")
    ds = Dataset(arrays["data_X"], arrays["data_y"], meta["kind"], meta["n_classes"],
                 meta["name"][:200])
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
    if not isinstance(spec, dict):
        raise _fail("session.json: 'optimizer' must be an object")
    opt = optimizers.from_config(spec)
    if (opt.name, opt.lr, opt.regularization, opt.reg_rate) != (
            tc.optimizer, tc.learning_rate, tc.regularization, tc.reg_rate):
        raise _fail("session.json: 'optimizer' disagrees with the training settings")
    state = {k[len("optimizer_"):]: v for k, v in arrays.items() if k.startswith("optimizer_")}
    if set(state) not in OPTIMIZER_STATE[opt.name]:
        raise _fail(f"arrays.npz: unexpected {opt.name} optimizer state {sorted(state)}")
    for key, a in state.items():
        if key == "t":
            if a.shape != () or a.dtype.kind not in "iu" or not 0 <= int(a) <= MAX_COUNTER:
                raise _fail("arrays.npz: 'optimizer_t' must be one non-negative integer")
        else:
            _vector(arrays, f"optimizer_{key}", size, np.dtype(np.float64))
    return opt.config(), state


def decode(state: object, arrays: dict[str, np.ndarray]) -> Snapshot:
    """Validate a session.json dict and its arrays into a Snapshot (SessionFileError)."""
    state = _check_header(state)
    with _where("invalid session file"):
        return _decode(state, arrays)


def _decode(state: dict[str, Any], arrays: dict[str, np.ndarray]) -> Snapshot:
    with _where("session.json, data settings"):
        dc = DataConfig.from_dict(state["data"])
    with _where("session.json, network settings"):
        nc = NetConfig.from_dict(state["net"])
    with _where("session.json, training settings"):
        tc = TrainConfig.from_dict(state["train"])
    if state["dtype"] not in ("float64", "float32"):
        raise _fail(f"session.json: 'dtype' must be float64 or float32, got {state['dtype']!r}")
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
    with _where("arrays.npz, history"):
        history = History.from_arrays(hist)  # type: ignore[arg-type]
    known = {"params", "fixed_params", "X_train", "Y_train", "X_test", "Y_test", "data_X",
             "data_y", *(f"history_{k}" for k in HISTORY_KEYS),
             *(f"optimizer_{k}" for k in ("t", "m", "v"))}
    unknown = sorted(set(arrays) - known)
    if unknown:
        raise _fail(f"arrays.npz: unexpected arrays: {', '.join(unknown)}")
    return Snapshot(dc, nc, tc, data, dtype, params, fixed, opt_config, opt_state,
                    _rng_state(state["rng"]), epoch, steps, start, history.to_arrays(), lesson)


# ---- files ---------------------------------------------------------------------------
def save(session: Session, path: str | os.PathLike[str]) -> None:
    """Write ``session`` to ``path`` atomically; SessionFileError leaves ``path`` as it was."""
    path = Path(path)
    state, arrays = session.to_state()
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


def read(path: str | os.PathLike[str]) -> tuple[Any, dict[str, np.ndarray]]:
    """The raw (session.json object, arrays) of a file, after container-level checks."""
    path = Path(path)
    try:
        if not path.is_file():
            raise _fail(f"cannot open {path}: not a file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _fail(f"{path.name} is {size / 2**20:.0f} MB; session files are at most "
                        f"{MAX_FILE_BYTES // 2**20} MB")
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if sorted(i.filename for i in infos) != sorted(MEMBERS):
                raise _fail(f"{path.name}: a session file holds exactly session.json and "
                            f"arrays.npz, found {[i.filename for i in infos][:10]}")
            sizes = {i.filename: i.file_size for i in infos}
            if sizes["session.json"] > MAX_JSON_BYTES or \
                    sum(sizes.values()) > MAX_UNPACKED_BYTES:
                raise _fail(f"{path.name}: the archive unpacks to more than the allowed size")
            text, blob = (archive.read(name) for name in MEMBERS)
    except SessionFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise _fail(f"{path.name} is not a valid session file (damaged or not a zip "
                    f"archive: {exc})") from None
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        state = json.loads(text.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _fail(f"{path.name}: session.json is not valid JSON ({exc})") from None
    return state, _read_arrays(path.name, blob)


def _read_arrays(name: str, blob: bytes) -> dict[str, np.ndarray]:
    if not blob.startswith(b"PK\x03\x04"):
        raise _fail(f"{name}: arrays.npz is not an npz archive")
    arrays: dict[str, np.ndarray] = {}
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            if len(npz.files) > 64 or \
                    sum(i.file_size for i in npz.zip.infolist()) > MAX_UNPACKED_BYTES:
                raise _fail(f"{name}: arrays.npz holds too many or too large arrays")
            for key in npz.files:
                _check_declared_size(npz.zip, key, name)
                try:
                    a = npz[key]
                except ValueError as exc:
                    if "pickle" in str(exc).lower():
                        raise _fail(f"{name}: array '{key}' is a pickled object array; "
                                    "session files hold plain numbers only") from None
                    raise
                if a.dtype.kind not in "biuf":
                    raise _fail(f"{name}: array '{key}' has unsupported type {a.dtype}")
                arrays[key] = a
    except SessionFileError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise _fail(f"{name}: arrays.npz is damaged ({exc})") from None
    return arrays


def _check_declared_size(archive: zipfile.ZipFile, key: str, name: str) -> None:
    """Refuse an array whose .npy header declares more bytes than its member holds, before
    NumPy allocates memory for the declared shape."""
    member = f"{key}.npy" if f"{key}.npy" in archive.namelist() else key
    info = archive.getinfo(member)
    readers = {(1, 0): np.lib.format.read_array_header_1_0,
               (2, 0): np.lib.format.read_array_header_2_0}
    with archive.open(info) as fp:
        version = np.lib.format.read_magic(fp)
        if version not in readers:
            raise _fail(f"{name}: array '{key}' has unsupported .npy version {version}")
        shape, _, dtype = readers[version](fp)
        header = fp.tell()
    if dtype.hasobject:
        return  # refused as a pickled object array when it is read
    declared = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if declared > info.file_size - header:
        raise _fail(f"{name}: array '{key}' declares shape {shape} but arrays.npz holds "
                    f"only {info.file_size - header} bytes of it")


def load(path: str | os.PathLike[str]) -> Session:
    """A new Session from the file at ``path`` (SessionFileError if anything is wrong)."""
    from mlpviz.model.session import Session

    state, arrays = read(path)
    try:
        snap = decode(state, arrays)
    except SessionFileError as exc:
        raise _fail(f"{Path(path).name}: {exc}") from None
    try:
        return Session.from_snapshot(snap)
    except (ValueError, TypeError, KeyError) as exc:
        raise _fail(f"{Path(path).name}: invalid session ({exc})") from None
