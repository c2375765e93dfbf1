"""docs/python-api.md's code runs: its Python blocks (the PyTorch ones only with torch),
with the files they name made first, in a temporary folder."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "python-api.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_doc_names_every_public_function():
    import mlpviz

    text = DOC.read_text(encoding="utf-8")
    for name in mlpviz.__all__:
        if name != "__version__":
            assert f"mlpviz.{name}" in text or f"`{name}" in text, name


def test_the_code_blocks_run(tmp_path, monkeypatch):
    import mlpviz.api

    monkeypatch.chdir(tmp_path)
    blocks = _blocks()
    assert len(blocks) == 4
    first, csv_block, torch_block, saved_block = blocks
    # show() would open a window and run an event loop; here it only records the call
    shown = []
    monkeypatch.setattr(mlpviz.api, "show", lambda session=None, block=None: shown.append(1))
    monkeypatch.setattr(mlpviz, "show", mlpviz.api.show)
    ns: dict = {}
    exec(first.replace('mlpviz.record(session, "xor.mp4")',  # noqa: S102
                       'mlpviz.record(session, "xor.gif", "forward", size=(160, 90), fps=25)'),
         ns)
    assert shown == [1] and (tmp_path / "xor.png").is_file() and (tmp_path / "xor.gif").is_file()
    Path("fruit.csv").write_text("x1,x2,label\n0,0,apple\n1,1,pear\n", encoding="utf-8")
    Path("animals.csv").write_text("height,width,weight,kind\n1,2,3,cat\n2,3,1,dog\n"
                                   "3,1,2,cat\n", encoding="utf-8")
    exec(csv_block, ns)  # noqa: S102
    assert ns["session"].class_names == ("cat", "dog") and ns["other"].net.sizes[0] == 3
    if importlib.util.find_spec("torch") is None:
        pytest.skip("torch is not installed: the PyTorch examples were not run")
    import torch

    X = np.random.default_rng(0).normal(size=(30, 2))
    exec("import torch\n" + torch_block.replace(", X, Y)", ", X, np.eye(3)[Y])"),  # noqa: S102
         {**ns, "torch": torch, "np": np, "X": X, "Y": np.arange(30) % 3})
    ns2: dict = {"torch": torch, "mlpviz": ns["mlpviz"]}
    exec(torch_block.split("session =")[0], ns2)  # noqa: S102 - defines model
    Path("model.json").write_text('{"activations": ["tanh", "softmax"], '
                                  '"loss": "cross_entropy"}', encoding="utf-8")
    exec(saved_block, ns2)  # noqa: S102
    assert ns2["session"].net.sizes == [2, 8, 3]
