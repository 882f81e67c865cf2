"""Chapter 06's pairs: one-hot targets, the log-softmax and the softmax cross-entropy."""

import numpy as np

from twin_cases import Twin


def _labels(rng):
    return (rng.integers(0, 10, size=7), 10), {}


def _logits(rng):
    return (rng.normal(scale=3.0, size=(6, 10)), rng.integers(0, 10, size=6)), {}


def _far_logits(rng):
    # rows hundreds apart, and a class hundreds below its row's maximum: overflow and underflow
    logits = rng.normal(size=(4, 5)) + np.array([[0.0], [900.0], [-900.0], [0.0]])
    logits[3, 2] -= 1000.0
    return (logits,), {}


CASES = [
    Twin("06", "one_hot", "nnlib.data.digits.one_hot", _labels),
    Twin("06", "log_softmax", "nnlib.losses.log_softmax", _far_logits),
    Twin("06", "softmax_cross_entropy", "nnlib.losses.softmax_cross_entropy", _logits),
]
