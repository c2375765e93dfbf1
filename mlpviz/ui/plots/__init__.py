"""The pyqtgraph plots: decision/output map, loss and accuracy, hidden-space view, and the
panel holding them."""
