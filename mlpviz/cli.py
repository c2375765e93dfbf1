"""The ``mlpviz`` command: opens the app, or runs a headless subcommand.

Errors in what the user typed or pointed at end with exit status 1 and one line
``mlpviz: error: …`` on stderr (2 for usage errors), never a traceback, and leave no
partial output file behind.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path

# The app's matrices are small: one BLAS thread beats two (threads cost more than they
# save, and a second thread fights the GUI for the CPU). Set before NumPy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from mlpviz import __version__  # noqa: E402

SUBCOMMANDS = ("lessons", "record", "snapshot", "explain")
THEME_CHOICES = ("light", "dark", "colorblind")


class CLIError(Exception):
    """A problem with the user's input: reported as one line, exit status 1."""


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line ``mlpviz: error: …`` with exit status 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"mlpviz: error: {message} (see '{self.prog} --help')\n")


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` → (1280, 720); 16..7680 each."""
    try:
        w, h = (int(v) for v in text.lower().replace("×", "x").split("x"))
    except ValueError:
        shown = text if len(text) <= 60 else text[:59] + "…"
        raise argparse.ArgumentTypeError(f"size must look like 1280x720, not {shown!r}") \
            from None
    if not (16 <= w <= 7680 and 16 <= h <= 7680):
        raise argparse.ArgumentTypeError(f"size {w}x{h} is out of range (16..7680 per side)")
    return w, h


def _add_source(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="SOURCE", help="a lesson name or a .mlpviz file")


def _add_steps(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--steps",
        metavar="ACTIONS",
        help='script actions separated by ";", e.g. "forward;backward;update"',
    )
    g.add_argument("--script", metavar="FILE", type=Path, help="a script file, one action per line")


SCRIPT_ACTIONS = """\
script actions (--steps "a;b;c", or one per line in a --script file; # starts a comment):
  forward            compute the next layer of the forward pass
  loss               compute the loss (backward takes it automatically if skipped)
  backward           backpropagate through the next layer, output layer first
  update             apply the optimizer step, finishing the iteration first
  iteration          run the rest of the current iteration stage by stage
  train N            train N epochs (1 ≤ N ≤ 100000)
  hold SECONDS       keep the picture still (0 < SECONDS ≤ 600)
  caption TEXT       show TEXT (at most 500 characters) from now on; "caption" alone
                     clears it; quote TEXT ("…") to use ; or # inside it; a caption
                     stays at least its reading time (0.35 s a word, 2.5 s at least)
  select neuron L:I  select neuron I of layer L (layer 0 = the inputs)
  select edge L:I:J  select weight w_IJ of W_L (from neuron J of layer L−1 to I of L)
  select none        clear the selection
  sample K           trace training sample K (0-based) from now on
  speed X            play stages X times as fast (0.1 ≤ X ≤ 10)
  reading off|on     off: captions from here on get no added reading time; on: they
                     do again (the default)
"""

_EXAMPLES = {
    "lessons": """\
examples:
  mlpviz lessons                  every lesson's name and title
  mlpviz lessons | head -1        the first one
  mlpviz lessons --check my-lesson.json
                                  every problem of your own lesson file, with its line
""",
    "record": """\
examples:
  mlpviz record xor -o xor.mp4                     the lesson's own script, 1280x720
  mlpviz record xor -o step.gif --steps "forward;forward;loss;backward;backward;update"
  mlpviz record spiral -o train.webm --steps "caption Training;train 200;hold 2" \\
      --view window --size 1920x1080 --fps 60
  mlpviz record my.mlpviz -o take.mp4 --script take.txt --theme dark --no-captions
""",
    "snapshot": """\
examples:
  mlpviz snapshot xor -o xor.png
  mlpviz snapshot xor -o net.png --view network --steps "forward;forward" --size 800x600
  mlpviz snapshot my.mlpviz -o plots.png --view plots --theme dark
""",
    "explain": """\
examples:
  mlpviz explain xor                                one iteration's numbers as text
  mlpviz explain xor --steps "train 100;iteration" --format markdown > handout.md
  mlpviz explain xor --select edge 2:1:1 --format latex
  mlpviz explain my.mlpviz --select neuron 1:2
""",
}


def _subparser(sub, name: str, help_text: str, description: str,
               extra: str = "") -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help_text, description=textwrap.fill(description, 78),
                          epilog=extra + _EXAMPLES[name],
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def build_parser() -> argparse.ArgumentParser:
    from mlpviz.model.playback import VIEWS

    parser = _Parser(
        prog="mlpviz",
        description="Watch a multi-layer perceptron learn, one backpropagation step at a time. "
        "Without a subcommand, opens the app on SOURCE (default: the xor lesson).",
        epilog="examples:\n  mlpviz                   the app on the xor lesson\n"
        "  mlpviz spiral            the app on the spiral lesson\n"
        "  mlpviz my.mlpviz         the app on a saved session\n"
        "  mlpviz COMMAND --help    a subcommand's options and examples\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mlpviz {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    les = _subparser(sub, "lessons", "list the built-in lessons, or check lesson files",
                     "List the built-in lessons, one per line: the name to pass as SOURCE to "
                     "the other commands (and to mlpviz itself), then the title. With --check, "
                     "read your own lesson files instead and report every problem with its "
                     "line (docs/lessons.md describes the format).")
    les.add_argument("--check", nargs="+", metavar="FILE", type=Path,
                     help="lesson files (.json) to check; exit status 1 if any has a problem")

    rec = _subparser(sub, "record", "render a video headless",
                     "Render a video of SOURCE without opening a window: the lesson's own "
                     "script, or the actions given with --steps or --script (see below). "
                     "The format follows the output's extension: .mp4 (H.264), .webm (VP9) "
                     "or .gif. Nothing is left behind when it fails or is interrupted.",
                     SCRIPT_ACTIONS + "\n")
    _add_source(rec)
    rec.add_argument("-o", "--output", required=True, type=Path, help="OUT.mp4, .webm or .gif")
    rec.add_argument("--size", default="1280x720", help="WxH (default 1280x720)")
    rec.add_argument("--fps", type=int, default=30, help="frames per second (default 30; "
                     "a GIF takes the nearer of 25 and 50)")
    _add_steps(rec)
    rec.add_argument("--view", choices=VIEWS, default="network+plots",
                     help="what the video shows (default: network+plots, the teaching "
                          "layout; 'window' for the whole window)")
    rec.add_argument("--theme", choices=THEME_CHOICES, default="light")
    rec.add_argument(
        "--captions",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="burn the script's captions into the video (default on)",
    )
    rec.add_argument(
        "--subtitles",
        action="store_true",
        help="also write the captions, timed as on screen, to OUT.srt next to the video",
    )

    snap = _subparser(sub, "snapshot", "render a PNG headless",
                      "Render one picture of SOURCE to a PNG without opening a window, "
                      "after the script actions given with --steps or --script (the same "
                      "actions as 'mlpviz record --help' lists).")
    _add_source(snap)
    snap.add_argument("-o", "--output", required=True, type=Path, help="OUT.png")
    snap.add_argument("--size", default="1280x720", help="WxH (default 1280x720)")
    _add_steps(snap)
    snap.add_argument("--view", choices=VIEWS, default="network+plots",
                      help="what the picture shows (default: network+plots, as a video; "
                           "'window' for the whole window)")
    snap.add_argument("--theme", choices=THEME_CHOICES, default="light")

    exp = _subparser(sub, "explain", "print the worked numbers of an iteration (a handout)",
                     "Print every number of one training iteration of SOURCE — forward "
                     "pass, loss, backward pass, update — with the formulas they come from, "
                     "as text, Markdown or LaTeX. --steps or --script run first (e.g. "
                     "'train 100'); --select shows one neuron's or weight's numbers.")
    _add_source(exp)
    _add_steps(exp)
    exp.add_argument(
        "--select",
        nargs=2,
        metavar=("KIND", "INDEX"),
        help="neuron L:I or edge L:I:J (1-based layers, as in the app)",
    )
    exp.add_argument("--format", choices=("text", "markdown", "latex"), default="text")
    return parser


def build_gui_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="mlpviz", description=build_parser().description)
    p.add_argument("--version", action="version", version=f"mlpviz {__version__}")
    p.add_argument(
        "source",
        nargs="?",
        default=None,
        metavar="FILE.mlpviz|LESSON",
        help="a session file or a lesson name (default: xor)",
    )
    return p


def load_source(source: str):  # -> Session (imported lazily: keeps `mlpviz --version` fast)
    """A Session from a lesson name, a lesson file (``.json``) or a ``.mlpviz`` file;
    CLIError with a clear message."""
    from mlpviz.model.lessons import LessonError, list_lessons
    from mlpviz.model.session import Session

    path = Path(source)
    if path.suffix.lower() == ".json":
        try:
            return Session.from_lesson(path)
        except (LessonError, ValueError) as exc:
            raise CLIError(f"cannot open the lesson {source}: {exc}") from None
    if path.suffix == ".mlpviz" or path.exists():
        if path.is_dir():
            raise CLIError(f"{source} is a folder, not a session file")
        if not path.is_file():
            raise CLIError(f"no such session file: {source}")
        try:
            return Session.load(path)
        except (OSError, ValueError) as exc:
            raise CLIError(f"cannot open {source}: {exc}") from None
    names = [lesson.name for lesson in list_lessons()]
    if source in names:
        try:
            return Session.from_lesson(source)
        except LessonError as exc:
            raise CLIError(str(exc)) from None
    raise CLIError(
        f"{source!r} is neither a .mlpviz file nor a lesson; lessons: {', '.join(names)}"
    )


def read_steps(args: argparse.Namespace) -> str | None:
    if getattr(args, "script", None) is not None:
        from mlpviz.model.script import MAX_SCRIPT_CHARS

        try:
            size = args.script.stat().st_size
            if size > 4 * MAX_SCRIPT_CHARS:  # UTF-8 takes at most 4 bytes a character
                raise CLIError(f"cannot read script {args.script}: it is {size / 2**20:.0f} MB; "
                               f"scripts have at most {MAX_SCRIPT_CHARS:,} characters")
            return args.script.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CLIError(f"cannot read script {args.script}: {exc}") from None
    return getattr(args, "steps", None)


def _size(text: str) -> tuple[int, int]:
    """A bad size is an error in the input (exit 1), like a bad format or script."""
    try:
        return parse_size(text)
    except argparse.ArgumentTypeError as exc:
        raise CLIError(str(exc)) from None


def _cmd_lessons(args: argparse.Namespace) -> int:
    from mlpviz.model.lessons import check_lesson_file, list_lessons

    if not args.check:
        for lesson in list_lessons():
            print(f"{lesson.name} — {lesson.title}")
        return 0
    bad = 0
    for path in args.check:
        problems = check_lesson_file(path)
        if not problems:
            print(f"{path}: ok")
        bad += bool(problems)
        for problem in problems:
            print(f"{path}:{problem.removeprefix('line ')}")
    return 1 if bad else 0


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from mlpviz.ui.video.snapshot import snapshot

    size = _size(args.size)
    session = load_source(args.source)
    snapshot(
        session,
        args.output,
        size=size,
        steps=read_steps(args),
        view=args.view,
        theme=args.theme,
    )
    return 0


def _cmd_record(args: argparse.Namespace) -> int:
    from mlpviz.ui.video.recording import record_cli

    size = _size(args.size)
    session = load_source(args.source)
    record_cli(
        session,
        args.output,
        size=size,
        fps=args.fps,
        steps=read_steps(args),
        view=args.view,
        theme=args.theme,
        captions=args.captions,
        subtitles=args.subtitles,
    )
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    from mlpviz.model.notation.explain import explain

    session = load_source(args.source)
    select = tuple(args.select) if args.select else None
    sys.stdout.write(explain(session, steps=read_steps(args), select=select, fmt=args.format))
    return 0


def _check_screen() -> None:
    """On Linux, fail in one line when there is no screen to open a window on (Qt would
    abort with a core dump instead)."""
    if not sys.platform.startswith("linux"):
        return
    if not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        raise CLIError(
            "no screen to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
            "run it in a desktop session, or set QT_QPA_PLATFORM=offscreen, or use the "
            "snapshot, record and explain subcommands"
        )


def _gui(source: str | None) -> int:
    from mlpviz.ui.shell.app import run_app

    if source is None:
        _check_screen()
        return run_app(None, None, lesson="xor")
    session = load_source(source)  # a bad source is reported first, screen or not
    _check_screen()
    if source.lower().endswith(".json"):  # a lesson file: played like a built-in lesson
        return run_app(session, None, lesson=source)
    if source.endswith(".mlpviz") or Path(source).is_file():
        return run_app(session, Path(source))
    return run_app(session, None, lesson=source)


def _interruptible(job: Callable[[], int], output: Path, own_process: bool) -> int:
    """Run ``job`` with SIGINT and SIGTERM asking it to stop (``cancel.JOB``): training,
    the script runner and the recording loop poll the request, so the job ends within a
    mini-batch or a frame, cleaning up as after any error (no output, ``.part`` file or
    temporary folder). Returns 128 + the signal's number then (130 for Ctrl-C, 143 for
    SIGTERM), after one line on stderr. With ``own_process`` (``mlpviz`` run as a command)
    the process ends right there instead: the job has cleaned up, and Qt's and Python's
    teardown would keep an interrupted user waiting up to a second more."""
    from mlpviz.model.cancel import JOB

    def request(signum: int, _frame: object) -> None:
        JOB.request(signum)

    JOB.clear()
    previous = {sig: signal.signal(sig, request) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return job()
    except BaseException:
        if JOB.signum is None:
            raise
        name = signal.Signals(JOB.signum).name
        print(f"mlpviz: error: interrupted by {name}; {output} was not written",
              file=sys.stderr)
        if own_process:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(128 + JOB.signum)
        return 128 + JOB.signum
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        JOB.clear()


def main(argv: list[str] | None = None) -> int:
    own_process = argv is None  # run as the ``mlpviz`` command, not called from Python
    argv = list(sys.argv[1:] if argv is None else argv)
    # NumPy's overflow/invalid-value warnings are handled (divergence is reported in words)
    warnings.simplefilter("ignore", RuntimeWarning)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            args = build_parser().parse_args(argv)
            if args.command in ("record", "snapshot"):
                os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            handler = {
                "lessons": _cmd_lessons,
                "snapshot": _cmd_snapshot,
                "record": _cmd_record,
                "explain": _cmd_explain,
            }[args.command]
            if args.command in ("record", "snapshot"):
                return _interruptible(lambda: handler(args), args.output, own_process)
            code = handler(args)
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
            return code
        if argv and argv[0] in ("-h", "--help"):
            build_parser().print_help()
            return 0
        args = build_gui_parser().parse_args(argv)
        return _gui(args.source)
    except CLIError as exc:
        print(f"mlpviz: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return _reader_went_away()
    except KeyboardInterrupt:
        print("mlpviz: error: interrupted", file=sys.stderr)
        return 1
    except ArithmeticError as exc:  # training diverged: the script runner notes the line
        notes = "; ".join(getattr(exc, "__notes__", []))
        print(f"mlpviz: error: {notes}: {exc}" if notes else f"mlpviz: error: {exc}",
              file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        print(f"mlpviz: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # the recorder's own errors (RecordError), one line each
        from mlpviz.record import RecordCancelled, RecordError

        if not isinstance(exc, RecordError):
            raise
        if isinstance(exc, RecordCancelled):
            print(f"mlpviz: error: recording interrupted; nothing was written ({exc})",
                  file=sys.stderr)
        else:
            print(f"mlpviz: error: {exc}", file=sys.stderr)
        return 1


def _reader_went_away() -> int:
    """The reader of our output closed the pipe (``mlpviz lessons | head -1``): that is
    no error. Point stdout at the null device so that the interpreter's final flush stays
    quiet too, and exit 0."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return 0
