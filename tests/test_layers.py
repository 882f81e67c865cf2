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


@pytest.mark.parametrize("shapes, message", [
    (((5, 4), (3, 3), (3,)), r"W must have shape \(D, H\) \(with D=4\), got \(3, 3\)"),
    (((5, 4), (4, 3), (4,)), r"b must have shape \(H,\) \(with H=3\), got \(4,\)"),
    (((4,), (4, 3), (3,)), r"X must have shape \(N, D\), got \(4,\)"),
])
def test_affine_rejects_mismatched_shapes(shapes, message):
    with pytest.raises(ValueError, match=message):
        affine_forward(*(np.zeros(shape) for shape in shapes))


def test_affine_backward_rejects_wrong_dout():
    _, cache = affine_forward(np.zeros((5, 4)), np.zeros((4, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"dout must have shape \(5, 3\), got \(3, 5\)"):
        affine_backward(np.zeros((3, 5)), cache)
