"""Scripts: parsing with errors that name line and token, planning, headless running."""

from __future__ import annotations

import numpy as np
import pytest

from mlpviz.engine import DivergenceError
from mlpviz.model.config import NetConfig, TrainConfig
from mlpviz.model.script import (
    Action,
    ScriptError,
    ScriptRunner,
    Selection,
    parse_script,
    plan_events,
)
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Stage, stage_list


# ---- parsing ---------------------------------------------------------------------------
def test_semicolons_newlines_comments_and_blank_lines():
    text = "# a lesson\nforward; forward  # two layers\n\n  LOSS ;backward;\nupdate"
    actions = parse_script(text)
    assert [(a.kind, a.line) for a in actions] == [
        ("forward", 2), ("forward", 2), ("loss", 4), ("backward", 4), ("update", 5)
    ]
    assert all(a.args == () for a in actions)


def test_every_command_and_its_arguments():
    text = (
        "iteration\ntrain 25\nhold 1.5\nhold .5\ncaption  The loss is L = (ŷ − y)²  \n"
        "select neuron 1:2\nselect edge 2:1:3\nselect none\nsample 7\nspeed 0.5\ncaption\n"
        "reading OFF\nreading on"
    )
    got = [(a.kind, a.args) for a in parse_script(text)]
    assert got == [
        ("iteration", ()),
        ("train", (25,)),
        ("hold", (1.5,)),
        ("hold", (0.5,)),
        ("caption", ("The loss is L = (ŷ − y)²",)),
        ("select", (Selection("neuron", 1, 2),)),
        ("select", (Selection("edge", 2, 1, 3),)),
        ("select", (None,)),
        ("sample", (7,)),
        ("speed", (0.5,)),
        ("caption", ("",)),
        ("reading", (False,)),
        ("reading", (True,)),
    ]


def test_quoted_captions_may_hold_semicolons_hashes_and_quotes():
    actions = parse_script('caption "first; second # not a comment \\"quoted\\" \\\\"; forward')
    assert actions[0] == Action("caption", ('first; second # not a comment "quoted" \\',), 1)
    assert actions[1].kind == "forward"


def test_selection_numbering_follows_seed():
    edge = Selection("edge", 1, 2, 1)
    assert (edge.weight_layer, edge.row, edge.col, edge.text) == (0, 1, 0, "edge 1:2:1")
    neuron = Selection("neuron", 0, 2)
    assert (neuron.weight_layer, neuron.row, neuron.col) == (None, 1, None)
    assert Selection("neuron", 2, 1).weight_layer == 1


@pytest.mark.parametrize(
    ("text", "line", "token", "words"),
    [
        ("forward\nforwrd", 2, "forwrd", "unknown command"),
        ("train abc", 1, "abc", "whole number"),
        ("train 0", 1, "0", "1..100000"),
        ("train 2.5", 1, "2.5", "whole number"),
        ("train", 1, "train", "exactly one value"),
        ("train 1 2", 1, "1 2", "exactly one value"),
        ("\n\nhold 0", 3, "0", "more than 0"),
        ("hold -1", 1, "-1", "a number"),
        ("hold 1000", 1, "1000", "0..600"),
        ("speed 0", 1, "0", "0.1..10"),
        ("speed fast", 1, "fast", "a number"),
        ("sample -1", 1, "-1", "whole number"),
        ("forward 2", 1, "2", "no arguments"),
        ("select neuron 1", 1, "1", "L:I"),
        ("select edge 1:2", 1, "1:2", "L:I:J"),
        ("select neuron a:1", 1, "a:1", "whole numbers"),
        ("select layer 1:1", 1, "layer 1:1", "bad selection"),
        ("select", 1, "select", "bad selection"),
        ('caption "open', 1, 'caption "open', "not closed"),
        ("reading slow", 1, "slow", "on or off"),
        ("reading", 1, "reading", "exactly one value"),
        ('caption "a" b', 1, '"a" b', "after a quoted caption"),
    ],
)
def test_parse_errors_name_the_line_and_the_token(text, line, token, words):
    with pytest.raises(ScriptError) as info:
        parse_script(text)
    err = info.value
    assert (err.line, err.token) == (line, token)
    assert str(err).startswith(f"line {line}: ")
    assert words in str(err)


def test_a_script_must_be_text():
    with pytest.raises(ScriptError, match="must be text"):
        parse_script(["forward"])  # type: ignore[arg-type]


# ---- planning --------------------------------------------------------------------------
S = stage_list(2)
SIZES = [2, 2, 1]


def stages_of(text, sizes=SIZES):
    return [(e.stage, e.new_walkthrough) for e in plan_events(parse_script(text), sizes)
            if e.stage is not None]


def test_each_stage_command_takes_its_stage():
    got = stages_of("forward; forward; loss; backward; backward; update")
    assert got == [(S[0], True)] + [(s, False) for s in S[1:]]


def test_backward_takes_pending_forward_layers_and_the_loss_first():
    assert [s for s, _ in stages_of("forward; backward")] == S[:4]
    assert [s for s, _ in stages_of("backward; backward")] == S[:5]


def test_update_and_iteration_complete_the_iteration():
    assert [s for s, _ in stages_of("forward; update")] == S
    assert [s for s, _ in stages_of("iteration")] == S
    assert [s for s, _ in stages_of("forward; forward; iteration")] == S


def test_a_stage_command_after_an_update_starts_a_new_iteration():
    got = stages_of("iteration; forward; iteration")
    assert [s for s, _ in got] == S + S
    assert [new for _, new in got] == [True] + [False] * 5 + [True] + [False] * 5


def test_train_and_sample_drop_an_unfinished_iteration():
    got = stages_of("forward; train 2; forward; sample 1; forward")
    assert got == [(S[0], True)] * 3


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("forward\nforward\nforward", 3, "forward pass is already complete"),
        ("loss\n# again\nloss", 3, "already computed"),
        ("backward; backward\nbackward", 2, "already backpropagated"),
        ("select neuron 3:1", 1, "layers are 0..2"),
        ("select neuron 1:3", 1, "neurons 1..2"),
        ("select neuron 0:0", 1, "neurons 1..2"),
        ("select edge 0:1:1", 1, "W1..W2"),
        ("select edge 2:2:1", 1, "rows 1..1"),
        ("select edge 2:1:3", 1, "columns 1..2"),
        ("forward\nsample 100", 2, "100 training samples"),
    ],
)
def test_plan_errors_name_the_line(text, line, words):
    with pytest.raises(ScriptError) as info:
        plan_events(parse_script(text), SIZES, n_samples=100)
    assert info.value.line == line
    assert str(info.value).startswith(f"line {line}: ") and words in str(info.value)


def test_events_carry_the_state_after_them():
    events = plan_events(parse_script(
        "caption One\nselect edge 1:1:2\nspeed 2\nsample 4\nforward\ntrain 3\ncaption\nhold 1"
    ), SIZES)
    assert [e.index for e in events] == list(range(len(events)))
    fwd = next(e for e in events if e.stage is not None)
    assert (fwd.caption, fwd.selection, fwd.speed, fwd.sample) == (
        "One", ("edge", 0, 0, 1), 2.0, 4)
    assert [e.epoch for e in events if e.action.kind == "train"] == [1, 2, 3]
    assert events[-1].caption == "" and events[-1].action.kind == "hold"
    assert events[-1].action_index == 7
    assert all(e.reading for e in events)
    events = plan_events(parse_script("reading off\ncaption A\nreading on\nforward"), SIZES)
    assert [e.reading for e in events] == [False, False, True, True]


# ---- running ---------------------------------------------------------------------------
def test_runner_steps_a_walkthrough_and_finishes_it_like_the_engine():
    session = Session()
    reference = Session()
    x, y = reference.sample(5)
    net = reference.net
    net.step(net.backward(net.forward(x), y), reference.optimizer)

    runner = ScriptRunner(session, "sample 5\nforward\nforward\nbackward\nupdate")
    runner.step()
    assert runner.sample == 5 and runner.walkthrough is None
    runner.step()
    assert runner.walkthrough.stage == Stage("forward", 0)
    assert runner.walkthrough.sample_index == 5
    runner.run_until(3)  # forward(1), then backward takes the loss before backward(1)
    assert runner.walkthrough.stage == Stage("loss")
    ran = runner.run_all()
    assert [e.stage for e in ran] == [Stage("backward", 1), Stage("backward", 0), Stage("update")]
    assert runner.done and runner.step() is None
    assert session.net.params.tobytes() == reference.net.params.tobytes()
    assert session.steps == 1


def test_runner_trains_selects_and_captions():
    session = Session()
    runner = ScriptRunner(session, "caption Train!\nselect neuron 1:2\ntrain 4\nspeed 3")
    runner.run_all()
    assert session.epoch == 4 and len(session.history.epochs) == 4
    assert runner.caption == "Train!"
    assert runner.selection == ("neuron", 0, 1)
    assert runner.speed == 3.0
    assert runner.last_event.action.kind == "speed"


def test_runner_checks_the_whole_script_against_the_session_up_front():
    session = Session()
    params = session.net.get_params()
    with pytest.raises(ScriptError, match="line 2: 'select neuron 2:2'"):
        ScriptRunner(session, "train 5\nselect neuron 2:2")
    with pytest.raises(ScriptError, match="training samples"):
        ScriptRunner(session, f"sample {len(session.X_train)}")
    assert session.epoch == 0 and np.array_equal(session.net.params, params)


def test_divergence_propagates_with_the_script_line():
    session = Session(net=NetConfig(hidden=(4,), activation="relu", output="linear"),
                      train=TrainConfig(learning_rate=1e8))
    runner = ScriptRunner(session, "caption go\ntrain 50")
    with pytest.raises(DivergenceError) as info:
        runner.run_all()
    assert "script line 2: train" in info.value.__notes__
