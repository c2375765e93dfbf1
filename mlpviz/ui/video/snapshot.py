"""``mlpviz snapshot``: the picture after a script, as a PNG.

The picture comes from the same :class:`~mlpviz.ui.video.frame_renderer.FrameRenderer` a
video does (the last frame of the script, nothing animating), so a snapshot and the end
of a video of the same script are the same picture.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QSaveFile
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from mlpviz.model.cancel import JOB
from mlpviz.model.playback import Shown
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Walkthrough
from mlpviz.record import RecordError
from mlpviz.ui.video.frame_renderer import DEFAULT_VIEW, FrameRenderer

#: as a video: the panels, no window around them
DEFAULT_SNAPSHOT_VIEW = DEFAULT_VIEW


def save_png(image: QImage, path: Path) -> None:
    """Write ``image`` atomically (QSaveFile): a failed write leaves no file and keeps an
    old one. RecordError names the path and the reason."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise RecordError(f"the output must be a .png file, not {path.name!r}")
    if not path.parent.is_dir():
        raise RecordError(f"cannot write {path}: the folder {path.parent} does not exist")
    out = QSaveFile(str(path))
    if not out.open(QIODevice.OpenModeFlag.WriteOnly):
        raise RecordError(f"cannot write {path}: {out.errorString()}")
    if not image.save(out, "PNG"):
        reason = out.errorString()
        out.cancelWriting()
        raise RecordError(f"cannot write {path}: {reason or 'the image could not be encoded'}")
    if not out.commit():
        raise RecordError(f"cannot write {path}: {out.errorString()}")


def render_snapshot(
    session: Session,
    size: tuple[int, int] = (1280, 720),
    steps: str | None = None,
    view: str = DEFAULT_SNAPSHOT_VIEW,
    theme: str = "light",
) -> QImage:
    """The picture of ``session`` after the script ``steps`` (none: as it is), RGB32."""
    renderer = FrameRenderer(session, steps or "", size, view=view, theme=theme)
    try:
        return renderer.still()
    finally:
        renderer.close()


def snapshot(
    session: Session,
    output: Path,
    size: tuple[int, int] = (1280, 720),
    steps: str | None = None,
    view: str = DEFAULT_SNAPSHOT_VIEW,
    theme: str = "light",
) -> Path:
    """Write the picture of ``session`` after ``steps`` to the PNG ``output``."""
    output = Path(output)
    if output.suffix.lower() != ".png":
        raise RecordError(f"the output must be a .png file, not {output.name!r}")
    if not output.parent.is_dir():
        raise RecordError(f"cannot write {output}: the folder {output.parent} does not exist")
    image = render_snapshot(session, size, steps, view, theme)
    JOB.check()  # a Ctrl-C or SIGTERM that came while rendering: write nothing
    save_png(image, output)
    QApplication.processEvents()
    return output


def render_png(session: Session, size: tuple[int, int] = (800, 450), view: str = "network",
               theme: str = "light", walkthrough: Walkthrough | None = None) -> bytes:
    """The picture of ``session`` as PNG bytes (a notebook's ``_repr_png_``): as it is, or
    ``walkthrough`` (one of the session's) at its stage. The session is not changed."""
    from mlpviz.ui.shell.app import offscreen_without_screen

    offscreen_without_screen()
    renderer = FrameRenderer(session, "", size, view=view, theme=theme, captions=False)
    try:
        if walkthrough is None:
            image = renderer.still()
        else:
            image = renderer.picture(Shown(walkthrough=walkthrough,
                                           sample=walkthrough.sample_index,
                                           epoch=session.epoch))
    finally:
        renderer.close()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RecordError("the picture could not be encoded as PNG")
    return bytes(buffer.data())
