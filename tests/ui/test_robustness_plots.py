"""Plots fed by a diverged network: huge or infinite map values draw as the clamped end
colours, quietly (no NumPy warnings from pyqtgraph's rescaling on the CLI's stderr)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from mlpviz.ui.plots.map_plot import MapPlot

EXTENT = (-1.0, 1.0, -1.0, 1.0)


@pytest.mark.parametrize("big", [3e38, 1e30, np.inf])
def test_a_regression_map_of_overflowing_values_draws_quietly(qtbot, big):
    plot = MapPlot()
    qtbot.addWidget(plot)
    plot.resize(300, 300)
    points = np.array([[0.0, 0.0], [0.5, 0.5]])
    plot.set_session_data(points, np.array([-1.0, 1.0]), points, np.array([0.5, -0.5]),
                          "regression", 1, EXTENT)
    values = np.full((20, 20), big, dtype=np.float32)
    values[:, :10] = -big
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plot.set_map(values, EXTENT)
        image = plot.grab().toImage()
    assert [str(w.message) for w in caught] == []
    assert plot.levels == (-1.0, 1.0)
    vb = plot.getPlotItem().vb
    left, right = (plot.mapFromScene(vb.mapViewToScene(QPointF(x, -0.5))) for x in (-0.7, 0.7))
    orange, blue = image.pixelColor(left), image.pixelColor(right)
    assert orange.red() > orange.blue() + 60  # the negative end colour
    assert blue.blue() > blue.red() + 60  # the positive end colour
