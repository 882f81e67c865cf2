import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.layers import affine_backward, affine_forward


def test_affine_known_value():
    X = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]])
    b = np.array([0.0, 1.0, -1.0])
    out, _ = affine_forward(X, W, b)
    np.testing.assert_array_equal(out, [[2.0, 5.0, 0.0]])


def test_affine_backward_matches_numerical_gradients():
    rng = np.random.default_rng(1)
    X, W, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    dout = rng.normal(size=(5, 3))
    dX, dW, db = affine_backward(dout, affine_forward(X, W, b)[1])

    def loss():
        return float(np.sum(affine_forward(X, W, b)[0] * dout))

    for analytic, array in ((dX, X), (dW, W), (db, b)):
        assert analytic.shape == array.shape
        assert relative_error(analytic, numerical_gradient(loss, array)) < 1e-7


def test_affine_applies_to_the_last_axis_of_a_sequence():
    # one meaning for every shape: (N, T, D) is N * T rows of (N, D)
    rng = np.random.default_rng(4)
    X, W, b = rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 5)), rng.normal(size=5)
    out, cache = affine_forward(X, W, b)
    flat, flat_cache = affine_forward(X.reshape(6, 4), W, b)
    np.testing.assert_allclose(out.reshape(6, 5), flat)
    dout = rng.normal(size=(2, 3, 5))
    for ours, theirs in zip(affine_backward(dout, cache),
                            affine_backward(dout.reshape(6, 5), flat_cache)):
        np.testing.assert_allclose(ours.reshape(theirs.shape), theirs)


def test_no_maths_function_takes_a_check_flag():
    import importlib
    import inspect
    import pkgutil

    import nnlib

    flagged = []
    for module in pkgutil.walk_packages(nnlib.__path__, "nnlib."):
        for name, value in vars(importlib.import_module(module.name)).items():
            if inspect.isfunction(value) and "check" in inspect.signature(value).parameters:
                flagged.append(f"{module.name}.{name}")
    assert not flagged, f"check= flags (validate at the public door instead): {flagged}"
