"""The network diagram of a blown-up network (weights near the float64 limit, gradients
infinite): every stage, mid-animation, paints without NumPy warnings (which would reach
the CLI's stderr during `mlpviz record`) and with finite pulse sizes."""

from __future__ import annotations

import warnings

import numpy as np

from mlpviz.engine import MLP
from mlpviz.model.session import Session
from mlpviz.model.walkthrough import Walkthrough
from mlpviz.ui.diagram.network_view import NetworkView


def test_every_stage_of_an_overflowing_walkthrough_paints_quietly(qtbot):
    X = np.array([[1.0, 0.5], [0.2, 1.0], [1.0, 1.0], [0.0, 0.3]])
    Y = np.array([0.3, -1.0, 2.0, 0.5])
    net = MLP.from_params([np.full((3, 2), 1e154), np.full((1, 3), 1e154)],
                          [np.full(3, 1e154), np.zeros(1)], ["relu", "linear"], loss="mse")
    session = Session.from_arrays(X, Y, net=net, learning_rate=0.1)
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(800, 480)
    view.set_network(session.net, ["x1", "x2"], ["y"])
    wt = Walkthrough(session, sample=1)
    view.set_walkthrough(wt, session.sample(1))
    painted = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for stage in wt.stages[:-1]:  # the update itself diverges (infinite gradients)
            wt.next()
            view.set_walkthrough(wt)
            for t in (0.0, 0.5, 1.0):
                view.set_frame(stage, t)
                assert not view.render_image(800, 480).isNull()
                scene = view.scene(view.diagram_layout(800, 480))
                assert np.isfinite(scene.pscale)
                assert all(np.isfinite(e.pulse).all() for e in scene.edges)
                painted += 1
    assert painted == 3 * (len(wt.stages) - 1)
    assert [f"{w.filename}:{w.lineno}: {w.message}" for w in caught] == []
