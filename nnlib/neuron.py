"""A single sigmoid neuron trained with the error-weighted derivative (notebook 01).

The model is ``y_hat = sigmoid(X @ w)`` with no separate bias (a constant input plays
that part). Training is full-batch gradient descent on half the sum of squared errors.
Multi-layer networks live in later modules; this one deliberately stays one neuron.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlib.activations import sigmoid, sigmoid_slope
from nnlib.validation import as_float_array, check_number


def neuron_predict(X, w) -> np.ndarray:
    """Output of the neuron for each row of ``X``.

    Parameters
    ----------
    X : array_like, shape (N, D)
    w : array_like, shape (D, 1)

    Returns
    -------
    y_hat : ndarray, shape (N, 1), values in (0, 1).
    """
    sizes: dict[str, int] = {}
    X = as_float_array("X", X, shape=("N", "D"), sizes=sizes)
    w = as_float_array("w", w, shape=("D", 1), sizes=sizes)
    return sigmoid(X @ w)


def neuron_step(X, y, w, learning_rate: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """One full-batch update with the error-weighted derivative.

    Parameters
    ----------
    X : array_like, shape (N, D)
    y : array_like, shape (N, 1), targets in [0, 1]
    w : array_like, shape (D, 1)
    learning_rate : float > 0
        The original uses 1.

    Returns
    -------
    w_new : ndarray, shape (D, 1)
    y_hat : ndarray, shape (N, 1)
        The outputs computed with the old ``w`` (the ones the update was based on).

    Notes
    -----
    w_new = w + learning_rate * X^T [(y - y_hat) * y_hat * (1 - y_hat)],
    which is gradient descent on L = 1/2 * sum((y - y_hat)**2), since
    dL/dw = -X^T [(y - y_hat) * sigmoid'(X w)].
    """
    sizes: dict[str, int] = {}
    X = as_float_array("X", X, shape=("N", "D"), sizes=sizes)
    y = as_float_array("y", y, shape=("N", 1), sizes=sizes)
    w = as_float_array("w", w, shape=("D", 1), sizes=sizes)
    learning_rate = check_number("learning_rate", learning_rate, minimum=0,
                                 exclusive_minimum=True)
    return _step(X, y, w, learning_rate)


def _step(X: np.ndarray, y: np.ndarray, w: np.ndarray, learning_rate: float):
    # The unchecked update, for loops whose inputs were checked once before the loop.
    y_hat = sigmoid(X @ w)
    w_new = w + learning_rate * (X.T @ ((y - y_hat) * sigmoid_slope(y_hat)))
    return w_new, y_hat


def half_sse_gradient(X, y, w) -> np.ndarray:
    """Gradient of L = 1/2 * sum((y - sigmoid(X w))**2) with respect to ``w``, shape (D, 1)."""
    w_new, _ = neuron_step(X, y, w, learning_rate=1.0)
    return np.asarray(w, dtype=np.float64) - w_new


@dataclass(frozen=True)
class NeuronHistory:
    """What ``train_neuron`` recorded.

    Attributes
    ----------
    w : ndarray, shape (D, 1)
        Final weights.
    steps : ndarray of int, shape (K,)
        Iteration numbers at which a record was taken (0 = before training).
    weights : ndarray, shape (K, D)
        The weights at those iterations.
    mean_abs_error : ndarray, shape (K,)
        mean |y - y_hat| over the training set at those iterations.
    """

    w: np.ndarray
    steps: np.ndarray
    weights: np.ndarray
    mean_abs_error: np.ndarray

    def __repr__(self) -> str:
        return (f"NeuronHistory(iterations={int(self.steps[-1])}, records={len(self.steps)}, "
                f"final mean |error|={self.mean_abs_error[-1]:.3g})")


def train_neuron(X, y, w, iterations: int, learning_rate: float = 1.0,
                 record_every: int = 1) -> NeuronHistory:
    """Train the neuron for ``iterations`` full-batch steps from the weights ``w``.

    Parameters
    ----------
    X : array_like, shape (N, D)
    y : array_like, shape (N, 1)
    w : array_like, shape (D, 1)
        Initial weights; not modified.
    iterations : int >= 0
    learning_rate : float > 0
    record_every : int >= 1
        Record weights and error every this many iterations (and always at the end).

    Returns
    -------
    NeuronHistory
    """
    iterations = check_number("iterations", iterations, minimum=0, integer=True)
    learning_rate = check_number("learning_rate", learning_rate, minimum=0,
                                 exclusive_minimum=True)
    record_every = check_number("record_every", record_every, minimum=1, integer=True)
    sizes: dict[str, int] = {}
    X = as_float_array("X", X, shape=("N", "D"), sizes=sizes)
    y = as_float_array("y", y, shape=("N", 1), sizes=sizes)
    w = as_float_array("w", w, shape=("D", 1), sizes=sizes).copy()

    steps, weights, errors = [], [], []

    def record(step: int, y_hat: np.ndarray) -> None:
        steps.append(step)
        weights.append(w[:, 0].copy())
        errors.append(float(np.mean(np.abs(y - y_hat))))

    for step in range(iterations):
        w_new, y_hat = _step(X, y, w, learning_rate)
        if step % record_every == 0:
            record(step, y_hat)
        w = w_new
    record(iterations, neuron_predict(X, w))
    return NeuronHistory(w=w, steps=np.array(steps), weights=np.array(weights),
                         mean_abs_error=np.array(errors))
