"""Chapter 06's pairs: one-hot targets and the softmax cross-entropy."""

from twin_cases import Twin


def _labels(rng):
    return (rng.integers(0, 10, size=7), 10), {}


def _logits(rng):
    return (rng.normal(scale=3.0, size=(6, 10)), rng.integers(0, 10, size=6)), {}


CASES = [
    Twin("06", "one_hot", "nnlib.data.digits.one_hot", _labels),
    Twin("06", "softmax_cross_entropy", "nnlib.losses.softmax_cross_entropy", _logits),
]
