"""Issue 31, the feed-forward family: absurd sizes and values are refused at once, in bounded
time and memory, with a ValueError naming the argument to change (never NumPy's own
out-of-memory error from deep inside, never non-finite data returned silently)."""

import time

import numpy as np
import pytest

from nnlib.architecture import make_architecture
from nnlib.data import make_moons, one_hot
from nnlib.mlp import MLP
from nnlib.neuron import Neuron
from nnlib.twolayer import TwoLayerNet


def _rng():
    return np.random.default_rng(0)


@pytest.mark.parametrize("call, message", [
    (lambda: make_moons(10**12), r"the two moons would need .* GiB.*make n_samples smaller"),
    (lambda: make_moons((10**12, 10**12)), r"make n_samples smaller"),
    (lambda: make_moons(100, noise=1e308), r"noise must be .*1e\+100"),
    (lambda: make_moons(100, noise=float("inf")), "noise"),
    (lambda: one_hot([0, 1, 2], 10**12),
     r"the one-hot array would need .* GiB.*make classes \(or the number of labels\) smaller"),
    (lambda: TwoLayerNet(2, 10**12, 1, rng=_rng()),
     r"the TwoLayerNet's weights would need .*make hidden_size"),
    (lambda: TwoLayerNet(10**6, 10**6, 1, rng=_rng()), r"make hidden_size \(or input_size"),
    (lambda: Neuron(10**12, rng=_rng()), r"the neuron's weights would need .*make input_size"),
    (lambda: MLP(make_architecture([10**6, 10**6, 1]), rng=_rng()),
     r"the MLP's parameters would need .*make the layer sizes of architecture smaller"),
    (lambda: MLP(make_architecture([1e6, 1e6, 1]), rng=_rng()),
     r"layer_sizes\[i\] must be an integer"),
])
def test_absurd_sizes_are_refused_at_once(call, message):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=message):
        call()
    assert time.perf_counter() - start < 1.0


def test_the_largest_noise_still_gives_finite_points():
    X, _ = make_moons(1000, noise=1e100, seed=3)
    assert np.all(np.isfinite(X))


def test_a_batch_too_large_for_the_mlps_buffers_is_refused():
    model = MLP(make_architecture([2, 2000, 2000, 1]), rng=_rng())
    X = np.broadcast_to(np.zeros(2), (60_000, 2))
    with pytest.raises(ValueError, match=r"the MLP's buffers would need .*make the batch"):
        model.loss_and_grads(X, np.zeros(60_000))
