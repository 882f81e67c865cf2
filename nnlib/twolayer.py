"""A network with one hidden layer, trained by backpropagation (notebook 02).

``TwoLayerNet`` is input -> affine -> sigmoid -> affine -> sigmoid, with a squared-error loss
whose reduction ("sum", "half_sum" or "mean") is chosen when the model is built. It is a thin
holder of ``params`` built from the pure functions in ``nnlib.layers``, ``nnlib.activations``
and ``nnlib.losses``, plus full-batch gradient descent and saving to a weight file. Other
activations, other losses and more layers belong to the generic MLP of notebook 03.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnlib.activations import sigmoid_backward, sigmoid_forward
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import REDUCTIONS, squared_error_loss
from nnlib.serialization import (WeightFileError, check_expected_shapes, load_params,
                                 save_params)
from nnlib.validation import DivergenceError, as_float_array, check_finite_loss, check_number

INITS = ("randn", "rand")
MODEL_NAME = "TwoLayerNet"
ACTIVATION_NAMES = ("sigmoid", "sigmoid")


@dataclass(frozen=True)
class TrainingHistory:
    """What ``TwoLayerNet.train`` recorded.

    Attributes
    ----------
    steps : ndarray of int, shape (K,)
        Iteration at which each loss was measured (0 = before the first update; the last
        entry is the number of iterations, after the last update).
    loss : ndarray, shape (K,)
        Training loss, with the model's reduction, at those iterations.
    learning_rate : float
    """

    steps: np.ndarray
    loss: np.ndarray
    learning_rate: float

    def __repr__(self) -> str:
        return (f"TrainingHistory(iterations={int(self.steps[-1])}, records={len(self.steps)}, "
                f"learning_rate={self.learning_rate:g}, final loss={self.loss[-1]:.3e})")


class TwoLayerNet:
    """input (D) -> affine -> sigmoid (H) -> affine -> sigmoid (C), squared-error loss.

    Parameters
    ----------
    input_size, hidden_size, output_size : int >= 1
        D, H and C.
    rng : np.random.Generator
        Draws the initial weights.
    init : "randn" or "rand"
        Initial weights from the standard normal distribution, or uniform on [0, 1).
        Biases start at zero.
    use_bias : bool
        If False the biases stay zero during training (the original tutorials have none).
    reduction : "sum", "half_sum" or "mean"
        How the squared errors are combined into the loss (see ``squared_error_loss``).

    Attributes
    ----------
    params : dict
        ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,).
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int = 1, *,
                 rng: np.random.Generator, init: str = "randn", use_bias: bool = True,
                 reduction: str = "half_sum"):
        sizes = [check_number(name, value, minimum=1, integer=True) for name, value in
                 (("input_size", input_size), ("hidden_size", hidden_size),
                  ("output_size", output_size))]
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a np.random.Generator (np.random.default_rng(seed)), "
                             f"got {type(rng).__name__}.")
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}.")
        draw = rng.standard_normal if init == "randn" else rng.random
        D, H, C = sizes
        params = {"W1": draw((D, H)), "b1": np.zeros(H), "W2": draw((H, C)), "b2": np.zeros(C)}
        self._set(params, use_bias, reduction)

    def _set(self, params: dict, use_bias, reduction: str) -> None:
        if not isinstance(use_bias, bool):
            raise ValueError(f"use_bias must be True or False, got {use_bias!r}.")
        if reduction not in REDUCTIONS:
            raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}.")
        sizes: dict[str, int] = {}
        self.params = {
            "W1": as_float_array("W1", params["W1"], shape=("D", "H"), sizes=sizes).copy(),
            "b1": as_float_array("b1", params["b1"], shape=("H",), sizes=sizes).copy(),
            "W2": as_float_array("W2", params["W2"], shape=("H", "C"), sizes=sizes).copy(),
            "b2": as_float_array("b2", params["b2"], shape=("C",), sizes=sizes).copy(),
        }
        self.use_bias = use_bias
        self.reduction = reduction

    @classmethod
    def from_params(cls, params: dict, *, use_bias: bool = True,
                    reduction: str = "half_sum") -> TwoLayerNet:
        """A model holding copies of the given ``W1``, ``b1``, ``W2``, ``b2`` (shapes checked).

        ``b1`` and ``b2`` may be left out; they are then zero.
        """
        missing = sorted({"W1", "W2"} - set(params))
        if missing:
            raise ValueError(f"params must hold W1 and W2, missing {', '.join(missing)}.")
        W1, W2 = np.shape(params["W1"]), np.shape(params["W2"])
        full = {"b1": np.zeros(W1[-1] if W1 else 0), "b2": np.zeros(W2[-1] if W2 else 0),
                **params}
        model = cls.__new__(cls)
        model._set(full, use_bias, reduction)
        return model

    @property
    def layer_sizes(self) -> tuple[int, int, int]:
        """(D, H, C)."""
        D, H = self.params["W1"].shape
        return D, H, self.params["W2"].shape[1]

    def predict(self, X) -> np.ndarray:
        """Network output for each row of ``X``: shape (N, D) -> (N, C), values in (0, 1)."""
        X = as_float_array("X", X, shape=("N", self.layer_sizes[0]))
        return self._forward(X)[0]

    def _forward(self, X: np.ndarray):
        p = self.params
        z1, affine1 = affine_forward(X, p["W1"], p["b1"])
        hidden, sigmoid1 = sigmoid_forward(z1)
        z2, affine2 = affine_forward(hidden, p["W2"], p["b2"])
        y_hat, sigmoid2 = sigmoid_forward(z2)
        return y_hat, (affine1, sigmoid1, affine2, sigmoid2)

    def loss_and_grads(self, X, y) -> tuple[float, dict]:
        """Loss on ``(X, y)`` and its gradient with respect to every parameter.

        Parameters
        ----------
        X : array_like, shape (N, D)
        y : array_like, shape (N, C)

        Returns
        -------
        loss : float
        grads : dict with the keys and shapes of ``params``

        Notes
        -----
        Backward, layer by layer: dL/dy_hat from the loss, times sigmoid'(z2) = y_hat (1 - y_hat),
        then dW2 = hidden^T dz2, db2 = sum_n dz2, dhidden = dz2 W2^T, times hidden (1 - hidden),
        then dW1 = X^T dz1, db1 = sum_n dz1.
        """
        D, _, C = self.layer_sizes
        sizes: dict[str, int] = {}
        X = as_float_array("X", X, shape=("N", D), sizes=sizes)
        y = as_float_array("y", y, shape=("N", C), sizes=sizes)
        y_hat, (affine1, sigmoid1, affine2, sigmoid2) = self._forward(X)
        loss, dy_hat = squared_error_loss(y_hat, y, reduction=self.reduction)
        dz2 = sigmoid_backward(dy_hat, sigmoid2)
        dhidden, dW2, db2 = affine_backward(dz2, affine2)
        dz1 = sigmoid_backward(dhidden, sigmoid1)
        _, dW1, db1 = affine_backward(dz1, affine1)
        return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    def train(self, X, y, iterations: int, learning_rate: float = 1.0,
              record_every: int = 1, progress=None) -> TrainingHistory:
        """Full-batch gradient descent, updating ``params`` in place.

        Parameters
        ----------
        X : array_like, shape (N, D)
        y : array_like, shape (N, C)
        iterations : int >= 0
        learning_rate : float > 0
        record_every : int >= 1
            Record the loss every this many iterations (and always after the last).
        progress : callable(int), optional
            Called with the number of iterations done, about twenty times over the run and
            once at the end (an explorer moves its progress bar with it).

        Returns
        -------
        TrainingHistory
        """
        iterations = check_number("iterations", iterations, minimum=0, integer=True)
        learning_rate = check_number("learning_rate", learning_rate, minimum=0,
                                     exclusive_minimum=True)
        record_every = check_number("record_every", record_every, minimum=1, integer=True)
        D, _, C = self.layer_sizes
        sizes: dict[str, int] = {}
        X = as_float_array("X", X, shape=("N", D), sizes=sizes)
        y = as_float_array("y", y, shape=("N", C), sizes=sizes)
        names = ["W1", "b1", "W2", "b2"] if self.use_bias else ["W1", "W2"]
        steps, losses = [], []
        progress_every = max(1, iterations // 20)
        # A diverging run is stopped by check_finite_loss with a clear message, not a warning.
        with np.errstate(over="ignore", invalid="ignore"):
            for step in range(iterations):
                loss, grads = self.loss_and_grads(X, y)
                check_finite_loss(loss, step, learning_rate)
                if step % record_every == 0:
                    steps.append(step)
                    losses.append(loss)
                for name in names:
                    self.params[name] -= learning_rate * grads[name]
                    if not np.all(np.isfinite(self.params[name])):
                        raise DivergenceError(
                            f"Training diverged: {name} overflowed at step {step}. The learning "
                            f"rate {learning_rate:g} is too large: try {learning_rate / 10:g}.")
                if progress is not None and (step + 1) % progress_every == 0:
                    progress(step + 1)
            final = self.loss(X, y)
            check_finite_loss(final, iterations, learning_rate)
        steps.append(iterations)
        losses.append(final)
        if progress is not None:
            progress(iterations)
        return TrainingHistory(steps=np.array(steps), loss=np.array(losses),
                               learning_rate=learning_rate)

    def loss(self, X, y) -> float:
        """The training loss on ``(X, y)`` with the model's reduction."""
        D, _, C = self.layer_sizes
        sizes: dict[str, int] = {}
        X = as_float_array("X", X, shape=("N", D), sizes=sizes)
        y = as_float_array("y", y, shape=("N", C), sizes=sizes)
        return squared_error_loss(self._forward(X)[0], y, reduction=self.reduction)[0]

    def config(self) -> dict:
        """What rebuilds this model apart from its weights (stored in weight files)."""
        return {"model": MODEL_NAME, "layer_sizes": list(self.layer_sizes),
                "activations": list(ACTIVATION_NAMES), "use_bias": self.use_bias,
                "reduction": self.reduction}

    def save(self, path):
        """Write the parameters and ``config()`` to the ``.npz`` file ``path`` (no pickle)."""
        return save_params(path, self.params, self.config())

    @classmethod
    def load(cls, path) -> TwoLayerNet:
        """Rebuild a model, sizes included, from a file written by ``save``."""
        params, meta = load_params(path)
        _check_meta(path, meta)
        check_expected_shapes(params, _param_shapes(*meta["layer_sizes"]), _file_name(path))
        return cls.from_params(params, use_bias=meta["use_bias"], reduction=meta["reduction"])

    def load_weights(self, path) -> None:
        """Replace this model's parameters with those in ``path``; the sizes must match."""
        params, meta = load_params(path)
        _check_meta(path, meta)
        if tuple(meta["layer_sizes"]) != self.layer_sizes:
            file_sizes = "-".join(str(s) for s in meta["layer_sizes"])
            raise WeightFileError(
                f"{_file_name(path)} holds a {file_sizes} network but this model is "
                f"{'-'.join(str(s) for s in self.layer_sizes)}: build TwoLayerNet with the "
                f"file's sizes, or use TwoLayerNet.load(path), which reads them from the file.")
        check_expected_shapes(params, _param_shapes(*self.layer_sizes), _file_name(path))
        self.params = {name: params[name].copy() for name in self.params}

    def __repr__(self) -> str:
        D, H, C = self.layer_sizes
        return (f"TwoLayerNet({D}-{H}-{C}, sigmoid hidden and output, "
                f"loss={self.reduction} of squared errors, biases "
                f"{'trained' if self.use_bias else 'fixed at zero'})")


def _param_shapes(D: int, H: int, C: int) -> dict:
    return {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}


def _file_name(path) -> str:
    # Only the file's name: messages must not depend on where the file sits.
    return repr(Path(path).name)


def _check_meta(path, meta: dict) -> None:
    name = _file_name(path)
    if meta.get("model") != MODEL_NAME:
        raise WeightFileError(f"{name} holds a {meta.get('model')!r} model, not a {MODEL_NAME}.")
    sizes = meta.get("layer_sizes")
    if (not isinstance(sizes, list) or len(sizes) != 3
            or not all(isinstance(s, int) and s >= 1 for s in sizes)):
        raise WeightFileError(f"{name} records layer sizes {sizes!r}; expected three "
                              f"positive integers [D, H, C].")
    if meta.get("activations") != list(ACTIVATION_NAMES):
        raise WeightFileError(f"{name} records activations {meta.get('activations')!r}; a "
                              f"{MODEL_NAME} uses {list(ACTIVATION_NAMES)}.")
    if not isinstance(meta.get("use_bias"), bool) or meta.get("reduction") not in REDUCTIONS:
        raise WeightFileError(f"{name} lacks a valid 'use_bias' or 'reduction' record.")
