"""Notebook 08's self-checks: a right answer passes, each typical mistake is named, and an
answer that calls the library's twin or hard-codes an output is refused.

``RIGHT`` and ``MISTAKES`` are also read by tests/test_classroom_isolation.py (every graded
check re-checked in a separate process); ``SHORTCUTS`` holds the answers that call a library
twin, which only the kernel can refuse (their recorded outputs are right).
"""

import numpy as np
import pytest

import nnlib
import nnlib.hopfield
from course.checks import CheckFailed
from course.checks.hopfield import (check_async_sweep, check_flip_energy_change,
                                    check_modern_energy_gradient)
from nnlib.gradcheck import numerical_gradient
from nnlib.hopfield import async_sweep as imported_async_sweep
from nnlib.losses import softmax


# Reference answers, written independently of the checks' own reference calls.
def flip(W, states, factor=2.0, update_only=False, after=False):
    changes = factor * states * (states @ W)
    if update_only:
        return np.where(changes < 0, changes, 0.0)
    if after:
        return -0.5 * np.einsum("bi,ij,bj->b", states, W, states)[:, None] + changes
    return changes


def flip_by_brute_force(W, states):
    # Also right: flip each unit and subtract the energies (no library call).
    def energy(S):
        return -0.5 * np.einsum("bi,ij,bj->b", S, W, S)
    changes = np.empty_like(states)
    for i in range(states.shape[1]):
        flipped = states.copy()
        flipped[:, i] *= -1
        changes[:, i] = energy(flipped) - energy(states)
    return changes


def sweep(W, states, order, tie="keep", synchronous=False, in_place=False, ignore_order=False):
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


def gradient(patterns, states, beta, sign=1.0, use_beta=True, axis=-1, drop_state=False,
             update=False, extra_beta=False, weights_only=False):
    logits = (beta if use_beta else 1.0) * states @ patterns.T
    weights = softmax(logits) if axis == -1 else softmax(logits.T).T
    if weights_only:
        return weights
    new = weights @ patterns
    if update:
        return new
    if drop_state:
        return -new
    return sign * (states - (beta if extra_beta else 1.0) * new)


def numerical(patterns, states, beta):
    # A numerical gradient of the energy with a step of 1e-3, written out (no library call):
    # close, not exact (with a step near 1e-5 it may pass: then it is right to 1e-9).
    def energy(xi):
        scores = beta * patterns @ xi
        top = scores.max()
        return -(top + np.log(np.sum(np.exp(scores - top)))) / beta + 0.5 * xi @ xi
    out = np.empty_like(states)
    for b, xi in enumerate(states):
        for i in range(xi.size):
            step = np.zeros_like(xi)
            step[i] = 1e-3
            out[b, i] = (energy(xi + step) - energy(xi - step)) / 2e-3
    return out


# A hard-coded answer: the right output for inputs drawn once from a fixed seed.
_FIXED = np.random.default_rng(8)
_W = _FIXED.normal(size=(5, 5))
_W = (_W + _W.T) / 2
np.fill_diagonal(_W, 0.0)
_HARD_CODED_FLIP = flip(_W, _FIXED.choice([-1.0, 1.0], size=(2, 5)))

RIGHT = [(check_flip_energy_change, flip), (check_async_sweep, sweep),
         (check_modern_energy_gradient, gradient)]


@pytest.mark.parametrize("check,right", RIGHT + [(check_flip_energy_change,
                                                   flip_by_brute_force)])
def test_a_right_answer_passes_public_and_hidden_checks(check, right, capsys):
    check(right)
    check(right, hidden=True)
    out = capsys.readouterr().out
    assert "public checks passed" in out and "hidden checks passed" in out


MISTAKES = [
    (check_flip_energy_change, lambda W, S: flip(W, S, factor=-2.0), "wrong sign"),
    (check_flip_energy_change, lambda W, S: flip(W, S, factor=1.0), "half the change"),
    (check_flip_energy_change, lambda W, S: flip(W, S, factor=4.0), "twice the change"),
    (check_flip_energy_change, lambda W, S: flip(W, S, update_only=True), "update rule"),
    (check_flip_energy_change, lambda W, S: flip(W, S, after=True), "energy after the flip"),
    (check_flip_energy_change, lambda W, S: flip(W, S).T, r"shape \("),
    (check_flip_energy_change, lambda W, S: None, "forget a return"),
    (check_flip_energy_change, lambda W, S: _HARD_CODED_FLIP, r"shape|wrong changes"),
    (check_async_sweep, lambda W, S, o: sweep(W, S, o, tie="sign"), r"np.sign\(0\) is 0"),
    (check_async_sweep, lambda W, S, o: sweep(W, S, o, tie="up"), "exactly 0"),
    (check_async_sweep, lambda W, S, o: sweep(W, S, o, synchronous=True), "synchronous"),
    (check_async_sweep, lambda W, S, o: sweep(W, S, o, ignore_order=True), "ignored order"),
    (check_async_sweep, lambda W, S, o: sweep(W, S, o, in_place=True), "changed the states"),
    (check_async_sweep, lambda W, S, o: -sweep(W, S, o), "units differ"),
    (check_modern_energy_gradient, lambda X, S, b: gradient(X, S, b, sign=-1.0), "wrong sign"),
    (check_modern_energy_gradient, lambda X, S, b: gradient(X, S, b, update=True),
     "the new state"),
    (check_modern_energy_gradient, lambda X, S, b: gradient(X, S, b, drop_state=True),
     r"1/2 xi . xi"),
    (check_modern_energy_gradient, lambda X, S, b: gradient(X, S, b, use_beta=False),
     "lost beta"),
    (check_modern_energy_gradient, lambda X, S, b: gradient(X, S, b, extra_beta=True),
     "kept a factor beta"),
    (check_modern_energy_gradient, lambda X, S, b: gradient(X, S, b, axis=0), "over the probes"),
    (check_modern_energy_gradient, lambda X, S, b: gradient(X, S, b, weights_only=True),
     r"shape \(B, P\)"),
    (check_modern_energy_gradient, numerical, "numerical gradient"),
    (check_modern_energy_gradient, lambda X, S, b: np.tanh(gradient(X, S, b)),
     "wrong gradient"),
]


@pytest.mark.parametrize("check,wrong,message", MISTAKES)
def test_each_typical_mistake_is_named(check, wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check(wrong, hidden=True)
    with pytest.raises(CheckFailed, match=message):
        check(wrong)


def flip_through_the_library(W, states):
    before = nnlib.hopfield.energy(W, states)
    changes = np.empty_like(states)
    for i in range(states.shape[1]):
        flipped = states.copy()
        flipped[:, i] *= -1
        changes[:, i] = nnlib.hopfield.energy(W, flipped) - before
    return changes


def sweep_through_the_library(W, states, order):
    return imported_async_sweep(W, states, order)


def sweep_by_recall(W, states, order):
    return nnlib.hopfield.recall(W, states, np.random.default_rng(0), max_sweeps=1)


def gradient_from_the_library_update(X, S, b):
    return S - nnlib.hopfield.modern_recall(X, S, b)


def gradient_from_the_library_energy(X, S, b):
    out = np.empty_like(S)
    for k in range(len(S)):
        xi = S[k].copy()
        out[k] = numerical_gradient(lambda: nnlib.hopfield.modern_energy(X, xi, b), xi)
    return out


SHORTCUTS = [
    (check_flip_energy_change, flip_through_the_library, "nnlib.hopfield.energy"),
    (check_async_sweep, sweep_through_the_library, "nnlib.hopfield.async_sweep"),
    (check_async_sweep, sweep_by_recall, "nnlib.hopfield.recall"),
    (check_modern_energy_gradient, gradient_from_the_library_update,
     "nnlib.hopfield.modern_recall"),
    (check_modern_energy_gradient, gradient_from_the_library_energy,
     "nnlib.gradcheck.numerical_gradient|nnlib.hopfield.modern_energy"),
]


@pytest.mark.parametrize("check,shortcut,message", SHORTCUTS)
def test_an_answer_calling_the_library_twin_is_refused(check, shortcut, message):
    with pytest.raises(CheckFailed, match=f"calls the library's ({message})"):
        check(shortcut)
    # and the library works again afterwards
    W = nnlib.hopfield.hebbian_weights(np.array([[1.0, -1.0, 1.0]]))
    assert np.isclose(nnlib.hopfield.energy(W, np.array([1.0, -1.0, 1.0])), -1.0)
    assert np.array_equal(imported_async_sweep(W, np.array([1.0, 1.0, 1.0]), np.arange(3)),
                          [1.0, -1.0, 1.0])


def test_the_inputs_are_fresh_on_every_call(monkeypatch):
    seen = []

    def spy(W, states):
        seen.append(states.copy())
        return flip(W, states)
    check_flip_energy_change(spy)
    check_flip_energy_change(spy)
    assert not np.array_equal(seen[0], seen[2])


def test_the_ungraded_public_checks_still_pass_a_right_answer_and_name_a_mistake(capsys):
    # check_hebbian_weights and check_modern_update are no longer graded by notebook 08.
    from course.checks.hopfield import check_hebbian_weights, check_modern_update

    def hebbian(X, diagonal=False):
        W = X.T @ X / X.shape[1]
        return W if diagonal else W - np.diag(np.diag(W))
    check_hebbian_weights(hebbian, hidden=True)
    check_modern_update(lambda X, S, b: gradient(X, S, b, update=True), hidden=True)
    with pytest.raises(CheckFailed, match="diagonal non-zero"):
        check_hebbian_weights(lambda X: hebbian(X, diagonal=True))
    with pytest.raises(CheckFailed, match="calls the library's nnlib.hopfield.hebbian_weights"):
        check_hebbian_weights(nnlib.hopfield.hebbian_weights)
    with pytest.raises(CheckFailed, match="forgot beta"):
        check_modern_update(lambda X, S, b: gradient(X, S, b, update=True, use_beta=False))
