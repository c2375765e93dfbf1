"""Guard against PySide6 6.12.0 on Python < 3.12 (FACTS.md): every binding call that returns
None drops a reference to None, and after a few thousand calls the process dies with
``Fatal Python error: none_dealloc``. Small suites pass, so this test makes the leak visible.
"""

import sys

import PySide6
from PySide6 import QtCore

CALLS = 20_000
OLD_PYTHON = sys.version_info < (3, 12)  # from 3.12 on None is immortal


def test_pyside6_is_not_the_crashing_6_12_series_on_old_python():
    version = tuple(int(part) for part in PySide6.__version__.split(".")[:2])
    if OLD_PYTHON:
        assert version != (6, 12), (
            f"PySide6 {PySide6.__version__} leaks references to None on Python "
            f"{sys.version.split()[0]}; install PySide6-Essentials>=6.11.3,<6.12"
        )
    assert version >= (6, 11)


def test_none_returning_calls_keep_none_alive(qapp):
    obj = QtCore.QObject()
    before = sys.getrefcount(None)
    for i in range(CALLS):
        obj.setObjectName("neuron" if i % 2 else "edge")
    after = sys.getrefcount(None)
    assert obj.objectName() == "neuron"
    if OLD_PYTHON:
        # a leaking binding would drop it by CALLS; allow a little unrelated churn
        assert after > before - 100, f"refcount of None fell from {before} to {after}"
