"""Notebook 01's self-checks: a right answer passes, each typical mistake is named."""

import numpy as np

from nnlib.activations import sigmoid
from course.checks.neuron import check_cross_entropy_step, check_sigmoid_slope, check_train_step
from selfcheck_cases import self_check_tests


# Reference answers, written independently of the checks' own reference calls.
def sigmoid_slope(output):
    return output * (1 - output)


def train_step(X, y, w, learning_rate=1.0, sign=1, slope=True, rate=True, only_delta=False):
    output = sigmoid(X @ w)
    error = sign * (y - output)
    delta = X.T @ (error * (output * (1 - output) if slope else 1))
    change = (learning_rate if rate else 1) * delta
    return change if only_delta else w + change


def cross_entropy_step(X, y, w, learning_rate=1.0, slope=False, sign=1, mean=False, rate=True):
    output = sigmoid(X @ w)
    error = (y - output) * (output * (1 - output) if slope else 1)
    step = sign * X.T @ error / (len(X) if mean else 1)
    return w + (learning_rate if rate else 1) * step


CASES = [
    (check_sigmoid_slope, sigmoid_slope, [
        (lambda o: sigmoid(o) * (1 - sigmoid(o)), "applied the sigmoid again"),
        (lambda o: o * (1 + o), "sign wrong"),
        (lambda o: None, "returned NoneType"),
        (lambda o: o * (1 - o) + 0.01, "wrong values: at index"),
    ]),
    (check_train_step, train_step, [
        (lambda *a: train_step(*a, sign=-1), "moves the weights uphill"),
        (lambda *a: train_step(*a, slope=False), "forgot the sigmoid's slope"),
        (lambda *a: train_step(*a, rate=False), "ignores learning_rate"),
        (lambda *a: train_step(*a, only_delta=True), "returned only the change"),
        (lambda X, y, w, lr: (w + lr * X.T @ (y - sigmoid(X @ w))).T, r"shape \(1, 3\)"),
    ]),
    (check_cross_entropy_step, cross_entropy_step, [
        (lambda *a: cross_entropy_step(*a, slope=True), "kept the sigmoid's slope"),
        (lambda *a: cross_entropy_step(*a, sign=-1), "uphill"),
        (lambda *a: cross_entropy_step(*a, mean=True), "averages over the examples"),
        (lambda *a: cross_entropy_step(*a, rate=False), "ignores learning_rate"),
    ]),
]


test_a_right_answer_passes, test_each_typical_mistake_is_named = self_check_tests(CASES)
