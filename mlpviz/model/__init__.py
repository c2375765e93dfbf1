"""The model: a training session, its step-by-step walkthrough, timelines, scripts and
lessons. Plain Python and NumPy — no Qt.
"""

from mlpviz.model.config import DataConfig, NetConfig, SettingsError, TrainConfig
from mlpviz.model.grid import GridMaps, HiddenSpace
from mlpviz.model.history import History, HistoryError
from mlpviz.model.lessons import Lesson, LessonError, list_lessons, load_lesson
from mlpviz.model.script import Action, ScriptError, ScriptRunner, parse_script
from mlpviz.model.session import Session
from mlpviz.model.sessionfile import SessionFileError
from mlpviz.model.snapshot import Snapshot
from mlpviz.model.timeline import Frame, Timeline
from mlpviz.model.walkthrough import Stage, Walkthrough

__all__ = [
    "Action",
    "DataConfig",
    "Frame",
    "GridMaps",
    "HiddenSpace",
    "History",
    "HistoryError",
    "Lesson",
    "LessonError",
    "NetConfig",
    "ScriptError",
    "ScriptRunner",
    "Session",
    "SessionFileError",
    "SettingsError",
    "Snapshot",
    "Stage",
    "Timeline",
    "TrainConfig",
    "Walkthrough",
    "list_lessons",
    "load_lesson",
    "parse_script",
]
