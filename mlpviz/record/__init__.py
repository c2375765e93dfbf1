"""Video recording: NumPy RGB(A) frames to MP4 (H.264), WebM (VP9) or GIF via PyAV.

No Qt here: the UI and the CLI render frames and hand the arrays to these writers.

The package is also the public function ``mlpviz.record(session, output, steps, …)``:
calling it runs :func:`mlpviz.api.record` (which renders with the UI, imported then), so
``mlpviz.record`` means the same whether or not this package has been imported.
"""

import sys
import types
from typing import Any

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


class _CallablePackage(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from mlpviz.api import record

        return record(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
