"""Error messages an outsider reads: a malformed selection names its form in good English."""

from __future__ import annotations

import pytest

from mlpviz.model.notation.explain import ExplainError, explain
from mlpviz.model.script import ScriptError, parse_script
from mlpviz.model.session import Session


def test_a_malformed_edge_selection_reads_an_edge():
    with pytest.raises(ExplainError, match=r"^an edge is written L:I:J"):
        explain(Session.from_lesson("xor"), select=("edge", "1:1"))
    with pytest.raises(ExplainError, match=r"^a neuron is written L:I"):
        explain(Session.from_lesson("xor"), select=("neuron", "a:b"))


def test_a_malformed_edge_in_a_script_reads_an_edge():
    with pytest.raises(ScriptError, match=r"an edge is written L:I:J"):
        parse_script("forward\nselect edge 1:1")
