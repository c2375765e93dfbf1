"""The Qt user interface of mlpviz (PySide6 and pyqtgraph are imported only here)."""
