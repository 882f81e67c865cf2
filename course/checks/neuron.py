"""Self-checks for notebook 01: the sigmoid's slope, the training step, the cross-entropy step.

Every check draws its inputs afresh (``fresh_rng``), so an answer that returns numbers copied
from an earlier run fails, and runs the answer with the library's own version of the exercise
refused (``call_refusing``), so an answer that calls it fails with a message saying so.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnlib.activations import sigmoid
from nnlib.activations import sigmoid_slope as reference_sigmoid_slope
from course.checks.common import (CheckFailed, call_refusing, close, compare_array, fresh_rng,
                                  report_passed)
from nnlib.neuron import Neuron
from nnlib.neuron import train_step as reference_train_step

# The library functions that do each exercise's work: an answer may not call them.
FORBIDDEN_SLOPE = {"nnlib.activations": ("sigmoid_slope", "sigmoid_backward")}
FORBIDDEN_STEP = {"nnlib.neuron": ("train_step",),
                  "nnlib.losses": ("squared_error_loss", "binary_cross_entropy_with_logits",
                                   "binary_cross_entropy")}


def check_sigmoid_slope(sigmoid_slope: Callable, hidden: bool = False) -> None:
    """Check ``sigmoid_slope(out) -> out * (1 - out)``, element-wise, any shape."""
    name = "sigmoid_slope"
    rng = fresh_rng()
    shapes = [(4, 1), (3, 5), (7,)] if hidden else [(4, 1)]
    for shape in shapes:
        out = sigmoid(rng.normal(scale=2.0, size=shape))
        expected = reference_sigmoid_slope(out)
        got = compare_array(name, call_refusing(sigmoid_slope, (out,), FORBIDDEN_SLOPE),
                            expected, "one slope per output, same shape as its argument")
        if close(got, expected):
            continue
        if close(got, reference_sigmoid_slope(sigmoid(out))):
            raise CheckFailed(f"{name} applied the sigmoid again: its argument is already the "
                              "sigmoid's output, so the slope is output * (1 - output).")
        if close(got, out * (1 + out)) or close(got, -out * (1 - out)):
            raise CheckFailed(f"{name} has a sign wrong: the slope is output * (1 - output), "
                              "always >= 0.")
        worst = np.unravel_index(np.argmax(np.abs(got - expected)), expected.shape)
        raise CheckFailed(f"{name} returned wrong values: at index {worst} the argument is "
                          f"{out[worst]:.4f}, the slope should be {expected[worst]:.6f}, "
                          f"got {got[worst]:.6f}.")
    report_passed(name, hidden)


def _cases(rng, hidden: bool):
    cases = [(4, 3, 1.0), (6, 2, 0.5), (1, 4, 3.0)] if hidden else [(4, 3, 1.0), (5, 3, 0.1)]
    for n, d, learning_rate in cases:
        X = rng.integers(0, 2, size=(n, d)).astype(np.float64)
        y = rng.integers(0, 2, size=(n, 1)).astype(np.float64)
        w = rng.uniform(-1, 1, size=(d, 1))
        yield X, y, w, learning_rate


def check_train_step(train_step: Callable, hidden: bool = False) -> None:
    """Check ``train_step(X, y, w, learning_rate) -> w_new`` against ``nnlib.neuron.train_step``."""
    name = "train_step"
    for X, y, w, learning_rate in _cases(fresh_rng(), hidden):
        n, d = X.shape
        expected = reference_train_step(X, y, w, learning_rate)
        got = compare_array(name, call_refusing(train_step, (X, y, w, learning_rate),
                                                FORBIDDEN_STEP),
                            expected, "the new weights, one per input",
                            "The update X.T @ (...) has shape (D, 1): did you write X @ (...) "
                            "or forget a transpose?")
        if close(got, expected):
            continue
        step = expected - w
        y_hat = sigmoid(X @ w)
        if close(got, w - step):
            raise CheckFailed(f"{name} moves the weights uphill: the error is y - output, and "
                              "the update adds X.T @ (error * slope).")
        if close(got, w + learning_rate * (X.T @ (y - y_hat))):
            raise CheckFailed(f"{name} forgot the sigmoid's slope: multiply the error by "
                              "output * (1 - output) before X.T @ (...).")
        if close(got, w + step / learning_rate):
            raise CheckFailed(f"{name} ignores learning_rate: scale the update by it.")
        if close(got, step):
            raise CheckFailed(f"{name} returned only the change in the weights; return "
                              "w + learning_rate * delta_w.")
        raise CheckFailed(f"{name} returned wrong weights for N={n}, D={d}, "
                          f"learning_rate={learning_rate}: expected {np.round(expected[:, 0], 6)}, "
                          f"got {np.round(got[:, 0], 6)}.")
    report_passed(name, hidden)


def check_cross_entropy_step(cross_entropy_step: Callable, hidden: bool = False) -> None:
    """Check ``cross_entropy_step(X, y, w, learning_rate) -> w_new``: one gradient-descent step on
    the summed binary cross-entropy of ``sigmoid(X @ w)`` (``nnlib.neuron.Neuron``'s
    ``loss="cross_entropy", reduction="sum"``)."""
    name = "cross_entropy_step"
    for X, y, w, learning_rate in _cases(fresh_rng(), hidden):
        n, d = X.shape
        neuron = Neuron.from_params({"w": w}, loss="cross_entropy", reduction="sum")
        _, grads = neuron.loss_and_grads(X, y)
        expected = w - learning_rate * grads["w"]
        got = compare_array(name, call_refusing(cross_entropy_step, (X, y, w, learning_rate),
                                                FORBIDDEN_STEP),
                            expected, "the new weights, one per input",
                            "X.T @ (error) has shape (D, 1): check the transpose.")
        if close(got, expected):
            continue
        step = expected - w
        if close(got, reference_train_step(X, y, w, learning_rate)):
            raise CheckFailed(f"{name} kept the sigmoid's slope output * (1 - output): that is "
                              "the squared-error step. With cross-entropy, dL/dy_hat = "
                              "(y_hat - y) / (y_hat (1 - y_hat)) cancels it: dL/dz = y_hat - y.")
        if close(got, w - step):
            raise CheckFailed(f"{name} moves the weights uphill: the gradient is "
                              "X.T @ (y_hat - y), and descent subtracts it.")
        if n > 1 and close(got, w + step / n):
            raise CheckFailed(f"{name} averages over the examples: this loss is the sum over "
                              "them (like the squared-error step), so do not divide by N.")
        if close(got, w + step / learning_rate):
            raise CheckFailed(f"{name} ignores learning_rate: scale the step by it.")
        raise CheckFailed(f"{name} returned wrong weights for N={n}, D={d}, "
                          f"learning_rate={learning_rate}: expected {np.round(expected[:, 0], 6)}, "
                          f"got {np.round(got[:, 0], 6)}.")
    report_passed(name, hidden)
