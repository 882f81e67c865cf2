import numpy as np

from nnlib.data import make_moons, train_test_split
from course.widgets.mlp import MLPExplorer


def make_explorer(**kwargs):
    X, y = make_moons(300, noise=0.2, seed=100)
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.1, np.random.default_rng(0))
    return MLPExplorer(X_train, y_train, X_test, y_test, **kwargs)


def test_explorer_trains_on_construction():
    explorer = make_explorer(epochs=5)
    assert explorer.history.epochs[-1] == 5
    assert explorer.progress.value == explorer.progress.max == 5
    assert explorer.progress.bar_style == "success"
    assert "validation accuracy" in explorer.status.value
    assert explorer.plot.value[:4] == b"\x89PNG"


def test_changing_controls_retrains_and_redraws():
    explorer = make_explorer(epochs=3)
    before = explorer.plot.value
    explorer.architecture.value = "2-8-1"
    assert explorer.status.value.startswith("MLP 2-8-1, hidden activation relu")
    assert explorer.plot.value != before
    explorer.activation.value = "tanh"
    assert "hidden activation tanh" in explorer.status.value
    explorer.optimizer.value = "sgd"
    explorer.epochs.value = 7
    assert explorer.history.epochs[-1] == 7 and explorer.progress.max == 7


def test_progress_moves_during_training():
    explorer = make_explorer(epochs=2)
    seen = []
    explorer.progress.observe(lambda change: seen.append(change["new"]), names="value")
    explorer.epochs.value = 4
    assert seen[0] == 0 and seen[-1] == 4 and len(seen) >= 5


def test_divergence_is_shown_not_raised():
    explorer = make_explorer(epochs=3)
    explorer.activation.value = "identity"
    explorer.optimizer.value = "sgd"
    explorer.learning_rate.value = 10.0
    assert explorer.history is None
    assert "Training diverged" in explorer.status.value
    assert explorer.progress.bar_style == "danger"


def test_plain_text_form_is_stable():
    bundle = make_explorer(epochs=2)._repr_mimebundle_()[0]
    assert bundle["text/plain"].startswith("MLPExplorer: change the layers")
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_layer_spread_measures_the_signal_and_gradient_per_layer():
    import matplotlib

    matplotlib.use("Agg")
    from nnlib.mlp import MLP, make_architecture
    from course.plotting.mlp import layer_spread, plot_layer_spread

    X, y = make_moons(200, noise=0.2, seed=1)
    architecture = make_architecture([2, 25, 50, 50, 25, 1])
    small = MLP(architecture, rng=np.random.default_rng(0), scale=0.1)
    he = MLP(architecture, rng=np.random.default_rng(0), init="he")
    z_small, grad_small = layer_spread(small, X, y)
    z_he, _ = layer_spread(he, X, y)
    assert z_small.shape == grad_small.shape == (5,)
    # std 0.1 shrinks the signal layer after layer; He keeps it of order 1
    assert np.all(np.diff(z_small) < 0) and z_small[-1] < 0.01
    assert 0.3 < z_he.min() and z_he[:4].max() < 2
    first_W = small.params["W1"]
    assert np.isclose(z_small[0], np.std(X @ first_W + small.params["b1"]))
    spread = plot_layer_spread({"small": small, "he": he}, X, y)
    assert set(spread) == {"small", "he"}
