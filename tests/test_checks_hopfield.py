"""Notebook 08's self-checks: a right answer passes, each typical mistake is named."""

import numpy as np
import pytest

from course.checks import CheckFailed
from course.checks.hopfield import check_async_sweep, check_hebbian_weights, check_modern_update
from nnlib.losses import softmax


# Reference answers, written independently of the checks' own reference calls.
def hebbian(patterns, diagonal=False, scale=True, by_patterns=False, transpose=False):
    W = patterns @ patterns.T if transpose else patterns.T @ patterns
    if scale:
        W = W / (patterns.shape[0] if by_patterns else patterns.shape[1])
    if not diagonal:
        W = W - np.diag(np.diag(W))
    return W


def sweep(W, states, order, tie="keep", synchronous=False, in_place=False, ignore_order=False,
          copy=True):
    S = states if in_place else states.copy()
    if synchronous:
        fields = S @ W
        return np.where(fields > 0, 1.0, np.where(fields < 0, -1.0, S))
    for i in (range(W.shape[0]) if ignore_order else order):
        field = S @ W[:, i]
        if tie == "keep":
            S[:, i] = np.where(field > 0, 1.0, np.where(field < 0, -1.0, S[:, i]))
        elif tie == "up":
            S[:, i] = np.where(field >= 0, 1.0, -1.0)
        else:
            S[:, i] = np.sign(field)
    return S


def modern(patterns, states, beta, use_beta=True, axis=-1, weights_only=False):
    logits = (beta if use_beta else 1.0) * states @ patterns.T
    weights = softmax(logits) if axis == -1 else softmax(logits.T).T
    return weights if weights_only else weights @ patterns


RIGHT = [(check_hebbian_weights, hebbian), (check_async_sweep, sweep),
         (check_modern_update, modern)]


@pytest.mark.parametrize("check,right", RIGHT)
def test_a_right_answer_passes_public_and_hidden_checks(check, right, capsys):
    check(right)
    check(right, hidden=True)
    out = capsys.readouterr().out
    assert "public checks passed" in out and "hidden checks passed" in out


MISTAKES = [
    (check_hebbian_weights, lambda X: hebbian(X, diagonal=True), "diagonal non-zero"),
    (check_hebbian_weights, lambda X: hebbian(X, scale=False), "forgot the factor 1/N"),
    (check_hebbian_weights, lambda X: hebbian(X, diagonal=True, scale=False), "forgot both"),
    (check_hebbian_weights, lambda X: hebbian(X, by_patterns=True), "number of patterns P"),
    (check_hebbian_weights, lambda X: hebbian(X, transpose=True), r"X.T @ X, shape \(N, N\)"),
    (check_hebbian_weights, lambda X: None, "forget a return"),
    (check_async_sweep, lambda W, S, o: sweep(W, S, o, tie="sign"), r"np.sign\(0\) is 0"),
    (check_async_sweep, lambda W, S, o: sweep(W, S, o, tie="up"), "exactly 0"),
    (check_async_sweep, lambda W, S, o: sweep(W, S, o, synchronous=True), "synchronous"),
    (check_async_sweep, lambda W, S, o: sweep(W, S, o, ignore_order=True), "ignored order"),
    (check_async_sweep, lambda W, S, o: sweep(W, S, o, in_place=True), "changed the states"),
    (check_async_sweep, lambda W, S, o: -sweep(W, S, o), "units differ"),
    (check_modern_update, lambda X, S, b: modern(X, S, b, use_beta=False), "forgot beta"),
    (check_modern_update, lambda X, S, b: modern(X, S, b, axis=0), "over the probes"),
    (check_modern_update, lambda X, S, b: modern(X, S, b, weights_only=True),
     "attention weights"),
    (check_modern_update, lambda X, S, b: np.tanh(modern(X, S, b)), "largest difference"),
]


@pytest.mark.parametrize("check,wrong,message", MISTAKES)
def test_each_typical_mistake_is_named(check, wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check(wrong, hidden=True)
