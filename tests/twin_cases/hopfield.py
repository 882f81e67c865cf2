"""Chapter 08's pairs (notebook 08_hopfield and nnlib.hopfield)."""

import numpy as np

from twin_cases import Twin


def _network(rng, num_patterns=3, num_units=24, probes=4):
    X = rng.choice([-1.0, 1.0], size=(num_patterns, num_units))
    W = X.T @ X / num_units
    np.fill_diagonal(W, 0.0)
    flips = rng.random((probes, num_units)) < 0.1
    states = np.where(flips, -1.0, 1.0) * X[rng.integers(num_patterns, size=probes)]
    return X, W, states


def _hebbian(rng):
    return (_network(rng)[0],), {}


def _energy(rng):
    _, W, states = _network(rng)
    return (W, states), {}


def _async_sweep(rng):
    _, W, states = _network(rng)
    return (W, states, rng.permutation(W.shape[0])), {}


def _recall(mode):
    # One generator serves both calls, so the two runs see different update orders: the sync
    # case draws nothing; the async case stores 2 patterns in 40 units with 2 flipped bits,
    # where every order ends at the stored pattern.
    def make(rng):
        if mode == "sync":
            _, W, states = _network(rng)
        else:
            _, W, states = _network(rng, num_patterns=2, num_units=40, probes=3)
        return (W, states, np.random.default_rng(0)), {"mode": mode, "max_sweeps": 50}
    return make


def _modern_update(rng):
    X = rng.normal(size=(6, 10))
    return (X, rng.normal(size=(4, 10)), float(rng.uniform(0.1, 3.0))), {}


CASES = [
    Twin("08", "hebbian_weights", "nnlib.hopfield.hebbian_weights", _hebbian),
    Twin("08", "energy", "nnlib.hopfield.energy", _energy),
    Twin("08", "async_sweep", "nnlib.hopfield.async_sweep", _async_sweep),
    Twin("08", "recall", "nnlib.hopfield.recall", _recall("sync")),
    Twin("08", "recall", "nnlib.hopfield.recall", _recall("async")),
    Twin("08", "modern_update", "nnlib.hopfield.modern_update", _modern_update),
]
