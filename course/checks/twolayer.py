"""Self-checks for notebook 02: the affine backward pass, the two-layer backward pass and a
central-difference numerical gradient.

Every check draws its inputs afresh (``fresh_rng``), so an answer that returns numbers copied
from an earlier run fails, and runs the answer with the library's own version of the exercise
refused, so an answer that calls it fails with a message saying so.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course.checks.common import (CheckFailed, call_refusing, close, compare_array, fresh_rng,
                                  library_refused, report_passed)
from nnlib.gradcheck import numerical_gradient as reference_numerical_gradient
from nnlib.gradcheck import relative_error
from nnlib.layers import affine_backward, affine_forward
from nnlib.twolayer import TwoLayerNet

# The library functions that do each exercise's work: an answer may not call them.
FORBIDDEN_AFFINE = {"nnlib.layers": ("affine_backward",)}
FORBIDDEN_BACKWARD = {"nnlib.layers": ("affine_backward",),
                      "nnlib.losses": ("squared_error_loss",),
                      "nnlib.activations": ("sigmoid_backward",)}
FORBIDDEN_GRADIENT = {"nnlib.gradcheck": ("numerical_gradient",)}


def _unpack(name: str, result, count: int, names: str) -> tuple:
    if not isinstance(result, tuple) or len(result) != count:
        got = f"a tuple of {len(result)}" if isinstance(result, tuple) else type(result).__name__
        raise CheckFailed(f"{name} returned {got}, expected a tuple of {count}: ({names}).")
    return result


def check_affine_backward(affine_backward_fn: Callable, hidden: bool = False) -> None:
    """Check ``affine_backward(dout, cache) -> (dX, dW, db)`` with ``cache = (X, W)``."""
    name = "affine_backward"
    rng = fresh_rng()
    sizes = [(5, 4, 3), (1, 2, 6), (7, 7, 7)] if hidden else [(5, 4, 3)]
    for n, d, h in sizes:
        X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(size=h)
        dout = rng.normal(size=(n, h))
        _, cache = affine_forward(X, W, b)
        expected = affine_backward(dout, cache)
        result = _unpack(name, call_refusing(affine_backward_fn, (dout, (X.copy(), W.copy())),
                                             FORBIDDEN_AFFINE), 3, "dX, dW, db")
        hints = {
            "dX": "dX = dout @ W.T has the shape of X, (N, D): did you forget to transpose W?",
            "dW": "dW = X.T @ dout has the shape of W, (D, H): did you transpose X, or write "
                  "dout.T @ X?",
            "db": "db is dout summed over the batch, shape (H,): use dout.sum(axis=0).",
        }
        for label, got, want in zip(("dX", "dW", "db"), result, expected):
            got = compare_array(f"{name}: {label}", got, want, f"the shape of {label[1:]}",
                                hints[label])
            if close(got, want):
                continue
            if label == "db" and close(got, dout.mean(axis=0)):
                raise CheckFailed(f"{name}: db is the mean of dout over the batch; it must be "
                                  "the sum (every example adds its share).")
            if close(got, -want):
                raise CheckFailed(f"{name}: {label} has the wrong sign.")
            raise CheckFailed(f"{name}: {label} has the right shape but wrong values for "
                              f"N={n}, D={d}, H={h}. {hints[label]}")
    report_passed(name, hidden)


def check_two_layer_backward(backward_fn: Callable, hidden: bool = False) -> None:
    """Check ``two_layer_backward(X, y, W1, W2) -> (dW1, dW2)`` for L = 1/2 sum((y_hat - y)**2)."""
    name = "two_layer_backward"
    rng = fresh_rng()
    sizes = [(4, 3, 4, 1), (6, 2, 5, 2), (1, 3, 1, 1)] if hidden else [(4, 3, 4, 1)]
    for n, d, h, c in sizes:
        X = rng.normal(size=(n, d))
        y = rng.uniform(size=(n, c))
        params = {"W1": rng.normal(size=(d, h)), "W2": rng.normal(size=(h, c))}
        net = TwoLayerNet.from_params(params, use_bias=False, reduction="half_sum")
        _, grads = net.loss_and_grads(X, y)
        result = _unpack(name, call_refusing(backward_fn, (X, y, params["W1"], params["W2"]),
                                             FORBIDDEN_BACKWARD), 2, "dW1, dW2")
        # The output layer first: an error there also spoils dW1, which then says nothing.
        for label, got in reversed(list(zip(("dW1", "dW2"), result))):
            want = grads[label[1:]]
            got = compare_array(f"{name}: {label}", got, want, f"the shape of {label[1:]}",
                                "dW2[j, c] sums delta2[n, c] * A1[n, j] over n: that is "
                                "A1.T @ delta2; likewise dW1 = X.T @ delta1.")
            if close(got, want):
                continue
            if close(got, 2 * want):
                raise CheckFailed(f"{name}: {label} is twice the gradient: with L = 1/2 sum of "
                                  "squares the 2 of the derivative cancels the 1/2, so "
                                  "delta2 = (y_hat - y) * y_hat * (1 - y_hat).")
            if close(got, -want):
                raise CheckFailed(f"{name}: {label} has the wrong sign: dL/dy_hat is "
                                  "y_hat - y, not y - y_hat.")
            if label == "dW1":
                raise CheckFailed(f"{name}: dW2 is right but dW1 is not. delta1 = (delta2 @ "
                                  "W2.T) * A1 * (1 - A1): check the transpose of W2 and the "
                                  "hidden layer's sigmoid slope.")
            raise CheckFailed(f"{name}: dW2 has the right shape but wrong values. delta2 = "
                              "(y_hat - y) * y_hat * (1 - y_hat); did you forget the "
                              "output's sigmoid slope?")
    report_passed(name, hidden)


def _forward_difference(f, x, h):
    grad = np.zeros_like(x)
    base = f()
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        grad[index] = (f() - base) / h
        x[index] = original
    return grad


def check_numerical_gradient(numerical_gradient: Callable, hidden: bool = False) -> None:
    """Check ``numerical_gradient(f, x, h=1e-6) -> grad`` (central differences, ``x`` restored)."""
    name = "numerical_gradient"
    rng = fresh_rng()
    shapes = [(3, 2), (4,), (2, 3, 2)] if hidden else [(3, 2)]
    for shape in shapes:
        x = rng.uniform(0.5, 1.5, size=shape)
        weights = rng.normal(size=shape)

        def f():  # a cubic: curved, so a one-sided difference is measurably off
            return float(np.sum(weights * x**3) + np.prod(x.ravel()[:2]))

        start = x.copy()
        expected = reference_numerical_gradient(f, x, 1e-6)
        with library_refused(FORBIDDEN_GRADIENT):  # x itself: f reads it
            got = numerical_gradient(f, x, 1e-6)
        if not np.array_equal(x, start):
            raise CheckFailed(f"{name} changed x: after nudging an entry by +h and -h, put "
                              "its original value back before moving to the next entry.")
        got = compare_array(name, got, expected, "one partial derivative per entry of x",
                            "Create the result with np.zeros_like(x).")
        if relative_error(got, expected) < 1e-7:
            continue
        if relative_error(got, 2 * expected) < 1e-7:
            raise CheckFailed(f"{name} is twice too large: f(x + h) and f(x - h) are 2h apart, "
                              "so divide their difference by 2 * h.")
        if relative_error(got, _forward_difference(f, x, 1e-6)) < 1e-7:
            raise CheckFailed(f"{name} uses the one-sided difference (f(x + h) - f(x)) / h: its "
                              "error shrinks only like h. Use (f(x + h) - f(x - h)) / (2 h), "
                              "whose error shrinks like h**2.")
        raise CheckFailed(f"{name} returned wrong values for x of shape {shape}: nudge one "
                          "entry at a time, evaluate f at x + h and x - h, and restore it.")
    report_passed(name, hidden)
