"""Notebook 01's self-checks: a right answer passes, each typical mistake is named."""

import numpy as np

import nnlib
import nnlib.neuron
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


def hard_coded(check, right):
    """An answer that returns what ``right`` returned on one earlier run of ``check``: the
    numbers a learner could copy from a printed output. Fresh inputs make it fail."""
    outputs = []

    def spy(*args):
        outputs.append(right(*args))
        return outputs[-1]
    check(spy)

    def hard_coded_answer(*args):
        return outputs[0].copy()
    return hard_coded_answer


# Shortcuts through the library's twins (a name with "library" in it: see
# test_classroom_isolation, which leaves these to the kernel's refusal tested here).
def calls_library_sigmoid_slope(out):
    return nnlib.sigmoid_slope(out)


def calls_library_sigmoid_backward(out):
    return nnlib.activations.sigmoid_backward(np.ones_like(out), out)


def calls_library_train_step(X, y, w, learning_rate=1.0):
    return nnlib.neuron.train_step(X, y, w, learning_rate)


def calls_library_neuron(X, y, w, learning_rate=1.0):
    neuron = nnlib.Neuron.from_params({"w": w}, loss="cross_entropy", reduction="sum")
    return w - learning_rate * neuron.loss_and_grads(X, y)[1]["w"]


CASES = [
    (check_sigmoid_slope, sigmoid_slope, [
        (lambda o: sigmoid(o) * (1 - sigmoid(o)), "applied the sigmoid again"),
        (lambda o: o * (1 + o), "sign wrong"),
        (lambda o: None, "returned NoneType"),
        (lambda o: o * (1 - o) + 0.01, "wrong values: at index"),
        (calls_library_sigmoid_slope, "calls the library's nnlib.activations.sigmoid_slope"),
        (calls_library_sigmoid_backward, "calls the library's nnlib.activations.sigmoid_"),
        (hard_coded(check_sigmoid_slope, sigmoid_slope), "wrong values: at index"),
    ]),
    (check_train_step, train_step, [
        (lambda *a: train_step(*a, sign=-1), "moves the weights uphill"),
        (lambda *a: train_step(*a, slope=False), "forgot the sigmoid's slope"),
        (lambda *a: train_step(*a, rate=False), "ignores learning_rate"),
        (lambda *a: train_step(*a, only_delta=True), "returned only the change"),
        (lambda X, y, w, lr: (w + lr * X.T @ (y - sigmoid(X @ w))).T, r"shape \(1, 3\)"),
        (calls_library_train_step, "calls the library's nnlib.neuron.train_step"),
        (hard_coded(check_train_step, train_step), "returned wrong weights for N=4, D=3"),
    ]),
    (check_cross_entropy_step, cross_entropy_step, [
        (lambda *a: cross_entropy_step(*a, slope=True), "kept the sigmoid's slope"),
        (lambda *a: cross_entropy_step(*a, sign=-1), "uphill"),
        (lambda *a: cross_entropy_step(*a, mean=True), "averages over the examples"),
        (lambda *a: cross_entropy_step(*a, rate=False), "ignores learning_rate"),
        (calls_library_neuron, "calls the library's nnlib.losses.binary_cross_entropy_with_"),
        (calls_library_train_step, "calls the library's nnlib.neuron.train_step"),
        (hard_coded(check_cross_entropy_step, cross_entropy_step),
         "returned wrong weights for N=4, D=3"),
    ]),
]


test_a_right_answer_passes, test_each_typical_mistake_is_named = self_check_tests(CASES)


# The validation cell: course.parameters.ch01.
import pytest  # noqa: E402

from course.parameters import ch01  # noqa: E402

DEFAULTS_01 = {"seed": 7, "epochs": 10_000, "learning_rate": 1.0, "record_every": 10}


def test_ch01_defaults_pass_and_are_printed(capsys):
    namespace = dict(DEFAULTS_01, learning_rate=1)
    ch01.check(namespace)
    assert isinstance(namespace["learning_rate"], float)
    assert capsys.readouterr().out == "seed=7, epochs=10000, learning_rate=1, record_every=10\n"


@pytest.mark.parametrize("change, message", [
    ({"seed": -1}, "seed must be an integer >= 0"),
    ({"epochs": 2_000_000}, "epochs must be"),
    ({"learning_rate": 0}, r"learning_rate must be a number in the range \(0, 100\]"),
    ({"learning_rate": 101}, "learning_rate must be"),
    ({"record_every": 0}, "record_every must be an integer >= 1"),
    ({"epochs": 1_000_000, "record_every": 1},
     r"about 1e\+06 records of plot data, more than the 100000 records this "
     r"notebook allows: reduce epochs, or raise record_every"),
])
def test_ch01_refuses_a_bad_value_naming_the_parameter(change, message):
    with pytest.raises(ValueError, match=message):
        ch01.check(dict(DEFAULTS_01, **change))
