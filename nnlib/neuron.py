"""A single sigmoid neuron (notebook 01): one model of the protocol and its training step.

``Neuron`` is ``p = sigmoid(X @ w)`` with no separate bias (a constant input plays that part,
as in the "9-line" network), a binary classifier: ``predict_proba`` gives [1 - p, p]. Its loss
is chosen when it is built, in the words of ``nnlib.losses``: ``loss`` ("squared_error" or
"cross_entropy") and ``reduction`` ("mean" over the examples by default; notebook 01 uses
"half_sum" to reproduce the original's half sum of squared errors, whose gradient is its
*error-weighted derivative*). It trains through ``nnlib.train.fit`` with ``nnlib.optim.SGD``.
``train_step`` is the one update the notebook writes by hand, with the same name and
signature. Hidden layers belong to ``nnlib.twolayer``.
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import sigmoid, sigmoid_slope
from nnlib.losses import REDUCTIONS, binary_cross_entropy_with_logits, squared_error_loss
from nnlib.model import Model
from nnlib.validation import (as_float_array, check_choice, check_memory, check_number,
                              check_rng)

LOSSES = ("squared_error", "cross_entropy")


def train_step(X, y, w, learning_rate: float = 1.0) -> np.ndarray:
    """One full-batch update with the error-weighted derivative; returns the new weights.

    Parameters
    ----------
    X : array_like, shape (N, D)
    y : array_like, shape (N, 1), targets in [0, 1]
    w : array_like, shape (D, 1)
    learning_rate : float > 0 (the original uses 1)

    Returns
    -------
    w_new : ndarray, shape (D, 1)

    Notes
    -----
    w_new = w + learning_rate * X^T [(y - y_hat) * y_hat * (1 - y_hat)], y_hat = sigmoid(X w):
    gradient descent on L = 1/2 * sum((y - y_hat)**2).
    """
    sizes: dict[str, int] = {}
    X = as_float_array("X", X, shape=("N", "D"), sizes=sizes)
    y = as_float_array("y", y, shape=("N", 1), sizes=sizes)
    w = as_float_array("w", w, shape=("D", 1), sizes=sizes)
    learning_rate = check_number("learning_rate", learning_rate, minimum=0,
                                 exclusive_minimum=True)
    output = sigmoid(X @ w)
    return w + learning_rate * (X.T @ ((y - output) * sigmoid_slope(output)))


class Neuron(Model):
    """One sigmoid unit without a bias, a binary classifier: ``p = sigmoid(X @ w)``.

    Parameters
    ----------
    input_size : int >= 1
        D, the number of inputs.
    rng : np.random.Generator
        Draws the starting weights, uniform on [-1, 1) like the original's.
    loss : "squared_error" or "cross_entropy"
        squared_error: (y_n - p_n)^2 per example (the original's loss, with
        ``reduction="half_sum"``); cross_entropy: -[y_n log p_n + (1 - y_n) log(1 - p_n)], in nats.
    reduction : "mean", "sum" or "half_sum"
        How the per-example losses are combined: the mean over the N examples (default), their
        sum, or half their sum ("half_sum", squared error only: the original's
        L = 1/2 sum_n (y_n - p_n)^2, whose gradient is its *error-weighted derivative*).

    Attributes
    ----------
    params : dict
        ``w``, shape (D, 1).
    output_size : int
        2: ``predict_proba(X)`` is (N, 2), the columns [1 - p, p].

    Targets ``y`` are (N,) or (N, 1), values in [0, 1] (labels 0/1, or soft targets).

    Notes
    -----
    With z = X w and the sum: squared error gives dL/dz = 2 (p - y) p (1 - p) (half_sum drops
    the 2); cross-entropy gives dL/dz = p - y (the sigmoid's slope cancels). dL/dw = X^T dL/dz;
    "mean" divides both by N.
    """

    output_size = 2

    def __init__(self, input_size: int, *, rng: np.random.Generator,
                 loss: str = "squared_error", reduction: str = "mean"):
        self.input_size = check_number("input_size", input_size, minimum=1, integer=True)
        check_memory("the neuron's weights", self.input_size, "input_size")
        self.loss_name = check_choice("loss", loss, LOSSES)
        self.reduction = check_choice("reduction", reduction, REDUCTIONS)
        if loss == "cross_entropy" and reduction == "half_sum":
            raise ValueError("reduction 'half_sum' belongs to the squared error; use 'sum' or "
                             "'mean' with loss='cross_entropy'.")
        check_rng(rng)
        self.params = {"w": rng.uniform(-1.0, 1.0, size=(self.input_size, 1))}

    @classmethod
    def from_params(cls, params: dict, *, input_size: int | None = None,
                    loss: str = "squared_error", reduction: str = "mean") -> Neuron:
        """A neuron holding a copy of ``params["w"]``, shape (D, 1); D is read from ``w``."""
        if not isinstance(params, dict) or set(params) != {"w"}:
            got = sorted(params) if isinstance(params, dict) else type(params).__name__
            raise ValueError(f"params must be a dict with the key 'w', got {got}.")
        w = as_float_array("w", params["w"], shape=(input_size, 1))
        model = cls(len(w), rng=np.random.default_rng(0), loss=loss, reduction=reduction)
        model.params["w"][...] = w
        return model

    @property
    def config(self) -> dict:
        return {"input_size": self.input_size, "loss": self.loss_name,
                "reduction": self.reduction}

    def check_inputs(self, X) -> np.ndarray:
        return as_float_array("X", X, shape=("N", self.input_size))

    def check_targets(self, y, X) -> np.ndarray:
        y = as_float_array("y", y)
        if y.shape not in ((len(X),), (len(X), 1)):
            raise ValueError(f"y must have shape ({len(X)},) or ({len(X)}, 1), one target per "
                             f"row of X, got {y.shape}.")
        if np.any((y < 0) | (y > 1)):
            raise ValueError("y must hold targets in [0, 1] (a sigmoid's output range).")
        return y.reshape(len(X), 1)

    def _output(self, X) -> np.ndarray:
        """p = sigmoid(X w), shape (N, 1): the probability of class 1."""
        return sigmoid(X @ self.params["w"])

    def _predict_proba(self, X) -> np.ndarray:
        p = self._output(X)
        return np.hstack([1.0 - p, p])

    def _loss_and_grads(self, X, y):
        z = X @ self.params["w"]
        if self.loss_name == "cross_entropy":
            loss, dz = binary_cross_entropy_with_logits(z, y, reduction=self.reduction)
        else:
            y_hat = sigmoid(z)
            loss, dy_hat = squared_error_loss(y_hat, y, reduction=self.reduction)
            dz = dy_hat * sigmoid_slope(y_hat)
        return loss, {"w": X.T @ dz}


def mean_abs_error(model: Neuron, X, y) -> float:
    """mean |y - y_hat| over every example: a metric for ``fit`` (inputs already checked);
    with no examples it is undefined: a ValueError, not a silent NaN."""
    if len(X) == 0:
        raise ValueError("X holds no examples (N = 0): the mean absolute error is undefined.")
    return float(np.mean(np.abs(y - model._output(X))))


__all__ = ["LOSSES", "Neuron", "mean_abs_error", "train_step"]
