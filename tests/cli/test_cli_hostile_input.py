"""The command line with hostile input: no RuntimeWarning on stderr, short one-line errors
for absurd arguments, and a script file checked for size before it is read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mlpviz import cli


def test_runtime_warnings_never_reach_stderr():
    code = (
        "import sys, warnings\n"
        "import mlpviz.model.notation.explain as e\n"
        "from mlpviz import cli\n"
        "real = e.explain\n"
        "def noisy(*args, **kwargs):\n"
        "    warnings.warn('overflow encountered in exp', RuntimeWarning)\n"
        "    return real(*args, **kwargs)\n"
        "e.explain = noisy\n"
        "sys.exit(cli.main(['explain', 'xor', '--steps', 'forward']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONWARNINGS="default"), timeout=120)
    assert proc.returncode == 0 and proc.stderr == ""
    assert "Worked numbers" in proc.stdout


def test_an_absurd_size_gives_a_short_line(capsys):
    assert cli.main(["snapshot", "xor", "-o", "x.png", "--size", "9" * 5000]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 200 and "9" * 61 not in err


def test_a_huge_script_file_is_refused_before_it_is_read(tmp_path, capsys, monkeypatch):
    script = tmp_path / "huge.txt"
    with open(script, "wb") as handle:
        handle.truncate(50 * 2**20)  # a sparse file: 50 MB of NUL bytes
    real = Path.read_text

    def read_text(path, *args, **kwargs):
        assert path != script, "the script was read"
        return real(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    assert cli.main(["explain", "xor", "--script", str(script)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mlpviz: error: cannot read script") and "MB" in err
