"""Notebook 02's self-checks: a right answer passes, each typical mistake is named."""

import numpy as np

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


CASES = [
    (check_affine_backward, affine_backward, [
        (lambda d, c: affine_backward(d, c, db_mean=True), "db is the mean"),
        (lambda d, c: affine_backward(d, c, transpose=True),
         r"dW returned shape \(3, 4\), expected \(4, 3\)"),
        (lambda d, c: affine_backward(d, c)[:2], "expected a tuple of 3"),
    ]),
    (check_two_layer_backward, two_layer_backward, [
        (lambda *a: two_layer_backward(*a, factor=2), "twice the gradient"),
        (lambda *a: two_layer_backward(*a, sign=-1), "wrong sign"),
        (lambda *a: two_layer_backward(*a, hidden_slope=False), "dW2 is right but dW1"),
        (lambda *a: two_layer_backward(*a, output_slope=False), "forget the output's sigmoid"),
    ]),
    (check_numerical_gradient, numerical_gradient, [
        (lambda f, x, h=1e-6: numerical_gradient(f, x, h, denominator=1), "twice too large"),
        (lambda f, x, h=1e-6: numerical_gradient(f, x, h, one_sided=True), "one-sided"),
        (lambda f, x, h=1e-6: numerical_gradient(f, x, h, restore=False), "changed x"),
        (lambda f, x, h=1e-6: list(numerical_gradient(f, x, h)), "returned list"),
    ]),
]


test_a_right_answer_passes, test_each_typical_mistake_is_named = self_check_tests(CASES)
