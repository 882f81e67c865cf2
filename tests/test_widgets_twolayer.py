import numpy as np
import pytest

from nnlib.data import study_sleep_data
from nnlib.optim import SGD
from nnlib.train import fit
from nnlib.twolayer import TwoLayerNet
from course.widgets.twolayer import TwoLayerExplorer


def make_explorer(**kwargs):
    X, y = study_sleep_data()
    return TwoLayerExplorer(X / X.max(axis=0), y / 100, seed=0, **kwargs)


def test_explorer_trains_on_construction_like_the_model():
    explorer = make_explorer(hidden_size=3, learning_rate=1.0, epochs=200)
    X, y = study_sleep_data()
    net = TwoLayerNet(2, 3, 1, rng=np.random.default_rng(0))
    history = fit(net, X / X.max(axis=0), y / 100, SGD(1.0), 200)
    assert explorer.history.train_loss[-1] == history.train_loss[-1]
    assert explorer.plot.value[:4] == b"\x89PNG"
    assert "final loss" in explorer.status.value


def test_moving_each_control_retrains_and_redraws():
    explorer = make_explorer(epochs=100)
    png, loss = explorer.plot.value, explorer.history.train_loss[-1]
    explorer.epochs.value = 1000
    assert explorer.history.epochs[-1] == 1000
    assert explorer.history.train_loss[-1] < loss
    assert explorer.plot.value != png
    explorer.hidden_size.value = 6
    assert explorer.model.layer_sizes == (2, 6, 1)
    before = explorer.history.train_loss[-1]
    explorer.learning_rate.value = 0.1
    assert explorer.history.train_loss[-1] != before


def test_describe_adds_to_the_status():
    explorer = make_explorer(epochs=50, describe=lambda model: "extra <i>line</i>")
    assert "extra <i>line</i>" in explorer.status.value


def test_plain_text_form_is_stable():
    bundle = make_explorer(epochs=20)._repr_mimebundle_()[0]
    assert bundle["text/plain"].startswith("TwoLayerExplorer: move 'hidden units'")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert repr(make_explorer(epochs=20)).startswith("TwoLayerExplorer(hidden_size=3")


def test_initial_values_outside_the_default_ranges_are_kept():
    explorer = make_explorer(hidden_size=20, learning_rate=0.001, epochs=20)
    assert explorer.hidden_size.value == 20
    assert explorer.learning_rate.value == 0.001
    assert explorer.model.layer_sizes == (2, 20, 1)


def test_bad_initial_values_are_rejected():
    with pytest.raises(ValueError, match="hidden_size must be an integer >= 1, got 0"):
        make_explorer(hidden_size=0)
    with pytest.raises(ValueError, match="learning_rate must be a number > 0"):
        make_explorer(learning_rate=0.0)


def test_progress_bar_reaches_the_end_and_training_is_fits():
    X = np.array([[0.5, 1.0], [0.2, 0.4], [1.0, 0.6]])
    y = np.array([[0.9], [0.8], [0.85]])
    explorer = TwoLayerExplorer(X, y, seed=0, hidden_size=3, learning_rate=1.0, epochs=777)
    assert explorer.progress.value == explorer.progress.max == 777
    reference = TwoLayerNet(2, 3, 1, rng=np.random.default_rng(0))
    history = fit(reference, X, y, SGD(1.0), 777, record_every=1, metric=None)
    np.testing.assert_array_equal(explorer.model.params["W1"], reference.params["W1"])
    assert explorer.history.train_loss[-1] == history.train_loss[-1]
