"""Teachers' own lessons: a lesson file opens like a built-in lesson, and a broken one is
refused with the line of the file where the problem is."""

import json
import subprocess
import sys

import pytest

from mlpviz.cli import main
from mlpviz.model.lessons import check_lesson_file, read_lesson
from mlpviz.model.session import Session
from mlpviz.paths import lessons_dir


@pytest.fixture
def own_lesson(tmp_path):
    data = json.loads((lessons_dir() / "xor.json").read_text(encoding="utf-8"))
    data["name"], data["title"] = "my-xor", "My XOR"
    path = tmp_path / "my-xor.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path, data


def _line_of(path, text):
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_lesson_file_loads_like_a_built_in_lesson(own_lesson):
    path, data = own_lesson
    lesson = read_lesson(path)
    assert lesson.title == "My XOR" and lesson.script == "\n".join(data["script"])
    session = Session.from_lesson(path)
    assert session.lesson.name == "my-xor"
    assert check_lesson_file(path) == []


def test_every_problem_is_reported_with_the_line_of_the_file(own_lesson, capsys):
    path, data = own_lesson
    data["script"][2] = "hold forever"
    data["script"][5] = "fly away"
    data["script"][6] = "caption h is {hh1}"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    problems = check_lesson_file(path)
    assert len(problems) == 3
    for problem, text in zip(problems, ("hold forever", "fly away", "{hh1}"), strict=True):
        assert problem.startswith(f"line {_line_of(path, text)}: ")
    assert main(["lessons", "--check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{path}:{_line_of(path, 'hold forever')}: ")
    assert main(["lessons", "--check", str(lessons_dir() / "xor.json")]) == 0


def test_a_broken_lesson_is_refused_in_one_line_naming_its_line(own_lesson, tmp_path):
    path, data = own_lesson
    data["script"][3] = "train lots"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "mlpviz", "explain", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    err = proc.stderr.strip()
    assert "\n" not in err and f"line {_line_of(path, 'train lots')}:" in err
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "mlpviz-lesson",\n "name": }', encoding="utf-8")
    assert check_lesson_file(broken) == ["line 2: not valid JSON (Expecting value)"]


def test_a_lesson_file_too_big_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(6 * 2**20)
    problems = check_lesson_file(big)
    assert len(problems) == 1 and "at most 5 MB" in problems[0]
