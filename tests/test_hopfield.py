"""nnlib.hopfield: known values, the energy argument, batching, the modern update, bad inputs."""

import time
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.hopfield import recall_path
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.hopfield import (async_sweep, energy, flip_bits, hebbian_weights, modern_energy,
                            modern_recall, modern_update, recall)
from nnlib.losses import softmax
from notebook_code import notebook_definitions


def random_patterns(seed, num_patterns, num_units):
    return np.random.default_rng(seed).choice([-1.0, 1.0], size=(num_patterns, num_units))


def test_hebbian_weights_known_value():
    X = np.array([[1, 1, -1, -1], [1, -1, 1, -1]], dtype=float)
    expected = np.array([[0, 0, 0, -2], [0, 0, -2, 0], [0, -2, 0, 0], [-2, 0, 0, 0]]) / 4
    np.testing.assert_array_equal(hebbian_weights(X), expected)


def test_energy_known_values_and_batch_shape():
    W = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert energy(W, [1, 1]) == -1.0
    assert isinstance(energy(W, [1, -1]), float)
    np.testing.assert_array_equal(energy(W, [[1, 1], [1, -1], [-1, -1]]), [-1.0, 1.0, -1.0])


def test_stored_patterns_are_fixed_points_and_recalled_from_noise_at_low_load():
    X = random_patterns(0, 5, 200)
    W = hebbian_weights(X)
    rng = np.random.default_rng(1)
    np.testing.assert_array_equal(recall(W, X, rng), X)
    noisy = flip_bits(X, 0.2, rng)
    assert np.all(np.sum(noisy != X, axis=1) == 40)
    np.testing.assert_array_equal(recall(W, noisy, rng), X)
    np.testing.assert_array_equal(recall(W, noisy, rng, mode="sync"), X)


@settings(deadline=None)  # a shared machine: time is not what this test measures
@given(seed=st.integers(0, 2**32 - 1), num_patterns=st.integers(1, 30),
       num_units=st.integers(2, 40))
def test_asynchronous_updates_never_raise_the_energy(seed, num_patterns, num_units):
    X = random_patterns(seed, num_patterns, num_units)
    W = hebbian_weights(X)
    start = np.random.default_rng(seed + 1).choice([-1.0, 1.0], size=num_units)
    frames, energies = recall_path(W, start, np.random.default_rng(seed))
    assert np.all(np.diff(energies) <= 1e-12)
    # ...and the path ends where recall ends, drawing the same random orders.
    np.testing.assert_array_equal(frames[-1], recall(W, start, np.random.default_rng(seed)))


def test_batched_recall_equals_one_probe_at_a_time():
    X = random_patterns(2, 30, 100)  # near capacity: probes take different numbers of sweeps
    W = hebbian_weights(X)
    probes = flip_bits(X, 0.15, np.random.default_rng(3))
    for mode in ("async", "sync"):
        batch = recall(W, probes, np.random.default_rng(4), mode=mode)
        one_by_one = np.array([recall(W, p, np.random.default_rng(4), mode=mode)
                               for p in probes])
        np.testing.assert_array_equal(batch, one_by_one)


def test_one_sweep_of_recall_is_async_sweep_in_the_drawn_order():
    X = random_patterns(5, 8, 64)
    W = hebbian_weights(X)
    probes = flip_bits(X, 0.3, np.random.default_rng(6))
    order = np.random.default_rng(7).permutation(64)
    np.testing.assert_array_equal(recall(W, probes, np.random.default_rng(7), max_sweeps=1),
                                  async_sweep(W, probes, order))


def test_sync_updates_can_cycle_where_async_updates_settle():
    W = np.array([[0.0, 1.0], [1.0, 0.0]])  # stores (1, 1)
    start = np.array([1.0, -1.0])
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(recall(W, start, rng, mode="sync", max_sweeps=1), -start)
    np.testing.assert_array_equal(recall(W, start, rng, mode="sync", max_sweeps=2), start)
    settled = recall(W, start, rng, mode="async")
    assert energy(W, settled) == -1.0 < energy(W, start)


def test_ties_keep_the_unit_and_rounding_does_not_decide_them():
    X = np.array([[1.0, 1.0, 1.0], [1.0, -1.0, -1.0]])
    W = hebbian_weights(X) * (1 + 1e-16)  # fields of exactly 0 up to rounding
    state = np.array([-1.0, 1.0, 1.0])    # unit 0: field (1/3)(1 + 1) - ... = 0
    np.testing.assert_array_equal(async_sweep(W, state, [0]), state)


def test_modern_recall_retrieves_ten_times_more_patterns_than_units_in_one_step():
    X = random_patterns(8, 1000, 100)
    probes = flip_bits(X[:50], 0.2, np.random.default_rng(9))
    np.testing.assert_array_equal(np.sign(modern_recall(X, probes, beta=0.5)), X[:50])
    classic = recall(hebbian_weights(X), probes, np.random.default_rng(9), max_sweeps=5)
    assert np.mean(classic * X[:50]) < 0.5


def test_modern_recall_is_attention_with_keys_and_values_the_patterns():
    rng = np.random.default_rng(10)
    X, Q = rng.normal(size=(7, 16)), rng.normal(size=(3, 16))
    attention = softmax(Q @ X.T / np.sqrt(16)) @ X
    np.testing.assert_allclose(modern_recall(X, Q, beta=1 / np.sqrt(16)), attention, rtol=1e-12)
    twice = modern_recall(X, modern_recall(X, Q, beta=2.0), beta=2.0)
    np.testing.assert_allclose(modern_recall(X, Q, beta=2.0, steps=2), twice, rtol=1e-12)
    np.testing.assert_allclose(modern_recall(X, Q[0], beta=2.0),
                               modern_recall(X, Q, beta=2.0)[0], rtol=1e-12)


def test_modern_update_is_a_gradient_step_of_the_modern_energy():
    rng = np.random.default_rng(11)
    X, xi = rng.choice([-1.0, 1.0], size=(6, 5)), rng.normal(size=5)
    numerical = numerical_gradient(lambda: modern_energy(X, xi, beta=0.7), xi)
    analytic = xi - modern_recall(X, xi, beta=0.7)  # dE/dxi = xi - X^T softmax(beta X xi)
    assert relative_error(numerical, analytic) < 1e-7
    np.testing.assert_allclose(modern_energy(X, xi[None, :], beta=0.7),
                               [modern_energy(X, xi, beta=0.7)], rtol=1e-12)


def test_modern_energy_is_stable_at_large_beta():
    X = random_patterns(12, 4, 8)
    value = modern_energy(X, X[0], beta=1e3)
    np.testing.assert_allclose(value, -8.0 + 4.0, rtol=1e-9)  # -max(X xi) + |xi|^2 / 2


def test_flip_bits_flips_exactly_the_fraction():
    X = random_patterns(13, 3, 50)
    flipped = flip_bits(X, 0.1, np.random.default_rng(0))
    np.testing.assert_array_equal(np.sum(flipped != X, axis=1), [5, 5, 5])
    np.testing.assert_array_equal(flip_bits(X[0], 0.0, np.random.default_rng(0)), X[0])


W2 = np.array([[0.0, 1.0], [1.0, 0.0]])


@pytest.mark.parametrize("call,message", [
    (lambda: hebbian_weights([[1, 0, -1]]), r"patterns must hold only -1 and \+1"),
    (lambda: hebbian_weights([1, -1, 1]), r"patterns must have shape \(P, N\)"),
    (lambda: energy(np.array([[0.0, 1.0], [0.5, 0.0]]), [1, 1]), "W must be symmetric"),
    (lambda: energy(W2, [1, 1, 1]), r"states must have shape \(2,\)"),
    (lambda: recall(W2, [[1, 2]], np.random.default_rng(0)), "states must hold only"),
    (lambda: recall(W2, [1, 1], 0), "rng must be a np.random.Generator"),
    (lambda: recall(W2, [1, 1], np.random.default_rng(0), mode="random"),
     r"mode must be one of \('async', 'sync'\)"),
    (lambda: recall(W2, [1, 1], np.random.default_rng(0), max_sweeps=0), "max_sweeps must be"),
    (lambda: async_sweep(W2, [1, 1], [0, 2]), "order must be a 1-D array of unit indices"),
    (lambda: modern_recall([[1.0, 1.0]], [1.0, 1.0], beta=0), "beta must be a number > 0"),
    (lambda: modern_recall([[1.0, 1.0]], [1.0, 1.0, 1.0], beta=1), r"states must have shape"),
    (lambda: flip_bits([1.0, -1.0], 1.5, np.random.default_rng(0)), "fraction must be"),
])
def test_bad_inputs_are_rejected_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_inputs_are_not_changed():
    X = random_patterns(14, 3, 20)
    probes = flip_bits(X, 0.3, np.random.default_rng(0))
    before = probes.copy()
    recall(hebbian_weights(X), probes, np.random.default_rng(0))
    async_sweep(hebbian_weights(X), probes, np.arange(20))
    np.testing.assert_array_equal(probes, before)


def test_the_notebooks_code_agrees_with_the_library():
    mine = notebook_definitions("08")  # the exercises' worked answers included
    X = random_patterns(15, 12, 100)
    W = hebbian_weights(X)
    np.testing.assert_array_equal(mine["hebbian_weights"](X), W)
    probes = flip_bits(X, 0.2, np.random.default_rng(0))
    np.testing.assert_allclose(mine["energy"](W, probes), energy(W, probes), rtol=1e-12)
    assert isinstance(mine["energy"](W, probes[0]), float)
    order = np.random.default_rng(1).permutation(100)
    np.testing.assert_array_equal(mine["async_sweep"](W, probes, order),
                                  async_sweep(W, probes, order))
    for mode in ("async", "sync"):
        np.testing.assert_array_equal(
            mine["recall"](W, probes, np.random.default_rng(2), mode=mode),
            recall(W, probes, np.random.default_rng(2), mode=mode))
    np.testing.assert_allclose(mine["modern_update"](X, probes, 0.3),
                               modern_recall(X, probes, 0.3), rtol=1e-12)
    np.testing.assert_allclose(mine["modern_update"](X, probes, 0.3),
                               modern_update(X, probes, 0.3), rtol=1e-12)
    flips = mine["flip_energy_change"](W, probes)
    flipped = probes.copy()
    flipped[:, 7] *= -1
    np.testing.assert_allclose(flips[:, 7], energy(W, flipped) - energy(W, probes), rtol=1e-12)
    one = mine["recall"](W, probes[0], np.random.default_rng(3))
    np.testing.assert_array_equal(one, recall(W, probes[0], np.random.default_rng(3)))


# --- bounded work and stable numbers (issue 31) ---------------------------------------------------

def refused_at_once(call, message):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=message):
        call()
    assert time.perf_counter() - start < 1.0


def test_modern_recall_refuses_unbounded_steps_naming_steps():
    X = random_patterns(20, 5, 16)
    refused_at_once(lambda: modern_recall(X, X[0], beta=1.0, steps=10**12),
                    r"steps = 1000000000000 would take 8e\+13 multiply-adds \(steps x B x P x "
                    r"N\), more than MAX_MODERN_WORK = 1e\+10: make steps smaller")
    assert modern_recall(X, X[0], beta=1.0, steps=1000).shape == (16,)  # 8e5: allowed


def test_modern_recall_and_energy_are_finite_and_right_at_enormous_beta():
    X = random_patterns(21, 6, 30)
    probes = flip_bits(X, 0.2, np.random.default_rng(0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even a RuntimeWarning
        recalled = modern_recall(X, probes, beta=1e308)
        energies = modern_energy(X, probes, beta=1e308)
    # beta -> infinity: the update returns the best-matching pattern exactly, and the energy
    # tends to -max_mu x_mu . xi + 1/2 xi . xi.
    best = np.argmax(probes @ X.T, axis=1)
    np.testing.assert_array_equal(recalled, X[best])
    np.testing.assert_allclose(energies, -np.max(probes @ X.T, axis=1) + 15.0, rtol=1e-12)
    # a tie between two patterns is shared equally, not NaN
    tie = modern_recall(np.array([[1.0, 1.0], [1.0, -1.0]]), [1.0, 0.0], beta=1e308)
    np.testing.assert_array_equal(tie, [1.0, 0.0])


def test_zero_patterns_are_named():
    for call in (lambda: modern_recall(np.zeros((0, 4)), np.ones(4), beta=1.0),
                 lambda: modern_energy(np.zeros((0, 4)), np.ones(4), beta=1.0)):
        refused_at_once(call, r"patterns must hold at least one pattern of at least one unit, "
                              r"got shape \(0, 4\)")


def test_modern_update_is_one_step_of_modern_recall():
    X, Q = np.random.default_rng(22).normal(size=(7, 9)), np.random.default_rng(23).normal(
        size=(3, 9))
    np.testing.assert_allclose(modern_update(X, Q, 0.8), modern_recall(X, Q, 0.8), rtol=1e-12)
    naive = softmax(0.8 * Q @ X.T) @ X
    np.testing.assert_allclose(modern_update(X, Q, 0.8), naive, rtol=1e-12)


# --- the projection rule ------------------------------------------------------------------------

def test_projection_weights_make_every_stored_pattern_a_fixed_point_where_hebb_fails():
    from nnlib.hopfield import projection_weights
    X = random_patterns(4, 60, 100)                # load 0.6: far past Hebb's capacity
    W = projection_weights(X)
    assert np.array_equal(W, W.T) and np.all(np.diag(W) == 0)
    full = X.T @ np.linalg.inv(X @ X.T) @ X        # the projection before the diagonal goes
    np.testing.assert_allclose(full @ X.T, X.T, atol=1e-10)
    fields = X @ W
    np.testing.assert_allclose(fields, X * (1 - np.diag(full)), atol=1e-10)  # (1 - W_ii) xi_i
    np.testing.assert_array_equal(recall(W, X, np.random.default_rng(0), mode="sync",
                                         max_sweeps=1), X)
    hebb = recall(hebbian_weights(X), X, np.random.default_rng(0), mode="sync", max_sweeps=1)
    assert not np.array_equal(hebb, X)


def test_projection_weights_equal_hebb_for_orthogonal_patterns_and_reject_bad_input():
    from nnlib.hopfield import projection_weights
    H = np.array([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1]], dtype=float)  # orthogonal
    np.testing.assert_allclose(projection_weights(H), hebbian_weights(H), atol=1e-12)
    np.testing.assert_allclose(projection_weights(np.vstack([H, H[:1]])),  # a repeated pattern
                               hebbian_weights(H), atol=1e-12)
    with pytest.raises(ValueError, match="patterns must hold only -1 and \\+1"):
        projection_weights([[1, 0, 1]])
