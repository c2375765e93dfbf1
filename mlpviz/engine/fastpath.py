"""The fused training loop behind ``MLP.train_epoch``.

Same mathematics as ``MLP.forward``/``backward``, arranged for speed on small networks where
per-call overhead dominates: each layer's input carries a trailing column of ones so that
one matrix product computes W a + b and one computes [∂L/∂W | ∂L/∂b]; gradients land in one
flat vector laid out like ``MLP.params`` so an optimizer step is a few NumPy calls; products
use ``np.dot`` into buffers allocated once per batch size (it dispatches faster than
``np.matmul`` for tiny matrices).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from mlpviz.engine.optimizers import Optimizer

if TYPE_CHECKING:
    from mlpviz.engine.mlp import MLP


class _Buffers:
    """For one batch size B: the ones-augmented input (B, n_in + 1), z of every layer
    (B, n_l), and the ones-augmented activations of the hidden layers (B, n_l + 1)."""

    def __init__(self, sizes: list[int], batch: int, dtype: np.dtype):
        self.xa = np.ones((batch, sizes[0] + 1), dtype=dtype)
        self.x_view = self.xa[:, :-1]
        self.z = [np.empty((batch, n), dtype=dtype) for n in sizes[1:]]
        self.acts = [np.ones((batch, n + 1), dtype=dtype) for n in sizes[1:-1]]
        self.acts_view = [a[:, :-1] for a in self.acts]


class FastTrainer:
    """Trains one network in place; build a new one when the network's structure changes."""

    def __init__(self, net: MLP):
        self.params = net.params
        self.blocks = net.blocks
        self.weight_mask = net.weight_mask
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
        """Whether ``net`` is still the network this trainer was built for."""
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

    def _step(self, xb: np.ndarray, yb: np.ndarray, opt: Optimizer) -> None:
        """One mini-batch: xb (B, n_in), yb (B, n_out), both of the network's dtype."""
        blocks, acts, gblocks = self.blocks, self.acts, self.gblocks
        buf = self._buffers(xb.shape[0])
        buf.x_view[...] = xb
        last = len(blocks) - 1
        a_in = buf.xa
        for l in range(last):
            np.dot(a_in, blocks[l].T, out=buf.z[l])
            buf.acts_view[l][...] = acts[l].f(buf.z[l])
            a_in = buf.acts[l]
        z_out = np.dot(a_in, blocks[last].T, out=buf.z[last])
        a_out = acts[last].f(z_out)
        dz = self.loss.backward(z_out, a_out, yb, acts[last])[1]
        for l in range(last, 0, -1):
            np.dot(dz.T, buf.acts[l - 1], out=gblocks[l])
            da = np.dot(dz, blocks[l])[:, :-1]
            dz = acts[l - 1].backward(buf.z[l - 1], buf.acts_view[l - 1], da)
        np.dot(dz.T, buf.xa, out=gblocks[0])
        opt.step(self.params, self.grads, self.weight_mask)

    def epoch(
        self,
        x: np.ndarray,
        y: np.ndarray,
        opt: Optimizer,
        batch_size: int,
        rng: np.random.Generator | None,
        stop: Callable[[], bool] | None = None,
    ) -> bool | None:
        """One pass over x (n, n_in) and y (n, n_out), already validated and of the network's
        dtype, in mini-batches of ``batch_size`` (the last may be smaller), shuffled by
        ``rng`` if given.

        Returns False, with the parameters and the optimizer state restored to their values
        before the epoch, if a parameter became NaN or infinite. ``stop`` is asked before
        every mini-batch; when it returns True the parameters and the optimizer state are
        restored the same way and None is returned.
        """
        n = x.shape[0]
        if rng is not None:
            order = rng.permutation(n)
            x, y = x[order], y[order]
        saved = self.params.copy()
        saved_state = opt.state_dict()
        with np.errstate(all="ignore"):
            for start in range(0, n, batch_size):
                if stop is not None and stop():
                    self.params[...] = saved
                    opt.load_state_dict(saved_state, saved.size)
                    return None
                end = start + batch_size
                self._step(x[start:end], y[start:end], opt)
        if np.isfinite(self.params).all():
            return True
        self.params[...] = saved
        opt.load_state_dict(saved_state, saved.size)
        return False
