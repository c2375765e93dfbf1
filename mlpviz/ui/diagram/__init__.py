"""The network diagram: layout geometry, per-frame values, painting, the widget and its inline
editor."""
