"""SubRip subtitles: times to the millisecond that never shorten a cue, numbered cues,
captions kept on one line, atomic writes that leave nothing behind on failure."""

import os

import pytest

from mlpviz.record import RecordError
from mlpviz.record.subtitles import srt_text, srt_time, subtitles_path, write_srt


def test_times_are_hours_minutes_seconds_and_milliseconds():
    assert srt_time(0) == "00:00:00,000"
    assert srt_time(3723.5) == "01:02:03,500"
    assert srt_time(59.9999) == "00:00:59,999"
    assert srt_time(59.9999, up=True) == "00:01:00,000"
    assert srt_time(2 / 3) == "00:00:00,666" and srt_time(2 / 3, up=True) == "00:00:00,667"
    assert srt_time(0.1 + 0.2, up=True) == "00:00:00,300"  # float noise does not round up


def test_cues_are_numbered_with_start_and_end_and_blank_lines_between():
    text = srt_text([(0.0, 2.5, "Hello"), (2.5, 1 / 3 + 5, "two\n\nparagraphs  here")])
    assert text == ("1\n00:00:00,000 --> 00:00:02,500\nHello\n\n"
                    "2\n00:00:02,500 --> 00:00:05,334\ntwo paragraphs here\n")
    assert srt_text([]) == ""
    # at 30 fps, cues that follow each other meet exactly
    assert srt_text([(0, 452 / 30, "a"), (452 / 30, 527 / 30, "b")]).split("\n")[5] == (
        "00:00:15,067 --> 00:00:17,567")


def test_write_srt_is_utf8_next_to_the_video_and_leaves_no_temporary_file(tmp_path):
    path = subtitles_path(tmp_path / "lesson.mp4")
    assert path == tmp_path / "lesson.srt"
    assert write_srt(path, [(0.0, 3.0, "∂L/∂w = δ · x")]) == path
    assert "∂L/∂w = δ · x" in path.read_text(encoding="utf-8")
    assert os.listdir(tmp_path) == ["lesson.srt"]


def test_a_failed_write_says_why_in_one_line_and_leaves_nothing(tmp_path):
    with pytest.raises(RecordError, match="cannot write .*missing"):
        write_srt(tmp_path / "missing" / "x.srt", [(0.0, 1.0, "a")])
    (tmp_path / "taken.srt").mkdir()  # the rename onto the target fails
    with pytest.raises(RecordError, match="cannot write .*taken.srt") as info:
        write_srt(tmp_path / "taken.srt", [(0.0, 1.0, "a")])
    assert "\n" not in str(info.value)
    assert sorted(os.listdir(tmp_path)) == ["taken.srt"]  # no temporary file left
