"""The command behaves in a pipeline and explains itself: a reader that closes the pipe
early is no error, and every subcommand's --help has a description and examples (record's
lists every script action)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mlpviz.cli import SUBCOMMANDS, main
from mlpviz.model.script import COMMANDS, parse_script


def _run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``mlpviz ARGS`` with stdout a pipe whose reader is already gone (as after
    ``| head -1``), so the first write fails with EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "mlpviz", *args], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=120,
                              env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    finally:
        os.close(write_end)


@pytest.mark.parametrize("args", [("lessons",), ("explain", "xor", "--format", "markdown")])
def test_a_closed_pipe_is_quiet_and_exits_0(args):
    proc = _run_into_closed_pipe(*args)
    assert (proc.returncode, proc.stderr) == (0, "")


def test_lessons_into_head_prints_one_line_and_exits_0():
    proc = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m mlpviz lessons | head -1; '
                       'echo "status ${PIPESTATUS[0]}"'],
        capture_output=True, text=True, timeout=120)
    from mlpviz.model.lessons import list_lessons

    first = list_lessons()[0]
    assert proc.stdout.splitlines() == [f"{first.name} — {first.title}", "status 0"]
    assert proc.stderr == ""


def _help(capsys, *args: str) -> str:
    try:
        code = main([*args, "--help"])
    except SystemExit as exc:
        code = exc.code
    assert code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_help_has_a_description_and_examples(capsys, command):
    text = _help(capsys, command)
    usage, description = text.split("\n\n")[:2]
    assert usage.startswith(f"usage: mlpviz {command}")
    assert len(description.split()) >= 12, description
    examples = text.split("examples:\n", 1)[1].splitlines()
    assert len(examples) >= 2
    assert all(line.startswith(f"  mlpviz {command}") or line.startswith("      ")
               for line in examples if line.strip())


def test_record_help_lists_every_script_action(capsys):
    text = _help(capsys, "record")
    actions = text.split("\nscript actions (", 1)[1].split("examples:")[0]
    listed = {line.split()[0] for line in actions.splitlines()[1:]
              if line.startswith("  ") and not line.startswith("     ")}
    assert listed == set(COMMANDS)
    for form in ("train N", "hold SECONDS", "caption TEXT", "select neuron L:I",
                 "select edge L:I:J", "select none", "sample K", "speed X",
                 "reading off|on"):
        assert f"  {form} " in actions, form


def test_record_help_examples_use_valid_scripts(capsys):
    text = _help(capsys, "record")
    examples = text.split("examples:\n", 1)[1]
    scripts = [part.split('"')[1] for part in examples.split("--steps ")[1:]]
    assert len(scripts) == 2
    for script in scripts:
        assert parse_script(script)


def test_top_level_help_has_examples(capsys):
    text = _help(capsys)
    assert "examples:" in text and "COMMAND --help" in text
