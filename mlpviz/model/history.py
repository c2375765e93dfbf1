"""Loss and accuracy per epoch, in bounded memory however long training runs.

Each point holds (epoch, train loss, test loss, train accuracy, test accuracy); a missing
value (no test set, accuracy of a regression) is NaN in the arrays and None in
:attr:`History.last`. At most ``max_points`` points are kept: when the store is full, the
older points are merged pairwise (their values averaged) and from then on each new point
stands for twice as many epochs, so the curve keeps an even resolution over the whole run.
Two records always survive merging exactly: the latest one (the curve ends at the current
epoch with its true values) and the one with the lowest training loss.
"""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np

COLUMNS: tuple[str, ...] = ("train_loss", "test_loss", "train_acc", "test_acc")
MAX_STRIDE = 2**40


class HistoryError(ValueError):
    """Stored history arrays that are inconsistent."""


def _value(v: float | None) -> float:
    return math.nan if v is None else float(v)


def _view(a: np.ndarray) -> np.ndarray:
    v = a.view()
    v.flags.writeable = False
    return v


class History:
    """Per-epoch metrics; see the module docstring for how points are merged.

    Layout: ``_epochs`` (capacity,) int64 and ``_values`` (4, capacity) float64. Rows
    ``[0, _n_done)`` are finished points, each the mean of ``_stride`` records (or the
    minimum record itself); then, when present, the open bucket (mean so far) and the latest
    record.
    """

    def __init__(self, max_points: int = 10_000):
        if isinstance(max_points, bool) or not isinstance(max_points, Integral) \
                or not 8 <= max_points <= 10_000_000:
            raise HistoryError(f"max_points must be an integer in 8..10000000, got {max_points!r}")
        self.max_points = int(max_points)
        self._done_cap = (self.max_points - 2) // 2 * 2
        self._epochs = np.zeros(self.max_points, dtype=np.int64)
        self._values = np.full((4, self.max_points), np.nan)
        self.clear()

    def clear(self) -> None:
        """Forget every point."""
        self._n_done = 0
        self._stride = 1
        self._bucket = [0.0, 0.0, 0.0, 0.0]
        self._bucket_count = 0
        self._bucket_epoch = 0
        self._bucket_min: list[float] | None = None
        self._latest: list[float] | None = None
        self._latest_epoch = 0
        self._min_loss = math.inf
        self._min_epoch = -1
        self._min_row = -1
        self._n = 0

    # ---- reading ---------------------------------------------------------------------
    def __len__(self) -> int:
        return self._n

    @property
    def epochs(self) -> np.ndarray:
        """(k,) int64 epoch of each point (the last epoch a merged point covers)."""
        return _view(self._epochs[: self._n])

    def _column(self, i: int) -> np.ndarray:
        return _view(self._values[i, : self._n])

    @property
    def train_loss(self) -> np.ndarray:
        """(k,) float64 loss on the training set."""
        return self._column(0)

    @property
    def test_loss(self) -> np.ndarray:
        """(k,) float64 loss on the test set (NaN without one)."""
        return self._column(1)

    @property
    def train_acc(self) -> np.ndarray:
        """(k,) float64 training accuracy in [0, 1] (NaN for regression)."""
        return self._column(2)

    @property
    def test_acc(self) -> np.ndarray:
        """(k,) float64 test accuracy in [0, 1] (NaN for regression or without a test set)."""
        return self._column(3)

    @property
    def last(self) -> dict[str, float | int | None] | None:
        """The latest record exactly: keys epoch and COLUMNS (None where missing)."""
        if self._latest is None:
            return None
        out: dict[str, float | int | None] = {"epoch": self._latest_epoch}
        for name, v in zip(COLUMNS, self._latest, strict=True):
            out[name] = None if math.isnan(v) else v
        return out

    @property
    def min_train_loss(self) -> float | None:
        """The lowest training loss ever recorded (exact), None when empty."""
        return None if self._min_epoch < 0 else self._min_loss

    @property
    def min_epoch(self) -> int | None:
        """The epoch of :attr:`min_train_loss`."""
        return None if self._min_epoch < 0 else self._min_epoch

    @property
    def stride(self) -> int:
        """Epochs per finished point (1 until the first merge, then doubling)."""
        return self._stride

    # ---- recording -------------------------------------------------------------------
    def append(
        self,
        epoch: int,
        train_loss: float,
        test_loss: float | None = None,
        train_acc: float | None = None,
        test_acc: float | None = None,
    ) -> None:
        """Record the metrics after ``epoch`` (strictly increasing)."""
        epoch = int(epoch)
        if self._latest is not None and epoch <= self._latest_epoch:
            raise HistoryError(f"epoch {epoch} is not after the last one, {self._latest_epoch}")
        record = [_value(train_loss), _value(test_loss), _value(train_acc), _value(test_acc)]
        if record[0] < self._min_loss:
            self._min_loss, self._min_epoch, self._min_row = record[0], epoch, -1
            self._bucket_min = None
        if self._latest is not None:
            self._to_bucket(self._latest_epoch, self._latest)
        self._latest, self._latest_epoch = record, epoch
        self._sync_tail()

    def _to_bucket(self, epoch: int, record: list[float]) -> None:
        if self._bucket_count == 0:
            self._bucket = list(record)
        else:
            self._bucket = [s + v for s, v in zip(self._bucket, record, strict=True)]
        self._bucket_count += 1
        self._bucket_epoch = epoch
        if epoch == self._min_epoch:
            self._bucket_min = list(record)
        if self._bucket_count == self._stride:
            self._commit()

    def _bucket_row(self) -> tuple[int, list[float]]:
        if self._bucket_min is not None:
            return self._min_epoch, self._bucket_min
        k = self._bucket_count
        return self._bucket_epoch, [s / k for s in self._bucket]

    def _commit(self) -> None:
        if self._n_done == self._done_cap:
            self._merge()  # the stride doubles: this full bucket is half of a new one
            return
        epoch, row = self._bucket_row()
        if self._bucket_min is not None:
            self._min_row = self._n_done
            self._bucket_min = None
        self._epochs[self._n_done] = epoch
        self._values[:, self._n_done] = row
        self._n_done += 1
        self._bucket_count = 0

    def _merge(self) -> None:
        n = self._n_done
        half = n // 2
        epochs = self._epochs[1:n:2].copy()
        values = 0.5 * (self._values[:, 0:n:2] + self._values[:, 1:n:2])
        if self._min_row >= 0:
            k = self._min_row // 2
            epochs[k] = self._epochs[self._min_row]
            values[:, k] = self._values[:, self._min_row]
            self._min_row = k
        self._epochs[:half] = epochs
        self._values[:, :half] = values
        self._n_done = half
        self._stride *= 2

    def _sync_tail(self) -> None:
        i = self._n_done
        if self._bucket_count:
            epoch, row = self._bucket_row()
            self._epochs[i] = epoch
            self._values[:, i] = row
            i += 1
        if self._latest is not None:
            self._epochs[i] = self._latest_epoch
            self._values[:, i] = self._latest
            i += 1
        self._n = i

    # ---- persistence -----------------------------------------------------------------
    def copy(self) -> History:
        return History.from_arrays(self.to_arrays())

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Everything needed to continue recording bit-identically, as named arrays."""
        n = self._n_done
        meta = [
            self.max_points, self._stride, self._bucket_count, self._bucket_epoch,
            self._latest is not None, self._latest_epoch, self._min_epoch, self._min_row,
            self._bucket_min is not None,
        ]
        return {
            "epochs": self._epochs[:n].copy(),
            "values": self._values[:, :n].copy(),
            "bucket": np.array(self._bucket),
            "bucket_min": np.array(self._bucket_min or [math.nan] * 4),
            "latest": np.array(self._latest or [math.nan] * 4),
            "min_loss": np.array([self._min_loss]),
            "meta": np.array(meta, dtype=np.int64),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> History:
        """Inverse of :meth:`to_arrays`; HistoryError on missing or inconsistent arrays."""
        need = {"epochs", "values", "bucket", "bucket_min", "latest", "min_loss", "meta"}
        missing = sorted(need - set(arrays))
        if missing:
            raise HistoryError(f"history arrays missing: {', '.join(missing)}")
        meta = np.asarray(arrays["meta"])
        if meta.shape != (9,) or meta.dtype.kind not in "iu":
            raise HistoryError("history meta must be 9 integers")
        (max_points, stride, count, b_epoch, has_latest, l_epoch, m_epoch, m_row,
         has_bmin) = (int(v) for v in meta)
        h = cls(max_points)
        epochs = np.asarray(arrays["epochs"])
        values = np.asarray(arrays["values"])
        n = epochs.shape[0] if epochs.ndim == 1 else -1
        if epochs.dtype.kind not in "iu" or not 0 <= n <= h._done_cap:
            raise HistoryError(f"history epochs must be at most {h._done_cap} integers")
        if values.shape != (4, n) or values.dtype != np.float64:
            raise HistoryError(f"history values must be float64 of shape (4, {n})")
        small = {k: np.asarray(arrays[k]) for k in ("bucket", "bucket_min", "latest")}
        if any(a.shape != (4,) or a.dtype != np.float64 for a in small.values()):
            raise HistoryError("history bucket/latest records must be 4 float64 values")
        min_loss = np.asarray(arrays["min_loss"])
        if min_loss.shape != (1,) or min_loss.dtype != np.float64:
            raise HistoryError("history min_loss must be one float64")
        if np.isinf(np.concatenate([values.ravel(), *small.values()])).any():
            raise HistoryError("history values hold infinity")
        if np.isnan(min_loss[0]) or (np.isinf(min_loss[0]) and m_epoch >= 0):
            raise HistoryError("history min_loss must be finite")
        stride_ok = 1 <= stride <= MAX_STRIDE and stride & (stride - 1) == 0
        if not (stride_ok and 0 <= count < stride and has_latest in (0, 1)
                and has_bmin in (0, 1) and -1 <= m_row < n):
            raise HistoryError("history bookkeeping values are out of range")
        ordered = np.append(epochs, l_epoch) if has_latest else epochs
        if len(ordered) > 1 and not (np.diff(ordered) > 0).all():
            raise HistoryError("history epochs must increase")
        h._epochs[:n] = epochs
        h._values[:, :n] = values
        h._n_done, h._stride, h._bucket_count, h._bucket_epoch = n, stride, count, b_epoch
        h._bucket = [float(v) for v in small["bucket"]]
        h._bucket_min = [float(v) for v in small["bucket_min"]] if has_bmin else None
        h._latest = [float(v) for v in small["latest"]] if has_latest else None
        h._latest_epoch = l_epoch
        h._min_loss, h._min_epoch, h._min_row = float(min_loss[0]), m_epoch, m_row
        h._sync_tail()
        return h
