import numpy as np

from nnlib.data import make_moons, train_test_split
from nnlib.widgets.mlp import MLPExplorer


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
    assert repr(explorer.model).startswith("MLP(2-8-1, hidden activation relu")
    assert explorer.plot.value != before
    explorer.activation.value = "tanh"
    assert "hidden activation tanh" in repr(explorer.model)
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
    bundle = make_explorer(epochs=2)._repr_mimebundle_()
    assert bundle["text/plain"].startswith("MLPExplorer: change the layers")
    assert "application/vnd.jupyter.widget-view+json" in bundle
