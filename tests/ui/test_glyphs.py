"""Every character the app draws exists in DejaVu Sans (the common Linux fallback font),
so no symbol renders as an empty box: checked over the transport's run/pause labels and
over every non-ASCII character in the sources and lessons."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QFont, QFontDatabase, QRawFont

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def dejavu(qapp) -> QRawFont:
    if "DejaVu Sans" not in QFontDatabase.families():
        pytest.skip("DejaVu Sans is not installed")
    raw = QRawFont.fromFont(QFont("DejaVu Sans", 12))
    assert raw.familyName() == "DejaVu Sans"
    return raw


def missing(raw: QRawFont, text: str) -> set[str]:
    return {ch for ch in text if ord(ch) > 127 and not raw.supportsCharacter(ord(ch))}


def test_run_and_pause_labels_have_their_glyphs(window, dejavu):
    t = window.transport
    window.ctl.run()
    assert t.run_action.text().startswith("Pause")
    assert missing(dejavu, t.run_action.text()) == set()
    window.ctl.pause()
    assert missing(dejavu, t.run_action.text()) == set()


def test_no_source_or_lesson_uses_a_symbol_dejavu_lacks(dejavu):
    files = [*ROOT.joinpath("mlpviz").rglob("*.py"), *ROOT.joinpath("resources").rglob("*.json")]
    bad = {str(f.relative_to(ROOT)): missing(dejavu, f.read_text(encoding="utf-8"))
           for f in files}
    assert {f: chars for f, chars in bad.items() if chars} == {}
