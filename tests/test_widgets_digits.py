import numpy as np

from nnlib.data.digits import load_digits_data, stratified_split
from course.widgets.digits import DigitsExplorer


def make_explorer(**kwargs):
    X, y = load_digits_data()
    X_train, X_val, _, y_train, y_val, _ = stratified_split(X[:600], y[:600],
                                                            np.random.default_rng(0))
    return DigitsExplorer(X_train, y_train, X_val, y_val, **kwargs)


def test_explorer_trains_on_construction():
    explorer = make_explorer(epochs=3)
    assert explorer.history.epochs[-1] == 3
    assert explorer.progress.value == explorer.progress.max == 3
    assert explorer.progress.bar_style == "success"
    assert "validation accuracy" in explorer.status.value
    assert explorer.plot.value[:4] == b"\x89PNG"


def test_changing_controls_retrains_and_redraws():
    explorer = make_explorer(epochs=2)
    before = explorer.plot.value
    explorer.hidden_size.value = 8
    assert explorer.status.value.startswith("MLP 64-8-10")
    assert explorer.plot.value != before
    explorer.epochs.value = 4
    assert explorer.history.epochs[-1] == 4 and explorer.progress.max == 4
    explorer.learning_rate.value = 0.001
    assert "learning_rate=0.001" in repr(explorer)


def test_progress_moves_during_training():
    explorer = make_explorer(epochs=2)
    seen = []
    explorer.progress.observe(lambda change: seen.append(change["new"]), names="value")
    explorer.epochs.value = 4
    assert seen[0] == 0 and seen[-1] == 4 and len(seen) >= 5


def test_same_controls_give_the_same_model():
    first, second = make_explorer(epochs=2), make_explorer(epochs=2)
    for key, value in first.model.params.items():
        assert np.array_equal(value, second.model.params[key])


def test_plain_text_form_is_stable():
    explorer = make_explorer(epochs=1)
    bundle = explorer._repr_mimebundle_()[0]
    assert bundle["text/plain"].startswith("DigitsExplorer: change the hidden units")
