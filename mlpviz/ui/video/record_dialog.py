"""File ▸ Record…: render a script to MP4, WebM or GIF while the window stays usable.

The script is the lesson's (or one iteration), a file, or a take of what the user does
next (:class:`~mlpviz.ui.video.action_log.ActionLog`); it is plain text in the dialog, so a
retake is an edit. Frames are rendered offline (:class:`~mlpviz.ui.video.recording.Recording`)
a few at a time from a zero-delay QTimer, so the window keeps responding; the encoder
runs in its own thread, and so does the final flush.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mlpviz.model.script import ScriptError
from mlpviz.model.session import Session
from mlpviz.record import RecordError
from mlpviz.record.writer import GIF_FPS, MAX_SIZE, MIN_SIZE
from mlpviz.ui.video.action_log import ActionLog
from mlpviz.ui.video.frame_renderer import DEFAULT_VIEW, default_script
from mlpviz.ui.video.recording import FrameRate, Recording, progress_text

VIEW_CHOICES = (("Whole window", "window"), ("Network", "network"), ("Plots", "plots"),
                ("Network + plots side by side", "network+plots"))
SIZE_CHOICES = (("720p — 1280 × 720", (1280, 720)), ("1080p — 1920 × 1080", (1920, 1080)),
                ("4K — 3840 × 2160", (3840, 2160)), ("Custom", None))
FPS_CHOICES = (24, 25, 30, 50, 60)
FORMAT_CHOICES = (("MP4 (H.264)", "mp4"), ("WebM (VP9)", "webm"), ("GIF", "gif"))
SCRIPT_FILTER = "mlpviz scripts (*.txt *.mlpscript);;All files (*)"
TICK_BUDGET_S = 0.04  # rendering per timer tick, so input is handled at least ~20 times/s


class RecordDialog(QDialog):
    """Settings, script and progress of a recording of ``window`` (a MainWindow)."""

    recorded = Signal(str)  # the path of a finished video

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setWindowTitle("Record a video")
        self.window_ = window
        self.log = ActionLog(window.ctl, self)
        self.log.stopped.connect(self._take_ended)
        self._start: object = None  # Snapshot the script starts from (None: the session now)
        self._rec: Recording | None = None
        self._encoding: threading.Thread | None = None
        self._outcome: tuple[Path | None, BaseException | None] = (None, None)
        self._rate = FrameRate()
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        QApplication.instance().aboutToQuit.connect(self.cancel)  # quitting leaves no .part
        self._build()
        self.use_lesson_script()

    # ---- the form --------------------------------------------------------------------------
    def _build(self) -> None:
        def combo(items) -> QComboBox:
            box = QComboBox()
            for text, data in items:
                box.addItem(text, data)
            return box

        s = self.window_.settings
        self.view_combo = combo(VIEW_CHOICES)
        self.size_combo = combo(SIZE_CHOICES)
        self.width_spin, self.height_spin = QSpinBox(), QSpinBox()
        for spin, value in ((self.width_spin, 1280), (self.height_spin, 720)):
            spin.setRange(MIN_SIZE, MAX_SIZE)
            spin.setValue(value)
            spin.setSuffix(" px")
        self.fps_combo = combo((f"{n} fps", n) for n in FPS_CHOICES)
        self.format_combo = combo(FORMAT_CHOICES)
        self.path_edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.captions_check = QCheckBox("Burn the script's captions into the video")
        self.captions_check.setChecked(str(s.value("record/captions", "true")) == "true")
        self.subtitles_check = QCheckBox("Write the captions as subtitles too (NAME.srt "
                                         "next to the video)")
        self.subtitles_check.setChecked(str(s.value("record/subtitles", "false")) == "true")
        default_view = self.view_combo.findData(DEFAULT_VIEW)
        for box, key, default in ((self.view_combo, "view", default_view),
                                  (self.size_combo, "size", 0),
                                  (self.fps_combo, "fps", FPS_CHOICES.index(30)),
                                  (self.format_combo, "format", 0)):
            index = box.findText(str(s.value(f"record/{key}", "")))
            box.setCurrentIndex(index if index >= 0 else default)
        self.size_combo.currentIndexChanged.connect(self._size_changed)
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        custom = QHBoxLayout()
        custom.addWidget(self.width_spin)
        custom.addWidget(QLabel("×"))
        custom.addWidget(self.height_spin)
        custom.addStretch(1)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Show", self.view_combo)
        form.addRow("Size", self.size_combo)
        form.addRow("", custom)
        form.addRow("Frame rate", self.fps_combo)
        form.addRow("Format", self.format_combo)
        form.addRow("File", file_row)
        form.addRow("", self.captions_check)
        form.addRow("", self.subtitles_check)

        self.script_edit = QPlainTextEdit()
        self.script_edit.setPlaceholderText("forward\nbackward\nupdate\ntrain 50\nhold 2")
        self.start_label = QLabel()
        self.start_label.setWordWrap(True)
        buttons = QHBoxLayout()
        for text, slot, tip in (
            ("Lesson script", self.use_lesson_script, "The lesson's own script, or one "
             "iteration, from the session as it is now"),
            ("Open…", self.open_script, "Read a script from a text file"),
            ("Save…", self.save_script, "Keep this script as a text file to edit and re-render"),
            ("Record what I do next", self.begin_take, "Log your steps, training, selections "
             "and sample changes as a script until you press Stop"),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        self.take_button = buttons.itemAt(3).widget()

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.record_button = QPushButton("Record")
        self.record_button.setDefault(True)
        self.record_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        actions = QHBoxLayout()
        actions.addStretch(1)
        for button in (self.record_button, self.cancel_button, close):
            actions.addWidget(button)

        lay = QVBoxLayout(self)
        self.form = QWidget()
        self.form.setLayout(form)
        lay.addWidget(self.form)
        lay.addWidget(QLabel("<b>Script</b> — one action per line (forward, loss, backward, "
                             "update, iteration, train N, hold S, caption TEXT, select …)"))
        lay.addWidget(self.script_edit, 1)
        lay.addWidget(self.start_label)
        lay.addLayout(buttons)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addLayout(actions)
        self.resize(560, 620)
        self._size_changed()
        self._format_changed()

    def _size_changed(self) -> None:
        preset = self.size_combo.currentData()
        for spin, value in zip((self.width_spin, self.height_spin), preset or (None, None),
                               strict=True):
            if value is not None:
                spin.setValue(value)
            spin.setEnabled(preset is None)

    def _format_changed(self) -> None:
        fmt = self.format_combo.currentData()
        model = self.fps_combo.model()
        for row, fps in enumerate(FPS_CHOICES):
            model.item(row).setEnabled(fmt != "gif" or fps in GIF_FPS)
        if fmt == "gif" and self.fps_combo.currentData() not in GIF_FPS:
            self.fps_combo.setCurrentIndex(FPS_CHOICES.index(50 if self.fps > 25 else 25))
        path = self.path_edit.text().strip()
        if path:
            self.path_edit.setText(str(Path(path).with_suffix("." + fmt)))
        else:
            folder = Path(str(self.window_.settings.value("record/folder", Path.home())))
            lesson = getattr(self.window_.ctl.session, "lesson", None)
            name = lesson.name if lesson is not None else "mlpviz"
            self.path_edit.setText(str(folder / f"{name}.{fmt}"))

    @property
    def size(self) -> tuple[int, int]:
        return self.width_spin.value(), self.height_spin.value()

    @property
    def fps(self) -> int:
        return int(self.fps_combo.currentData())

    def _browse(self) -> None:
        fmt = self.format_combo.currentData()
        path, _ = QFileDialog.getSaveFileName(self, "Record to", self.path_edit.text(),
                                              f"{fmt.upper()} video (*.{fmt})")
        if path:
            self.path_edit.setText(str(Path(path).with_suffix("." + fmt)))

    # ---- the script ----------------------------------------------------------------------
    def use_lesson_script(self) -> None:
        """The lesson's script (or one iteration), from the session as it is when recording."""
        self.script_edit.setPlainText(default_script(self.window_.ctl.session))
        self._start = None
        self.start_label.setText("Starts from the session as it is when you press Record.")

    def open_script(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open script", "", SCRIPT_FILTER)
        if path:
            try:
                self.script_edit.setPlainText(Path(path).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                self._say(f"Could not read {path}: {exc}", error=True)

    def save_script(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save script", "take.txt", SCRIPT_FILTER)
        if path:
            try:
                Path(path).write_text(self.script_edit.toPlainText(), encoding="utf-8")
            except OSError as exc:
                self._say(f"Could not save {path}: {exc}", error=True)

    def begin_take(self) -> None:
        """Hide, and log what the user does in the window until Stop (or Ctrl+R)."""
        win = self.window_
        self.log.start(win.caption.text() if win.caption.isVisible() else "")
        self.hide()
        win.banner.show_message("info", "Recording what you do: step, train, select… "
                                "Press Stop (or Ctrl+R) when you are done.",
                                action=("Stop", self.end_take))

    def end_take(self) -> None:
        """Stop logging and come back with the take's script, ready to render."""
        self.log.stop()

    def _take_ended(self) -> None:
        log = self.log
        self.window_.banner.hide()
        self.script_edit.setPlainText(log.script())
        self._start = log.start_snapshot
        self.start_label.setText(f"Starts where your take began (epoch {log.start_epoch}).")
        if log.reason:
            self._say(f"The take stopped: {log.reason}. Everything before it is in the "
                      "script.", error=True)
        self.show()
        self.raise_()

    # ---- recording -----------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        return self._rec is not None

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet("color: #b00020;" if error else "")
        self.status.setText(text)

    def start(self) -> bool:
        """Start rendering the script into the file; False (and a message) if it cannot."""
        if self.recording:
            return False
        win = self.window_
        session = (Session.from_snapshot(self._start) if self._start is not None
                   else win.ctl.session)
        mode = next((m for m, a in win.value_actions.items() if a.isChecked()), "a")
        try:
            self._rec = Recording(
                session, self.path_edit.text().strip(), self.script_edit.toPlainText(),
                size=self.size, fps=self.fps, view=self.view_combo.currentData(),
                theme=win.theme_key, captions=self.captions_check.isChecked(),
                thumbnails=win.thumbs_action.isChecked(), value_mode=mode,
                fmt=self.format_combo.currentData(),
                subtitles=self.subtitles_check.isChecked())
        except (ScriptError, RecordError) as exc:
            self._say(str(exc), error=True)
            return False
        self._remember()
        self._rate = FrameRate()
        self.progress.setValue(0)
        self._set_busy(True)
        note = f"{self._rec.note}. " if self._rec.note else ""
        self._say(f"{note}Rendering {self._rec.total} frames…")
        self._timer.start()
        return True

    def _remember(self) -> None:
        s = self.window_.settings
        for box, key in ((self.view_combo, "view"), (self.size_combo, "size"),
                         (self.fps_combo, "fps"), (self.format_combo, "format")):
            s.setValue(f"record/{key}", box.currentText())
        s.setValue("record/captions", "true" if self.captions_check.isChecked() else "false")
        s.setValue("record/subtitles", "true" if self.subtitles_check.isChecked() else "false")
        s.setValue("record/folder", str(Path(self.path_edit.text().strip()).parent))

    def _set_busy(self, busy: bool) -> None:
        self.form.setEnabled(not busy)
        self.script_edit.setReadOnly(busy)
        self.record_button.setEnabled(not busy)
        self.take_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    def _tick(self) -> None:
        rec = self._rec
        if rec is None:
            self._timer.stop()
            return
        if self._encoding is not None:
            if not self._encoding.is_alive():
                self._done()
            return
        deadline = time.perf_counter() + TICK_BUDGET_S
        try:
            while rec.done < rec.total and time.perf_counter() < deadline:
                rec.step()
        except Exception as exc:  # a divergence, an encoder or disk failure: say it
            self._stop(f"Recording failed: {exc}. No file was written.", error=True)
            return
        self.progress.setValue(int(99 * rec.done / rec.total))
        self._say("Rendering " + progress_text(rec.done, rec.total, self._rate(rec.done)))
        if rec.done >= rec.total:
            rec.renderer.close()
            self.cancel_button.setEnabled(False)
            self._say(f"Finishing {rec.path.name}…")
            self._encoding = threading.Thread(target=self._finish_encoding, daemon=True)
            self._encoding.start()
            self._timer.setInterval(30)

    def _finish_encoding(self) -> None:
        try:
            self._outcome = (self._rec.finish_encoding(), None)
        except Exception as exc:  # reported by _done in the GUI thread
            self._outcome = (None, exc)

    def _done(self) -> None:
        path, error = self._outcome
        if error is not None:
            self._stop(f"Recording failed: {error}. No file was written.", error=True)
            return
        self.progress.setValue(100)
        srt = self._rec.subtitles if self._rec is not None else None
        self._stop(f"Saved {path}" + (f" and its subtitles {srt.name}" if srt else ""))
        self.recorded.emit(str(path))

    def cancel(self) -> None:
        """Stop the recording in progress; no file is left behind."""
        if self._rec is not None and self._encoding is None:
            self._rec.abort()
            self._stop("Cancelled; no file was written.")

    def _stop(self, message: str, error: bool = False) -> None:
        self._timer.stop()
        self._timer.setInterval(0)
        if self._rec is not None and self._encoding is None:
            self._rec.abort()
        self._rec, self._encoding, self._outcome = None, None, (None, None)
        self._set_busy(False)
        self._say(message, error)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._encoding is not None:  # the file is almost written: let it finish
            event.ignore()
            return
        self.cancel()
        super().closeEvent(event)


def show_record_dialog(window) -> RecordDialog:
    """File ▸ Record…: open the window's record dialog (made on first use). During a take
    of "record what I do next" this ends the take instead."""
    dialog = window.findChild(RecordDialog)
    if dialog is None:
        dialog = RecordDialog(window)
    if dialog.log.active:
        dialog.end_take()
        return dialog
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog

