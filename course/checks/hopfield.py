"""Self-checks for notebook 08: the energy change of one flip, one asynchronous sweep, and the
gradient of the modern Hopfield energy.

Each check draws its inputs with ``fresh_rng()`` on every call (a hard-coded answer cannot
pass), runs the learner's function with the library's twins refused (``call_refusing``: an
answer that calls ``nnlib.hopfield``'s own version fails, saying so), compares with
``nnlib.hopfield``'s reference and names the typical mistake when one matches.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import nnlib.gradcheck  # noqa: F401  (imported so that its functions can be refused)
import nnlib.hopfield  # noqa: F401
from course.checks.common import (CheckFailed, call_refusing, close, compare_array, fresh_rng,
                                  library_refused, report_passed)
from nnlib.hopfield import async_sweep as reference_async_sweep
from nnlib.hopfield import hebbian_weights as reference_hebbian_weights
from nnlib.hopfield import modern_update as reference_modern_update
from nnlib.losses import softmax

#: The library functions that would do each exercise's work: refused while the answer runs.
FORBIDDEN_FLIP = {"nnlib.hopfield": ("energy",)}
FORBIDDEN_SWEEP = {"nnlib.hopfield": ("async_sweep", "recall", "_async_sweep_inplace",
                                      "_sign_keep_ties")}
FORBIDDEN_HEBBIAN = {"nnlib.hopfield": ("hebbian_weights",)}
FORBIDDEN_UPDATE = {"nnlib.hopfield": ("modern_update", "modern_recall")}
FORBIDDEN_GRADIENT = {"nnlib.hopfield": ("modern_update", "modern_recall", "modern_energy"),
                      "nnlib.gradcheck": ("numerical_gradient",)}


def _spins(rng, shape) -> np.ndarray:
    return rng.choice([-1.0, 1.0], size=shape)


def _symmetric_weights(rng, num_units: int, hebbian: bool) -> np.ndarray:
    """Hebbian weights of a few random patterns, or any symmetric W with a zero diagonal."""
    if hebbian:
        X = _spins(rng, (int(rng.integers(2, 6)), num_units))
        W = X.T @ X / num_units
    else:
        A = rng.normal(size=(num_units, num_units))
        W = (A + A.T) / 2
    np.fill_diagonal(W, 0.0)
    return W


def _energies(W, states):
    return -0.5 * np.einsum("bi,ij,bj->b", states, W, states)


def check_flip_energy_change(flip_energy_change: Callable, hidden: bool = False) -> None:
    """Check ``flip_energy_change(W, states) -> dE`` (B, N): entry (b, i) is the change of
    E = -1/2 s^T W s when unit i of state b alone is flipped (W symmetric, zero diagonal)."""
    name = "flip_energy_change"
    rng = fresh_rng()
    cases = [(6, 3, True), (9, 4, False), (1, 2, False), (25, 5, True)] if hidden else [
        (5, 2, True), (8, 3, False)]
    for num_units, num_states, hebbian in cases:
        num_units = max(num_units, 2)
        W = _symmetric_weights(rng, num_units, hebbian)
        states = _spins(rng, (num_states, num_units))
        fields = states @ W                                            # (B, N)
        expected = 2 * states * fields
        got = call_refusing(flip_energy_change, (W, states), FORBIDDEN_FLIP)
        got = compare_array(name, got, expected, "one energy change per state and unit",
                            "Row b, column i: flip unit i of state b.")
        if close(got, expected):
            continue
        if close(got, -expected):
            raise CheckFailed(f"{name} has the wrong sign: return E(after the flip) - "
                              "E(before), which is negative when the flip lowers the energy.")
        if close(got, expected / 2):
            raise CheckFailed(f"{name} is half the change: s_i appears in two terms of the "
                              "double sum, W_ij s_i s_j and W_ji s_j s_i; with W symmetric they "
                              "are equal, so the terms containing s_i are -s_i h_i, not "
                              "-s_i h_i / 2.")
        if close(got, 2 * expected):
            raise CheckFailed(f"{name} is twice the change: flipping s_i to -s_i changes "
                              "-s_i h_i by 2 s_i h_i, and that already counts both W_ij and "
                              "W_ji.")
        if close(got, np.where(expected < 0, expected, 0.0)):
            raise CheckFailed(f"{name} returned the change made by the update rule (0 where "
                              "the unit would not flip); the question is the change when unit "
                              "i is flipped, whatever its field.")
        after = _energies(W, states)[:, None] + expected
        if close(got, after):
            raise CheckFailed(f"{name} returned the energy after the flip; return the change, "
                              "after minus before.")
        raise CheckFailed(f"{name} returned wrong changes for N={num_units}: the largest "
                          f"difference from the exact E(after) - E(before) is "
                          f"{np.max(np.abs(got - expected)):.4g}.")
    report_passed(name, hidden)


def _sweep_ties_up(W, states, order):
    swept = states.copy()
    for i in order:
        swept[:, i] = np.where(swept @ W[:, i] >= 0, 1.0, -1.0)
    return swept


def _wrong_sweeps(W, states, order) -> list:
    """What the typical wrong sweeps return, in the order ``check_async_sweep`` names them: all
    units from the old states at once (ties to +1, or ties kept), units in the order 0, 1, 2,
    ..., and ties broken towards +1."""
    fields = states @ W
    return [np.where(fields >= 0, 1.0, -1.0),
            np.where(fields > 0, 1.0, np.where(fields < 0, -1.0, states)),
            reference_async_sweep(W, states, np.arange(W.shape[0])),
            _sweep_ties_up(W, states, order)]


def _tie_case(rng, num_units: int, num_patterns: int):
    """Weights, states and an order whose sweep meets a field of exactly 0 at a unit that is
    -1 (an even number of patterns), and on which every typical wrong sweep gives an answer of
    its own (drawn again until they do), so that each mistake is named as itself."""
    for _ in range(1000):
        X = _spins(rng, (num_patterns, num_units))
        W = X.T @ X / num_units
        np.fill_diagonal(W, 0.0)
        states = np.vstack([X[0], -X[1], _spins(rng, (3, num_units))])
        order = rng.permutation(num_units)
        answers = [reference_async_sweep(W, states, order), *_wrong_sweeps(W, states, order)]
        if all(not np.array_equal(answers[i], answers[j])
               for i in range(len(answers)) for j in range(i + 1, len(answers))):
            break
    return W, states, order


def check_async_sweep(async_sweep: Callable, hidden: bool = False) -> None:
    """Check ``async_sweep(W, states, order) -> states`` (B, N) against ``nnlib.hopfield``."""
    name = "async_sweep"
    rng = fresh_rng()
    # N a power of 2: every field is an exact multiple of 1/N, so ties are exact zeros. From
    # N = 16 on, a case where every typical wrong sweep gives its own answer is drawn within a
    # few tries (at N = 8 with 2 patterns almost never: the probes settle in one sweep).
    cases = [(16, 4), (32, 6), (64, 4), (64, 6)] if hidden else [(16, 4), (32, 6)]
    for num_units, num_patterns in cases:
        W, states, order = _tie_case(rng, num_units, num_patterns)
        given = states.copy()
        expected = reference_async_sweep(W, states, order)
        with library_refused(FORBIDDEN_SWEEP):  # states given as they are: edits show
            got = async_sweep(W.copy(), given, order.copy())
        got = compare_array(name, got, expected,
                            "the states after the sweep, one row per probe")
        if not np.array_equal(given, states):
            raise CheckFailed(f"{name} changed the states it was given: work on a copy "
                              "(states = states.copy()) and return that.")
        if close(got, expected):
            continue
        if np.any(got == 0):
            raise CheckFailed(f"{name} produced units equal to 0: np.sign(0) is 0. A unit "
                              "whose field is exactly 0 keeps its current value.")
        synchronous, synchronous_kept, in_index_order, ties_up = _wrong_sweeps(W, states, order)
        if close(got, synchronous) or close(got, synchronous_kept):
            raise CheckFailed(f"{name} updated all units from the old states at once (a "
                              "synchronous step): update one unit at a time, so each sees "
                              "the units already updated in this sweep.")
        if close(got, in_index_order):
            raise CheckFailed(f"{name} ignored order: update the units in the order given "
                              "(order[0] first), not 0, 1, 2, ...")
        if close(got, ties_up):
            raise CheckFailed(f"{name} set a unit to +1 when its field is exactly 0; such a "
                              "unit keeps its current value (otherwise the energy argument "
                              "fails: the energy does not change, but the state does).")
        raise CheckFailed(f"{name} returned wrong states for N={num_units}, "
                          f"P={num_patterns}: {int(np.sum(got != expected))} of "
                          f"{expected.size} units differ from the reference sweep.")
    report_passed(name, hidden)


def check_modern_energy_gradient(modern_energy_gradient: Callable, hidden: bool = False) -> None:
    """Check ``modern_energy_gradient(patterns, states, beta) -> dE/dxi`` (B, N) for
    E(xi) = -(1/beta) log sum_mu exp(beta x_mu . xi) + 1/2 xi . xi."""
    name = "modern_energy_gradient"
    rng = fresh_rng()
    cases = [(6, 10, 3, 0.5), (40, 8, 5, 2.0), (3, 4, 1, 0.1)] if hidden else [(6, 10, 4, 0.5)]
    for num_patterns, num_units, num_probes, beta in cases:
        X = _spins(rng, (num_patterns, num_units))
        states = rng.normal(size=(num_probes, num_units))
        update = reference_modern_update(X, states, beta)             # X^T softmax(beta X xi)
        expected = states - update
        got = call_refusing(modern_energy_gradient, (X, states, beta), FORBIDDEN_GRADIENT)
        if (isinstance(got, np.ndarray) and got.shape == (num_probes, num_patterns)
                and got.shape != expected.shape):
            raise CheckFailed(f"{name} returned shape (B, P), one number per stored pattern: "
                              "the softmax weights still have to be multiplied by the "
                              "patterns, giving one gradient entry per unit, shape (B, N).")
        got = compare_array(name, got, expected, "the gradient, one row per probe")
        if close(got, expected):
            continue
        logits = states @ X.T
        if close(got, -expected):
            raise CheckFailed(f"{name} has the wrong sign: the gradient of E points uphill; "
                              "it is xi - X^T softmax(beta X xi).")
        if close(got, update):
            raise CheckFailed(f"{name} returned the new state X^T softmax(beta X xi), not the "
                              "gradient; the gradient is xi minus it.")
        if close(got, -update):
            raise CheckFailed(f"{name} forgot the gradient of 1/2 xi . xi, which is xi.")
        if close(got, states - softmax(logits) @ X):
            raise CheckFailed(f"{name} lost beta inside the softmax: the scores are "
                              "beta * states @ patterns.T.")
        if close(got, states - beta * update):
            raise CheckFailed(f"{name} kept a factor beta: the 1/beta in front of the "
                              "log-sum-exp cancels the beta of the chain rule.")
        if close(got, states - softmax((beta * logits).T).T @ X):
            raise CheckFailed(f"{name} took the softmax over the probes (axis 0); it runs over "
                              "the stored patterns, the last axis of states @ patterns.T.")
        scale = np.max(np.abs(expected)) + 1e-300
        if np.max(np.abs(got - expected)) < 1e-4 * scale:
            raise CheckFailed(f"{name} is close but not exact (largest difference "
                              f"{np.max(np.abs(got - expected)):.2g}): a numerical gradient? "
                              "Derive the formula from the energy.")
        raise CheckFailed(f"{name} returned a wrong gradient for P={num_patterns}, "
                          f"N={num_units}, beta={beta}: the largest difference is "
                          f"{np.max(np.abs(got - expected)):.4g}.")
    report_passed(name, hidden)


# Notebook 08 no longer grades these two (they transcribe a printed formula); they stay for
# course.checks' public names.
def check_hebbian_weights(hebbian_weights: Callable, hidden: bool = False) -> None:
    """Check ``hebbian_weights(patterns) -> W`` (N, N): (1/N) X^T X with a zero diagonal."""
    name = "hebbian_weights"
    rng = fresh_rng()
    cases = [(3, 10), (7, 25), (1, 4), (12, 12)] if hidden else [(3, 10), (5, 16)]
    for num_patterns, num_units in cases:
        X = _spins(rng, (num_patterns, num_units))
        expected = reference_hebbian_weights(X)
        got = compare_array(name, call_refusing(hebbian_weights, (X,), FORBIDDEN_HEBBIAN), expected,
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


def check_modern_update(modern_update: Callable, hidden: bool = False) -> None:
    """Check ``modern_update(patterns, states, beta)`` (one step) against ``modern_recall``."""
    name = "modern_update"
    rng = fresh_rng()
    cases = [(6, 10, 3, 0.5), (40, 8, 5, 2.0), (3, 4, 1, 0.1)] if hidden else [(6, 10, 4, 0.5)]
    for num_patterns, num_units, num_probes, beta in cases:
        X = _spins(rng, (num_patterns, num_units))
        states = rng.normal(size=(num_probes, num_units))
        expected = reference_modern_update(X, states, beta)
        got = call_refusing(modern_update, (X, states, beta), FORBIDDEN_UPDATE)
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
