"""Self-checks for notebook 08: the Hebbian rule, one asynchronous sweep, the modern update."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course.checks.common import CheckFailed, close, compare_array, report_passed
from nnlib.hopfield import async_sweep as reference_async_sweep
from nnlib.hopfield import hebbian_weights as reference_hebbian_weights
from nnlib.hopfield import modern_recall
from nnlib.losses import softmax


def _spins(rng, shape) -> np.ndarray:
    return rng.choice([-1.0, 1.0], size=shape)


def check_hebbian_weights(hebbian_weights: Callable, hidden: bool = False) -> None:
    """Check ``hebbian_weights(patterns) -> W`` (N, N): (1/N) X^T X with a zero diagonal."""
    name = "hebbian_weights"
    rng = np.random.default_rng(808 if hidden else 8)
    cases = [(3, 10), (7, 25), (1, 4), (12, 12)] if hidden else [(3, 10), (5, 16)]
    for num_patterns, num_units in cases:
        X = _spins(rng, (num_patterns, num_units))
        expected = reference_hebbian_weights(X)
        got = compare_array(name, hebbian_weights(X.copy()), expected,
                            "the weights W, one row and one column per unit",
                            "Shape (P, P) means X @ X.T: the weights connect units, so use "
                            "X.T @ X, shape (N, N).")
        if close(got, expected):
            continue
        outer = X.T @ X
        if close(got, outer / num_units):
            raise CheckFailed(f"{name} left the diagonal non-zero (every W_ii = P/N): a unit "
                              "must not drive itself; set it to 0 with np.fill_diagonal(W, 0).")
        if close(got, outer - np.diag(np.diag(outer))):
            raise CheckFailed(f"{name} forgot the factor 1/N: divide X.T @ X by the number of "
                              "units N (X.shape[1]).")
        if close(got, outer):
            raise CheckFailed(f"{name} forgot both the factor 1/N and the zero diagonal.")
        if num_patterns != num_units and close(got * num_patterns / num_units, expected):
            raise CheckFailed(f"{name} divided by the number of patterns P; the rule divides "
                              "by the number of units N (X.shape[1]).")
        if not close(got, got.T):
            raise CheckFailed(f"{name} returned an asymmetric W: W_ij and W_ji are the same "
                              "sum over patterns.")
        raise CheckFailed(f"{name} returned wrong weights for P={num_patterns}, "
                          f"N={num_units}: the largest difference from (1/N) X.T X (zero "
                          f"diagonal) is {np.max(np.abs(got - expected)):.4g}.")
    report_passed(name, hidden)


def _tie_case(rng, num_units: int, num_patterns: int):
    """Weights and states whose sweep meets fields of exactly 0 (an even number of patterns)."""
    X = _spins(rng, (num_patterns, num_units))
    W = reference_hebbian_weights(X)
    states = np.vstack([X[0], -X[1], _spins(rng, (3, num_units))])
    return W, states


def check_async_sweep(async_sweep: Callable, hidden: bool = False) -> None:
    """Check ``async_sweep(W, states, order) -> states`` (B, N) against ``nnlib.hopfield``."""
    name = "async_sweep"
    rng = np.random.default_rng(909 if hidden else 9)
    # N a power of 2: every field is an exact multiple of 1/N, so ties are exact zeros.
    cases = [(8, 2), (16, 4), (32, 6), (64, 4)] if hidden else [(8, 2), (16, 4)]
    for num_units, num_patterns in cases:
        W, states = _tie_case(rng, num_units, num_patterns)
        order = rng.permutation(num_units)
        given = states.copy()
        expected = reference_async_sweep(W, states, order)
        got = compare_array(name, async_sweep(W.copy(), given, order.copy()), expected,
                            "the states after the sweep, one row per probe")
        if not np.array_equal(given, states):
            raise CheckFailed(f"{name} changed the states it was given: work on a copy "
                              "(states = states.copy()) and return that.")
        if close(got, expected):
            continue
        if np.any(got == 0):
            raise CheckFailed(f"{name} produced units equal to 0: np.sign(0) is 0. A unit "
                              "whose field is exactly 0 keeps its current value.")
        if close(got, np.where(states @ W >= 0, 1.0, -1.0)) or close(
                got, np.where(states @ W > 0, 1.0, np.where(states @ W < 0, -1.0, states))):
            raise CheckFailed(f"{name} updated all units from the old states at once (a "
                              "synchronous step): update one unit at a time, so each sees "
                              "the units already updated in this sweep.")
        if close(got, reference_async_sweep(W, states, np.arange(num_units))):
            raise CheckFailed(f"{name} ignored order: update the units in the order given "
                              "(order[0] first), not 0, 1, 2, ...")
        ties_up = states.copy()
        for i in order:
            field = ties_up @ W[:, i]
            ties_up[:, i] = np.where(field >= 0, 1.0, -1.0)
        if close(got, ties_up):
            raise CheckFailed(f"{name} set a unit to +1 when its field is exactly 0; such a "
                              "unit keeps its current value (otherwise the energy argument "
                              "fails: the energy does not change, but the state does).")
        raise CheckFailed(f"{name} returned wrong states for N={num_units}, "
                          f"P={num_patterns}: {int(np.sum(got != expected))} of "
                          f"{expected.size} units differ from the reference sweep.")
    report_passed(name, hidden)


def check_modern_update(modern_update: Callable, hidden: bool = False) -> None:
    """Check ``modern_update(patterns, states, beta)`` (one step) against ``modern_recall``."""
    name = "modern_update"
    rng = np.random.default_rng(1010 if hidden else 10)
    cases = [(6, 10, 3, 0.5), (40, 8, 5, 2.0), (3, 4, 1, 0.1)] if hidden else [(6, 10, 4, 0.5)]
    for num_patterns, num_units, num_probes, beta in cases:
        X = _spins(rng, (num_patterns, num_units))
        states = rng.normal(size=(num_probes, num_units))
        expected = modern_recall(X, states, beta, steps=1)
        got = modern_update(X.copy(), states.copy(), beta)
        weights_shape = (num_probes, num_patterns)
        if isinstance(got, np.ndarray) and got.shape == weights_shape != expected.shape:
            raise CheckFailed(f"{name} returned the attention weights, shape (B, P); multiply "
                              "them by the patterns: weights @ patterns, shape (B, N).")
        got = compare_array(name, got, expected, "the new states, one row per probe")
        if close(got, expected):
            continue
        logits = states @ X.T
        if close(got, softmax(logits) @ X):
            raise CheckFailed(f"{name} forgot beta: the weights are softmax(beta * states @ "
                              "patterns.T).")
        if close(got, softmax((beta * logits).T).T @ X):
            raise CheckFailed(f"{name} took the softmax over the probes (axis 0); it runs over "
                              "the stored patterns, the last axis of states @ patterns.T.")
        raise CheckFailed(f"{name} returned wrong states for P={num_patterns}, N={num_units}, "
                          f"beta={beta}: the largest difference is "
                          f"{np.max(np.abs(got - expected)):.4g}.")
    report_passed(name, hidden)
