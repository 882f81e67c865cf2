import numpy as np
import pytest

from nnlib.activations import get_activation, sigmoid, sigmoid_slope
from nnlib.gradcheck import numerical_gradient, relative_error


def test_sigmoid_known_values():
    # sigmoid(ln 3) = 3/4 and sigmoid(-ln 3) = 1/4 exactly in real arithmetic.
    out = sigmoid(np.array([0.0, np.log(3.0), -np.log(3.0)]))
    np.testing.assert_allclose(out, [0.5, 0.75, 0.25], rtol=1e-15)


def test_sigmoid_matches_naive_formula_where_that_is_safe():
    x = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-14)


def test_sigmoid_is_stable_at_extremes():
    # pyproject turns RuntimeWarning (overflow) into an error, so this also checks "no warning".
    out = sigmoid(np.array([-1e3, -745.0, 745.0, 1e3]))
    assert np.all(np.isfinite(out))
    assert out[0] == 0.0 and out[-1] == 1.0
    assert 0.0 < out[1] < 1e-300


def test_sigmoid_slope_matches_numerical_derivative():
    x = np.linspace(-6, 6, 25)
    h = 1e-6
    numerical = (sigmoid(x + h) - sigmoid(x - h)) / (2 * h)
    np.testing.assert_allclose(sigmoid_slope(sigmoid(x)), numerical, atol=1e-10)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity"])
def test_backward_matches_numerical_gradient(name):
    forward, backward = get_activation(name)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5))
    x[np.abs(x) < 1e-3] = 0.5  # keep ReLU's kink away from the finite differences
    dout = rng.normal(size=(4, 5))
    out, cache = forward(x)
    dx = backward(dout, cache)
    numerical = numerical_gradient(lambda: float(np.sum(forward(x)[0] * dout)), x)
    assert dx.shape == x.shape
    assert relative_error(dx, numerical) < 1e-7


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match=r"Unknown activation 'softplus'.*'relu'"):
        get_activation("softplus")
