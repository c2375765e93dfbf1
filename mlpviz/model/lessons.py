"""Built-in lessons: a preset session, optional fixed weights, a script and captions.

Each lesson is one JSON file in ``resources/lessons`` (``mlpviz.paths.lessons_dir()``)::

    {"format": "mlpviz-lesson", "version": 1,
     "name": "xor", "title": "…", "summary": "…", "order": 0,
     "data": {DataConfig fields} — or {"dataset": "custom",
              "arrays": {"X": [[x1, x2], …], "y": [label, …], "kind": "binary"}, …},
     "net": {NetConfig fields}, "train": {TrainConfig fields},
     "weights": [W1, W2, …], "biases": [b1, b2, …],      (optional, together)
     "script": ["caption …", "forward", …]  (a list of lines, or one string),
     "captions": {"intro": "…", "forward": "…", "backward:1": "…", …}}   (optional)

``weights[l]`` is W of layer l+1 as a list of rows (n_out, n_in); ``biases[l]`` (n_out,).
Custom ``arrays.kind`` is "binary", "multiclass" or "regression"; without it, integer
labels 0/1 mean binary, other integer labels multiclass, anything else regression.
The script's ``caption`` lines narrate a recorded run; ``captions`` hold the hints shown
when a student steps by hand: "intro", and per stage "forward", "loss", "backward",
"update" or a layer-specific "forward:N" / "backward:N" (N = 1-based weight layer).
Everything is validated on load; any problem raises :class:`LessonError` naming the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mlpviz.engine import datasets
from mlpviz.model.captions import CaptionError, check_template
from mlpviz.model.config import CUSTOM, DataConfig, NetConfig, SettingsError, TrainConfig
from mlpviz.model.script import Action, ScriptError, parse_script, plan_events
from mlpviz.model.walkthrough import Stage
from mlpviz.paths import lessons_dir

FORMAT = "mlpviz-lesson"
VERSION = 1
DEFAULT_LESSON = "xor"
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_CAPTION_KEY = re.compile(r"(intro|loss|update|(forward|backward)(:[1-9][0-9]*)?)")
_KEYS = {"format", "version", "name", "title", "summary", "order", "data", "net", "train",
         "weights", "biases", "script", "captions"}
_REQUIRED = {"format", "version", "name", "title", "summary", "order", "data", "net",
             "train", "script"}


class LessonError(ValueError):
    """An unknown lesson or a lesson file that is unreadable or invalid."""


@dataclass(frozen=True, eq=False)
class Lesson:
    """A validated lesson. ``weights``/``biases`` are float64 arrays per layer or None;
    ``arrays`` holds custom data {"X": (n, 2), "y": (n,), "kind": str} or is None."""

    name: str
    title: str
    summary: str
    order: int
    data: DataConfig
    net: NetConfig
    train: TrainConfig
    weights: list[np.ndarray] | None = None
    biases: list[np.ndarray] | None = None
    arrays: dict[str, Any] | None = None
    script: str = ""
    captions: dict[str, str] = field(default_factory=dict)

    @property
    def actions(self) -> list[Action]:
        """The parsed script."""
        return parse_script(self.script)

    def custom_dataset(self) -> datasets.Dataset | None:
        """The lesson's own data as a Dataset, or None for a generated dataset."""
        if self.arrays is None:
            return None
        return _dataset(self.arrays)

    def sizes(self) -> list[int]:
        """Layer sizes [n_in, *hidden, n_out] of the lesson's network."""
        custom = self.custom_dataset()
        if custom is not None:
            n_out = custom.n_out
        else:
            n_out = datasets.make(self.data.dataset, n=30, seed=0).n_out
        return self.net.sizes(len(self.data.features), n_out)

    def caption_for(self, stage: Stage | None) -> str:
        """The hint for ``stage`` (None: the intro); "" when the lesson has none."""
        if stage is None:
            return self.captions.get("intro", "")
        if stage.layer is not None:
            specific = self.captions.get(f"{stage.kind}:{stage.layer + 1}")
            if specific is not None:
                return specific
        return self.captions.get(stage.kind, "")


def _dataset(arrays: dict[str, Any]) -> datasets.Dataset:
    y = arrays["y"]
    kind = arrays["kind"]
    n_classes = 1 if kind == "regression" else max(2, int(y.max()) + 1)
    if kind == "multiclass":
        n_classes = max(3, n_classes)
    return datasets.Dataset(arrays["X"], y, kind, n_classes, "custom")


def _text(d: dict[str, Any], key: str, limit: int) -> str:
    value = d[key]
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise LessonError(f"'{key}' must be non-empty text of at most {limit} characters")
    return value


def _arrays(spec: object) -> dict[str, Any]:
    if not isinstance(spec, dict) or not {"X", "y"} <= set(spec) \
            or not set(spec) <= {"X", "y", "kind"}:
        raise LessonError("'data.arrays' must be {\"X\": [[x1, x2], …], \"y\": […]} "
                          "with an optional \"kind\"")
    try:
        X = np.array(spec["X"], dtype=np.float64)
        y = np.array(spec["y"], dtype=np.float64)
    except (TypeError, ValueError):
        raise LessonError("'data.arrays' X and y must be numbers in regular lists") from None
    integral = bool(np.all(np.isfinite(y)) and np.all(y == np.round(y)) and np.all(y >= 0))
    default = "regression"
    if integral and y.size:
        default = "binary" if y.max() <= 1 else "multiclass"
    kind = spec.get("kind", default)
    if kind not in datasets.KINDS:
        raise LessonError(f"'data.arrays.kind' must be one of {', '.join(datasets.KINDS)}")
    arrays = {"X": X, "y": y if kind == "regression" else y.astype(np.int64), "kind": kind}
    try:
        ds = _dataset(arrays)
    except (datasets.DatasetError, ValueError) as exc:
        raise LessonError(f"'data.arrays': {exc}") from None
    arrays["X"], arrays["y"] = np.array(ds.X), np.array(ds.y)
    return arrays


def _configs(d: dict[str, Any]) -> tuple[DataConfig, NetConfig, TrainConfig, dict | None]:
    data = d["data"]
    if not isinstance(data, dict):
        raise LessonError("'data' must be a mapping of data settings")
    data = dict(data)
    arrays = None
    if data.get("dataset") == CUSTOM:
        if "arrays" not in data:
            raise LessonError("a custom dataset needs 'data.arrays'")
        arrays = _arrays(data.pop("arrays"))
        n = len(arrays["X"])
        if data.setdefault("n", n) != n:
            raise LessonError(f"'data.n' is {data['n']} but 'data.arrays' holds {n} rows")
    elif "arrays" in data:
        raise LessonError("'data.arrays' is only allowed with \"dataset\": \"custom\"")
    try:
        configs = (DataConfig.from_dict(data), NetConfig.from_dict(d["net"]),
                   TrainConfig.from_dict(d["train"]))
    except (SettingsError, TypeError) as exc:
        raise LessonError(str(exc)) from None
    return (*configs, arrays)


def _params(d: dict[str, Any], sizes: list[int]) -> tuple[list | None, list | None]:
    if ("weights" in d) != ("biases" in d):
        raise LessonError("give 'weights' and 'biases' together, or neither")
    if "weights" not in d:
        return None, None
    ws, bs = d["weights"], d["biases"]
    n = len(sizes) - 1
    if not isinstance(ws, list) or not isinstance(bs, list) or len(ws) != n or len(bs) != n:
        raise LessonError(f"'weights' and 'biases' must be lists of {n} layers each")
    weights, biases = [], []
    for l in range(n):
        shape_w, shape_b = (sizes[l + 1], sizes[l]), (sizes[l + 1],)
        try:
            w = np.array(ws[l], dtype=np.float64)
            b = np.array(bs[l], dtype=np.float64)
        except (TypeError, ValueError):
            raise LessonError(f"W{l + 1} and b{l + 1} must be regular lists of numbers") from None
        if w.shape != shape_w or b.shape != shape_b:
            raise LessonError(f"W{l + 1} must have shape {shape_w} and b{l + 1} {shape_b}; "
                              f"got {w.shape} and {b.shape}")
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise LessonError(f"W{l + 1} or b{l + 1} holds NaN or infinity")
        weights.append(w)
        biases.append(b)
    return weights, biases


def _captions(d: dict[str, Any], sizes: list[int], activations: list) -> dict[str, str]:
    n_layers = len(sizes) - 1
    captions = d.get("captions", {})
    if not isinstance(captions, dict):
        raise LessonError("'captions' must be a mapping of stage keys to text")
    for key, text in captions.items():
        match = _CAPTION_KEY.fullmatch(str(key))
        if match is None or not isinstance(text, str):
            raise LessonError(f"bad caption {key!r}: keys are intro, forward, loss, backward, "
                              "update or forward:N / backward:N, values text")
        if match.group(3) and int(match.group(3)[1:]) > n_layers:
            raise LessonError(f"caption {key!r}: the network has layers 1..{n_layers}")
        try:
            check_template(text, sizes, activations)
        except CaptionError as exc:
            raise LessonError(f"caption {key!r}: {exc}") from None
    return dict(captions)


def lesson_from_dict(d: object) -> Lesson:
    """Validate a parsed lesson file; raises LessonError (see the module docstring)."""
    if not isinstance(d, dict):
        raise LessonError("a lesson file must hold a JSON object")
    missing, unknown = sorted(_REQUIRED - set(d)), sorted(set(d) - _KEYS)
    if missing or unknown:
        raise LessonError(f"missing keys: {missing}; unknown keys: {unknown}")
    version = d["version"]
    if d["format"] != FORMAT or isinstance(version, bool) or version != VERSION:
        raise LessonError(f"not an {FORMAT} version {VERSION} file "
                          f"(format {d['format']!r}, version {d['version']!r})")
    name = d["name"]
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise LessonError(f"lesson name {name!r} must be lowercase letters, digits and '-'")
    order = d["order"]
    if isinstance(order, bool) or not isinstance(order, int):
        raise LessonError(f"'order' must be an integer, got {order!r}")
    data, net, train, arrays = _configs(d)
    script = d["script"]
    if isinstance(script, list) and all(isinstance(x, str) and "\n" not in x for x in script):
        script = "\n".join(script)
    if not isinstance(script, str):
        raise LessonError("'script' must be text or a list of lines")
    lesson = Lesson(name, _text(d, "title", 120), _text(d, "summary", 300), order, data, net,
                    train, arrays=arrays, script=script)
    try:
        sizes = lesson.sizes()
    except SettingsError as exc:
        raise LessonError(str(exc)) from None
    weights, biases = _params(d, sizes)
    activations = net.layer_activations()
    try:
        actions = lesson.actions
        plan_events(actions, sizes)
        for action in actions:
            if action.kind == "caption":
                check_template(action.args[0], sizes, activations)
    except ScriptError as exc:
        raise LessonError(f"script {exc}") from None
    except CaptionError as exc:
        raise LessonError(f"script line {action.line}: 'caption': {exc}") from None
    return Lesson(name, lesson.title, lesson.summary, order, data, net, train, weights, biases,
                  arrays, script, _captions(d, sizes, activations))


MAX_LESSON_BYTES = 5 * 2**20  # a lesson file (custom data included) is at most this big
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _lesson_text(path: Path) -> str:
    """The file's text, its size checked before it is read (LessonError)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise LessonError(f"{path.name}: no such lesson file") from None
    except OSError as exc:
        raise LessonError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    if size > MAX_LESSON_BYTES:
        raise LessonError(f"{path.name}: {size:,} bytes; a lesson file is at most "
                          f"{MAX_LESSON_BYTES // 2**20} MB")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError(f"{path.name}: not a readable UTF-8 text file ({exc})") from None


def _key_line(text: str, key: str) -> int:
    """The file line of the top-level ``"key":`` (1 when not found)."""
    m = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def _script_lines(text: str) -> list[int]:
    """The file line of each entry of a ``"script": [...]`` list (empty for a string)."""
    m = re.search(r'"script"\s*:\s*\[', text)
    if m is None:
        return []
    lines, pos = [], m.end()
    while True:
        s = _JSON_STRING.search(text, pos)
        close = text.find("]", pos)
        if s is None or (close != -1 and close < s.start()):
            return lines
        lines.append(text.count("\n", 0, s.start()) + 1)
        pos = s.end()


def _template_problems(d: dict[str, Any], actions: list[Action], where: int) -> list[str]:
    """Caption templates of one script line checked against the lesson's network."""
    captions = [a.args[0] for a in actions if a.kind == "caption"]
    if not captions:
        return []
    try:
        base = lesson_from_dict({**d, "script": []})
        sizes, acts = base.sizes(), base.net.layer_activations()
    except (LessonError, SettingsError):
        return []  # the network itself is wrong: reported once, by the whole check
    out = []
    for text in captions:
        try:
            check_template(text, sizes, acts)
        except CaptionError as exc:
            out.append(f"line {where}: 'caption': {exc}")
    return out


def check_lesson_file(path: str | Path) -> list[str]:
    """Every problem of a lesson file that can be found, each as "line N: …" with N the
    line of the file; an empty list when the lesson loads. Script lines are checked one by
    one and caption templates one by one, so several problems show at once."""
    path = Path(path)
    try:
        text = _lesson_text(path)
    except LessonError as exc:
        return [str(exc).removeprefix(f"{path.name}: ")]
    try:
        d = json.loads(text)
    except json.JSONDecodeError as exc:
        return [f"line {exc.lineno}: not valid JSON ({exc.msg})"]
    problems: list[str] = []
    script = d.get("script") if isinstance(d, dict) else None
    entry_lines = _script_lines(text)
    if isinstance(script, list):
        for k, entry in enumerate(script):
            where = entry_lines[k] if k < len(entry_lines) else _key_line(text, "script")
            if not isinstance(entry, str):
                problems.append(f"line {where}: script entries must be text")
                continue
            try:
                actions = parse_script(entry)
            except ScriptError as exc:
                problems.append(f"line {where}: {str(exc).removeprefix('line 1: ')}")
                continue
            problems += _template_problems(d, actions, where)
    try:
        lesson_from_dict(d)
    except LessonError as exc:
        message = str(exc)
        m = re.match(r"script line ([0-9]+): (.*)", message)
        if m and isinstance(script, list):
            k = int(m.group(1)) - 1
            where = entry_lines[k] if 0 <= k < len(entry_lines) else _key_line(text, "script")
            message = f"line {where}: {m.group(2)}"
        else:
            key = next((k for k in ("captions", "weights", "biases", "data", "net", "train",
                                    "script", "name", "order", "version", "format")
                        if k in message), None)
            message = f"line {_key_line(text, key) if key else 1}: {message}"
        if not any(message.split(": ", 1)[1] in p for p in problems):
            problems.append(message)
    return problems


def read_lesson(path: str | Path) -> Lesson:
    """Load and validate a lesson file; LessonError names the file on any problem."""
    path = Path(path)
    text = _lesson_text(path)
    try:
        d = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LessonError(f"{path.name}: line {exc.lineno}: not valid JSON ({exc.msg})") \
            from None
    try:
        return lesson_from_dict(d)
    except LessonError as exc:
        message = str(exc)
        m = re.match(r"script line ([0-9]+): (.*)", message)
        entry_lines = _script_lines(text)
        if m and 0 < int(m.group(1)) <= len(entry_lines):  # the file's line, not the script's
            message = f"line {entry_lines[int(m.group(1)) - 1]}: {m.group(2)}"
        raise LessonError(f"{path.name}: {message}") from None


def lesson_names() -> list[str]:
    """Names of the built-in lessons (file stems), alphabetically."""
    return sorted(p.stem for p in lessons_dir().glob("*.json"))


def load_lesson(name: str) -> Lesson:
    """The built-in lesson ``name``; LessonError if unknown or invalid."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name not in lesson_names():
        raise LessonError(
            f"unknown lesson {name!r}; available: {', '.join(lesson_names())}"
        )
    lesson = read_lesson(lessons_dir() / f"{name}.json")
    if lesson.name != name:
        raise LessonError(f"{name}.json: its name is {lesson.name!r}, not {name!r}")
    return lesson


def list_lessons() -> list[Lesson]:
    """Every built-in lesson, sorted by ``order`` then name (the default lesson first)."""
    return sorted((load_lesson(n) for n in lesson_names()), key=lambda s: (s.order, s.name))
