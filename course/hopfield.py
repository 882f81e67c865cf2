"""Capacity experiments for Hopfield networks: the crosstalk prediction and its measurement.

Notebook 08 compares two things here: the predicted probability that one bit of a stored random
pattern is unstable (``crosstalk_error_rate``, a normal approximation of the crosstalk), and what
random networks of N units actually do at each load P/N (``capacity_experiment``: fixed points,
unstable bits, recall from noise). ``recall_path`` keeps one recall frame by frame for the
figures and the explorer. The network itself (Hebbian weights, recall, energy) lives in
``nnlib.hopfield``; this module only builds networks with it and counts. Everything that draws
takes an ``rng: np.random.Generator``.

Shape letters: P stored patterns, N units, L loads.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from nnlib.hopfield import MODES, async_sweep, energy, flip_bits, hebbian_weights, recall
from nnlib.validation import as_float_array, check_choice, check_number, check_rng


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


def binomial_error_rate(num_units: int, num_patterns: int) -> float:
    """Exact probability that one bit of a stored random pattern is unstable.

    The crosstalk c of ``crosstalk_error_rate`` is N^-1 times a sum of M = (P-1)(N-1) terms
    xi_mu,i xi_mu,j xi_nu,j (mu != nu, j != i): each is +-1 with probability 1/2, and they are
    exactly independent (each holds its own xi_mu,j). So N c = M - 2K with K ~ Binomial(M, 1/2)
    the number of -1 terms, and the bit flips when (N - 1) + N c < 0, i.e. K > (M + N - 1) / 2;
    a field of exactly 0 (K = (M + N - 1) / 2) leaves the bit alone, so it counts as stable.
    """
    num_units = check_number("num_units", num_units, minimum=2, integer=True)
    num_patterns = check_number("num_patterns", num_patterns, minimum=1, integer=True)
    terms = (num_patterns - 1) * (num_units - 1)
    first = math.floor((terms + num_units - 1) / 2) + 1   # the smallest K that flips the bit
    if first > terms:
        return 0.0
    # The tail past 40 standard deviations (sqrt(M) / 2 each) of the mean is below 1e-300.
    last = min(terms, first + int(20 * math.sqrt(terms)) + 10)
    k = np.arange(first, last + 1)
    # log C(M, k) from its first term by the ratio C(M, k + 1) / C(M, k) = (M - k) / (k + 1).
    start = math.lgamma(terms + 1) - math.lgamma(first + 1) - math.lgamma(terms - first + 1)
    steps = np.log((terms - k[:-1]) / (k[:-1] + 1.0))
    log_terms = start + np.concatenate([[0.0], np.cumsum(steps)]) - terms * math.log(2.0)
    return float(np.sum(np.exp(log_terms)))


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
    the wrong way), "predicted_bit_errors" (``crosstalk_error_rate``, the normal
    approximation), "binomial_bit_errors" (``binomial_error_rate``, exact), "predicted_fixed"
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
                     predicted, binomial_error_rate(num_units, num_patterns),
                     (1 - predicted) ** num_units,
                     np.mean(overlaps >= recalled_overlap), overlaps.mean()))
    keys = ("load", "patterns", "fixed", "bit_errors", "predicted_bit_errors",
            "binomial_bit_errors", "predicted_fixed", "recalled", "overlap")
    return {key: np.array(column) for key, column in zip(keys, zip(*rows))}


def recall_path(W, state, rng, mode: str = "async", max_sweeps: int = 100,
                frames_per_sweep: int = 4):
    """Recall one probe like ``nnlib.hopfield.recall`` (same generator draws, the library's
    update rule one unit at a time) and keep the way there.

    Returns
    -------
    frames : ndarray, shape (F, N): the state at the start and after every 1/frames_per_sweep
        of a sweep (every sweep for "sync"), until nothing changes
    energies : ndarray, shape (U + 1,): the energy before and after every single-unit update
        (async) or every synchronous step
    """
    energy(W, state)  # checks W (symmetric, (N, N)) and the state's shape (N,)
    W, s = np.asarray(W, dtype=float), np.array(state, dtype=float)
    if s.ndim != 1 or not np.all(np.abs(s) == 1.0):
        raise ValueError(f"state must be one state (N,) of -1 and +1, got shape {s.shape}.")
    check_rng(rng)
    check_choice("mode", mode, MODES)
    max_sweeps = check_number("max_sweeps", max_sweeps, minimum=1, integer=True)
    every = math.ceil(W.shape[0] / check_number("frames_per_sweep", frames_per_sweep, minimum=1,
                                                integer=True))
    frames, energies = [s.copy()], [-0.5 * s @ W @ s]
    for _ in range(max_sweeps):
        before = s.copy()
        if mode == "sync":
            s = recall(W, s, rng, mode="sync", max_sweeps=1)   # draws nothing
            frames.append(s.copy())
            energies.append(-0.5 * s @ W @ s)
        else:
            for count, i in enumerate(rng.permutation(W.shape[0]), start=1):
                s = async_sweep(W, s, np.array([i]))           # one unit
                energies.append(-0.5 * s @ W @ s)
                if count % every == 0 or count == W.shape[0]:
                    frames.append(s.copy())
        if np.array_equal(before, s):
            break
    return np.array(frames), np.array(energies)


def basin_experiment(num_units: int, loads, noise_levels, rng, min_probes: int = 100,
                     recalled_overlap: float = 0.9, weights=hebbian_weights) -> dict:
    """The basin of attraction against the load: recall from every noise level at every load.

    For each load, networks of random patterns are built (with ``weights``, Hebbian by default)
    until at least ``min_probes`` stored patterns have been tested; every pattern is flipped at
    every level of ``noise_levels`` and recalled asynchronously (one batch per network).

    Returns
    -------
    dict: "load" (L,), "noise" (K,), "recalled" (L, K): the fraction whose final overlap is at
    least ``recalled_overlap``; "overlap" (L, K): the mean final overlap.
    """
    num_units = check_number("num_units", num_units, minimum=2, integer=True)
    loads = as_float_array("loads", loads, (None,))
    noise_levels = as_float_array("noise_levels", noise_levels, (None,))
    check_rng(rng)
    min_probes = check_number("min_probes", min_probes, minimum=1, integer=True)
    recalled, mean_overlap = [], []
    for load in loads:
        num_patterns = max(1, int(round(load * num_units)))
        overlaps = []
        while sum(len(o) for o in overlaps) < min_probes:
            X = rng.choice([-1.0, 1.0], size=(num_patterns, num_units))
            W = weights(X)
            probes = np.vstack([flip_bits(X, level, rng) for level in noise_levels])
            final = recall(W, probes, rng)
            overlaps.append(np.mean(final * np.tile(X, (len(noise_levels), 1)), axis=1)
                            .reshape(len(noise_levels), num_patterns))
        overlaps = np.hstack(overlaps)                                   # (K, probes)
        recalled.append(np.mean(overlaps >= recalled_overlap, axis=1))
        mean_overlap.append(overlaps.mean(axis=1))
    return {"load": np.array(loads), "noise": np.array(noise_levels),
            "recalled": np.array(recalled), "overlap": np.array(mean_overlap)}


#: The shipped sweep of notebook 08 (``python -m course.hopfield`` writes it).
SWEEP_FILE = Path(__file__).resolve().parents[1] / "notebooks" / "data" / "08_capacity_sweep.json"
#: Its settings: the larger networks' capacity curves, and the basins against the load.
SWEEP_SETTINGS = {"seed": 0, "noise": 0.1, "min_probes": 100, "recalled_overlap": 0.9,
                  "capacity_units": [1000, 2000],
                  "capacity_loads": [0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18, 0.19, 0.2],
                  "basin_units": 1000, "basin_loads": [0.05, 0.1, 0.12, 0.14, 0.16],
                  "basin_noise": [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45]}


def _rounded(result: dict) -> dict:
    return {key: np.round(np.asarray(value, dtype=float), 6).tolist()
            for key, value in result.items()}


def run_sweep(settings: dict = SWEEP_SETTINGS, progress=print) -> dict:
    """Notebook 08's precomputed experiments (minutes of CPU): ``capacity_experiment`` for
    N = 1000 and 2000 near the critical load, and ``basin_experiment`` for N = 1000."""
    capacity = {}
    for num_units in settings["capacity_units"]:
        capacity[str(num_units)] = _rounded(capacity_experiment(
            num_units, settings["capacity_loads"], settings["noise"],
            np.random.default_rng(settings["seed"] + num_units),
            min_probes=settings["min_probes"], recalled_overlap=settings["recalled_overlap"]))
        progress(f"capacity N = {num_units}: recalled {capacity[str(num_units)]['recalled']}")
    basins = _rounded(basin_experiment(
        settings["basin_units"], settings["basin_loads"], settings["basin_noise"],
        np.random.default_rng(settings["seed"] + 1), min_probes=settings["min_probes"],
        recalled_overlap=settings["recalled_overlap"]))
    progress(f"basins N = {settings['basin_units']}: recalled {basins['recalled']}")
    return {"settings": settings, "capacity": capacity, "basins": basins}


def load_sweep(path=SWEEP_FILE) -> dict:
    """The shipped sweep, with its arrays as ndarrays."""
    data = json.loads(Path(path).read_text())
    data["capacity"] = {int(n): {k: np.array(v) for k, v in r.items()}
                        for n, r in data["capacity"].items()}
    data["basins"] = {k: np.array(v) for k, v in data["basins"].items()}
    return data


if __name__ == "__main__":  # python -m course.hopfield [path]: rewrite the shipped sweep
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SWEEP_FILE
    target.write_text(json.dumps(run_sweep(), indent=1) + "\n")
    print(f"wrote {target}")
