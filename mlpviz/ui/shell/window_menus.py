"""The main window's menu bar: File, Edit, View, Run and Help with their actions and
shortcuts, and the two Help dialogs (keyboard shortcuts, about)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from mlpviz import __version__
from mlpviz.ui.video.export import show_export_dialog
from mlpviz.ui.video.record_dialog import show_record_dialog

if TYPE_CHECKING:
    from mlpviz.ui.shell.main_window import MainWindow

THEME_LABELS = (
    ("auto", "Theme of the system"),
    ("light", "Light theme"),
    ("dark", "Dark theme"),
    ("colorblind", "Colour-blind-safe theme"),
)
VALUE_LABELS = (  # (value mode, menu text, shortcut)
    ("a", "Show activations a", "A"),
    ("z", "Show z", "Z"),
    ("delta", "Show δ = ∂L/∂z", "D"),
    ("none", "Hide values", None),
)
#: keys of the focused network diagram (not window actions): listed in the shortcuts dialog
DIAGRAM_KEYS = (
    ("Tab / Shift+Tab", "Diagram: select the next / previous neuron"),
    ("↑ / ↓", "Diagram: the neuron (edge, bias) above / below"),
    ("Alt+← / Alt+→", "Diagram: the neuron in the layer to the left / right"),
    ("E / Shift+E", "Diagram: cycle the edges into / out of the selected neuron"),
    ("B", "Diagram: select the bias of the selected neuron"),
    ("Enter", "Diagram: edit the selected weight or bias (Esc cancels)"),
    ("Ctrl+wheel", "Diagram: zoom in / out at the mouse (the wheel or dragging empty space "
                   "moves a zoomed diagram)"),
)


def add_action(
    window: MainWindow,
    menu: QMenu,
    text: str,
    slot: Callable,
    shortcut: QKeySequence.StandardKey | str | None = None,
    checkable: bool = False,
    tip: str = "",
) -> QAction:
    """A QAction in ``menu`` that also belongs to ``window`` (its shortcut works whenever
    the window has focus, with the menu bar hidden too); ``tip`` shows in the status bar."""
    act = QAction(text, window)
    if shortcut is not None:
        act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    act.setCheckable(checkable)
    if tip:
        act.setStatusTip(tip)
    act.triggered.connect(slot)
    menu.addAction(act)
    window.addAction(act)
    return act


def build_menus(window: MainWindow) -> None:
    """Fill ``window.menuBar()`` and set ``window.files.recent_menu`` (Open Recent) and,
    on the window, ``theme_actions`` and ``value_actions`` (dicts of checkable actions by
    theme name and value mode), ``thumbs_action``, ``anim_action``, ``lock_grad_action``
    and ``predict_action``."""
    _file_menu(window)
    _edit_menu(window)
    _view_menu(window)
    _run_menu(window)
    h = window.menuBar().addMenu("&Help")
    add_action(window, h, "&Keyboard shortcuts", window.show_shortcuts, "F1")
    add_action(window, h, "&About mlpviz", window.show_about)


def _file_menu(window: MainWindow) -> None:
    f = window.menuBar().addMenu("&File")
    add_action(window, f, "&New", window.files.new, QKeySequence.StandardKey.New)
    add_action(window, f, "&Open…", window.files.open_dialog, QKeySequence.StandardKey.Open)
    add_action(window, f, "&Lessons…", window.show_lessons, "Ctrl+L",
               tip="Choose a lesson: its script plays with →, with captions")
    window.files.recent_menu = f.addMenu("Open &Recent")
    f.addSeparator()
    add_action(window, f, "&Save", window.files.save, QKeySequence.StandardKey.Save)
    add_action(window, f, "Save &As…", window.files.save_as, QKeySequence.StandardKey.SaveAs)
    f.addSeparator()
    add_action(window, f, "&Record…", lambda: show_record_dialog(window), "Ctrl+R",
               tip="Render the lesson's script, a script file or what you do next "
               "to MP4, WebM or GIF")
    export = f.addMenu("&Export")
    for text, kind in (("&PNG of panel…", "png"), ("&SVG of network…", "network-svg"),
                       ("SVG of &plots…", "plots-svg")):
        add_action(window, export, text, lambda _c=False, k=kind: show_export_dialog(window, k))
    f.addSeparator()
    add_action(window, f, "&Quit", window.close, QKeySequence.StandardKey.Quit)


def _edit_menu(window: MainWindow) -> None:
    e = window.menuBar().addMenu("&Edit")
    undo = window.ctl.undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = window.ctl.undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcut(QKeySequence.StandardKey.Redo)
    e.addAction(undo)
    e.addAction(redo)


def _view_menu(window: MainWindow) -> None:
    v = window.menuBar().addMenu("&View")
    v.addAction(window.controls_dock.toggleViewAction())
    window.plots_action = add_action(window, v, "&Plots beside the network",
                                     window._toggle_plots, "Ctrl+P", checkable=True)
    window.plots_action.setChecked(True)
    inspect = window.inspector_dock.toggleViewAction()
    inspect.setShortcut(QKeySequence("I"))
    v.addAction(inspect)
    window.addAction(inspect)
    v.addAction(window.gallery_dock.toggleViewAction())
    v.addSeparator()
    v.addAction(window.presenter.action)
    v.addMenu(window.presenter.menu)
    v.addSeparator()
    net = window.network
    zoom_in = add_action(window, v, "Zoom &in on the diagram", lambda _c=False: net.zoom_in(),
                         "Ctrl+=", tip="Larger neurons and type in the network diagram")
    zoom_in.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
    add_action(window, v, "Zoom &out of the diagram", lambda _c=False: net.zoom_out(), "Ctrl+-",
               tip="Smaller neurons and type in the network diagram")
    add_action(window, v, "Reset diagram &zoom", lambda _c=False: net.reset_zoom(), "Ctrl+0",
               tip="The network diagram fitted to its panel again")
    v.addSeparator()
    window.theme_actions = {}
    for name, label in THEME_LABELS:
        act = add_action(window, v, label, lambda _c=False, n=name: window.set_theme(n),
                         checkable=True)
        window.theme_actions[name] = act
    v.addSeparator()
    window.thumbs_action = add_action(
        window, v, "Neuron &thumbnails", window._toggle_thumbnails, "T", checkable=True
    )
    window.value_actions = {}
    for mode, label, key in VALUE_LABELS:
        act = add_action(
            window, v, label, lambda _c=False, m=mode: window.set_value_mode(m), key,
            checkable=True,
        )
        window.value_actions[mode] = act
    window.anim_action = add_action(
        window, v, "&Animate steps", window._toggle_animation, checkable=True
    )
    v.addSeparator()
    window.lock_grad_action = add_action(
        window, v, "&Lock gradient scale across stages",
        lambda on: window.network.set_gradient_scale_locked(on), "G", checkable=True,
        tip="Draw every backward stage on one gradient scale, to compare the layers",
    )
    add_action(
        window, v, "&Rescale weight colours",
        lambda _c=False: window.network.rescale_weight_colours(),
        tip="Fit the weight colour scale to the weights now (it otherwise only grows)",
    )


def _run_menu(window: MainWindow) -> None:
    r = window.menuBar().addMenu("&Run")
    for act in window.transport.menu_actions():
        r.addAction(act)
    r.addSeparator()
    window.predict_action = add_action(
        window, r, "&Predict before reveal", lambda on: window.set_predict_mode(on), "P",
        checkable=True, tip="Before a stage shows the selected value, type your prediction",
    )
    r.addSeparator()
    for n in (1, 10, 100):
        add_action(
            window,
            r,
            f"Train {n} epoch{'s' if n > 1 else ''}",
            lambda _c=False, k=n: window.ctl.train_epochs(k),
        )


def show_shortcuts(window: MainWindow) -> None:
    """A dialog listing every window action that has a shortcut, and the diagram's keys."""
    native = QKeySequence.SequenceFormat.NativeText
    listed = [
        (" / ".join(k.toString(native) for k in a.shortcuts()), a.text().replace("&", ""))
        for a in window.actions()
        if not a.shortcut().isEmpty()
    ]
    rows = "".join(f"<tr><td><b>{k}</b></td><td>{t}</td></tr>"
                   for k, t in [*listed, *DIAGRAM_KEYS])
    QMessageBox.information(window, "Keyboard shortcuts", f"<table cellpadding=4>{rows}</table>")


def show_about(window: MainWindow) -> None:
    """The About dialog: version and what mlpviz does."""
    QMessageBox.about(
        window,
        "About mlpviz",
        f"<h3>mlpviz {__version__}</h3><p>Watch a multi-layer perceptron learn: step "
        "through backpropagation with the real numbers, run training, record videos.</p>",
    )
