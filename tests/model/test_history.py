"""Specification of History: per-epoch metrics in bounded memory."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from mlpviz.model.history import History, HistoryError


def _loss(epoch: int) -> float:
    """A noisy falling curve whose minimum is a dip at epoch 123_457."""
    value = (1.0 + 0.01 * math.sin(epoch * 0.7)) / (1.0 + 1e-3 * epoch)
    return 1e-4 if epoch == 123_457 else value


def test_records_points_and_missing_values():
    h = History()
    h.append(1, 0.5, None, 0.75, None)
    h.append(2, 0.25, 0.3, 1.0, 0.9)
    assert list(h.epochs) == [1, 2] and list(h.train_loss) == [0.5, 0.25]
    assert math.isnan(h.test_loss[0]) and h.test_acc[1] == 0.9
    assert h.last == {"epoch": 2, "train_loss": 0.25, "test_loss": 0.3, "train_acc": 1.0,
                      "test_acc": 0.9}
    assert h.min_train_loss == 0.25 and h.min_epoch == 2


def test_empty_history_and_clear():
    h = History()
    assert len(h) == 0 and h.last is None and h.min_train_loss is None
    h.append(1, 1.0)
    h.clear()
    assert len(h) == 0 and h.epochs.shape == (0,) and h.min_train_loss is None


def test_arrays_are_read_only_views():
    h = History()
    h.append(1, 1.0)
    with pytest.raises(ValueError):
        h.train_loss[0] = 5.0


def test_epochs_must_increase():
    h = History()
    h.append(3, 1.0)
    with pytest.raises(HistoryError, match="not after"):
        h.append(3, 0.5)


def test_stays_bounded_for_200k_epochs_keeping_the_last_and_the_minimum():
    h = History()
    for epoch in range(1, 200_001):
        h.append(epoch, _loss(epoch), 2 * _loss(epoch))
        if epoch % 50_000 == 0:
            assert len(h) <= 10_000
    assert len(h) <= 10_000 and len(h) > 5_000
    assert h.epochs[-1] == 200_000 and h.train_loss[-1] == _loss(200_000)
    assert h.last["train_loss"] == _loss(200_000)
    assert h.min_train_loss == 1e-4 and h.min_epoch == 123_457
    where = np.flatnonzero(h.epochs == 123_457)
    assert len(where) == 1 and h.train_loss[where[0]] == 1e-4
    assert h.train_loss.min() == 1e-4
    assert (np.diff(h.epochs) > 0).all()


def test_merged_points_are_means_with_even_resolution():
    h = History(max_points=8)
    for epoch in range(1, 41):
        h.append(epoch, 100.0 - epoch)  # decreasing: the minimum is always the latest
    # finished points cover `stride` epochs each, then the open bucket, then the latest
    stride = h.stride
    assert stride == 8
    done = (len(h) - 2) if (40 - 1) % stride else (len(h) - 1)
    ends = h.epochs[:done]
    assert list(np.diff(ends)) == [stride] * (done - 1)
    for end, value in zip(ends, h.train_loss[:done], strict=True):
        covered = np.arange(end - stride + 1, end + 1)
        assert value == pytest.approx(np.mean(100.0 - covered), abs=1e-12)
    assert h.epochs[-1] == 40 and h.train_loss[-1] == 60.0


def test_round_trip_then_continue_bit_identically():
    a = History(max_points=16)
    for epoch in range(1, 101):
        a.append(epoch, _loss(epoch), None, 0.5, None)
    b = History.from_arrays(a.to_arrays())
    for epoch in range(101, 400):
        for h in (a, b):
            h.append(epoch, _loss(epoch), None, 0.5, None)
    for name in ("epochs", "train_loss", "test_loss", "train_acc", "test_acc"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True)
    assert a.last == b.last and a.min_epoch == b.min_epoch


@pytest.mark.parametrize("key, value", [
    ("meta", np.zeros(3, dtype=np.int64)),
    ("values", np.zeros((4, 5))),
    ("values", np.zeros((4, 2), dtype=np.float32)),
    ("epochs", np.array([1, 7])),
    ("latest", np.array([np.inf, 0.0, 0.0, 0.0])),
    ("epochs", np.array([3, 2, 1])),
])
def test_inconsistent_arrays_are_rejected(key, value):
    h = History()
    for epoch in range(1, 4):
        h.append(epoch, 1.0 / epoch)
    arrays = h.to_arrays()
    arrays[key] = value
    with pytest.raises(HistoryError):
        History.from_arrays(arrays)


def test_memory_for_100k_epochs_is_a_few_hundred_kilobytes():
    tracemalloc.start()
    try:
        h = History()
        for epoch in range(1, 100_001):
            h.append(epoch, 1.0 / epoch, 2.0 / epoch, 0.5, 0.5)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(h) <= 10_000
    assert peak < 1_000_000, f"peak {peak} bytes"
