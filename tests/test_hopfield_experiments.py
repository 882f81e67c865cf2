"""course.hopfield: the crosstalk prediction, and the capacity experiment's counts."""

import numpy as np
import pytest

from nnlib.hopfield import flip_bits, hebbian_weights, recall
from course.hopfield import capacity_experiment, crosstalk_error_rate


def test_crosstalk_prediction_known_value_and_against_measurement():
    # At the critical load 0.138 the crosstalk standard deviation is sqrt(0.138) = 0.371, and
    # the normal tail Phi(-2.692) is 0.00355 (Amit, Gutfreund & Sompolinsky's 0.36 % of bits).
    assert abs(crosstalk_error_rate(1_000_000, 138_000) - 0.00355) < 2e-5
    assert crosstalk_error_rate(100, 1) == 0.0
    result = capacity_experiment(500, [0.15], 0.1, np.random.default_rng(0), min_probes=150)
    assert abs(result["bit_errors"][0] / result["predicted_bit_errors"][0] - 1) < 0.15


def test_capacity_experiment_separates_low_and_high_load():
    result = capacity_experiment(200, [0.05, 0.3], 0.1, np.random.default_rng(1), min_probes=40)
    np.testing.assert_array_equal(result["patterns"], [10, 60])
    assert result["recalled"][0] == 1.0 and result["fixed"][0] == 1.0
    assert result["recalled"][1] < 0.2 and result["overlap"][1] < 0.6


def test_capacity_experiment_counts_what_it_says():
    # Rebuild the experiment's single network by hand with the same draws and count.
    num_units, load, noise = 100, 0.2, 0.1
    result = capacity_experiment(num_units, [load], noise, np.random.default_rng(3),
                                 min_probes=20)
    rng = np.random.default_rng(3)
    X = rng.choice([-1.0, 1.0], size=(20, num_units))
    W = hebbian_weights(X)
    fields = X @ W
    # A bit is wrong when its field points the other way; a field of 0 (P (N - 1) = 1980 terms
    # of +-1/N can cancel, and rounding leaves +-1e-16) keeps the bit.
    wrong = fields * X < -1e-9
    assert np.any(np.abs(fields) < 1e-9)  # this network has ties: the test can tell
    final = recall(W, flip_bits(X, noise, rng), rng)
    overlaps = np.mean(final * X, axis=1)
    assert result["fixed"][0] == np.mean(~wrong.any(axis=1))
    assert result["bit_errors"][0] == wrong.mean()
    assert result["recalled"][0] == np.mean(overlaps >= 0.9)
    assert result["overlap"][0] == pytest.approx(overlaps.mean(), rel=1e-12)
    assert result["predicted_fixed"][0] == pytest.approx(
        (1 - crosstalk_error_rate(num_units, 20)) ** num_units, rel=1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda: crosstalk_error_rate(1, 1), "num_units must be an integer >= 2"),
    (lambda: crosstalk_error_rate(10, 0), "num_patterns must be an integer >= 1"),
    (lambda: capacity_experiment(100, [0.1], 1.5, np.random.default_rng(0)), "noise must be"),
    (lambda: capacity_experiment(100, [[0.1]], 0.1, np.random.default_rng(0)), "loads must"),
    (lambda: capacity_experiment(100, [0.1], 0.1, 0), "rng must be a np.random.Generator"),
])
def test_bad_inputs_are_rejected_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
