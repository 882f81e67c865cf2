"""Chapter 01's pairs: the sigmoid, its slope and the error-weighted update."""

from twin_cases import Twin


def _z(rng):
    return (rng.normal(scale=4.0, size=(5, 3)),), {}


def _outputs(rng):
    return (rng.uniform(size=(4, 2)),), {}


def _step(rng):
    X = rng.integers(0, 2, size=(6, 3)).astype(float)
    y = rng.integers(0, 2, size=(6, 1)).astype(float)
    return (X, y, rng.uniform(-1, 1, size=(3, 1))), {"learning_rate": rng.uniform(0.1, 2.0)}


CASES = [
    Twin("01", "sigmoid", "nnlib.activations.sigmoid", _z),
    Twin("01", "sigmoid_slope", "nnlib.activations.sigmoid_slope", _outputs),
    Twin("01", "train_step", "nnlib.neuron.train_step", _step),
]
