"""examples/teaching.ipynb is a valid notebook without outputs whose code runs as a script,
and what it displays renders: ``_repr_png_`` is a PNG of the network diagram."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "teaching.ipynb"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, checking its signature and the IHDR checksum."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    assert zlib.crc32(data[12:29]) == struct.unpack(">I", data[29:33])[0]
    assert data.endswith(b"IEND\xaeB`\x82")
    return struct.unpack(">II", data[16:24])


def _notebook() -> dict:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def test_the_notebook_is_nbformat_4_without_outputs():
    nb = _notebook()
    assert (nb["nbformat"], nb["nbformat_minor"]) == (4, 5)
    assert nb["metadata"]["kernelspec"]["language"] == "python"
    ids = [cell["id"] for cell in nb["cells"]]
    assert len(set(ids)) == len(ids)
    for cell in nb["cells"]:
        assert cell["cell_type"] in ("markdown", "code")
        assert isinstance(cell["source"], list) and all(isinstance(s, str) for s in cell["source"])
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
            assert set(cell) == {"cell_type", "execution_count", "metadata", "outputs",
                                 "source", "id"}
        else:
            assert set(cell) == {"cell_type", "metadata", "source", "id"}


class _Shell:
    """Stands in for a Jupyter kernel's shell: records %gui qt."""

    def __init__(self) -> None:
        self.guis: list[str] = []

    def enable_gui(self, gui: str) -> None:
        self.guis.append(gui)


def test_the_code_cells_run_as_a_script(qapp, tmp_path, monkeypatch):
    import mlpviz.api

    shell = _Shell()
    monkeypatch.setattr(mlpviz.api, "_ipython", lambda: shell)
    monkeypatch.chdir(tmp_path)
    code = "\n\n".join("".join(cell["source"]) for cell in _notebook()["cells"]
                       if cell["cell_type"] == "code")
    namespace: dict = {"__name__": "__main__"}
    exec(compile(code, str(NOTEBOOK), "exec"), namespace)  # noqa: S102 - our own notebook

    session, walk, window = namespace["session"], namespace["walk"], namespace["window"]
    try:
        assert shell.guis == ["qt"] and window.isVisible()
        assert window.ctl.session is session
        assert png_size(session._repr_png_()) == (800, 450)
        assert png_size(walk._repr_png_()) == (800, 450)
        html = session._repr_html_()
        assert "2-2-1 (sigmoid, sigmoid)" in html
        assert "<th style=\"text-align:left\">epoch</th><td style=\"text-align:left\">300</td>" \
            in html
        assert "Loss (3 of 6)" in walk._repr_html_()
        assert namespace["fruit"].class_names == ("apple", "pear")
        assert png_size((tmp_path / "xor-network.png").read_bytes()) == (640, 360)
        assert (tmp_path / "xor-forward.gif").read_bytes()[:6] == b"GIF89a"
        assert session.epoch == 300  # snapshot, record and explain left it as it was
    finally:
        window.close()
        qapp.processEvents()


@pytest.fixture
def qapp():
    from mlpviz.ui.shell.app import make_app

    return make_app()
