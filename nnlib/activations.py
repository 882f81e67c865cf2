"""Activation functions, each forward next to its backward.

Every forward has the contract ``f_forward(x) -> (out, cache)`` and every backward
``f_backward(dout, cache) -> dx``; ``x`` may have any shape and the output has the same
shape. The plain functions (``sigmoid``, ``tanh``, ``relu``) return only the output. All are
stable for inputs of any size: no overflow warnings at +-1e3 and beyond.

This module is the only place where these formulas are written. The functions are pure maths
on float arrays: they check nothing (the models and ``nnlib.train.fit`` check their inputs once,
at the public door, so an array is not converted again at every step).
"""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic sigmoid, element-wise.

    Parameters
    ----------
    x : ndarray of float, any shape

    Returns
    -------
    ndarray of float64, same shape, values in [0, 1].

    Notes
    -----
    sigmoid(x) = 1 / (1 + exp(-x)). Written with exp(-|x|), which never overflows:
    for x >= 0 it is 1 / (1 + e), for x < 0 it is e / (1 + e), where e = exp(-|x|).
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, element-wise; values in [-1, 1]; any shape."""
    return np.tanh(x)


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit ``max(x, 0)``, element-wise; any shape."""
    return np.maximum(x, 0.0)


def sigmoid_slope(out: np.ndarray) -> np.ndarray:
    """Slope of the sigmoid, written in terms of its own output ``out = sigmoid(x)``.

    Notes
    -----
    d sigmoid(x) / dx = sigmoid(x) * (1 - sigmoid(x)) = out * (1 - out). Pass sigmoid(x),
    not x: the formula means nothing for values outside [0, 1].
    """
    return out * (1.0 - out)


def sigmoid_forward(x) -> tuple[np.ndarray, np.ndarray]:
    """Sigmoid forward pass: returns ``(out, cache)`` with ``cache = out``."""
    out = sigmoid(x)
    return out, out


def sigmoid_backward(dout, cache) -> np.ndarray:
    """Sigmoid backward pass: ``dx = dout * out * (1 - out)``, same shape as ``dout``."""
    return dout * sigmoid_slope(cache)


def tanh_slope(out) -> np.ndarray:
    """Slope of tanh in terms of its output: ``1 - out**2``."""
    return 1.0 - out * out


def tanh_forward(x) -> tuple[np.ndarray, np.ndarray]:
    """Hyperbolic tangent forward pass: returns ``(out, cache)`` with ``cache = out``."""
    out = tanh(x)
    return out, out


def tanh_backward(dout, cache) -> np.ndarray:
    """Tanh backward pass: ``dx = dout * (1 - out**2)``."""
    return dout * tanh_slope(cache)


def relu_forward(x) -> tuple[np.ndarray, np.ndarray]:
    """ReLU forward pass: ``out = max(x, 0)``; ``cache = x``."""
    return relu(x), x


def relu_backward(dout, cache) -> np.ndarray:
    """ReLU backward pass: ``dx = dout`` where ``x > 0``, else 0 (the slope at 0 is taken as 0)."""
    return np.where(cache > 0, dout, 0.0)


def identity_forward(x) -> tuple[np.ndarray, None]:
    """Identity (linear) activation: ``out = x``."""
    return x, None


def identity_backward(dout, cache) -> np.ndarray:
    """Identity backward pass: ``dx = dout``."""
    return dout


ACTIVATIONS = {
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "relu": (relu_forward, relu_backward),
    "identity": (identity_forward, identity_backward),
}


def get_activation(name: str):
    """Return the ``(forward, backward)`` pair for an activation name, e.g. ``"relu"``."""
    if name not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}.")
    return ACTIVATIONS[name]
