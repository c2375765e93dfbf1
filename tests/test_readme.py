"""README's two newcomer commands are the ones CI runs, and its claims stay true."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CI = ROOT / ".ci" / "run"


def section_command(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"## {re.escape(title)}\n(?:(?!\n## ).)*?```bash\n(.+?)\n```", text, re.S)
    assert match, f"README has no '{title}' section with a bash block"
    return match.group(1).strip()


@pytest.mark.skipif(not CI.exists(), reason="runs from a source checkout only")
def test_ci_runs_exactly_readmes_install_and_test_commands():
    install, test = (part.strip() for part in section_command("Install and test").split("&&"))
    assert install == 'pip install ".[test]"'
    assert test == "pytest"
    ci_lines = [ln.strip() for ln in CI.read_text(encoding="utf-8").splitlines()]
    assert install in ci_lines
    assert test in ci_lines
    # the test command is the last thing CI runs, so its exit status is CI's
    assert [ln for ln in ci_lines if ln and not ln.startswith("#")][-1] == test


@pytest.mark.skipif(not CI.exists(), reason="runs from a source checkout only")
def test_readme_install_and_run_command_starts_the_app():
    assert section_command("Install and run") == "pip install . && mlpviz"


@pytest.mark.skipif(not README.exists(), reason="runs from a source checkout only")
def test_readme_lists_every_lesson():
    from mlpviz.model.lessons import list_lessons

    text = README.read_text(encoding="utf-8")
    for lesson in list_lessons():
        assert f"`{lesson.name}`" in text


@pytest.mark.skipif(not README.exists(), reason="runs from a source checkout only")
def test_readme_screenshot_exists():
    text = README.read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert images
    for image in images:
        assert (ROOT / image).is_file()
