"""Session files an outside checker would try: arrays whose header lies about their size."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mlpviz.model import sessionfile
from mlpviz.model.session import Session
from mlpviz.model.sessionfile import SessionFileError


def _npy_header(shape: tuple[int, ...]) -> bytes:
    """A version 1.0 .npy header for float64 data of ``shape`` (no data follows)."""
    text = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape!r}, }}"
    text += " " * (118 - len(text)) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin1")


def _file_with_lying_params(path: Path, shape: tuple[int, ...]) -> None:
    state, arrays = sessionfile.encode(Session.from_lesson("xor").snapshot())
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as npz:
        for key, value in arrays.items():
            buf = io.BytesIO()
            np.save(buf, value)
            npz.writestr(f"{key}.npy", _npy_header(shape) if key == "params" else buf.getvalue())
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("session.json", json.dumps(state))
        archive.writestr("arrays.npz", inner.getvalue())


@pytest.mark.parametrize("shape", [(10**11,), (3_000, 3_000, 3_000), (2_000_000,)])
def test_an_array_header_declaring_more_data_than_the_file_holds_is_refused(tmp_path, shape):
    path = tmp_path / "liar.mlpviz"
    _file_with_lying_params(path, shape)
    with pytest.raises(SessionFileError, match="'params'.*declares"):
        Session.load(path)
