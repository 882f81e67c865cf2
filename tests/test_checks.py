"""The exercises' self-checks: a right answer passes, each typical mistake is named."""

import numpy as np
import pytest

from nnlib import checks
from nnlib.activations import sigmoid
from nnlib.checks import CheckFailed


# Reference answers, written independently of the checks' own reference calls.
def sigmoid_slope(output):
    return output * (1 - output)


def train_step(X, y, w, learning_rate=1.0, sign=1, slope=True, rate=True):
    output = sigmoid(X @ w)
    error = sign * (y - output)
    delta = X.T @ (error * (output * (1 - output) if slope else 1))
    return w + (learning_rate if rate else 1) * delta


def affine_backward(dout, cache, db_mean=False, transpose=False):
    X, W = cache
    dW = X.T @ dout
    return dout @ W.T, dW.T if transpose else dW, dout.mean(0) if db_mean else dout.sum(0)


def two_layer_backward(X, y, W1, W2, factor=2, hidden_slope=True):
    A1 = sigmoid(X @ W1)
    y_hat = sigmoid(A1 @ W2)
    delta2 = factor * (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = (delta2 @ W2.T) * (A1 * (1 - A1) if hidden_slope else 1)
    return X.T @ delta1, A1.T @ delta2


def relu_slope(Z):
    return (Z > 0).astype(float)


SLOPES = {"relu": relu_slope, "sigmoid": lambda Z: sigmoid(Z) * (1 - sigmoid(Z))}


def single_layer_backward(dA, W, Z, A_prev, activation, use_slope=True):
    dZ = dA * SLOPES[activation](Z) if use_slope else dA
    return dZ @ W.T, A_prev.T @ dZ, dZ.sum(axis=0)


def full_forward(X, params, architecture):
    memory, A = {}, X
    for l, layer in enumerate(architecture, start=1):
        memory[f"A{l - 1}"] = A
        Z = A @ params[f"W{l}"] + params[f"b{l}"]
        memory[f"Z{l}"] = Z
        A = sigmoid(Z) if layer["activation"] == "sigmoid" else np.maximum(Z, 0)
    return A, memory


def full_backward(y_hat, y, memory, params, architecture, mean=True):
    grads, L = {}, len(architecture)
    dZ = (y_hat - y) / (len(y) if mean else 1)
    grads[f"W{L}"], grads[f"b{L}"] = memory[f"A{L - 1}"].T @ dZ, dZ.sum(axis=0)
    dA = dZ @ params[f"W{L}"].T
    for l in range(L - 1, 0, -1):
        dA, grads[f"W{l}"], grads[f"b{l}"] = single_layer_backward(
            dA, params[f"W{l}"], memory[f"Z{l}"], memory[f"A{l - 1}"],
            architecture[l - 1]["activation"])
    return grads


CASES = [
    (checks.check_sigmoid_slope, (sigmoid_slope,), [
        ((lambda o: sigmoid(o) * (1 - sigmoid(o)),), "applied the sigmoid again"),
        ((lambda o: o * (1 + o),), "sign wrong"),
        ((lambda o: None,), "returned NoneType"),
    ]),
    (checks.check_train_step, (train_step,), [
        ((lambda *a: train_step(*a, sign=-1),), "moves the weights uphill"),
        ((lambda *a: train_step(*a, slope=False),), "forgot the sigmoid's slope"),
        ((lambda *a: train_step(*a, rate=False),), "ignores learning_rate"),
    ]),
    (checks.check_affine_backward, (affine_backward,), [
        ((lambda d, c: affine_backward(d, c, db_mean=True),), "db is the mean"),
        ((lambda d, c: affine_backward(d, c, transpose=True),),
         r"dW returned shape \(3, 4\), expected \(4, 3\)"),
        ((lambda d, c: affine_backward(d, c)[:2],), "expected a tuple of 3"),
    ]),
    (checks.check_two_layer_backward, (two_layer_backward,), [
        ((lambda *a: two_layer_backward(*a, factor=1),), "half the gradient"),
        ((lambda *a: two_layer_backward(*a, hidden_slope=False),), "dW2 is right but dW1"),
    ]),
    (checks.check_single_layer_backward, (single_layer_backward,), [
        ((lambda *a: single_layer_backward(*a, use_slope=False),), "ignores the relu slope"),
    ]),
    (checks.check_full_backward, (full_backward, full_forward), [
        ((lambda *a: full_backward(*a, mean=False), full_forward), "N times too large"),
        ((lambda *a: {}, full_forward), "no gradient for"),
    ]),
]


@pytest.mark.parametrize("check, right, _", CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_a_right_answer_passes_public_and_hidden_checks(check, right, _, capsys):
    check(*right)
    check(*right, hidden=True)
    out = capsys.readouterr().out
    assert "public checks passed" in out and "hidden checks passed" in out
    assert "all tests passed" not in out.lower()


@pytest.mark.parametrize("check, wrong, message",
                         [(check, w, m) for check, _, mistakes in CASES for w, m in mistakes],
                         ids=lambda v: v if isinstance(v, str) else getattr(v, "__name__", ""))
def test_each_typical_mistake_is_named(check, wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check(*wrong)
