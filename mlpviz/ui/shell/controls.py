"""The settings panel: data, network and training controls.

Each control calls one controller method; after any model change the panel re-reads the
session's configs (with its own signals blocked), so it always shows what the model holds.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mlpviz.engine import activations, datasets, features, losses, optimizers
from mlpviz.engine import init as inits
from mlpviz.ui.controller import Controller
from mlpviz.ui.shell.csv_columns_dialog import choose_columns

LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 64


def _combo(items: list[tuple[str, object]]) -> QComboBox:
    box = QComboBox()
    for text, data in items:
        box.addItem(text, data)
    return box


def _select(box: QComboBox, data: object) -> None:
    i = box.findData(data)
    if i < 0 and isinstance(data, float):
        box.addItem(f"{data:g}", data)
        i = box.count() - 1
    box.setCurrentIndex(max(i, 0))


class _LayerRow(QWidget):
    """One hidden layer: neuron count with − / + and its activation."""

    def __init__(self, panel: ControlsPanel, index: int):
        super().__init__()
        self.index = index
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(f"Hidden {index + 1}")
        self.minus = QToolButton(text="−")
        self.minus.setToolTip("One neuron fewer")
        self.count = QLabel()
        self.count.setMinimumWidth(24)
        self.count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.plus = QToolButton(text="+")
        self.plus.setToolTip("One neuron more")
        self.act = _combo([(activations.get(n).title, n) for n in activations.HIDDEN_NAMES])
        self.act.setToolTip("Activation function of this layer")
        self.minus.setAccessibleName(f"Hidden layer {index + 1}: one neuron fewer")
        self.plus.setAccessibleName(f"Hidden layer {index + 1}: one neuron more")
        self.act.setAccessibleName(f"Hidden layer {index + 1} activation")
        for w in (self.label, self.minus, self.count, self.plus, self.act):
            lay.addWidget(w)
        self.minus.clicked.connect(lambda: panel._change_neurons(self.index, -1))
        self.plus.clicked.connect(lambda: panel._change_neurons(self.index, +1))
        self.act.activated.connect(lambda _i: panel._change_activation(self.index))


class ControlsPanel(QScrollArea):
    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctl = controller
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setObjectName("controls")
        body = QWidget()
        self.setWidget(body)
        lay = QVBoxLayout(body)
        lay.addWidget(self._data_group())
        lay.addWidget(self._net_group())
        lay.addWidget(self._train_group())
        lay.addStretch(1)
        self._rows: list[_LayerRow] = []
        self._shown: tuple | None = None
        controller.modelChanged.connect(self.refresh)
        controller.sessionReplaced.connect(self.force_refresh)
        # a refused change leaves the configs as they were: show them again
        controller.message.connect(self._on_message)
        self.refresh()
        scrollbar = self.verticalScrollBar().sizeHint().width()
        self.setMinimumWidth(body.minimumSizeHint().width() + scrollbar + 6)

    # ---- building -----------------------------------------------------------------------
    def _data_group(self) -> QGroupBox:
        box = QGroupBox("Data")
        form = QFormLayout(box)
        self.dataset = _combo([(datasets.TITLES[n], n) for n in datasets.NAMES])
        self.dataset.activated.connect(
            lambda _i: self.ctl.set_data(dataset=self.dataset.currentData())
        )
        form.addRow("Dataset", self.dataset)
        self.points = QSpinBox(minimum=4, maximum=5000, singleStep=50)
        self.points.editingFinished.connect(lambda: self._data_if_changed("n", self.points.value()))
        form.addRow("Points", self.points)
        self.noise = QDoubleSpinBox(minimum=0.0, maximum=0.5, singleStep=0.05, decimals=2)
        self.noise.editingFinished.connect(
            lambda: self._data_if_changed("noise", self.noise.value())
        )
        form.addRow("Noise", self.noise)
        self.train_pct = QSpinBox(minimum=10, maximum=100, singleStep=10, suffix=" %")
        self.train_pct.setToolTip("Share of the points used for training; the rest is the test set")
        self.train_pct.editingFinished.connect(
            lambda: self._data_if_changed("train_fraction", self.train_pct.value() / 100.0)
        )
        form.addRow("Training share", self.train_pct)
        feats = QWidget()
        grid = QGridLayout(feats)
        grid.setContentsMargins(0, 0, 0, 0)
        self.feature_boxes: dict[str, QCheckBox] = {}
        for k, name in enumerate(features.FEATURES):
            cb = QCheckBox(features.LABELS[name])
            cb.toggled.connect(self._features_toggled)
            grid.addWidget(cb, k // 2, k % 2)
            self.feature_boxes[name] = cb
        form.addRow("Inputs", feats)
        row = QHBoxLayout()
        regen = QPushButton("Regenerate")
        regen.setToolTip("Draw new points from the same dataset (new data seed)")
        regen.clicked.connect(self.ctl.regenerate)
        csv = QPushButton("Import CSV…")
        csv.setToolTip("Load points from a CSV file: header, then x1,x2,label per line")
        csv.clicked.connect(self._import_csv)
        row.addWidget(regen)
        row.addWidget(csv)
        form.addRow(row)
        return box

    def _net_group(self) -> QGroupBox:
        box = QGroupBox("Network")
        self._net_layout = QVBoxLayout(box)
        top = QHBoxLayout()
        top.addWidget(QLabel("Hidden layers"))
        self.layers_minus = QToolButton(text="−")
        self.layers_minus.setToolTip("Remove the last hidden layer")
        self.layers_minus.clicked.connect(lambda: self._change_layers(-1))
        self.layers_count = QLabel()
        self.layers_plus = QToolButton(text="+")
        self.layers_plus.setToolTip("Add a hidden layer")
        self.layers_plus.clicked.connect(lambda: self._change_layers(+1))
        for w in (self.layers_minus, self.layers_count, self.layers_plus):
            top.addWidget(w)
        top.addStretch(1)
        self._net_layout.addLayout(top)
        self._rows_box = QVBoxLayout()
        self._net_layout.addLayout(self._rows_box)
        form = QFormLayout()
        self.output_act = _combo([(activations.get(n).title, n) for n in activations.NAMES])
        self.output_act.activated.connect(
            lambda _i: self._set_output(self.output_act.currentData(), None)
        )
        form.addRow("Output", self.output_act)
        self.loss = _combo([(losses.get(n).title, n) for n in losses.NAMES])
        self.loss.activated.connect(lambda _i: self._set_output(None, self.loss.currentData()))
        form.addRow("Loss", self.loss)
        self.init = _combo([(n.capitalize(), n) for n in inits.NAMES])
        self.init.activated.connect(lambda _i: self.ctl.set_net(init=self.init.currentData()))
        form.addRow("Initialisation", self.init)
        self.net_seed = QSpinBox(minimum=0, maximum=2**31 - 1)
        self.net_seed.editingFinished.connect(self._seed_changed)
        form.addRow("Seed", self.net_seed)
        self._net_layout.addLayout(form)
        return box

    def _train_group(self) -> QGroupBox:
        box = QGroupBox("Training")
        form = QFormLayout(box)
        self.lr = _combo([(f"{v:g}", v) for v in LEARNING_RATES])
        self.lr.setToolTip("Learning rate η in w ← w − η ∂L/∂w (changing it keeps the weights)")
        self.lr.activated.connect(
            lambda _i: self.ctl.set_train(learning_rate=self.lr.currentData())
        )
        form.addRow("Learning rate η", self.lr)
        self.batch = QSpinBox(minimum=1, maximum=100000)
        self.batch.editingFinished.connect(
            lambda: self._train_if_changed("batch_size", self.batch.value())
        )
        form.addRow("Batch size", self.batch)
        self.optimizer = _combo([("SGD", "sgd"), ("SGD + momentum", "momentum"), ("Adam", "adam")])
        self.optimizer.activated.connect(
            lambda _i: self.ctl.set_train(optimizer=self.optimizer.currentData())
        )
        form.addRow("Optimizer", self.optimizer)
        self.reg = _combo([("None", "none"), ("L1", "l1"), ("L2", "l2")])
        self.reg.activated.connect(
            lambda _i: self.ctl.set_train(regularization=self.reg.currentData())
        )
        form.addRow("Regularization", self.reg)
        self.reg_rate = _combo([(f"{v:g}", v) for v in REG_RATES])
        self.reg_rate.activated.connect(
            lambda _i: self.ctl.set_train(reg_rate=self.reg_rate.currentData())
        )
        form.addRow("Regularization rate", self.reg_rate)
        assert optimizers.NAMES  # the combo above lists every optimizer name
        return box

    # ---- reading the model --------------------------------------------------------------
    def refresh(self) -> None:
        s = self.ctl.session
        d, n, t = s.data_config, s.net_config, s.train_config
        if (d, n, t) == self._shown:  # nothing to re-read (e.g. a training tick)
            return
        self._shown = (d, n, t)
        widgets = [
            self.dataset,
            self.points,
            self.noise,
            self.train_pct,
            self.output_act,
            self.loss,
            self.init,
            self.net_seed,
            self.lr,
            self.batch,
            self.optimizer,
            self.reg,
            self.reg_rate,
            *self.feature_boxes.values(),
        ]
        for w in widgets:
            w.blockSignals(True)
        try:
            custom = d.dataset not in datasets.NAMES
            if custom and self.dataset.findData(d.dataset) < 0:
                self.dataset.addItem("Custom data", d.dataset)
            _select(self.dataset, d.dataset)
            for w in (self.points, self.noise):
                w.setEnabled(not custom)
            self.points.setValue(int(d.n))
            self.noise.setValue(float(d.noise))
            self.train_pct.setValue(round(float(d.train_fraction) * 100))
            for name, cb in self.feature_boxes.items():
                cb.setChecked(name in d.features)
            _select(self.output_act, n.output)
            _select(self.loss, n.loss)
            _select(self.init, n.init)
            self.net_seed.setValue(int(n.seed))
            _select(self.lr, float(t.learning_rate))
            self.batch.setValue(int(t.batch_size))
            _select(self.optimizer, t.optimizer)
            _select(self.reg, t.regularization)
            _select(self.reg_rate, float(t.reg_rate))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._refresh_layers()

    def _on_message(self, level: str, _text: str) -> None:
        if level == "error":
            self.force_refresh()

    def force_refresh(self) -> None:
        self._shown = None
        self.refresh()

    def _hidden(self) -> list[int]:
        return list(self.ctl.session.net_config.hidden)

    def _hidden_acts(self) -> list[str]:
        act = self.ctl.session.net_config.activation
        hidden = self._hidden()
        return [act] * len(hidden) if isinstance(act, str) else list(act)

    def _refresh_layers(self) -> None:
        hidden, acts = self._hidden(), self._hidden_acts()
        while len(self._rows) > len(hidden):
            row = self._rows.pop()
            row.setParent(None)
            row.deleteLater()
        while len(self._rows) < len(hidden):
            row = _LayerRow(self, len(self._rows))
            self._rows.append(row)
            self._rows_box.addWidget(row)
        for row, size, act in zip(self._rows, hidden, acts, strict=True):
            row.count.setText(str(size))
            row.minus.setEnabled(size > 1)
            row.plus.setEnabled(size < MAX_NEURONS)
            row.act.blockSignals(True)
            _select(row.act, act)
            row.act.blockSignals(False)
        self.layers_count.setText(str(len(hidden)))
        self.layers_minus.setEnabled(len(hidden) > 0)
        self.layers_plus.setEnabled(len(hidden) < MAX_HIDDEN_LAYERS)

    # ---- writing the model --------------------------------------------------------------
    def _data_if_changed(self, key: str, value: object) -> None:
        if getattr(self.ctl.session.data_config, key) != value:
            self.ctl.set_data(**{key: value})

    def _train_if_changed(self, key: str, value: object) -> None:
        if getattr(self.ctl.session.train_config, key) != value:
            self.ctl.set_train(**{key: value})

    def _features_toggled(self) -> None:
        names = tuple(n for n, cb in self.feature_boxes.items() if cb.isChecked())
        if not names:
            self.ctl.message.emit("error", "Choose at least one input feature.")
            self.force_refresh()
            return
        self.ctl.set_data(features=names)

    def _change_layers(self, delta: int) -> None:
        hidden, acts = self._hidden(), self._hidden_acts()
        if delta > 0:
            hidden.append(hidden[-1] if hidden else 4)
            acts.append(acts[-1] if acts else "tanh")
        elif hidden:
            hidden.pop()
            acts.pop()
        self.ctl.set_net(hidden=tuple(hidden), activation=tuple(acts))

    def _change_neurons(self, index: int, delta: int) -> None:
        hidden = self._hidden()
        hidden[index] = max(1, min(MAX_NEURONS, hidden[index] + delta))
        self.ctl.set_net(hidden=tuple(hidden), activation=tuple(self._hidden_acts()))

    def _change_activation(self, index: int) -> None:
        acts = self._hidden_acts()
        acts[index] = self._rows[index].act.currentData()
        self.ctl.set_net(hidden=tuple(self._hidden()), activation=tuple(acts))

    def _set_output(self, output: str | None, loss: str | None) -> None:
        """Keep output activation and loss a valid pair (e.g. softmax ↔ cross-entropy)."""
        n = self.ctl.session.net_config
        output = output or n.output
        loss = loss or n.loss
        if output == "softmax" and loss not in ("cross_entropy", "mse", "mse_half"):
            loss = "cross_entropy"
        if loss == "cross_entropy":
            output = "softmax"
        if loss == "bce":
            output = "sigmoid"
        if output != "softmax" and loss == "cross_entropy":
            loss = "mse"
        if output != "sigmoid" and loss == "bce":
            loss = "mse"
        self.ctl.set_net(output=output, loss=loss)

    def _seed_changed(self) -> None:
        if self.net_seed.value() != self.ctl.session.net_config.seed:
            self.ctl.set_net(seed=self.net_seed.value())

    def _import_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import CSV data", "", "CSV files (*.csv)")
        table = self.ctl.read_csv(path) if path else None
        if table is None:
            return
        inputs: list[str | int] | None = None
        target: int | None = None
        if len(table.columns) > 3:
            choice = choose_columns(table.columns, table.filename, self)
            if choice is None:
                return
            inputs, target = list(choice[0]), choice[1]
        self.ctl.import_csv(path, inputs, target, table)
