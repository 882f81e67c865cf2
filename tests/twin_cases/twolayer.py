"""Chapter 02's pairs: the sigmoid and its slope, the affine layer's backward pass and the
numerical gradient."""

import numpy as np

from twin_cases import Twin


def _z(rng):
    return (rng.normal(scale=4.0, size=(5, 3)),), {}


def _outputs(rng):
    return (rng.uniform(size=(4, 2)),), {}


def _affine(rng):
    X, W = rng.normal(size=(5, 3)), rng.normal(size=(3, 4))
    return (rng.normal(size=(5, 4)), (X, W)), {}


def _gradient(rng):
    A, x = rng.normal(size=(3, 3)), rng.normal(size=(3, 2))
    # x as a keyword: the test copies positional arrays, and f must see the x that is perturbed
    return (lambda: float(np.sum(np.tanh(A @ x) ** 2)),), {"x": x, "h": 1e-6}


CASES = [
    Twin("02", "sigmoid", "nnlib.activations.sigmoid", _z),
    Twin("02", "sigmoid_slope", "nnlib.activations.sigmoid_slope", _outputs),
    Twin("02", "affine_backward", "nnlib.layers.affine_backward", _affine),
    Twin("02", "numerical_gradient", "nnlib.gradcheck.numerical_gradient", _gradient),
]
