"""The buffers ``nnlib.mlp.MLP`` trains on: the same forward and backward pass as
``full_forward`` / ``full_backward``, without a fresh array per layer and step.

Each layer's [W; b] is packed as one block (copied from ``params`` at every call, so ``params``
stays the truth) and each layer's input carries a column of ones, so one matrix product gives
``A W + b`` and one gives ``[dW; db] = [A | 1]^T dZ``; the buffers for a batch size are kept
and reused. Why: fresh (N, H) arrays of a few hundred kB at every step make the allocator
hand memory back to the system and fault it in again, which costs more than the arithmetic at
the course's sizes (``benchmarks/mlp_moons.py`` measures both paths; see ``nnlib.mlp``).
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import relu, sigmoid, sigmoid_slope, tanh, tanh_slope
from nnlib.losses import softmax


def _activate(name, Z):
    return {"relu": relu, "tanh": tanh, "sigmoid": sigmoid, "softmax": softmax}.get(
        name, lambda z: z)(Z)


def _activation_backward(name, dA, Z, A):
    if name == "relu":
        np.multiply(dA, Z > 0.0, out=dA)
    elif name == "tanh":
        dA *= tanh_slope(A)
    elif name == "sigmoid":
        dA *= sigmoid_slope(A)
    return dA


def pack(params: dict, blocks: list) -> list:
    """Copy ``W{l}`` and ``b{l}`` of ``params`` into the blocks [W; b] (one per layer)."""
    for index, block in enumerate(blocks, start=1):
        block[:-1], block[-1] = params[f"W{index}"], params[f"b{index}"]
    return blocks


class Workspace:
    """Buffers for ``rows`` examples of one architecture: ``forward(X, blocks)`` gives the
    logits (rows, C) and ``backward(dlogits, blocks)`` the gradients, views into the
    workspace that the next call overwrites."""

    def __init__(self, architecture, rows):
        self.activations = [spec["activation"] for spec in architecture]
        self.inputs = [np.ones((rows, spec["input_dim"] + 1)) for spec in architecture]
        self.z = [np.empty((rows, spec["output_dim"])) for spec in architecture]
        self.delta = [np.empty((rows, spec["input_dim"])) for spec in architecture]
        self.grad_blocks = [np.empty((spec["input_dim"] + 1, spec["output_dim"]))
                            for spec in architecture]
        self.grads = {}
        for index, block in enumerate(self.grad_blocks, start=1):
            self.grads[f"W{index}"], self.grads[f"b{index}"] = block[:-1], block[-1]

    def forward(self, X, blocks):
        self.inputs[0][:, :-1] = X
        last = len(blocks) - 1
        for index, block in enumerate(blocks):
            Z = np.matmul(self.inputs[index], block, out=self.z[index])
            if index < last:
                self.inputs[index + 1][:, :-1] = _activate(self.activations[index], Z)
        return self.z[last]

    def backward(self, dlogits, blocks):
        dZ = dlogits
        for index in range(len(blocks) - 1, -1, -1):
            np.matmul(self.inputs[index].T, dZ, out=self.grad_blocks[index])
            if index > 0:
                dA = np.matmul(dZ, blocks[index][:-1].T, out=self.delta[index])
                dZ = _activation_backward(self.activations[index - 1], dA, self.z[index - 1],
                                          self.inputs[index][:, :-1])
        return self.grads
