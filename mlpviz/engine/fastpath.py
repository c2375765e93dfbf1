"""The fused training loop behind ``MLP.train_epoch``.

Same mathematics as ``MLP.forward``/``backward``, arranged for speed on small networks where
per-call overhead dominates: each layer's activations carry a trailing column of ones so
that one matmul computes W a + b and one matmul computes [∂L/∂W | ∂L/∂b]; gradients land in
one flat vector laid out like ``MLP.params`` so an optimizer step is a few NumPy calls; and
all buffers are allocated once per batch size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mlpviz.engine.optimizers import Optimizer

if TYPE_CHECKING:
    from mlpviz.engine.mlp import MLP


class _Buffers:
    """Per batch size: z of every layer and ones-augmented activations of hidden layers."""

    def __init__(self, sizes: list[int], batch: int, dtype: np.dtype):
        self.z = [np.empty((batch, n), dtype=dtype) for n in sizes[1:]]
        self.acts = [np.ones((batch, n + 1), dtype=dtype) for n in sizes[1:-1]]
        self.acts_view = [a[:, :-1] for a in self.acts]


class FastTrainer:
    def __init__(self, net: MLP):
        self.net = net
        self.params = net.params
        self.sizes = list(net.sizes)
        self.acts = list(net.activations)
        self.loss = net.loss
        self.grads = np.zeros_like(net.params)
        self.gblocks = []
        offset = 0
        for block in net.blocks:
            self.gblocks.append(self.grads[offset : offset + block.size].reshape(block.shape))
            offset += block.size
        self._bufs: dict[int, _Buffers] = {}

    def fits(self, net: MLP) -> bool:
        return (
            net.params is self.params
            and net.sizes == self.sizes
            and list(net.activations) == self.acts
            and net.loss is self.loss
        )

    def _buffers(self, batch: int) -> _Buffers:
        buf = self._bufs.get(batch)
        if buf is None:
            buf = self._bufs[batch] = _Buffers(self.sizes, batch, self.params.dtype)
        return buf

    def _step(self, xa: np.ndarray, y: np.ndarray, opt: Optimizer) -> None:
        """One mini-batch: xa (B, n_in + 1) with a ones column, y (B, n_out)."""
        net = self.net
        blocks, acts = net.blocks, self.acts
        buf = self._buffers(xa.shape[0])
        last = len(blocks) - 1
        a_in = xa
        for l in range(last):
            np.matmul(a_in, blocks[l].T, out=buf.z[l])
            buf.acts_view[l][...] = acts[l].f(buf.z[l])
            a_in = buf.acts[l]
        z_out = np.matmul(a_in, blocks[last].T, out=buf.z[last])
        a_out = acts[last].f(z_out)
        dz = self.loss.backward(z_out, a_out, y, acts[last])[1]
        for l in range(last, 0, -1):
            np.matmul(dz.T, buf.acts[l - 1], out=self.gblocks[l])
            da = (dz @ blocks[l])[:, :-1]
            dz = acts[l - 1].backward(buf.z[l - 1], buf.acts_view[l - 1], da)
        np.matmul(dz.T, xa, out=self.gblocks[0])
        opt.step(self.params, self.grads, net.weight_mask)

    def epoch(
        self,
        x: np.ndarray,
        y: np.ndarray,
        opt: Optimizer,
        batch_size: int,
        rng: np.random.Generator | None,
    ) -> None:
        from mlpviz.engine.mlp import DivergenceError, NetworkError

        dtype = self.params.dtype
        x = np.asarray(x)
        y = np.asarray(y)
        if x.ndim != 2 or x.shape[1] != self.sizes[0] or x.shape[0] == 0:
            raise NetworkError(f"inputs have shape {x.shape}; expected (n>0, {self.sizes[0]})")
        if y.shape != (x.shape[0], self.sizes[-1]):
            raise NetworkError(f"targets have shape {y.shape}; expected ({x.shape[0]}, {self.sizes[-1]})")
        batch_size = int(batch_size)
        if batch_size < 1:
            raise NetworkError(f"batch size must be at least 1, got {batch_size}")
        n = x.shape[0]
        order = rng.permutation(n) if rng is not None else np.arange(n)
        xa = np.ones((n, self.sizes[0] + 1), dtype=dtype)
        xa[:, :-1] = x[order]
        ys = y[order].astype(dtype, copy=False)
        saved = self.params.copy()
        saved_state = opt.state_dict()
        saved_t = getattr(opt, "t", None)
        with np.errstate(all="ignore"):
            for start in range(0, n, batch_size):
                self._step(xa[start : start + batch_size], ys[start : start + batch_size], opt)
        if not np.isfinite(self.params).all():
            self.params[...] = saved
            opt.load_state_dict(saved_state, saved.size)
            if saved_t is not None:
                opt.t = saved_t  # type: ignore[attr-defined]
            raise DivergenceError(
                "training diverged (a weight became NaN or infinite); the weights from "
                "before this epoch were kept — lower the learning rate"
            )
