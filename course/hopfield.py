"""Capacity experiments for Hopfield networks: the crosstalk prediction and its measurement.

Notebook 08 compares two things here: the predicted probability that one bit of a stored random
pattern is unstable (``crosstalk_error_rate``, a normal approximation of the crosstalk), and what
random networks of N units actually do at each load P/N (``capacity_experiment``: fixed points,
unstable bits, recall from noise). The network itself (Hebbian weights, recall, energy) lives in
``nnlib.hopfield``; this module only builds networks with it and counts. Everything that draws
takes an ``rng: np.random.Generator``.

Shape letters: P stored patterns, N units, L loads.
"""

from __future__ import annotations

import math

import numpy as np

from nnlib.hopfield import flip_bits, hebbian_weights, recall
from nnlib.validation import as_float_array, check_number, check_rng


def crosstalk_error_rate(num_units: int, num_patterns: int) -> float:
    """Predicted probability that one bit of a stored pattern is unstable (the crosstalk).

    On bit i of stored pattern nu, xi_nu,i h_i = (N-1)/N (the signal) + c, where the crosstalk c
    is a sum of (P-1)(N-1) random +-1/N terms: approximately normal with mean 0 and variance
    (P-1)(N-1)/N^2. The bit is unstable when c < -(N-1)/N, with probability
    Phi(-sqrt((N-1)/(P-1))) = erfc(sqrt((N-1) / (2 (P-1)))) / 2, about Phi(-sqrt(N/P)).
    """
    num_units = check_number("num_units", num_units, minimum=2, integer=True)
    num_patterns = check_number("num_patterns", num_patterns, minimum=1, integer=True)
    if num_patterns == 1:
        return 0.0
    return 0.5 * math.erfc(math.sqrt((num_units - 1) / (2.0 * (num_patterns - 1))))


def capacity_experiment(num_units: int, loads, noise: float, rng, min_probes: int = 100,
                        recalled_overlap: float = 0.9) -> dict:
    """Store random patterns at each load P/N and measure what survives.

    For each load, independent networks of ``num_units`` units are built until at least
    ``min_probes`` stored patterns have been tested. Each stored pattern is checked as a fixed
    point (one synchronous look at every unit), then flipped at ``noise`` and recalled
    asynchronously; it counts as recalled when the final overlap m = s . xi / N is at least
    ``recalled_overlap``.

    Returns
    -------
    dict of ndarrays, shape (L,) for L loads: "load", "patterns", "fixed" (fraction of stored
    patterns that are fixed points), "bit_errors" (fraction of stored bits whose field points
    the wrong way), "predicted_bit_errors" (``crosstalk_error_rate``), "predicted_fixed"
    ((1 - predicted bit errors)^N: every bit stable, bits taken as independent), "recalled"
    (fraction recalled from noise), "overlap" (mean final overlap).
    """
    num_units = check_number("num_units", num_units, minimum=2, integer=True)
    loads = as_float_array("loads", loads, (None,))
    noise = check_number("noise", noise, minimum=0, maximum=1)
    check_rng(rng)
    min_probes = check_number("min_probes", min_probes, minimum=1, integer=True)
    rows = []
    for load in loads:
        num_patterns = max(1, int(round(load * num_units)))
        fixed, bit_errors, overlaps = [], [], []
        while len(overlaps) < min_probes:
            X = rng.choice([-1.0, 1.0], size=(num_patterns, num_units))
            W = hebbian_weights(X)
            # One synchronous look at every unit (it draws nothing): which bits would flip.
            wrong = recall(W, X, rng, mode="sync", max_sweeps=1) != X
            fixed.extend(~wrong.any(axis=1))
            bit_errors.append(wrong.mean())
            final = recall(W, flip_bits(X, noise, rng), rng)
            overlaps.extend(np.mean(final * X, axis=1))
        overlaps = np.array(overlaps)
        predicted = crosstalk_error_rate(num_units, num_patterns)
        rows.append((num_patterns / num_units, num_patterns, np.mean(fixed), np.mean(bit_errors),
                     predicted, (1 - predicted) ** num_units,
                     np.mean(overlaps >= recalled_overlap), overlaps.mean()))
    keys = ("load", "patterns", "fixed", "bit_errors", "predicted_bit_errors", "predicted_fixed",
            "recalled", "overlap")
    return {key: np.array(column) for key, column in zip(keys, zip(*rows))}
