"""A multi-layer perceptron for two or more classes, described by its architecture (notebook 03).

The architecture is data (``nnlib.architecture``): a list of layer specs whose last layer is
one sigmoid unit (two classes: binary cross-entropy against 0/1 targets) or C > 1 softmax
units (C classes: categorical cross-entropy against integer labels 0 .. C-1).

The functions are the ones notebook 03 builds, with the same names and signatures:

- ``layer_forward`` / ``layer_backward``: one layer with the (out, cache) contract, the cache
  ``(A_prev, W, Z)`` holding what the backward pass needs;
- ``full_forward(X, params, architecture) -> (logits, caches)``: every layer in turn; the
  output layer stops at its pre-activation (the logits), which the loss and the probabilities
  take, so the cross-entropy is computed stably from the logits;
- ``full_backward(dlogits, caches, architecture) -> grads``: from dL/dlogits back to every
  ``W{l}`` and ``b{l}``, one ``layer_backward`` per layer.

``MLP`` is the model of the protocol (``nnlib.model.Model``), trained by ``nnlib.train.fit``.
It reads ``params`` at every call (the truth: assigning or editing ``params[...]`` changes
the model). Its predictions run ``full_forward``; its loss and gradients run the same maths
on reused buffers (``nnlib.mlp_workspace``: [W; b] packed from ``params`` at every call),
because ``benchmarks/mlp_moons.py`` (part 3) measured the plain loop 2.2x slower per
full-batch epoch (900 examples: 15.7 against 7.1 ms, interleaved medians on the loaded 2-core
machine; 3.0x in a second run, 1.26x at batches of 32): fresh arrays of a few hundred kB per
layer and step make glibc's allocator return memory to the system and fault it in again
(with the allocator told to keep it, the gap is 1.15x). Tests hold the two paths to the same
numbers. The loss is the mean
cross-entropy over the N examples, in nats. Left out on purpose: regularisation, dropout,
batch normalisation.
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import ACTIVATIONS, sigmoid
from nnlib.architecture import (HIDDEN_ACTIVATIONS, INITS, check_architecture, init_params,
                                make_architecture)
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import binary_cross_entropy_with_logits, softmax, softmax_cross_entropy
from nnlib.model import Model
from nnlib.mlp_workspace import Workspace, pack
from nnlib.validation import as_float_array, check_choice, check_labels, check_memory, check_number


# --- one layer ---------------------------------------------------------------------------------

def layer_forward(A_prev, W, b, activation: str):
    """One layer: ``Z = A_prev W + b``, then ``A = activation(Z)``.

    Parameters
    ----------
    A_prev : ndarray, shape (N, D)
    W : ndarray, shape (D, H)
    b : ndarray, shape (H,)
    activation : "relu", "tanh", "sigmoid" or "identity"

    Returns
    -------
    A : ndarray, shape (N, H)
    cache : tuple (A_prev, W, Z), Z of shape (N, H)
    """
    Z, _ = affine_forward(A_prev, W, b)
    A, _ = ACTIVATIONS[activation][0](Z)
    return A, (A_prev, W, Z)


def layer_backward(dA, cache, activation: str):
    """Backward pass of ``layer_forward``.

    Parameters
    ----------
    dA : ndarray, shape (N, H)
        Gradient of the loss with respect to the layer's output A.
    cache : (A_prev, W, Z) from ``layer_forward``
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
    A_prev, W, Z = cache
    forward, backward = ACTIVATIONS[activation]
    dZ = backward(dA, forward(Z)[1])
    return affine_backward(dZ, (A_prev, W))


# --- the whole network -------------------------------------------------------------------------

def full_forward(X, params: dict, architecture: list[dict]):
    """Every layer in turn, from the inputs to the output layer's pre-activation.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    params : dict, ``W{l}`` (D_in, D_out) and ``b{l}`` (D_out,) for l = 1 .. L
    architecture : list of L layer specs (``nnlib.architecture``)

    Returns
    -------
    logits : ndarray, shape (N, C), the output layer's Z (its sigmoid or softmax is left to
        the loss and the probabilities)
    caches : list of L caches, ``caches[l - 1]`` is layer l's (A_prev, W, Z)
    """
    A, caches, last = X, [], len(architecture)
    for index, spec in enumerate(architecture, start=1):
        activation = "identity" if index == last else spec["activation"]
        A, cache = layer_forward(A, params[f"W{index}"], params[f"b{index}"], activation)
        caches.append(cache)
    return A, caches


def full_backward(dlogits, caches: list, architecture: list[dict]) -> dict:
    """Gradients of the loss for every ``W{l}`` and ``b{l}``, from dL/dlogits.

    Parameters
    ----------
    dlogits : ndarray, shape (N, C), the loss's gradient with respect to the logits
    caches : from ``full_forward``
    architecture : the same list of L layer specs

    Returns
    -------
    grads : dict, ``W{l}`` and ``b{l}`` with the shapes of ``params``
    """
    grads, last = {}, len(architecture)
    dA = dlogits
    for index in range(last, 0, -1):
        activation = "identity" if index == last else architecture[index - 1]["activation"]
        dA, grads[f"W{index}"], grads[f"b{index}"] = layer_backward(dA, caches[index - 1],
                                                                    activation)
    return grads


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
    params : dict of ndarray, ``"W{l}"`` (D_in, D_out) and ``"b{l}"`` (D_out,); read on every
        call (assign or edit them and the model changes).
    output_size : int
        The number of classes: 2 for one sigmoid unit, C for C softmax units.

    ``loss_and_grads(X, y)``: X (N, D); y (N,) or (N, 1) of 0/1, or (N,) int labels; the mean
    cross-entropy in nats. ``predict_proba(X)``: (N, output_size), for one sigmoid unit the
    columns [1 - p, p]. ``predict(X)``: (N,) int labels.
    """

    MAX_CACHED_ROWS = 4096  # larger batches get buffers of their own, not kept

    def __init__(self, architecture, *, rng: np.random.Generator, scale: float = 0.1,
                 init: str = "normal"):
        self.architecture = check_architecture(architecture)
        self.scale = check_number("scale", scale, minimum=0, exclusive_minimum=True)
        self.init = check_choice("init", init, INITS)
        check_memory("the MLP's parameters",
                     sum((spec["input_dim"] + 1) * spec["output_dim"]
                         for spec in self.architecture), "the layer sizes of architecture")
        self.params = init_params(self.architecture, rng, self.scale, self.init)
        self._blocks = [np.empty((spec["input_dim"] + 1, spec["output_dim"]))
                        for spec in self.architecture]
        self._workspaces: dict[int, Workspace] = {}

    @property
    def config(self) -> dict:
        return {"architecture": [dict(spec) for spec in self.architecture],
                "scale": self.scale, "init": self.init}

    @property
    def output_size(self) -> int:
        """How many classes the output distinguishes (2 for one sigmoid unit)."""
        return max(2, self.architecture[-1]["output_dim"])

    def check_inputs(self, X):
        return as_float_array("X", X, shape=("N", self.architecture[0]["input_dim"]))

    def check_targets(self, y, X):
        return _check_targets(y, X.shape[0], self.architecture[-1]["output_dim"])

    def _workspace(self, rows: int) -> Workspace:
        workspace = self._workspaces.get(rows)
        if workspace is None:
            check_memory("the MLP's buffers", rows * sum(
                2 * spec["input_dim"] + spec["output_dim"] + 1 for spec in self.architecture),
                "the batch (or the layer sizes)")
            workspace = Workspace(self.architecture, rows)
            if rows <= self.MAX_CACHED_ROWS and len(self._workspaces) < 8:
                self._workspaces[rows] = workspace
        return workspace

    def _loss_and_grads(self, X, y):
        # The gradients are views into buffers that the next call overwrites: fit consumes
        # them at once; the public loss_and_grads returns copies.
        blocks, workspace = pack(self.params, self._blocks), self._workspace(X.shape[0])
        loss, dlogits = _output_loss(workspace.forward(X, blocks), y,
                                     self.architecture[-1]["activation"])
        return loss, workspace.backward(dlogits, blocks)

    def loss_and_grads(self, X, y) -> tuple[float, dict]:
        """Mean cross-entropy on (X, y) and its gradient (copies) for every entry of params."""
        loss, grads = super().loss_and_grads(X, y)
        return loss, {key: value.copy() for key, value in grads.items()}

    def _loss(self, X, y):
        logits = self._workspace(X.shape[0]).forward(X, pack(self.params, self._blocks))
        return _output_loss(logits, y, self.architecture[-1]["activation"])[0]

    def _predict_proba(self, X):
        logits, _ = full_forward(X, self.params, self.architecture)
        if self.architecture[-1]["activation"] == "softmax":
            return softmax(logits)
        p = sigmoid(logits)
        return np.hstack([1.0 - p, p])


__all__ = ["HIDDEN_ACTIVATIONS", "MLP", "check_architecture", "full_backward", "full_forward",
           "init_params", "layer_backward", "layer_forward", "make_architecture"]
