"""Notebook 03's self-checks: a right answer passes, each typical mistake is named."""

import numpy as np

from nnlib.activations import sigmoid
from course.checks.mlp import (check_adam_step, check_full_backward, check_momentum_step,
                              check_single_layer_backward)
from selfcheck_cases import self_check_tests


# Reference answers, written independently of the checks' own reference calls.
def relu_slope(Z):
    return (Z > 0).astype(float)


SLOPES = {"relu": relu_slope, "sigmoid": lambda Z: sigmoid(Z) * (1 - sigmoid(Z))}


def single_layer_backward(dA, W, Z, A_prev, activation, use_slope=True, db_mean=False):
    dZ = dA * SLOPES[activation](Z) if use_slope else dA
    return dZ @ W.T, A_prev.T @ dZ, dZ.mean(axis=0) if db_mean else dZ.sum(axis=0)


def full_forward(X, params, architecture):
    memory, A = {}, X
    for l, layer in enumerate(architecture, start=1):
        memory[f"A{l - 1}"] = A
        Z = A @ params[f"W{l}"] + params[f"b{l}"]
        memory[f"Z{l}"] = Z
        A = sigmoid(Z) if layer["activation"] == "sigmoid" else np.maximum(Z, 0)
    return A, memory


def full_backward(y_hat, y, memory, params, architecture, mean=True, output_only=False):
    grads, L = {}, len(architecture)
    dZ = (y_hat - y) / (len(y) if mean else 1)
    grads[f"W{L}"], grads[f"b{L}"] = memory[f"A{L - 1}"].T @ dZ, dZ.sum(axis=0)
    dA = dZ @ params[f"W{L}"].T
    for l in range(L - 1, 0, -1):
        dA, grads[f"W{l}"], grads[f"b{l}"] = single_layer_backward(
            dA, params[f"W{l}"], memory[f"Z{l}"], memory[f"A{l - 1}"],
            architecture[l - 1]["activation"], use_slope=not output_only)
    return grads


def momentum_step(theta, grad, velocity, learning_rate, beta, average=False, sign=1,
                  keep=True):
    velocity = (beta * velocity if keep else 0) + ((1 - beta) * grad if average else grad)
    return theta - sign * learning_rate * velocity, velocity


def adam_step(theta, grad, m, v, t, learning_rate, beta1, beta2, eps, correct=True, root=True,
              t_shift=0, square=True):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * (grad**2 if square else grad)
    t = t + t_shift
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat = m / (1 - beta1**t) if correct else m
        v_hat = v / (1 - beta2**t) if correct else v
        step = m_hat / ((np.sqrt(v_hat) if root else v_hat) + eps)
    return theta - learning_rate * step, m, v


CASES = [
    (check_single_layer_backward, (single_layer_backward,), [
        ((lambda *a: single_layer_backward(*a, use_slope=False),), "ignores the relu slope"),
        ((lambda *a: single_layer_backward(*a, db_mean=True),), "db is wrong"),
        ((lambda *a: single_layer_backward(*a)[:2],), "must return a tuple"),
    ]),
    (check_full_backward, (full_backward, full_forward), [
        ((lambda *a: full_backward(*a, mean=False), full_forward), "N times too large"),
        ((lambda *a: {}, full_forward), "no gradient for"),
        ((lambda *a: full_backward(*a, output_only=True), full_forward),
         "the output layer is right but"),
    ]),
    (check_momentum_step, (momentum_step,), [
        ((lambda *a, **k: momentum_step(*a, **k, average=True),), "averages the gradients"),
        ((lambda *a, **k: momentum_step(*a, **k, keep=False),), "forgets the past"),
        ((lambda *a, **k: momentum_step(*a, **k, sign=-1),), "uphill"),
        ((lambda *a, **k: momentum_step(*a, **k)[0],), "must return a tuple of 2"),
    ]),
    (check_adam_step, (adam_step,), [
        ((lambda *a, **k: adam_step(*a, **k, correct=False),), "no bias correction"),
        ((lambda *a, **k: adam_step(*a, **k, root=False),), r"sqrt\(v_hat\)"),
        ((lambda *a, **k: adam_step(*a, **k, t_shift=-1),), "counts from 1"),
        ((lambda *a, **k: adam_step(*a, **k, square=False),), "NaN|squared gradient"),
    ]),
]


test_a_right_answer_passes, test_each_typical_mistake_is_named = self_check_tests(
    CASES, unpack=True)
