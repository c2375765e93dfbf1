"""Shared by the hostile-input tests: a worker process under a memory cap (see
``hostile_worker.py``, fixture ``hostile_worker``) and builders of session files from parts
(fixture ``hostile``)."""

from __future__ import annotations

import io
import json
import os
import resource
import select
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

MEMORY_CAP = 1536 * 2**20  # RLIMIT_AS of the worker: address space, not resident memory
TIMEOUT_S = 20.0  # per request; a generous cap, far above what a refusal takes
WORKER = Path(__file__).with_name("hostile_worker.py")
ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """The worker process; :meth:`ask` sends a request and waits for the answer."""

    def __init__(self) -> None:
        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

        env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1",
                   OMP_NUM_THREADS="1")
        self.proc = subprocess.Popen([sys.executable, str(WORKER)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env,
                                     preexec_fn=limit)
        self.baseline_mb = self._read(60.0)["peak_mb"]

    def _read(self, timeout: float) -> dict:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.proc.kill()
            raise AssertionError(f"the worker gave no answer within {timeout:g} s")
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"the worker died (exit status {self.proc.wait()})")
        return json.loads(line)

    def ask(self, **request: object) -> dict:
        assert self.proc.poll() is None, "the worker died on an earlier request"
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read(TIMEOUT_S)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def members(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """(session.json, arrays) of a good session file."""
    with zipfile.ZipFile(path) as z:
        state = json.loads(z.read("session.json"))
        with np.load(io.BytesIO(z.read("arrays.npz"))) as npz:
            arrays = {k: npz[k] for k in npz.files}
    return state, arrays


def npz_bytes(arrays: dict[str, np.ndarray | bytes]) -> bytes:
    """An npz archive; a ``bytes`` value is stored as the member's raw .npy content."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as npz:
        for key, value in arrays.items():
            if isinstance(value, bytes):
                npz.writestr(f"{key}.npy", value)
            else:
                member = io.BytesIO()
                np.save(member, value)
                npz.writestr(f"{key}.npy", member.getvalue())
    return buffer.getvalue()


def write_session(path: Path, state: dict | bytes | str, arrays: dict | bytes) -> Path:
    """A session file from a JSON object (or its raw text) and arrays (or raw npz bytes)."""
    text = state if isinstance(state, (bytes, str)) else json.dumps(state)
    if isinstance(text, str):  # a lone surrogate stays: invalid UTF-8 in the file
        text = text.encode("utf-8", "surrogatepass")
    blob = arrays if isinstance(arrays, bytes) else npz_bytes(arrays)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("session.json", text)
        archive.writestr("arrays.npz", blob)
    return path


def npy_header(text: str, version: int = 1) -> bytes:
    """A .npy header holding ``text`` (padded as NumPy pads it); no data follows."""
    size = 4 if version == 2 else 2
    pad = (64 - (8 + size + len(text) + 1) % 64) % 64
    body = (text + " " * pad + "\n").encode("latin1")
    return b"\x93NUMPY" + bytes([version, 0]) + len(body).to_bytes(size, "little") + body


def set_compression_method(blob: bytes, method: int) -> bytes:
    """``blob`` (a zip archive) with every member's compression method field set to
    ``method``, in the local headers and the central directory alike."""
    data = bytearray(blob)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (found := data.find(signature, start)) >= 0:
            data[found + offset : found + offset + 2] = method.to_bytes(2, "little")
            start = found + 4
    return bytes(data)


@pytest.fixture(scope="session")
def hostile_worker():
    worker = Worker()
    yield worker
    worker.close()


@pytest.fixture(scope="session")
def hostile():
    return SimpleNamespace(members=members, npz_bytes=npz_bytes, write_session=write_session,
                           npy_header=npy_header, set_compression_method=set_compression_method,
                           memory_cap_mb=MEMORY_CAP / 2**20)
