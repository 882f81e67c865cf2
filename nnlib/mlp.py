"""A multi-layer perceptron for two or more classes, described by its architecture (notebook 03).

The architecture is data (``nnlib.architecture``): a list of layer specs whose last layer is
one sigmoid unit (two classes: binary cross-entropy against 0/1 targets) or C > 1 softmax
units (C classes: categorical cross-entropy against integer labels 0 .. C-1). Both heads share
one code path; only the loss and the probabilities at the end differ.

- ``layer_forward`` / ``layer_backward``: one hidden layer with the (out, cache) contract,
  composed from ``nnlib.layers`` and ``nnlib.activations`` (what exercise 1 builds);
- ``MLP``: the model of the protocol (``nnlib.model.Model``), trained by ``nnlib.train.fit``;
  ``mlp_loss_and_grads(X, y, params, architecture)`` is its loss and gradient as a function.

The whole network runs on one path, for training, predicting and the gradient checks alike: a
workspace of buffers reused from step to step, each layer's weights and bias packed as one
block [W; b] and each layer's input carrying a column of ones, so that one matrix product
gives ``A W + b`` and one gives ``[dW; db]``. Fresh (N, H) arrays at every step cost more
than the arithmetic for the course's sizes (the benchmark ``benchmarks/mlp_moons.py`` measures
both). The activations, their slopes and the losses are nnlib's own (``check=False``). The loss
is the mean cross-entropy over the N examples, in nats, computed from the output layer's
pre-activations (logits), so it is stable. Left out on purpose: regularisation, dropout,
batch normalisation.
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import relu, sigmoid, sigmoid_slope, tanh, tanh_slope
from nnlib.architecture import (HIDDEN_ACTIVATIONS, INITS, check_architecture, check_params,
                                init_params, make_architecture)
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import binary_cross_entropy_with_logits, softmax, softmax_cross_entropy
from nnlib.model import Model
from nnlib.validation import as_float_array, check_choice, check_labels, check_number


# --- one layer ---------------------------------------------------------------------------------

def _activate(name: str, Z: np.ndarray) -> np.ndarray:
    if name == "relu":
        return relu(Z)
    if name == "tanh":
        return tanh(Z)
    if name == "sigmoid":
        return sigmoid(Z)
    if name == "softmax":
        return softmax(Z)
    return Z


def _activation_backward(name: str, dA: np.ndarray, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    # dZ = dA * g'(Z), written into dA (which the caller owns); the sigmoid's and tanh's slopes
    # are taken in terms of their output A.
    if name == "relu":
        # relu_backward(dA, Z) checks dA on every call; its mask, on trusted arrays:
        np.multiply(dA, Z > 0.0, out=dA)
    elif name == "tanh":
        dA *= tanh_slope(A)
    elif name == "sigmoid":
        dA *= sigmoid_slope(A)
    return dA


def layer_forward(A_prev, W, b, activation: str):
    """One hidden layer: ``Z = A_prev W + b``, then ``A = activation(Z)``.

    Parameters
    ----------
    A_prev : array_like, shape (N, D)
    W : array_like, shape (D, H)
    b : array_like, shape (H,)
    activation : "relu", "tanh", "sigmoid" or "identity"

    Returns
    -------
    A : ndarray, shape (N, H)
    cache : tuple (A_prev, W, Z); ``cache[2]`` is Z, shape (N, H).
    """
    check_choice("activation", activation, HIDDEN_ACTIVATIONS)
    Z, (A_prev, W) = affine_forward(A_prev, W, b)
    return _activate(activation, Z), (A_prev, W, Z)


def layer_backward(dA, cache, activation: str):
    """Backward pass of ``layer_forward``.

    Parameters
    ----------
    dA : array_like, shape (N, H)
        Gradient of the loss with respect to the layer's output A.
    cache : from ``layer_forward``
    activation : the same name as in the forward pass

    Returns
    -------
    dA_prev : ndarray, shape (N, D)
    dW : ndarray, shape (D, H)
    db : ndarray, shape (H,)

    Notes
    -----
    dZ = dA * activation'(Z);  dA_prev = dZ W^T,  dW = A_prev^T dZ,  db = sum_n dZ.
    """
    check_choice("activation", activation, HIDDEN_ACTIVATIONS)
    A_prev, W, Z = cache
    dZ = as_float_array("dA", dA, shape=np.shape(Z)).copy()
    dZ = _activation_backward(activation, dZ, Z, _activate(activation, Z))
    return affine_backward(dZ, (A_prev, W))


# --- the whole network: one path for training, predicting and the gradient checks ---------------

class _Workspace:
    """Buffers for ``rows`` examples, reused from step to step.

    ``inputs[l]`` is [A_l | 1] of shape (rows, D_l + 1), so that with the layer's parameters
    packed as one block [W; b] of shape (D_l + 1, D_out), one matrix product gives
    ``A_l W + b`` and one gives ``[dW; db] = [A_l | 1]^T dZ``. The gradient blocks are views
    into one array; ``grads`` views them as the model's ``W{l}`` and ``b{l}``.
    """

    def __init__(self, architecture: list[dict], rows: int):
        self.activations = [spec["activation"] for spec in architecture]
        self.inputs = [np.ones((rows, spec["input_dim"] + 1)) for spec in architecture]
        self.z = [np.empty((rows, spec["output_dim"])) for spec in architecture]
        self.delta = [np.empty((rows, spec["input_dim"])) for spec in architecture]
        self.grad_blocks = _split_blocks(np.empty(_packed_size(architecture)), architecture)
        self.grads = _block_views(self.grad_blocks)

    def forward(self, X: np.ndarray, blocks: list[np.ndarray]) -> np.ndarray:
        """The logits, shape (rows, C) (a view into the workspace)."""
        self.inputs[0][:, :-1] = X
        last = len(blocks) - 1
        for index, block in enumerate(blocks):
            Z = np.matmul(self.inputs[index], block, out=self.z[index])
            if index < last:
                self.inputs[index + 1][:, :-1] = _activate(self.activations[index], Z)
        return self.z[last]

    def backward(self, dlogits: np.ndarray, blocks: list[np.ndarray]) -> dict:
        """Gradients of the loss from dL/dlogits (rows, C), written into ``self.grads``."""
        dZ = dlogits
        for index in range(len(blocks) - 1, -1, -1):
            np.matmul(self.inputs[index].T, dZ, out=self.grad_blocks[index])
            if index > 0:
                dA = np.matmul(dZ, blocks[index][:-1].T, out=self.delta[index])
                dZ = _activation_backward(self.activations[index - 1], dA, self.z[index - 1],
                                          self.inputs[index][:, :-1])
        return self.grads


def _packed_size(architecture) -> int:
    return sum((spec["input_dim"] + 1) * spec["output_dim"] for spec in architecture)


def _split_blocks(flat: np.ndarray, architecture) -> list[np.ndarray]:
    # Consecutive (D_in + 1, D_out) views [W; b] of one flat array, one per layer.
    blocks, start = [], 0
    for spec in architecture:
        shape = (spec["input_dim"] + 1, spec["output_dim"])
        blocks.append(flat[start:start + shape[0] * shape[1]].reshape(shape))
        start += shape[0] * shape[1]
    return blocks


def _block_views(blocks) -> dict:
    views = {}
    for index, block in enumerate(blocks, start=1):
        views[f"W{index}"], views[f"b{index}"] = block[:-1], block[-1]
    return views


def _output_loss(logits, y, output_activation):
    # Mean cross-entropy from the logits and its gradient (y_hat - y) / N, from nnlib.losses.
    if output_activation == "sigmoid":
        return binary_cross_entropy_with_logits(logits, y, "mean")
    return softmax_cross_entropy(logits, y, "mean")


def _check_targets(y, n: int, classes: int, name: str = "y") -> np.ndarray:
    # Two classes: 0/1 targets as a column (N, 1) of floats; C > 1: int labels (N,).
    if classes > 1:
        return check_labels(name, y, (n,), classes)
    y = as_float_array(name, y)
    if y.shape not in ((n,), (n, 1)):
        raise ValueError(f"{name} must have shape ({n},) or ({n}, 1), got {y.shape}.")
    if np.any((y != 0) & (y != 1)):
        raise ValueError(f"{name} must hold class labels 0 or 1.")
    return y.reshape(n, 1)


def mlp_loss_and_grads(X, y, params: dict, architecture) -> tuple[float, dict]:
    """Mean cross-entropy of the network on (X, y) and its gradient.

    Parameters
    ----------
    X : array_like, shape (N, D)
    y : array_like: shape (N,) or (N, 1) of 0/1 for a sigmoid output; shape (N,) of integer
        labels 0 .. C-1 for a softmax output of C units
    params : dict from ``init_params``
    architecture : list of layer specs

    Returns
    -------
    loss : float, nats per example
    grads : dict, same keys and shapes as ``params``

    Notes
    -----
    At the output, dL/dZ = (y_hat - y) / N for the sigmoid with 0/1 targets and for the
    softmax with one-hot targets; then layer by layer dZ = dA * g'(Z), dW = A_prev^T dZ,
    db = sum_n dZ, dA_prev = dZ W^T.
    """
    architecture = check_architecture(architecture)
    return MLP.from_params(architecture, check_params(params, architecture)).loss_and_grads(X, y)


# --- the model -----------------------------------------------------------------------------------

class MLP(Model):
    """A multi-layer perceptron: its architecture and its parameters.

    Parameters
    ----------
    architecture : list of layer specs (see ``nnlib.architecture.check_architecture``); the
        output is one sigmoid unit (targets 0/1) or C > 1 softmax units (labels 0 .. C-1)
    rng : np.random.Generator
        Draws the starting parameters (``init_params``).
    scale, init : how the starting parameters are drawn (see ``init_params``).

    Attributes
    ----------
    params : dict of ndarray, ``"W{l}"`` (D_in, D_out) and ``"b{l}"`` (D_out,). They are
        views into one array of packed blocks [W; b]; change them in place (``set_params``,
        an optimiser), never rebind them.

    ``loss_and_grads(X, y)``: X (N, D); y (N,) or (N, 1) of 0/1, or (N,) int labels; the mean
    cross-entropy in nats. ``predict_proba(X)``: (N, 1) probability of class 1, or (N, C).
    ``predict(X)``: (N,) int labels.
    """

    MAX_CACHED_ROWS = 4096  # larger inputs get a workspace of their own, not kept

    def __init__(self, architecture, rng: np.random.Generator, scale: float = 0.1,
                 init: str = "normal"):
        self.architecture = check_architecture(architecture)
        self.scale = check_number("scale", scale, minimum=0, exclusive_minimum=True)
        self.init = check_choice("init", init, INITS)
        self.blocks = _split_blocks(np.empty(_packed_size(self.architecture)),
                                    self.architecture)
        self.params = _block_views(self.blocks)
        for key, value in init_params(self.architecture, rng, self.scale, self.init).items():
            self.params[key][...] = value
        self._workspaces: dict[int, _Workspace] = {}

    @classmethod
    def from_params(cls, architecture, params: dict) -> "MLP":
        """A model with the given parameters (copied), e.g. a snapshot taken during training."""
        model = cls(architecture, np.random.default_rng(0))
        model.set_params(params)
        return model

    @property
    def config(self) -> dict:
        return {"architecture": [dict(spec) for spec in self.architecture],
                "scale": self.scale, "init": self.init}

    @property
    def classes(self) -> int:
        """How many classes the output distinguishes (2 for one sigmoid unit)."""
        return max(2, self.architecture[-1]["output_dim"])

    def check_inputs(self, X):
        return as_float_array("X", X, shape=("N", self.architecture[0]["input_dim"]))

    def check_targets(self, y, X):
        return _check_targets(y, X.shape[0], self.architecture[-1]["output_dim"])

    def _workspace(self, rows: int) -> _Workspace:
        workspace = self._workspaces.get(rows)
        if workspace is None:
            workspace = _Workspace(self.architecture, rows)
            if rows <= self.MAX_CACHED_ROWS and len(self._workspaces) < 8:
                self._workspaces[rows] = workspace
        return workspace

    def _loss_and_grads(self, X, y):
        # The gradients are views into a buffer that the next call overwrites: fit consumes
        # them at once; the public loss_and_grads returns copies.
        workspace = self._workspace(X.shape[0])
        logits = workspace.forward(X, self.blocks)
        loss, dlogits = _output_loss(logits, y, self.architecture[-1]["activation"])
        return loss, workspace.backward(dlogits, self.blocks)

    def loss_and_grads(self, X, y) -> tuple[float, dict]:
        """Mean cross-entropy on (X, y) and its gradient (copies) for every entry of params."""
        loss, grads = super().loss_and_grads(X, y)
        return loss, {key: value.copy() for key, value in grads.items()}

    def _loss(self, X, y):
        logits = self._workspace(X.shape[0]).forward(X, self.blocks)
        return _output_loss(logits, y, self.architecture[-1]["activation"])[0]

    def _predict_proba(self, X):
        logits = self._workspace(X.shape[0]).forward(X, self.blocks)
        return _activate(self.architecture[-1]["activation"], logits)

    def __repr__(self) -> str:
        sizes = [self.architecture[0]["input_dim"]] + [s["output_dim"] for s in self.architecture]
        hidden = sorted({s["activation"] for s in self.architecture[:-1]})
        output = ("sigmoid output" if sizes[-1] == 1 else f"softmax output ({sizes[-1]} classes)")
        return (f"MLP({'-'.join(map(str, sizes))}, hidden activation "
                f"{'/'.join(hidden) or 'none'}, {output}, {self.num_params} parameters)")


__all__ = ["HIDDEN_ACTIVATIONS", "MLP", "check_architecture", "init_params", "layer_backward",
           "layer_forward", "make_architecture", "mlp_loss_and_grads"]
