"""Cooperative cancellation: training asks between mini-batches, undoes the unfinished epoch
and keeps the finished ones, so a cancelled run resumes bit-identically."""

from __future__ import annotations

import numpy as np
import pytest

from mlpviz.engine import Cancelled
from mlpviz.model.cancel import JOB, CancelToken
from mlpviz.model.config import DataConfig, TrainConfig
from mlpviz.model.script import ScriptRunner
from mlpviz.model.session import Session


@pytest.fixture(autouse=True)
def clear_job():
    JOB.clear()
    yield
    JOB.clear()


def make() -> Session:
    return Session(data=DataConfig(dataset="circle", n=100),
                   train=TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=10))


def test_cancelling_mid_epoch_keeps_the_finished_epochs_and_undoes_the_rest():
    session, reference = make(), make()
    asked = []

    def cancelled() -> bool:  # 5 batches per epoch: stop in the middle of epoch 3
        asked.append(1)
        return len(asked) > 12

    with pytest.raises(Cancelled, match="after 2 of 1000 epochs"):
        session.train(1000, cancelled=cancelled)
    reference.train(2)
    assert session.epoch == 2 and len(session.history) == 2
    assert session.net.params.tobytes() == reference.net.params.tobytes()
    assert session.rng.bit_generator.state == reference.rng.bit_generator.state
    session.train(3)
    reference.train(3)
    assert session.net.params.tobytes() == reference.net.params.tobytes()
    sa, sb = session.optimizer.state_dict(), reference.optimizer.state_dict()
    assert all(np.array_equal(sa[k], sb[k]) for k in sa)


def test_the_check_comes_before_every_mini_batch():
    session = make()
    asked = []
    session.train(3, cancelled=lambda: asked.append(1) or False)
    assert len(asked) == 3 * 5


def test_the_process_token_is_the_default_and_stops_a_script_run():
    session = make()
    runner = ScriptRunner(session, "train 50\nforward")
    runner.run_until(4)
    JOB.request(2)
    with pytest.raises(Cancelled):
        runner.step()
    assert runner.position == 5 and session.epoch == 5
    with pytest.raises(Cancelled):
        session.train(1)
    JOB.clear()
    runner.run_all()
    assert session.epoch == 50 and runner.done


def test_a_token_remembers_the_first_signal_until_cleared():
    token = CancelToken()
    assert not token.requested() and token.signum is None
    token.request(15)
    token.request(2)
    assert token.requested() and token.signum == 15
    with pytest.raises(Cancelled):
        token.check()
    token.clear()
    token.check()
    assert token.signum is None
