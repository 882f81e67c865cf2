"""Notebook 03's self-checks: a right answer passes, each typical mistake is named."""

import numpy as np
import pytest

import nnlib
import nnlib.layers
import nnlib.mlp
from nnlib.activations import sigmoid
from nnlib.optim import Adam, Momentum
from course.parameters import ch03
from course.checks.mlp import (check_adam_step, check_full_backward, check_layer_backward,
                              check_momentum_step)
from selfcheck_cases import self_check_tests


# Reference answers, written independently of the checks' own reference calls.
def relu_slope(Z):
    return (Z > 0).astype(float)


SLOPES = {"relu": relu_slope, "sigmoid": lambda Z: sigmoid(Z) * (1 - sigmoid(Z)),
          "identity": np.ones_like}


def layer_backward(dA, cache, activation, use_slope=True, db_mean=False):
    A_prev, W, Z = cache
    dZ = dA * SLOPES[activation](Z) if use_slope else dA
    return dZ @ W.T, A_prev.T @ dZ, dZ.mean(axis=0) if db_mean else dZ.sum(axis=0)


def full_forward(X, params, architecture):
    caches, A = [], X
    for l, layer in enumerate(architecture, start=1):
        Z = A @ params[f"W{l}"] + params[f"b{l}"]
        caches.append((A, params[f"W{l}"], Z))
        A = Z if l == len(architecture) else np.maximum(Z, 0)
    return A, caches


def full_backward(dlogits, caches, architecture, output_slope=False, hidden_slope=True):
    grads, L = {}, len(architecture)
    dA = dlogits
    for l in range(L, 0, -1):
        activation = ("sigmoid" if output_slope else "identity") if l == L else \
            architecture[l - 1]["activation"]
        dA, grads[f"W{l}"], grads[f"b{l}"] = layer_backward(
            dA, caches[l - 1], activation, use_slope=hidden_slope or l == L)
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


def hard_coded(check, right, *extra):
    """An answer that returns what ``right`` returned on one earlier run of ``check``: the
    numbers a learner could copy from a printed output. Fresh inputs make it fail."""
    outputs = []

    def spy(*args, **kwargs):
        outputs.append(right(*args, **kwargs))
        return outputs[-1]
    check(spy, *extra)

    def hard_coded_answer(*args, **kwargs):
        out = outputs[0]
        return {k: v.copy() for k, v in out.items()} if isinstance(out, dict) else out
    return hard_coded_answer


# Shortcuts through the library's twins (a name with "library" in it: see
# test_classroom_isolation, which leaves these to the kernel's refusal tested here).
def calls_library_layer_backward(dA, cache, activation):
    return nnlib.mlp.layer_backward(dA, cache, activation)


def calls_library_affine_backward(dA, cache, activation):
    A_prev, W, Z = cache
    return nnlib.layers.affine_backward(dA * SLOPES[activation](Z), (A_prev, W))


def calls_library_full_backward(dlogits, caches, architecture):
    return nnlib.mlp.full_backward(dlogits, caches, architecture)


def calls_library_momentum(theta, grad, velocity, learning_rate, beta):
    optimizer, params = Momentum(learning_rate, beta=beta), {"w": theta.copy()}
    optimizer.velocity = {"w": velocity.copy()}
    optimizer.step(params, {"w": grad})
    return params["w"], optimizer.velocity["w"]


def calls_library_adam(theta, grad, m, v, t, learning_rate, beta1, beta2, eps):
    optimizer, params = Adam(learning_rate, beta1, beta2, eps), {"w": theta.copy()}
    optimizer.m, optimizer.v, optimizer.t = {"w": m.copy()}, {"w": v.copy()}, t - 1
    optimizer.step(params, {"w": grad})
    return params["w"], optimizer.m["w"], optimizer.v["w"]


CASES = [
    (check_layer_backward, (layer_backward,), [
        ((lambda *a: layer_backward(*a, use_slope=False),), "ignores the relu slope"),
        ((lambda *a: layer_backward(*a, db_mean=True),), "db averages dZ"),
        ((lambda *a: layer_backward(*a)[:2],), "must return a tuple"),
        ((calls_library_layer_backward,), "calls the library's nnlib.mlp.layer_backward"),
        ((calls_library_affine_backward,), "calls the library's nnlib.layers.affine_backward"),
        ((hard_coded(check_layer_backward, layer_backward),), "shape|is wrong"),
    ]),
    (check_full_backward, (full_backward, full_forward), [
        ((lambda *a: full_backward(*a, output_slope=True), full_forward),
         "the output layer's W3 is wrong"),
        ((lambda *a: {}, full_forward), "no gradient for"),
        ((lambda *a: full_backward(*a, hidden_slope=False), full_forward),
         "the output layer is right but"),
        ((calls_library_full_backward, full_forward),
         "calls the library's nnlib.mlp.full_backward"),
        ((hard_coded(check_full_backward, full_backward, full_forward), full_forward),
         "shape|is wrong"),
    ]),
    (check_momentum_step, (momentum_step,), [
        ((lambda *a, **k: momentum_step(*a, **k, average=True),), "averages the gradients"),
        ((lambda *a, **k: momentum_step(*a, **k, keep=False),), "forgets the past"),
        ((lambda *a, **k: momentum_step(*a, **k, sign=-1),), "uphill"),
        ((lambda *a, **k: momentum_step(*a, **k)[0],), "must return a tuple of 2"),
        ((calls_library_momentum,), r"calls the library's nnlib.optim.Momentum._step"),
        ((hard_coded(check_momentum_step, momentum_step),), "shape|theta is wrong"),
    ]),
    (check_adam_step, (adam_step,), [
        ((lambda *a, **k: adam_step(*a, **k, correct=False),), "no bias correction"),
        ((lambda *a, **k: adam_step(*a, **k, root=False),), r"sqrt\(v_hat\)"),
        ((lambda *a, **k: adam_step(*a, **k, t_shift=-1),), "counts from 1"),
        ((lambda *a, **k: adam_step(*a, **k, square=False),), "NaN|squared gradient"),
        ((calls_library_adam,), r"calls the library's nnlib.optim.Adam._step"),
        ((hard_coded(check_adam_step, adam_step),), "shape|theta is wrong"),
    ]),
]


test_a_right_answer_passes, test_each_typical_mistake_is_named = self_check_tests(
    CASES, unpack=True)


# The validation cell: course.parameters.ch03.
DEFAULTS_03 = {"seed": 0, "data_seed": 100, "split_seed": 0, "test_seed": 1, "epochs": 10_000,
               "learning_rate": 0.01, "batch_size": 32, "n_seeds": 3}


def test_ch03_defaults_pass_and_are_printed(capsys):
    namespace = dict(DEFAULTS_03)
    ch03.check(namespace)
    assert capsys.readouterr().out == ("seed=0, data_seed=100, split_seed=0, test_seed=1, "
                                       "epochs=10000, learning_rate=0.01, batch_size=32, "
                                       "n_seeds=3\n")


@pytest.mark.parametrize("change, message", [
    ({"seed": -1}, "seed must be an integer >= 0"),
    ({"data_seed": 2**32}, "data_seed must be"),
    ({"epochs": 100_001}, "epochs must be"),
    ({"learning_rate": 0}, "learning_rate must be"),
    ({"batch_size": 0}, "batch_size must be"),
    ({"n_seeds": 11}, "n_seeds must be"),
    ({"test_seed": 100}, "test_seed must differ from data_seed"),
    ({"n_seeds": 10, "batch_size": 1},
     r"could need up to .* minutes of running time, more than the 20 minutes this notebook "
     r"allows: reduce n_seeds or epochs, or raise batch_size"),
])
def test_ch03_refuses_a_bad_value_naming_the_parameter(change, message):
    with pytest.raises(ValueError, match=message):
        ch03.check(dict(DEFAULTS_03, **change))
