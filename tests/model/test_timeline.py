"""Timeline: a finite, deterministic, indexable sequence of animation frames."""

from __future__ import annotations

import pytest

from mlpviz.model.script import ScriptRunner, parse_script
from mlpviz.model.session import Session
from mlpviz.model.timeline import (
    EASINGS,
    Beat,
    Cue,
    Frame,
    Timeline,
    TimelineError,
    caption_title,
    ease_in_out,
    get_easing,
    reading_seconds,
)
from mlpviz.model.walkthrough import stage_list

STAGES = stage_list(2)  # forward 0, forward 1, loss, backward 1, backward 0, update


def test_length_is_frames_per_stage_times_stages():
    assert len(Timeline(STAGES, frames_per_stage=7)) == 42
    assert len(Timeline([], frames_per_stage=7)) == 0


def test_frames_walk_the_stages_in_order_with_t_from_0_to_1():
    tl = Timeline(STAGES, frames_per_stage=5, easing="linear")
    for s, stage in enumerate(STAGES):
        frames = [tl[s * 5 + k] for k in range(5)]
        assert all(f.stage == stage and f.stage_index == s for f in frames)
        assert [f.t for f in frames] == [0.0, 0.25, 0.5, 0.75, 1.0]
        assert [f.eased for f in frames] == [f.t for f in frames]
    assert tl.start_of(3) == 15 and tl.n_segments == 6


def test_index_past_the_end_raises_index_error():
    tl = Timeline(STAGES, frames_per_stage=3)
    assert tl[-1] == tl[len(tl) - 1]
    with pytest.raises(IndexError):
        tl[len(tl)]
    with pytest.raises(IndexError):
        tl[-len(tl) - 1]
    with pytest.raises(TypeError):
        tl[1.5]  # type: ignore[index]
    with pytest.raises(IndexError):
        tl.start_of(6)


def test_iteration_matches_indexing_and_is_deterministic():
    a = Timeline(STAGES, frames_per_stage=4)
    b = Timeline(STAGES, frames_per_stage=4)
    assert list(a) == [a[i] for i in range(len(a))] == list(b)
    assert [f.index for f in a] == list(range(len(a)))


def test_one_frame_per_stage_shows_the_finished_stage():
    tl = Timeline(STAGES, frames_per_stage=1)
    assert [f.t for f in tl] == [1.0] * 6
    assert [f.eased for f in tl] == [1.0] * 6


def test_eased_values_follow_the_easing():
    tl = Timeline(STAGES[:1], frames_per_stage=5, easing="ease_in_out")
    assert [f.eased for f in tl] == [ease_in_out(f.t) for f in tl]
    assert tl[2].eased == 0.5
    custom = Timeline(STAGES[:1], frames_per_stage=3, easing=lambda t: t**3)
    assert [f.eased for f in custom] == [0.0, 0.125, 1.0]


@pytest.mark.parametrize("name", sorted(EASINGS))
def test_easings_fix_the_endpoints_and_never_go_backwards(name):
    f = get_easing(name)
    assert f(0.0) == 0.0 and f(1.0) == 1.0
    values = [f(i / 100) for i in range(101)]
    assert all(b >= a for a, b in zip(values, values[1:], strict=False))
    assert all(0.0 <= v <= 1.0 for v in values)


def test_ease_in_out_is_symmetric_and_flat_at_the_ends():
    for t in (0.1, 0.25, 0.4):
        assert ease_in_out(t) + ease_in_out(1 - t) == pytest.approx(1.0, abs=1e-15)
    assert ease_in_out(1e-4) < 1e-7


def test_bad_parameters_are_rejected():
    with pytest.raises(TimelineError, match="frames_per_stage"):
        Timeline(STAGES, frames_per_stage=0)
    with pytest.raises(TimelineError, match="easing"):
        Timeline(STAGES, easing="bounce")
    with pytest.raises(TimelineError, match="fps"):
        Timeline.from_actions([], fps=0, sizes=[2, 1])
    with pytest.raises(TimelineError, match="seconds_per_stage"):
        Timeline.from_actions([], seconds_per_stage=-1.0, sizes=[2, 1])


# ---- timelines of scripts --------------------------------------------------------------
def test_script_frames_hold_speed_caption_and_train():
    actions = parse_script(
        "caption Hello\nforward\nhold 1\nspeed 2\ncaption Faster\nforward\ntrain 10\ncaption"
    )
    tl = Timeline.from_actions(actions, fps=10, seconds_per_stage=0.6, sizes=[2, 2, 1],
                               seconds_per_train=2.0, reading=False)
    # forward 6 frames, hold 10, forward (speed 2) 3, train 20 / 2 = 10 frames
    assert len(tl) == 6 + 10 + 3 + 10
    assert tl.fps == 10 and tl.frames_per_stage == 6 and tl.seconds == 2.9
    first = tl[0]
    assert first.stage == STAGES[0] and first.caption == "Hello" and first.t == 0.0
    assert first.action.kind == "forward" and first.action.line == 2
    assert tl[5].t == 1.0 and tl[5].stage == STAGES[0]
    hold = [tl[i] for i in range(6, 16)]
    assert all(f.stage is None and f.action.kind == "hold" for f in hold)
    assert [f.t for f in hold][:2] == [0.0, 1 / 9] and hold[-1].t == 1.0
    second = [tl[i] for i in range(16, 19)]
    assert all(f.stage == STAGES[1] and f.caption == "Faster" for f in second)
    train = [tl[i] for i in range(19, 29)]
    assert [f.epoch for f in train] == list(range(1, 11))
    assert [f.t for f in train] == [k / 10 for k in range(1, 11)]
    # each training frame waits for exactly its epoch event
    assert [f.event_index for f in train] == [train[0].event_index + k for k in range(10)]
    assert train[-1].caption == "Faster"


def test_training_frames_spread_many_epochs_evenly():
    tl = Timeline.from_actions(parse_script("train 300"), fps=10, sizes=[2, 2, 1],
                               seconds_per_train=1.0)
    assert len(tl) == 10
    assert [f.epoch for f in tl] == list(range(30, 301, 30))
    assert tl[-1].event_index == 299


def test_a_stage_frame_knows_its_stage_and_action_in_an_iteration():
    tl = Timeline.from_actions(parse_script("iteration"), fps=5, seconds_per_stage=0.4,
                               sizes=[2, 2, 1])
    assert len(tl) == 6 * 2
    assert [tl[2 * i].stage for i in range(6)] == STAGES
    assert {f.action.kind for f in tl} == {"iteration"}
    assert [tl[2 * i].event_index for i in range(6)] == list(range(6))


def test_recorder_walk_keeps_the_session_in_step_with_the_frames():
    session = Session()
    runner = ScriptRunner(session, "caption Go\niteration\ntrain 3\nforward")
    tl = Timeline.from_events(runner.events, fps=5, seconds_per_stage=0.4,
                              seconds_per_train=1.0)
    seen_epochs = []
    for frame in tl:
        runner.run_until(frame.event_index)
        if frame.stage is not None:
            assert runner.walkthrough.stage == frame.stage
        elif frame.action.kind == "train":
            seen_epochs.append(session.epoch)
        assert runner.caption == frame.caption == "Go"
    assert seen_epochs == [1, 2, 2, 3, 3]
    assert runner.done


def test_frame_is_a_plain_value():
    f = Frame(0, 0, None, 0.5, 0.5)
    assert f.caption == "" and f.action is None and f.event_index == -1 and f.epoch == 0


# ---- reading time, cues and beats ------------------------------------------------------
def _timeline(script: str, **kw) -> Timeline:
    kw.setdefault("fps", 10)
    return Timeline.from_actions(parse_script(script), seconds_per_stage=0.6,
                                 sizes=[2, 2, 1], seconds_per_train=2.0, **kw)


def test_reading_seconds_is_the_longer_of_the_minimum_and_the_words():
    assert reading_seconds("") == 0.0 and reading_seconds("  ") == 0.0
    assert reading_seconds("one two three") == 2.5
    assert reading_seconds(" ".join(["w"] * 20)) == pytest.approx(7.0)


def test_a_short_caption_gets_a_still_pause_before_the_next_caption():
    # "Hello" (1 word: 2.5 s = 25 frames) is on screen for one forward stage (6 frames)
    tl = _timeline("caption Hello\nforward\ncaption Next\nforward\nhold 3")
    assert len(tl) == 25 + 6 + 30
    assert [tl[i].caption for i in (0, 24, 25)] == ["Hello", "Hello", "Next"]
    assert tl[5].stage == STAGES[0] and tl[5].t == 1.0
    pause = [tl[i] for i in range(6, 25)]
    assert all(f.stage is None and f.caption == "Hello" for f in pause)
    assert all(f.action.kind == "caption" and f.action.args == ("Hello",) for f in pause)
    # the pause shows the state right before the caption change: the first forward done
    assert {f.event_index for f in pause} == {tl[5].event_index}
    assert tl[25].stage == STAGES[1] and tl[25].t == 0.0


def test_long_captions_get_time_per_word_and_the_end_of_the_script_counts():
    words = " ".join(f"w{i}" for i in range(20))  # 20 words: 7 s = 70 frames
    tl = _timeline(f"caption {words}\nforward\nhold 2")
    assert len(tl) == 70
    assert tl[26].action.kind == "caption" and tl[69].caption == words
    runner = ScriptRunner(Session(), f"caption {words}\nforward\nhold 2")
    tl = Timeline.from_events(runner.events, fps=10)
    runner.run_until(tl[-1].event_index)
    assert runner.done  # the final pause waits for the whole script


def test_frames_after_the_caption_count_so_long_holds_add_nothing():
    assert len(_timeline("caption Hello\nhold 3\ncaption Bye\nhold 2.5")) == 55


def test_a_caption_replaced_at_once_still_gets_its_reading_time():
    tl = _timeline("caption First\ncaption Second\nforward")
    assert [tl[i].caption for i in (0, 24, 25)] == ["First", "First", "Second"]
    assert len(tl) == 50


def test_clearing_a_caption_ends_it_and_the_empty_caption_gets_no_pause():
    tl = _timeline("caption Hi\nforward\ncaption\nforward")
    assert len(tl) == 25 + 6
    assert tl[25].caption == "" and tl[25].stage == STAGES[1]


def test_reading_off_in_the_script_times_captions_exactly_and_on_restores_it():
    tl = _timeline("reading off\ncaption Quick\nforward\nreading on\ncaption Slow\nforward")
    assert len(tl) == 6 + 25
    assert tl[5].caption == "Quick" and tl[6].caption == "Slow"
    never = _timeline("reading off\ncaption Unseen\ncaption Seen\nforward")
    assert {f.caption for f in never} == {"Seen"}
    assert len(_timeline("caption Hello\nforward", reading=False)) == 6


def test_cues_give_the_frames_each_caption_is_on_screen_in_seconds():
    tl = _timeline("forward\ncaption Hello there\nforward\nhold 3\ncaption\nloss\n"
                   "caption Again\ntrain 5\ncaption Again\nhold 1")
    cues = tl.cues()
    assert cues == [Cue(0.6, 4.2, "Hello there"), Cue(4.8, 7.8, "Again")]
    for cue in cues:  # the frames inside a cue show its text, the ones around do not
        first, end = round(cue.start_s * tl.fps), round(cue.end_s * tl.fps)
        assert {tl[i].caption for i in range(first, end)} == {cue.text}
        assert tl[first - 1].caption != cue.text
        assert end == len(tl) or tl[end].caption != cue.text
        assert cue.end_s - cue.start_s >= reading_seconds(cue.text)


def test_beats_start_at_each_caption_change_titled_by_caption_or_stage():
    tl = _timeline("forward\ncaption Forward, layer 2. The output neuron does the same.\n"
                   "forward\ncaption\nhold 1\ntrain 5\ncaption\nhold 1")
    assert tl.beats() == [Beat(0.0, "Forward: layer 1"), Beat(0.6, "Forward, layer 2"),
                          Beat(3.8, "Training: 5 epochs")]
    only_holds = _timeline("hold 1\ncaption Go\nhold 3")
    assert only_holds.beats() == [Beat(0.0, "Start"), Beat(1.0, "Go")]
    with pytest.raises(TimelineError, match="fps"):
        Timeline(STAGES).beats()
    assert Timeline(STAGES).cues() == []


def test_caption_titles_are_short():
    assert caption_title("Update. Every weight takes a small step.") == "Update"
    assert caption_title("XOR is 1 when exactly one input is 1. The two classes sit") == (
        "XOR is 1 when exactly one input is 1")
    assert caption_title("Training repeats that step over mini-batches of ten samples, "
                         "watch it bend") == "Training repeats that step over mini-batches…"
    assert caption_title("η = 0.5 keeps steps small") == "η = 0.5 keeps steps small"
