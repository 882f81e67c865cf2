import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient, relative_error


def test_numerical_gradient_of_a_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8)
    # x is restored after the nudging.
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])


def test_numerical_gradient_requires_float64():
    with pytest.raises(ValueError, match="float64"):
        numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))


def test_relative_error():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([0.0], [0.0]) == 0.0
    assert relative_error([1.0], [-1.0]) == pytest.approx(1.0)
    # A wrong gradient is caught even when most entries are right.
    assert relative_error([1.0, 1.0, 1.0], [1.0, 1.0, 1.5]) > 1e-2
    with pytest.raises(ValueError, match="same shape"):
        relative_error([1.0], [1.0, 2.0])
