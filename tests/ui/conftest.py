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
def window(qtbot, settings):
    from mlpviz.ui.main_window import MainWindow

    win = MainWindow(settings=settings, offer_autosave=False)
    win.player.enabled = False
    qtbot.addWidget(win)
    win.resize(1280, 720)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    win.network.setFocus()
    return win
