import pytest
from PySide6.QtCore import QSettings


@pytest.fixture
def settings(tmp_path):
    """A private settings file, so tests never touch the user's settings."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    """The autosaved session goes to a temporary folder."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("MLPVIZ_DATA_DIR", str(data))
    return data


@pytest.fixture
def shown_window(qtbot, settings):
    """A factory: a shown MainWindow (animation off, 1280×720, keys going to the network)
    on the given session, or on the default xor lesson."""
    from mlpviz.ui.controller import Controller
    from mlpviz.ui.shell.main_window import MainWindow

    def make(session=None):
        controller = Controller(session) if session is not None else None
        win = MainWindow(controller, settings=settings, offer_autosave=False)
        win.player.enabled = False
        qtbot.addWidget(win)
        win.resize(1280, 720)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()
        win.network.setFocus()
        return win

    return make


@pytest.fixture
def window(shown_window):
    return shown_window()
