"""The Hopfield explorer: recalls when built, recalls again when a control moves."""

import numpy as np

from nnlib.hopfield import flip_bits, hebbian_weights, recall
from course.widgets.hopfield import HopfieldExplorer


def patterns(count=6, shape=(8, 8), seed=0):
    return np.random.default_rng(seed).choice([-1.0, 1.0], size=(count, shape[0] * shape[1]))


def test_explorer_recalls_on_construction():
    explorer = HopfieldExplorer(patterns(), (8, 8), stored=2, noise=0.1)
    np.testing.assert_array_equal(explorer.final, patterns()[0])
    assert "recalled exactly" in explorer.status.value
    assert explorer.plot.value[:4] == b"\x89PNG"
    assert np.all(np.diff(explorer.energies) <= 1e-12)


def test_the_final_state_is_what_recall_gives():
    explorer = HopfieldExplorer(patterns(), (8, 8), seed=3, stored=4, noise=0.3)
    rng = np.random.default_rng(3)
    probe = flip_bits(patterns()[0], 0.3, rng)
    expected = recall(hebbian_weights(patterns()[:4]), probe, rng, max_sweeps=20)
    np.testing.assert_array_equal(explorer.final, expected)


def test_moving_controls_recalls_again_and_redraws():
    explorer = HopfieldExplorer(patterns(count=40), (8, 8), stored=2, noise=0.1)
    before = explorer.plot.value
    explorer.stored.value = 40  # far past capacity for N = 64
    assert "not recalled" in explorer.status.value
    assert explorer.plot.value != before
    explorer.mode.value = "sync"
    assert explorer.frames.shape[1] == 64
    explorer.noise.value = 0.0
    assert "with 0 % flipped" in explorer.status.value


def test_plain_text_form_is_stable():
    bundle = HopfieldExplorer(patterns(), (8, 8))._repr_mimebundle_()[0]
    assert bundle["text/plain"].startswith("HopfieldExplorer: move 'stored patterns'")
    assert "application/vnd.jupyter.widget-view+json" in bundle
