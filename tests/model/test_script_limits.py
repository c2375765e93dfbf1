"""A script's size and total work are bounded before anything runs, errors name the line
and quote little of it, and only \\n, \\r\\n and \\r end a line."""

from __future__ import annotations

import tracemalloc

import pytest

from mlpviz.model import script
from mlpviz.model.script import ScriptError, parse_script, plan_events
from mlpviz.model.timeline import Timeline

SIZES = [2, 2, 1]


def error(text: str) -> ScriptError:
    with pytest.raises(ScriptError) as info:
        parse_script(text)
    return info.value


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x85"])
def test_other_unicode_line_separators_do_not_shift_line_numbers(separator):
    text = f"forward{separator}\ncaption a{separator}b\n\nfly"
    assert error(text).line == 4 and str(error(text)).startswith("line 4: ")
    assert [a.line for a in parse_script(text.replace("fly", "loss"))] == [1, 2, 4]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_every_usual_line_ending_counts_one_line(ending):
    assert error(ending.join(["forward", "", "# note", "fly"])).line == 4


@pytest.mark.parametrize("digits", [21, 4_301, 100_000])
def test_a_number_of_thousands_of_digits_names_line_and_token(digits):
    exc = error(f"forward\ntrain {'7' * digits}")
    assert exc.line == 2 and f"{digits} digits" in str(exc)
    assert len(exc.token) <= 60 and "7" * 61 not in str(exc)


def test_a_long_selection_number_is_refused_with_its_line():
    exc = error("select neuron 1:" + "9" * 5000)
    assert exc.line == 1 and "too long" in str(exc) and len(str(exc)) < 200


def test_captions_have_a_length_limit():
    assert parse_script("caption " + "x" * script.MAX_CAPTION)[0].args[0] == "x" * 500
    exc = error("forward\ncaption " + "x" * 100_000)
    assert exc.line == 2 and "at most 500 characters" in str(exc) and "100000" in str(exc)
    assert len(str(exc)) < 200


@pytest.mark.parametrize("text, line, needle", [
    ("train 100000\n" * 10 + "train 1", 11, "more than 1,000,000 epochs"),
    ("hold 600\n" * 6 + "hold 0.5", 7, "more than 3600 seconds"),
    ("forward;loss;" * 5_000 + "\nupdate", 2, "at most 10,000 actions"),
])
def test_a_scripts_total_work_is_bounded_naming_the_line(text, line, needle):
    exc = error(text)
    assert exc.line == line and needle in str(exc)


def test_a_script_of_200_long_trainings_is_refused_at_once():
    exc = error("train 100000\n" * 200)
    assert exc.line == 11  # the first line past the limit: nothing was planned


def test_a_script_longer_than_the_limit_is_refused_before_parsing():
    exc = error("forward\n" * (script.MAX_SCRIPT_CHARS // 8 + 1))
    assert "at most 1,000,000 characters" in str(exc)


def test_the_largest_allowed_training_plans_in_little_memory():
    tracemalloc.start()
    try:
        plan = plan_events(parse_script("train 100000\n" * 10), SIZES)
        timeline = Timeline.from_events(plan, fps=30)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(plan) == 1_000_000 and len(timeline) == 10 * 60
    assert peak < 2**20
    last = plan[-1]
    assert (last.index, last.epoch, last.action_index) == (999_999, 100_000, 9)
    assert [e.epoch for e in plan[99_998:100_002]] == [99_999, 100_000, 1, 2]


def test_a_video_past_the_frame_limit_is_refused_naming_the_line():
    plan = plan_events(parse_script("speed 0.1\n" + "iteration\n" * 800), SIZES)
    with pytest.raises(ScriptError, match=r"^line \d+: the video would pass 500,000 frames"):
        Timeline.from_events(plan, fps=120)
    assert len(Timeline.from_events(plan, fps=10)) < script.MAX_FRAMES


def test_plan_slices_read_the_same_events():
    plan = plan_events(parse_script("forward\ntrain 5\ncaption hi\ntrain 3\nloss"), SIZES)
    events = list(plan)
    assert [e.index for e in events] == list(range(len(plan)))
    assert list(plan[2:9]) == events[2:9] and list(plan[::3]) == events[::3]
    assert plan[-1] == events[-1] and list(plan.heads())[1].epoch == 1
