"""A training session: data, network, optimizer, settings, RNG and history in one object.

The default ``Session()`` is the XOR lesson: 200 noisy XOR points (noise 0.1, half for
training), a 2-2-1 sigmoid network (Xavier init, net seed 0) with MSE, plain SGD with
η = 0.5 and batches of 10. It classifies every training point correctly from about epoch
330 on; some other net seeds (1, 2, 4, 6) stall in the local minimum that makes XOR a
classic (the xor-stuck lesson shows net seed 1).

Mini-batches are shuffled by one ``numpy.random.Generator`` seeded from (data seed, net
seed); its state is part of a snapshot or a saved file, so resumed training is
bit-identical to uninterrupted training.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mlpviz.engine import Cancelled, DivergenceError, optimizers
from mlpviz.engine.datasets import Dataset
from mlpviz.engine.mlp import MLP, NetworkError
from mlpviz.model import display
from mlpviz.model.cancel import JOB
from mlpviz.model.config import CUSTOM, DataConfig, NetConfig, SettingsError, TrainConfig
from mlpviz.model.data import SessionData, from_arrays, from_dataset, generate
from mlpviz.model.grid import GridMaps, HiddenSpace, grid_maps, hidden_space
from mlpviz.model.history import History
from mlpviz.model.snapshot import Snapshot, load_lesson_or_none
from mlpviz.model.walkthrough import Walkthrough

MAX_COORDINATE = 1e6  # |x| of a point placed on the map


MAX_EPOCHS_PER_CALL = 10**9


def flat_params(net: MLP, weights: list, biases: list) -> np.ndarray:
    """The flat parameter vector for ``net``'s layout from W⁽ˡ⁾ (n_out, n_in), b⁽ˡ⁾ (n_out,)."""
    try:
        other = MLP.from_params(weights, biases, list(net.activations), net.loss, net.dtype)
    except (NetworkError, ValueError, TypeError) as exc:
        raise SettingsError(f"fixed weights do not fit the network: {exc}") from None
    if other.sizes != net.sizes:
        raise SettingsError(
            f"fixed weights are for a {'-'.join(map(str, other.sizes))} network, "
            f"not {'-'.join(map(str, net.sizes))}"
        )
    return other.get_params()


class Session:
    """Data + network + optimizer + history; see the module docstring.

    ``weights``: optional fixed initial weights ``(W list, b list)`` that :meth:`reset`
    returns to. ``dataset``: the raw 2-D data when ``data.dataset`` is "custom".
    """

    def __init__(
        self,
        data: DataConfig | None = None,
        net: NetConfig | None = None,
        train: TrainConfig | None = None,
        weights: tuple[list, list] | None = None,
        *,
        dataset: Dataset | None = None,
    ):
        dc, nc, tc = data or DataConfig(), net or NetConfig(), train or TrainConfig()
        for value, cls in ((dc, DataConfig), (nc, NetConfig), (tc, TrainConfig)):
            if not isinstance(value, cls):
                raise SettingsError(f"expected a {cls.__name__}, got {type(value).__name__}")
        if dc.dataset == CUSTOM:
            if dataset is None:
                raise SettingsError("dataset 'custom' needs its data: pass dataset=, or use "
                                    "Session.from_arrays or a lesson")
            dc = dc.replace(n=len(dataset), noise=0.0)
            sdata = from_dataset(dataset, dc)
        elif dataset is not None:
            raise SettingsError(f"a dataset was given but the data settings name "
                                f"{dc.dataset!r}; use dataset='custom' for your own data")
        else:
            sdata = generate(dc)
        self._setup(dc, nc, tc, sdata, np.dtype(np.float64))
        if weights is not None:
            self._fixed = flat_params(self.net, list(weights[0]), list(weights[1]))
            self.net.params[...] = self._fixed
        self.lesson: Any = None

    def _setup(self, dc: DataConfig, nc: NetConfig, tc: TrainConfig, data: SessionData,
               dtype: np.dtype, net: MLP | None = None) -> None:
        self.data_config, self.net_config, self.train_config = dc, nc, tc
        self._data = data
        self._dtype = dtype
        self.net = net if net is not None else nc.build(data.n_in, data.n_out, dtype)
        self._fixed: np.ndarray | None = None
        self.history = History()
        self._grid_cache: tuple | None = None
        self._pca: dict[int, np.ndarray] = {}
        self._restart()

    def _restart(self) -> None:
        """Epoch 0, empty history, fresh optimizer and RNG (the weights are not touched)."""
        self.epoch = 0
        self.steps = 0
        self._epoch_start = 0
        self.history.clear()
        self.optimizer = self.train_config.make_optimizer()
        self.rng = np.random.default_rng([self.data_config.seed, self.net_config.seed])

    # ---- constructors ------------------------------------------------------------------
    @classmethod
    def from_lesson(cls, name: str | os.PathLike[str]) -> Session:
        """The session a lesson describes (its data, network, fixed weights): a built-in
        lesson by name, or a lesson file (a path ending in ``.json``)."""
        from mlpviz.model.lessons import load_lesson, read_lesson

        is_file = str(name).lower().endswith(".json")
        lesson = read_lesson(name) if is_file else load_lesson(str(name))
        dataset = lesson.custom_dataset()
        weights = (lesson.weights, lesson.biases) if lesson.weights is not None else None
        session = cls(lesson.data, lesson.net, lesson.train, weights, dataset=dataset)
        session.lesson = lesson
        return session

    @classmethod
    def from_arrays(
        cls,
        X: np.ndarray,
        Y: np.ndarray,
        net: MLP | None = None,
        learning_rate: float = 0.1,
        batch_size: int = 10,
        X_test: np.ndarray | None = None,
        Y_test: np.ndarray | None = None,
        optimizer: str = "sgd",
    ) -> Session:
        """A session on given arrays: X (n, d) network inputs, Y (n,) or (n, n_out) targets.

        0/1 (or ±1) single targets make a binary task, one-hot rows a multiclass one, anything
        else regression. ``net`` (used as is, not copied) must fit d and n_out; its current
        weights become what :meth:`reset` returns to. Without ``net``: the default NetConfig.
        """
        data, dc = from_arrays(X, Y, X_test, Y_test)
        tc = TrainConfig(learning_rate=learning_rate, batch_size=batch_size, optimizer=optimizer)
        session = cls.__new__(cls)
        session.lesson = None
        if net is None:
            session._setup(dc, NetConfig(), tc, data, np.dtype(np.float64))
            return session
        if not isinstance(net, MLP):
            raise SettingsError(f"net must be an MLP, got {type(net).__name__}")
        if net.sizes[0] != data.n_in or net.sizes[-1] != data.n_out:
            raise SettingsError(
                f"the network {net.describe()} does not fit the data: it needs "
                f"{data.n_in} inputs and {data.n_out} outputs"
            )
        session._setup(dc, NetConfig.of_net(net), tc, data, net.dtype, net)
        session._fixed = net.get_params()
        return session

    @classmethod
    def from_network(cls, net: MLP, X: np.ndarray | None = None,
                     Y: np.ndarray | None = None) -> Session:
        """A session on a given network: with X and Y as :meth:`from_arrays`; without them a
        network with 2 inputs gets generated data that fits its outputs ("plane" for one
        linear output, "xor" for another single output, "spiral3" for three)."""
        if X is not None or Y is not None:
            if X is None or Y is None:
                raise SettingsError("give both X and Y, or neither")
            return cls.from_arrays(X, Y, net=net)
        output = net.activations[-1].name
        name = None
        if net.sizes[0] == 2 and net.sizes[-1] == 1:
            name = "plane" if output == "linear" else "xor"
        elif net.sizes[0] == 2 and net.sizes[-1] == 3 and output != "linear":
            name = "spiral3"
        if name is None:
            raise SettingsError(f"no built-in data fits a {net.describe()} network; pass "
                                "its data as X and Y")
        weights = ([w.copy() for w in net.weights], [b.copy() for b in net.biases])
        return cls(DataConfig(dataset=name), NetConfig.of_net(net), weights=weights)

    @classmethod
    def from_torch(cls, module: Any, X: np.ndarray | None = None,
                   Y: np.ndarray | None = None, loss: str | None = None) -> Session:
        """A session on a PyTorch ``nn.Sequential`` of Linear layers and supported
        activations (see :mod:`mlpviz.model.torch_models`); data as :meth:`from_network`."""
        from mlpviz.model.torch_models import mlp_from_torch

        return cls.from_network(mlp_from_torch(module, loss), X, Y)

    @classmethod
    def from_state_dict(cls, state_dict: Any, description: Any, X: np.ndarray | None = None,
                        Y: np.ndarray | None = None) -> Session:
        """A session on a saved ``state_dict`` (a mapping or a ``torch.save`` file) with a
        JSON description of its activations (a mapping or a file; see
        :mod:`mlpviz.model.torch_models`); data as :meth:`from_network`."""
        from mlpviz.model.torch_models import mlp_from_state_dict

        return cls.from_network(mlp_from_state_dict(state_dict, description), X, Y)

    # ---- notebooks ---------------------------------------------------------------------
    def walkthrough(self, sample: int = 0, batch: bool = False) -> Walkthrough:
        """A step-by-step iteration on training sample ``sample`` (or the next mini-batch
        with ``batch``); nothing changes until its update stage."""
        return Walkthrough(self, sample=sample, batch=batch)

    def _repr_html_(self) -> str:
        return display.session_html(self)

    def _repr_png_(self) -> bytes | None:
        return display.diagram_png(self)

    # ---- its state as one value, and files ------------------------------------------
    def snapshot(self) -> Snapshot:
        """An in-memory copy of the whole state (an undo point)."""
        return Snapshot(
            self.data_config, self.net_config, self.train_config, self._data, self._dtype,
            self.net.get_params(), None if self._fixed is None else self._fixed.copy(),
            self.optimizer.config(), self.optimizer.state_dict(),
            self.rng.bit_generator.state, self.epoch, self.steps, self._epoch_start,
            self.history.to_arrays(), getattr(self.lesson, "name", None),
        )

    def restore(self, snap: Snapshot) -> None:
        """Return to ``snap`` exactly (weights, optimizer state, RNG, history, settings)."""
        net = self.net
        same = (net.dtype == snap.dtype and net.params.shape == snap.params.shape
                and snap.net_config.matches(net, snap.data.n_in, snap.data.n_out))
        if not same:
            net = snap.net_config.build(snap.data.n_in, snap.data.n_out, snap.dtype)
        optimizer = optimizers.from_config(snap.optimizer_config)
        optimizer.load_state_dict(snap.optimizer_state, snap.params.size)
        history = History.from_arrays(snap.history)
        net.set_params(snap.params)
        self.data_config, self.net_config = snap.data_config, snap.net_config
        self.train_config, self._data, self._dtype = snap.train_config, snap.data, snap.dtype
        if net is not self.net:
            self.net = net
            self._forget_views()
        self._fixed = None if snap.fixed_params is None else snap.fixed_params.copy()
        self.optimizer, self.history = optimizer, history
        self.rng.bit_generator.state = snap.rng_state
        self.epoch, self.steps, self._epoch_start = snap.epoch, snap.steps, snap.epoch_start_steps
        if getattr(self.lesson, "name", None) != snap.lesson_name:
            self.lesson = load_lesson_or_none(snap.lesson_name)

    @classmethod
    def from_snapshot(cls, snap: Snapshot) -> Session:
        """A new session in the state ``snap`` describes."""
        session = cls.__new__(cls)
        session.lesson = None
        session._setup(snap.data_config, snap.net_config, snap.train_config, snap.data,
                       snap.dtype)
        session.restore(snap)
        return session

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write a .mlpviz file atomically (SessionFileError on failure, old file intact)."""
        from mlpviz.model import sessionfile

        sessionfile.write(self.snapshot(), path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Session:
        """Read a .mlpviz file (SessionFileError with a clear message if it is bad)."""
        from mlpviz.model import sessionfile

        snap = sessionfile.read_snapshot(path)
        try:
            return cls.from_snapshot(snap)
        except Exception as exc:  # a state no check foresaw: still a refusal, not a crash
            raise sessionfile.SessionFileError(
                f"{Path(path).name}: invalid session ({exc or type(exc).__name__})") from None

    # ---- data views --------------------------------------------------------------------
    dataset = property(lambda self: self._data.dataset, doc="The full raw Dataset or None.")
    train_set = property(lambda self: self._data.train_set, doc="Raw 2-D training Dataset.")
    test_set = property(lambda self: self._data.test_set, doc="Raw 2-D test Dataset.")
    X_train = property(lambda self: self._data.X_train, doc="(n, n_in) network inputs.")
    Y_train = property(lambda self: self._data.Y_train, doc="(n, n_out) targets.")
    X_test = property(lambda self: self._data.X_test, doc="(m, n_in) network inputs.")
    Y_test = property(lambda self: self._data.Y_test, doc="(m, n_out) targets.")
    kind = property(lambda self: self._data.kind, doc="binary, multiclass or regression.")
    threshold = property(lambda self: self._data.threshold,
                         doc="Binary: the output from which on a sample counts as class 1 "
                             "(0.5 for 0/1 targets, 0 for ±1) — for the accuracy and the map.")
    feature_names = property(lambda self: self._data.feature_names, doc="Input names.")
    input_labels = property(lambda self: self._data.input_labels, doc="Display names.")
    class_names = property(
        lambda self: self._data.dataset.class_names if self._data.dataset is not None else (),
        doc="Display names of the classes (e.g. a CSV file's text labels), or () when the "
            "classes are just numbered.")
    is_planar = property(lambda self: self._data.extent is not None,
                         doc="True when the inputs come from 2-D points (maps possible).")

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(xmin, xmax, ymin, ymax) of the input plane: all data plus a 10 % margin, square."""
        if self._data.extent is None:
            raise SettingsError("these inputs are not 2-D points, so there is no input plane")
        return self._data.extent

    # ---- training ----------------------------------------------------------------------
    def train(self, epochs: int = 1, *, cancelled: Callable[[], bool] | None = None) -> None:
        """Run ``epochs`` full epochs, recording the history after each.

        On divergence raises DivergenceError; the weights, optimizer and RNG are those from
        before the failing epoch (earlier epochs of this call are kept).

        ``cancelled`` is asked before every mini-batch (default: the process's
        ``cancel.JOB.requested``, which the command line's signal handlers set); when it
        returns True the unfinished epoch is undone the same way and
        :class:`~mlpviz.engine.Cancelled` is raised, so a long call stops within one
        mini-batch.
        """
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) \
                or not 0 <= epochs <= MAX_EPOCHS_PER_CALL:
            raise SettingsError(f"epochs must be an integer in 0..{MAX_EPOCHS_PER_CALL}")
        stop = JOB.requested if cancelled is None else cancelled
        bs = self.train_config.batch_size
        per_epoch = self._batches_per_epoch()
        for done in range(int(epochs)):
            params = self.net.get_params()
            opt_state = self.optimizer.state_dict()
            rng_state = self.rng.bit_generator.state
            steps = self.steps
            try:
                stepped = self.steps - self._epoch_start
                if stepped > 0:  # batches stepped by hand: apply the rest of their epoch once
                    self._finish_epoch(stepped, bs, stop)
                else:
                    self.net.train_epoch(self.X_train, self.Y_train, self.optimizer, bs,
                                         self.rng, stop)
                    self.steps += per_epoch
                m = self.metrics()
                if not np.isfinite(m["train_loss"]):
                    raise DivergenceError("the training loss is no longer finite")
            except (DivergenceError, Cancelled) as exc:
                self.net.params[...] = params
                self.optimizer.load_state_dict(opt_state, params.size)
                self.rng.bit_generator.state = rng_state
                self.steps = steps
                if isinstance(exc, Cancelled):
                    raise Cancelled(f"training cancelled after {done} of {epochs} "
                                    "epochs") from None
                raise DivergenceError(
                    f"epoch {self.epoch + 1} at learning rate "
                    f"{self.train_config.learning_rate:g}: {exc}"
                ) from None
            self._end_epoch(m)

    def _batches_per_epoch(self) -> int:
        return math.ceil(len(self.X_train) / min(self.train_config.batch_size,
                                                 len(self.X_train)))

    def _finish_epoch(self, stepped: int, bs: int, stop: Callable[[], bool]) -> None:
        """Apply batches ``stepped`` … of the epoch's shuffle (the first ``stepped`` were
        stepped by hand), as ``train_epoch`` would have, and move the RNG past the shuffle;
        ``stop`` is asked before every mini-batch (Cancelled)."""
        order = self.rng.permutation(len(self.X_train))  # the shuffle minibatch() peeked
        with np.errstate(all="ignore"):
            for start in range(stepped * bs, len(order), bs):
                if stop():
                    raise Cancelled("training cancelled")
                idx = order[start : start + bs]
                x, y = self.X_train[idx], self.Y_train[idx]
                self.net.step(self.net.backward(self.net.forward(x), y), self.optimizer)
                self.steps += 1
        if not np.isfinite(self.net.params).all():
            raise DivergenceError("training diverged (a weight became NaN or infinite)")

    def _end_epoch(self, metrics: dict[str, float | None]) -> None:
        self.epoch += 1
        self._epoch_start = self.steps
        self.history.append(self.epoch, **metrics)

    def count_step(self, batch: bool) -> tuple:
        """Count one optimizer step taken by a walkthrough's update; returns what
        :meth:`uncount_step` needs to take it back.

        ``batch``: the step applied :meth:`minibatch` — the next batch of the epoch's
        shuffle. Stepping the epoch's last batch ends the epoch as :meth:`train` would
        (the RNG moves past the shuffle, the epoch counter advances, the history records
        it), so stepping batches and then training applies every batch exactly once. A
        one-sample step does not move the epoch along.
        """
        token = (self.steps, self._epoch_start, self.epoch, None, None)
        self.steps += 1
        if not batch:
            self._epoch_start += 1
        elif self.steps - self._epoch_start >= self._batches_per_epoch():
            token = (*token[:3], self.rng.bit_generator.state, self.history.copy())
            self.rng.permutation(len(self.X_train))
            self._end_epoch(self.metrics())
        return token

    def uncount_step(self, token: tuple) -> None:
        """Take back :meth:`count_step` (the walkthrough restores weights and optimizer)."""
        self.steps, self._epoch_start, self.epoch, rng_state, history = token
        if rng_state is not None:
            self.rng.bit_generator.state = rng_state
            self.history = history

    def metrics(self) -> dict[str, float | None]:
        """train_loss, test_loss, train_acc, test_acc for the current weights (accuracy None
        for regression, test values None without a test set). With L1/L2 regularization
        the losses include its penalty — the loss the updates descend (see
        :attr:`loss_name`)."""
        d = self._data
        train_loss, train_acc = d.evaluate(self.net, d.X_train, d.Y_train, d.labels_train)
        penalty = self.penalty()
        train_loss += penalty
        test_loss = test_acc = None
        if len(d.X_test):
            test_loss, test_acc = d.evaluate(self.net, d.X_test, d.Y_test, d.labels_test)
            test_loss += penalty
        return {"train_loss": train_loss, "test_loss": test_loss,
                "train_acc": train_acc, "test_acc": test_acc}

    def penalty(self) -> float:
        """The regularization term of the loss for the current weights: λ Σ|w| (L1),
        (λ/2) Σ w² (L2) or 0."""
        return self.optimizer.penalty(self.net.params, self.net.weight_mask)

    @property
    def loss_name(self) -> str:
        """How the plotted loss is labelled: "loss", or "loss + L1 penalty" / "loss + L2
        penalty" when the updates include one."""
        opt = self.optimizer
        if opt.regularization == "none" or opt.reg_rate == 0.0:
            return "loss"
        return f"loss + {opt.regularization.upper()} penalty"

    def sample(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Training sample k as (x (1, n_in), y (1, n_out)) network inputs and targets."""
        n = len(self.X_train)
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < n:
            raise SettingsError(f"sample index must be an integer in 0..{n - 1}, got {k!r}")
        return self.X_train[k : k + 1].copy(), self.Y_train[k : k + 1].copy()

    def minibatch(self) -> tuple[np.ndarray, np.ndarray]:
        """(X (B, n_in), Y (B, n_out)): batch number (steps since the epoch began) of the
        shuffle the next epoch will use; the RNG is not advanced."""
        n = len(self.X_train)
        bs = min(self.train_config.batch_size, n)
        rng = np.random.Generator(type(self.rng.bit_generator)())
        rng.bit_generator.state = self.rng.bit_generator.state
        order = rng.permutation(n)
        b = (self.steps - self._epoch_start) % self._batches_per_epoch()
        idx = order[b * bs : (b + 1) * bs]
        return self.X_train[idx], self.Y_train[idx]

    # ---- changing settings -------------------------------------------------------------
    def set_train(self, **changes: Any) -> None:
        """Change TrainConfig settings; weights and (same optimizer) its state are kept."""
        new = self.train_config.replace(**changes)
        if new.optimizer != self.train_config.optimizer:
            self.optimizer = new.make_optimizer()
        else:
            self.optimizer.lr = new.learning_rate
            self.optimizer.regularization = new.regularization
            self.optimizer.reg_rate = new.reg_rate
        self.train_config = new

    def set_net(self, **changes: Any) -> None:
        """Change NetConfig settings: the network is rebuilt from the net seed and training
        starts over (epoch 0, empty history). A new ``hidden`` alone adapts a per-layer
        activation list (see NetConfig.with_hidden)."""
        nc = self.net_config
        if "hidden" in changes and "activation" not in changes:
            nc = nc.with_hidden(changes.pop("hidden"))
        nc = nc.replace(**changes)
        net = nc.build(self._data.n_in, self._data.n_out, self._dtype)
        self.net_config, self.net, self._fixed = nc, net, None
        self._forget_views()
        self._restart()

    def set_data(self, **changes: Any) -> None:
        """Change DataConfig settings: the data is rebuilt and training starts over; the
        weights are kept unless the number of inputs or outputs changed (then the network
        is rebuilt from the net seed)."""
        dc = self.data_config.replace(**changes)
        if dc == self.data_config:
            return
        self._switch_data(dc, self._data.rebuilt(self.data_config, dc))

    def set_dataset(self, dataset: Dataset, train_fraction: float | None = None) -> None:
        """Use a custom raw 2-D Dataset (e.g. from a CSV file), like :meth:`set_data`."""
        if not isinstance(dataset, Dataset):
            raise SettingsError(f"expected a Dataset, got {type(dataset).__name__}")
        fraction = self.data_config.train_fraction if train_fraction is None else train_fraction
        features = self.data_config.features or ("x1", "x2")
        dc = self.data_config.replace(dataset=CUSTOM, n=len(dataset), noise=0.0,
                                      train_fraction=fraction, features=features)
        self._switch_data(dc, from_dataset(dataset, dc))

    def add_point(self, x: Sequence[float], label: int) -> None:
        """Add the 2-D point ``x`` of class ``label`` to the training set (a point
        placed on the map). The data becomes custom; training starts over, the weights
        are kept. SettingsError for data without 2-D points or a class it does not have."""
        data = self._data
        if data.train_set is None:
            raise SettingsError("points can be added on the map only to 2-D data")
        point = np.asarray(x, dtype=np.float64).reshape(1, 2)
        if not np.all(np.isfinite(point)) or np.abs(point).max() > MAX_COORDINATE:
            raise SettingsError(f"a point must be finite and within ±{MAX_COORDINATE:g}")
        if not 0 <= int(label) < data.train_set.n_classes:
            raise SettingsError(f"class {label} does not exist (classes 0..."
                                f"{data.train_set.n_classes - 1})")
        self._edit_points(np.vstack([data.train_set.X, point]),
                          np.append(data.train_set.y, int(label)))

    def remove_point(self, index: int) -> None:
        """Remove training point ``index`` (0-based), like :meth:`add_point`."""
        data = self._data
        if data.train_set is None or not 0 <= int(index) < len(data.train_set):
            raise SettingsError(f"there is no training point {index}")
        keep = np.arange(len(data.train_set)) != int(index)
        self._edit_points(data.train_set.X[keep], data.train_set.y[keep])

    def nearest_point(self, x: Sequence[float], radius: float) -> int | None:
        """The training point nearest to ``x`` within ``radius`` (data units), or None."""
        train = self._data.train_set
        if train is None or len(train) == 0:
            return None
        d = np.hypot(*(train.X - np.asarray(x, dtype=np.float64).reshape(1, 2)).T)
        i = int(np.argmin(d))
        return i if d[i] <= radius else None

    def _edit_points(self, raw: np.ndarray, labels: np.ndarray) -> None:
        data = self._data.with_train_points(raw, labels)
        n = len(data.dataset) if data.dataset is not None else len(raw)
        dc = self.data_config.replace(dataset=CUSTOM, n=n, noise=0.0,
                                      features=self.data_config.features or ("x1", "x2"))
        self._switch_data(dc, data)

    def _switch_data(self, dc: DataConfig, data: SessionData) -> None:
        net = self.net
        if (data.n_in, data.n_out) != (self._data.n_in, self._data.n_out):
            net = self.net_config.build(data.n_in, data.n_out, self._dtype)
        self.data_config, self._data = dc, data
        if net is not self.net:
            self.net, self._fixed = net, None
        self._forget_views()
        self._restart()

    def reset(self) -> None:
        """Initial weights again (net seed, or the fixed weights of a lesson or a given
        network), epoch 0, empty history, fresh optimizer and RNG."""
        init = self._fixed if self._fixed is not None else \
            self.net_config.build(
            self._data.n_in, self._data.n_out, self._dtype).params
        self.net.params[...] = init
        self._restart()

    def regenerate(self) -> None:
        """New data from the next data seed (seed + 1), keeping the network."""
        self.set_data(seed=self.data_config.seed + 1)

    def _forget_views(self) -> None:
        self._grid_cache = None
        self._pca.clear()

    # ---- what the views draw -----------------------------------------------------------
    def grid(self, resolution: int = 100, dtype: type | np.dtype = np.float32) -> GridMaps:
        """Every neuron's activation over the input plane (see grid.GridMaps), cached until
        the weights, the data or the arguments change."""
        key = (self.net, resolution, np.dtype(dtype), self.extent, self.feature_names)
        cache = self._grid_cache
        if cache is not None and cache[0] == key and np.array_equal(cache[1], self.net.params):
            return cache[2]
        maps = grid_maps(self.net, self.feature_names, self.extent, resolution, dtype)
        self._grid_cache = (key, self.net.get_params(), maps)
        return maps

    def hidden_space(self, layer: int, resolution: int = 21) -> HiddenSpace:
        """The training data and the warped input grid in the space of weight layer
        ``layer`` (0 = first hidden layer); see grid.hidden_space."""
        d = self._data
        planar = d.extent is not None
        space, basis = hidden_space(
            self.net, layer, d.X_train, d.labels_train,
            d.feature_names if planar else None, d.extent, resolution, self._pca.get(layer),
        )
        if basis is not None:
            self._pca[layer] = basis
        return space
