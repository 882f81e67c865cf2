"""A single sigmoid neuron (notebook 01): one model of the protocol and its training step.

``Neuron`` is ``y_hat = sigmoid(X @ w)`` with no separate bias (a constant input plays that
part, as in the "9-line" network). Its loss is chosen when it is built: half the sum of
squared errors (the original's *error-weighted derivative* is gradient descent on it), or the
summed binary cross-entropy, whose gradient drops the sigmoid's slope. It trains through
``nnlib.train.fit`` with ``nnlib.optim.SGD``. ``train_step`` is the one update the notebook
writes by hand, with the same name and signature. Hidden layers belong to ``nnlib.twolayer``.
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import sigmoid, sigmoid_slope
from nnlib.losses import binary_cross_entropy_with_logits, squared_error_loss
from nnlib.model import Model
from nnlib.validation import as_float_array, check_choice, check_number, check_rng

LOSSES = ("half_sse", "cross_entropy")


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
    """One sigmoid unit without a bias: ``y_hat = sigmoid(X @ w)``.

    Parameters
    ----------
    input_size : int >= 1
        D, the number of inputs.
    rng : np.random.Generator
        Draws the starting weights, uniform on [-1, 1) like the original's.
    loss : "half_sse" or "cross_entropy"
        half_sse: L = 1/2 sum_n (y_n - y_hat_n)^2 (the original's loss);
        cross_entropy: L = sum_n -[y_n log y_hat_n + (1 - y_n) log(1 - y_hat_n)], in nats.
        Both are sums over the N examples, so the step grows with N.

    Attributes
    ----------
    params : dict
        ``w``, shape (D, 1).

    Notes
    -----
    With z = X w: half_sse gives dL/dz = (y_hat - y) * y_hat (1 - y_hat); cross_entropy gives
    dL/dz = y_hat - y (the sigmoid's slope cancels). In both, dL/dw = X^T dL/dz.
    """

    def __init__(self, input_size: int, *, rng: np.random.Generator, loss: str = "half_sse"):
        self.input_size = check_number("input_size", input_size, minimum=1, integer=True)
        self.loss_name = check_choice("loss", loss, LOSSES)
        check_rng(rng)
        self.params = {"w": rng.uniform(-1.0, 1.0, size=(self.input_size, 1))}

    @classmethod
    def from_weights(cls, w, loss: str = "half_sse") -> Neuron:
        """A neuron holding a copy of the weights ``w``, shape (D, 1)."""
        w = as_float_array("w", w, shape=(None, 1))
        model = cls(len(w), rng=np.random.default_rng(0), loss=loss)
        model.params["w"][...] = w
        return model

    @property
    def config(self) -> dict:
        return {"input_size": self.input_size, "loss": self.loss_name}

    def check_inputs(self, X) -> np.ndarray:
        return as_float_array("X", X, shape=("N", self.input_size))

    def check_targets(self, y, X) -> np.ndarray:
        y = as_float_array("y", y, shape=("N", 1), sizes={"N": len(X)})
        if np.any((y < 0) | (y > 1)):
            raise ValueError("y must hold targets in [0, 1] (a sigmoid's output range).")
        return y

    def _predict_proba(self, X) -> np.ndarray:
        return sigmoid(X @ self.params["w"])

    def _loss_and_grads(self, X, y):
        z = X @ self.params["w"]
        if self.loss_name == "cross_entropy":
            loss, dz = binary_cross_entropy_with_logits(z, y, reduction="sum")
        else:
            y_hat = sigmoid(z)
            loss, dy_hat = squared_error_loss(y_hat, y, reduction="half_sum")
            dz = dy_hat * sigmoid_slope(y_hat)
        return loss, {"w": X.T @ dz}


def mean_abs_error(model: Model, X, y) -> float:
    """mean |y - y_hat| over every example: a metric for ``fit`` (inputs already checked);
    with no examples it is undefined: a ValueError, not a silent NaN."""
    if len(X) == 0:
        raise ValueError("X holds no examples (N = 0): the mean absolute error is undefined.")
    return float(np.mean(np.abs(y - model._predict_proba(X))))


__all__ = ["LOSSES", "Neuron", "mean_abs_error", "train_step"]
