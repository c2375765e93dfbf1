"""`mlpviz record` as a user runs it: videos that decode to the script's timeline, one-line
errors with exit status 1 and no partial file, a progress bar only on a terminal, Ctrl-C."""

import os
import pty
import re
import signal
import subprocess
import sys
import time

import av
import numpy as np
import pytest

from mlpviz.model.captions import UNKNOWN, parse_template
from mlpviz.model.lessons import load_lesson
from mlpviz.model.script import ScriptRunner, parse_script
from mlpviz.model.session import Session
from mlpviz.model.timeline import Timeline, reading_seconds
from mlpviz.ui.video.frame_renderer import SECONDS_PER_STAGE, SECONDS_PER_TRAIN

SMALL = ["--size", "320x180", "--fps", "10", "--view", "network"]


def command(*args):
    return [sys.executable, "-m", "mlpviz", "record", *args]


def env():
    return dict(os.environ, QT_QPA_PLATFORM="offscreen")


def run(*args, timeout=180):
    return subprocess.run(command(*args), capture_output=True, text=True, env=env(),
                          timeout=timeout)


def assert_one_line_error(proc, *needles):
    assert proc.returncode == 1, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mlpviz: error: ")
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def frames_of(path):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        count = sum(1 for _ in container.decode(stream))
        return stream.codec_context.name, stream.codec_context.width, \
            stream.codec_context.height, count


def test_record_steps_to_mp4_quietly(out):
    path = out / "take.mp4"
    proc = run("xor", "-o", str(path), "--steps", "forward;forward;loss", *SMALL)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and proc.stdout == ""  # no progress bar when not a terminal
    expected = len(Timeline.from_actions(parse_script("forward;forward;loss"), 10,
                                         sizes=[2, 2, 1]))
    assert frames_of(path) == ("h264", 320, 180, expected)
    assert sorted(p.name for p in out.iterdir()) == ["take.mp4"]


def test_record_script_file_to_gif(out):
    script = out / "take.txt"
    script.write_text("# a short take\ncaption Forward\nforward\n", encoding="utf-8")
    path = out / "take.gif"
    proc = run("xor", "-o", str(path), "--script", str(script), "--size", "320x180",
               "--fps", "25", "--view", "plots", "--theme", "dark", "--no-captions")
    assert proc.returncode == 0, proc.stderr
    # the 15 frames of the forward stage, then the caption's reading time: 2.5 s in all
    assert frames_of(path) == ("gif", 320, 180, 63)


@pytest.mark.parametrize(
    "args, needles",
    [
        (["-o", "{out}/x.avi"], ["x.avi", ".mp4"]),
        (["-o", "{out}/missing/x.mp4"], ["does not exist"]),
        (["-o", "{out}"], ["video format", "no suffix"]),
        (["-o", "{out}/x.mp4", "--steps", "forward;fly"], ["line 1", "fly"]),
        (["-o", "{out}/x.mp4", "--size", "huge"], ["1280x720", "huge"]),
        (["-o", "{out}/x.mp4", "--size", "8x8"], ["out of range"]),
        (["-o", "{out}/x.gif", "--fps", "0", "--steps", "forward"], ["fps", "0"]),
        (["-o", "{out}/x.mp4", "--script", "{out}/none.txt"], ["cannot read script"]),
    ],
)
def test_bad_input_is_one_line_and_leaves_no_file(out, args, needles):
    proc = run("xor", *(a.format(out=out) for a in args))
    assert_one_line_error(proc, *needles)
    assert list(out.iterdir()) == []


def test_script_error_names_its_line_in_a_script_file(out):
    script = out / "bad.txt"
    script.write_text("forward\n\nselect neuron 9:9\n", encoding="utf-8")
    proc = run("xor", "-o", str(out / "x.mp4"), "--script", str(script), *SMALL)
    assert_one_line_error(proc, "line 3", "neuron 9:9")
    assert sorted(p.name for p in out.iterdir()) == ["bad.txt"]


def test_progress_bar_on_a_terminal(out):
    master, slave = pty.openpty()
    proc = subprocess.Popen(command("xor", "-o", str(out / "x.mp4"), "--steps", "forward",
                                    *SMALL), stdout=subprocess.DEVNULL, stderr=slave,
                            env=env())
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=180) == 0
    text = b"".join(chunks).decode()
    redraws = text.rstrip("\r\n").split("\r")
    assert redraws[-1].startswith("[" + "#" * 30 + "] 6/6 frames")  # complete, then a newline
    assert text.endswith("\n")


def test_ctrl_c_cancels_cleanly(out):
    path = out / "long.mp4"
    proc = subprocess.Popen(command("spiral", "-o", str(path), "--steps", "train 100; hold 30",
                                    "--fps", "30", "--size", "640x360"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env())
    deadline = time.monotonic() + 120
    while not any(p.name.endswith(".part") for p in out.iterdir()):  # encoding has begun
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130  # 128 + SIGINT, as shells report Ctrl-C
    assert stderr.startswith("mlpviz: error: interrupted by SIGINT") and "long.mp4" in stderr
    assert stderr.count("\n") == 1
    assert list(out.iterdir()) == []


def test_gif_with_the_defaults_picks_25_fps_and_says_so_in_one_line(out):
    path = out / "x.gif"
    proc = run("perceptron", "-o", str(path), "--size", "320x180")  # else all defaults
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        "mlpviz: GIF frame delays are whole 1/100 s: recording at 25 fps instead of 30"]
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.average_rate == 25 or stream.guessed_rate == 25
        delays = {frame.duration for frame in container.decode(stream)}
    assert delays == {4}  # centiseconds: 25 frames a second


def parse_srt(text):
    """[(start_s, end_s, text)] of a SubRip file."""
    def seconds(stamp):
        hms, ms = stamp.split(",")
        h, m, s = (int(v) for v in hms.split(":"))
        return h * 3600 + m * 60 + s + int(ms) / 1000

    cues = []
    for block in text.strip().split("\n\n"):
        number, times, line = block.split("\n")
        start, end = times.split(" --> ")
        assert int(number) == len(cues) + 1
        cues.append((seconds(start), seconds(end), line))
    return cues


def test_subtitles_and_chapters_of_a_lesson_recorded_with_the_defaults(out):
    path = out / "xor.mp4"
    # else the defaults (at 320x180 the panels do not fit and the animated network covers
    # the caption bar, so a size they fit in)
    proc = run("xor", "-o", str(path), "--size", "480x270", "--subtitles")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["xor.mp4", "xor.srt"]
    cues = parse_srt((out / "xor.srt").read_text(encoding="utf-8"))
    session = Session.from_lesson("xor")
    timeline = Timeline.from_events(ScriptRunner(session, load_lesson("xor").script).events,
                                    30, SECONDS_PER_STAGE, seconds_per_train=SECONDS_PER_TRAIN)
    captions = [line.split(" ", 1)[1] for line in load_lesson("xor").script.splitlines()
                if line.startswith("caption ")]
    # every caption, in order, with the numbers it quotes filled in as on screen
    assert len(cues) == len(captions)
    for (_, _, text), template in zip(cues, captions, strict=True):
        assert "{" not in text and UNKNOWN not in text
        pattern = "".join(re.escape(p) if isinstance(p, str) else "[-−0-9.×⁰-⁹⁻(), %]+?"
                          for p in parse_template(template))
        assert re.fullmatch(pattern, text), (text, template)
    assert "x = (−0.02888, 1.008) with target y = 1" in cues[1][2]  # training sample 0
    for (start, end, _), template in zip(cues, captions, strict=True):
        # long enough to read (SubRip times are whole milliseconds)
        assert round(1000 * (end - start)) >= round(1000 * reading_seconds(template))
        first, stop = round(start * 30), round(end * 30)  # the frames the caption is on
        assert {timeline[i].caption for i in range(first, stop)} == {template}
        assert first == 0 or timeline[first - 1].caption != template
        assert stop == len(timeline) or timeline[stop].caption != template
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        strips = [frame.to_ndarray(format="rgb24")[-24:].astype(int)
                  for frame in container.decode(stream)]
        chapters = container.chapters()
    assert len(strips) == len(timeline)
    # the burnt-in caption strip changes exactly where the cues change
    change = [np.abs(b - a).mean() for a, b in zip(strips, strips[1:], strict=False)]
    boundaries = {round(start * 30) - 1 for start, _, _ in cues[1:]}
    inside = max(d for i, d in enumerate(change) if i not in boundaries)
    assert all(change[i] > 4 * inside for i in boundaries)
    # chapters: one per beat, each caption's first words, in the video's time
    starts = [c["start"] * c["time_base"] for c in chapters]
    assert [float(s) for s in starts] == pytest.approx([c[0] for c in cues], abs=0.002)
    assert chapters[4]["metadata"]["title"] == "The loss scores the prediction"
    assert not any("{" in c["metadata"].get("title", "") for c in chapters)  # no templates
