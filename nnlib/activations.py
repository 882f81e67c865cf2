"""Activation functions, each forward next to its backward.

Every forward has the contract ``f_forward(x) -> (out, cache)`` and every backward
``f_backward(dout, cache) -> dx``; ``x`` may have any shape and the output has the same
shape. The plain functions (``sigmoid``, ``tanh``, ``relu``) return only the output. All are
stable for inputs of any size: no overflow warnings at +-1e3 and beyond.

This module is the only place where these formulas are written. Each public function checks
its input; inner loops that work on arrays already checked pass ``check=False`` (the models
and ``nnlib.train.fit`` check once at their boundary, not at every step).
"""

from __future__ import annotations

import numpy as np

from nnlib.validation import as_float_array


def sigmoid(x, check: bool = True) -> np.ndarray:
    """Logistic sigmoid, element-wise.

    Parameters
    ----------
    x : array_like of real numbers, any shape
    check : bool
        False: trust ``x`` to be a float ndarray (inner loops).

    Returns
    -------
    ndarray of float64, same shape, values in [0, 1].

    Notes
    -----
    sigmoid(x) = 1 / (1 + exp(-x)). Written with exp(-|x|), which never overflows:
    for x >= 0 it is 1 / (1 + e), for x < 0 it is e / (1 + e), where e = exp(-|x|).
    """
    if check:
        x = as_float_array("x", x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def tanh(x, check: bool = True) -> np.ndarray:
    """Hyperbolic tangent, element-wise; values in [-1, 1]. ``check=False`` trusts ``x``."""
    return np.tanh(as_float_array("x", x) if check else x)


def relu(x, check: bool = True) -> np.ndarray:
    """Rectified linear unit ``max(x, 0)``, element-wise. ``check=False`` trusts ``x``."""
    return np.maximum(as_float_array("x", x) if check else x, 0.0)


def sigmoid_slope(out, check: bool = True) -> np.ndarray:
    """Slope of the sigmoid, written in terms of its own output ``out = sigmoid(x)``.

    Notes
    -----
    d sigmoid(x) / dx = sigmoid(x) * (1 - sigmoid(x)) = out * (1 - out).
    """
    if not check:
        return out * (1.0 - out)
    out = as_float_array("out", out)
    if np.any((out < 0) | (out > 1)):
        raise ValueError("out must be a sigmoid output, with every value in [0, 1]; "
                         f"got values from {out.min():.4g} to {out.max():.4g}. "
                         "Pass sigmoid(x), not x.")
    return out * (1.0 - out)


def sigmoid_forward(x) -> tuple[np.ndarray, np.ndarray]:
    """Sigmoid forward pass: returns ``(out, cache)`` with ``cache = out``."""
    out = sigmoid(x)
    return out, out


def sigmoid_backward(dout, cache) -> np.ndarray:
    """Sigmoid backward pass: ``dx = dout * out * (1 - out)``, same shape as ``dout``."""
    dout = as_float_array("dout", dout, shape=np.shape(cache))
    return dout * sigmoid_slope(cache)


def tanh_slope(out) -> np.ndarray:
    """Slope of tanh in terms of its output: ``1 - out**2`` (inputs trusted)."""
    return 1.0 - out * out


def tanh_forward(x) -> tuple[np.ndarray, np.ndarray]:
    """Hyperbolic tangent forward pass: returns ``(out, cache)`` with ``cache = out``."""
    out = tanh(x)
    return out, out


def tanh_backward(dout, cache) -> np.ndarray:
    """Tanh backward pass: ``dx = dout * (1 - out**2)``."""
    dout = as_float_array("dout", dout, shape=np.shape(cache))
    return dout * tanh_slope(cache)


def relu_forward(x) -> tuple[np.ndarray, np.ndarray]:
    """ReLU forward pass: ``out = max(x, 0)``; ``cache = x``."""
    x = as_float_array("x", x)
    return relu(x, check=False), x


def relu_backward(dout, cache) -> np.ndarray:
    """ReLU backward pass: ``dx = dout`` where ``x > 0``, else 0 (the slope at 0 is taken as 0)."""
    dout = as_float_array("dout", dout, shape=np.shape(cache))
    return np.where(cache > 0, dout, 0.0)


def identity_forward(x) -> tuple[np.ndarray, None]:
    """Identity (linear) activation: ``out = x``."""
    return as_float_array("x", x), None


def identity_backward(dout, cache) -> np.ndarray:
    """Identity backward pass: ``dx = dout``."""
    return as_float_array("dout", dout)


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
