"""Notebook 02's self-checks: a right answer passes, each typical mistake is named."""

import numpy as np

import nnlib
from nnlib.activations import sigmoid
from course.checks.twolayer import (check_affine_backward, check_numerical_gradient,
                                   check_two_layer_backward)
from selfcheck_cases import self_check_tests


# Reference answers, written independently of the checks' own reference calls.
def affine_backward(dout, cache, db_mean=False, transpose=False):
    X, W = cache
    dW = X.T @ dout
    return dout @ W.T, dW.T if transpose else dW, dout.mean(0) if db_mean else dout.sum(0)


def two_layer_backward(X, y, W1, W2, factor=1, hidden_slope=True, sign=1, output_slope=True):
    A1 = sigmoid(X @ W1)
    y_hat = sigmoid(A1 @ W2)
    delta2 = sign * factor * (y_hat - y) * (y_hat * (1 - y_hat) if output_slope else 1)
    delta1 = (delta2 @ W2.T) * (A1 * (1 - A1) if hidden_slope else 1)
    return X.T @ delta1, A1.T @ delta2


def numerical_gradient(f, x, h=1e-6, denominator=2, one_sided=False, restore=True):
    grad = np.zeros_like(x)
    base = f()
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = f()
        x[index] = original - h
        f_minus = base if one_sided else f()
        grad[index] = (f_plus - f_minus) / (h if one_sided else denominator * h)
        if restore:
            x[index] = original
    return grad


def hard_coded(check, right, copy=lambda result: result):
    """An answer that returns what ``right`` returned on one earlier run of ``check``: the
    numbers a learner could copy from a printed output. Fresh inputs make it fail."""
    outputs = []

    def spy(*args):
        outputs.append(right(*args))
        return outputs[-1]
    check(spy)

    def hard_coded_answer(*args):
        return copy(outputs[0])
    return hard_coded_answer


def _arrays(result):
    return tuple(a.copy() for a in result) if isinstance(result, tuple) else result.copy()


# Shortcuts through the library's twins (a name with "library" in it: see
# test_classroom_isolation, which leaves these to the kernel's refusal tested here).
def calls_library_affine_backward(dout, cache):
    X, W = cache
    return nnlib.affine_backward(dout, (X, W))


def calls_library_twolayer(X, y, W1, W2):
    net = nnlib.TwoLayerNet.from_params({"W1": W1, "W2": W2}, use_bias=False,
                                        reduction="half_sum")
    grads = net.loss_and_grads(X, y)[1]
    return grads["W1"], grads["W2"]


def calls_library_layers(X, y, W1, W2):
    A1, cache1 = nnlib.affine_forward(X, W1, np.zeros(W1.shape[1]))
    A1 = sigmoid(A1)
    y_hat = sigmoid(A1 @ W2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    dA1, dW2, _ = nnlib.affine_backward(delta2, (A1, W2))
    return X.T @ (dA1 * A1 * (1 - A1)), dW2


def calls_library_numerical_gradient(f, x, h=1e-6):
    return nnlib.numerical_gradient(f, x, h)


CASES = [
    (check_affine_backward, affine_backward, [
        (lambda d, c: affine_backward(d, c, db_mean=True), "db is the mean"),
        (lambda d, c: affine_backward(d, c, transpose=True),
         r"dW returned shape \(3, 4\), expected \(4, 3\)"),
        (lambda d, c: affine_backward(d, c)[:2], "expected a tuple of 3"),
        (calls_library_affine_backward, "calls the library's nnlib.layers.affine_backward"),
        (hard_coded(check_affine_backward, affine_backward, _arrays), "has the right shape but "
         "wrong values for N=5, D=4, H=3"),
    ]),
    (check_two_layer_backward, two_layer_backward, [
        (lambda *a: two_layer_backward(*a, factor=2), "twice the gradient"),
        (lambda *a: two_layer_backward(*a, sign=-1), "wrong sign"),
        (lambda *a: two_layer_backward(*a, hidden_slope=False), "dW2 is right but dW1"),
        (lambda *a: two_layer_backward(*a, output_slope=False), "forget the output's sigmoid"),
        (calls_library_twolayer, "calls the library's nnlib.losses.squared_error_loss"),
        (calls_library_layers, "calls the library's nnlib.layers.affine_backward"),
        (hard_coded(check_two_layer_backward, two_layer_backward, _arrays),
         "dW2 has the right shape but wrong values"),
    ]),
    (check_numerical_gradient, numerical_gradient, [
        (lambda f, x, h=1e-6: numerical_gradient(f, x, h, denominator=1), "twice too large"),
        (lambda f, x, h=1e-6: numerical_gradient(f, x, h, one_sided=True), "one-sided"),
        (lambda f, x, h=1e-6: numerical_gradient(f, x, h, restore=False), "changed x"),
        (lambda f, x, h=1e-6: list(numerical_gradient(f, x, h)), "returned list"),
        (calls_library_numerical_gradient, "calls the library's nnlib.gradcheck.numerical_"),
        (hard_coded(check_numerical_gradient, numerical_gradient, _arrays),
         r"returned wrong values for x of shape \(3, 2\)"),
    ]),
]


test_a_right_answer_passes, test_each_typical_mistake_is_named = self_check_tests(CASES)


# The validation cell: course.parameters.ch02.
import pytest  # noqa: E402

from course.parameters import ch02  # noqa: E402

DEFAULTS_02 = {"seed": 0, "hidden_size": 3, "epochs": 1000, "learning_rate": 1.0,
               "print_every": 200}


def test_ch02_defaults_pass_and_are_printed(capsys):
    ch02.check(dict(DEFAULTS_02))
    assert capsys.readouterr().out == ("seed=0, hidden_size=3, epochs=1000, learning_rate=1, "
                                       "print_every=200\n")


@pytest.mark.parametrize("change, message", [
    ({"seed": 0.5}, "seed must be an integer"),
    ({"hidden_size": 51}, "hidden_size must be"),
    ({"epochs": -1}, "epochs must be"),
    ({"learning_rate": -1.0}, r"learning_rate must be a number in the range \(0, 100\]"),
    ({"print_every": 0}, "print_every must be an integer >= 1"),
    ({"print_every": 1, "epochs": 100_000}, r"about 1e\+05 printed lines of output, more than "
     r"the 1000 printed lines this notebook allows: reduce print_every \(or epochs\)"),
])
def test_ch02_refuses_a_bad_value_naming_the_parameter(change, message):
    with pytest.raises(ValueError, match=message):
        ch02.check(dict(DEFAULTS_02, **change))
