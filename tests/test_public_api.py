"""The public Python API: what ``import mlpviz`` offers, that it stays light and Qt-free
until something draws, that snapshot/record/explain leave the session as it was, and that
show() does not block an IPython kernel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import mlpviz
from mlpviz.model.lessons import LessonError

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
import mlpviz
light = sorted(m for m in ("numpy", "PySide6") if m in sys.modules)
names = {name: type(getattr(mlpviz, name)).__name__ for name in mlpviz.__all__}
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6"))
print(json.dumps([light, names, qt]))
"""


def test_import_is_light_and_the_api_loads_no_qt():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    light, names, qt = json.loads(out.stdout)
    assert light == []  # `import mlpviz` alone: neither NumPy nor Qt
    assert names == {"__version__": "str", "Session": "type", "Walkthrough": "type",
                     "open_lesson": "function", "snapshot": "function",
                     "record": "_CallablePackage", "explain": "function",
                     "show": "function"}
    assert qt == []


def test_record_is_the_package_and_records_when_called():
    import mlpviz.record.writer

    assert mlpviz.record is sys.modules["mlpviz.record"] and callable(mlpviz.record)
    assert mlpviz.record.writer is sys.modules["mlpviz.record.writer"]
    assert mlpviz.record.VideoWriter is mlpviz.record.writer.VideoWriter
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        mlpviz.nothing  # noqa: B018


def _state(session) -> tuple:
    return (session.net.get_params().copy(), session.epoch, session.steps,
            session.history.train_loss.copy(), session.rng.bit_generator.state)


def _assert_same(before: tuple, after: tuple) -> None:
    np.testing.assert_array_equal(before[0], after[0])
    assert before[1:3] == after[1:3] and before[4] == after[4]
    np.testing.assert_array_equal(before[3], after[3])


def test_explain_leaves_the_session_as_it_was():
    session = mlpviz.open_lesson("xor")
    session.train(3)
    before = _state(session)
    text = mlpviz.explain(session, steps="train 5;iteration", select="neuron 2:1")
    assert "\nNeuron 1 of layer 2 (output)\n" in text
    _assert_same(before, _state(session))
    assert mlpviz.explain("xor", fmt="markdown").startswith("# Worked numbers")


def test_snapshot_leaves_the_session_as_it_was(qapp, tmp_path):
    session = mlpviz.open_lesson("xor")
    before = _state(session)
    path = mlpviz.snapshot(session, tmp_path / "a.png", steps="train 5;forward",
                           size=(320, 200), view="network")
    assert path == tmp_path / "a.png" and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    _assert_same(before, _state(session))
    assert mlpviz.snapshot("spiral", tmp_path / "b.png", size=(200, 120)).is_file()


def test_open_lesson_refuses_an_unknown_name():
    with pytest.raises(LessonError, match="nope"):
        mlpviz.open_lesson("nope")


def test_html_of_a_regression_and_of_named_classes():
    from mlpviz.engine.datasets import Dataset
    from mlpviz.model.config import DataConfig

    reg = mlpviz.Session(DataConfig(dataset="plane"))
    html = reg._repr_html_()
    assert "regression" in html and "accuracy" not in html
    s = mlpviz.Session()
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [0.0, 2.0]])
    s.set_dataset(Dataset(X, np.array([0, 1, 0, 1]), "binary", 2, "f", ("a<b", "c")),
                  train_fraction=1.0)
    assert "classes a&lt;b, c" in s._repr_html_()


class _Shell:
    def __init__(self, fail: bool = False) -> None:
        self.guis: list[str] = []
        self.fail = fail

    def enable_gui(self, gui: str) -> None:
        if self.fail:
            raise NotImplementedError("no event loop integration")
        self.guis.append(gui)


@pytest.fixture
def no_exec(qapp, monkeypatch):
    """QApplication.exec replaced by a counter (a real one would block the test)."""
    calls: list[int] = []
    monkeypatch.setattr(type(qapp), "exec", lambda self: calls.append(1) or 0)
    return calls


def test_show_under_ipython_does_not_block(no_exec, monkeypatch, qapp):
    import mlpviz.api

    shell = _Shell()
    monkeypatch.setattr(mlpviz.api, "_ipython", lambda: shell)
    session = mlpviz.open_lesson("xor")
    window = mlpviz.show(session)
    try:
        assert shell.guis == ["qt"] and no_exec == []
        assert os.environ.get("QT_API") == "pyside6"
        assert window.isVisible() and window.ctl.session is session
        assert window in mlpviz.api._open_windows
        session.train(5)  # changed from the notebook; modelChanged redraws the window
        window.ctl.modelChanged.emit()
        window.panels.refresh_now()
        assert window.epoch_label.text().startswith("Epoch 5")
    finally:
        window.close()
        window.deleteLater()
        qapp.processEvents()


def test_show_elsewhere_runs_the_event_loop(no_exec, monkeypatch, qapp, capsys):
    import mlpviz.api

    monkeypatch.setattr(mlpviz.api, "_ipython", lambda: None)
    window = mlpviz.show("xor")
    window.close()
    monkeypatch.setattr(mlpviz.api, "_ipython", lambda: _Shell(fail=True))
    other = mlpviz.show()
    other.close()
    assert no_exec == [1, 1]
    assert "blocks until it is closed" in capsys.readouterr().err


@pytest.fixture
def qapp():
    from mlpviz.ui.shell.app import make_app

    return make_app()


def test_repr_png_is_the_bare_diagram_of_a_lesson(qapp):
    """A lesson reserves a caption bar in its videos; the notebook picture has none: its
    bottom rows are the light background, like its top."""
    from PySide6.QtGui import QImage

    session = mlpviz.open_lesson("xor")
    image = QImage.fromData(session._repr_png_(), "PNG")
    assert (image.width(), image.height()) == (800, 450)
    for x in (5, 400, 795):
        assert image.pixelColor(x, 445).lightness() > 230
        assert image.pixelColor(x, 445) == image.pixelColor(5, 5)
