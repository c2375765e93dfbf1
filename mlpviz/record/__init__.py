"""Video recording: NumPy RGB(A) frames to MP4 (H.264), WebM (VP9) or GIF via PyAV.

No Qt here: the UI and the CLI render frames and hand the arrays to these writers.
"""

from mlpviz.record.pipeline import ThreadedWriter, record_frames
from mlpviz.record.writer import (
    FORMATS,
    RecordCancelled,
    RecordError,
    VideoWriter,
    format_for_path,
)

__all__ = [
    "FORMATS",
    "RecordCancelled",
    "RecordError",
    "ThreadedWriter",
    "VideoWriter",
    "format_for_path",
    "record_frames",
]
