import numpy as np

from nnlib.data import first_column_data
from nnlib.neuron import train_neuron
from nnlib.widgets import NeuronExplorer


def make_explorer(**kwargs):
    X, y = first_column_data()
    w0 = 2 * np.random.RandomState(1).random_sample((3, 1)) - 1
    return NeuronExplorer(X, y, w0, [1, 0, 0], **kwargs)


def test_explorer_trains_on_construction_and_reproduces_the_original():
    explorer = make_explorer(iterations=10_000, learning_rate=1.0)
    assert f"{explorer.prediction:.8f}" == "0.99993704"
    assert "0.99993704" in explorer.status.value
    assert explorer.plot.value[:4] == b"\x89PNG"


def test_moving_a_control_retrains_and_redraws():
    explorer = make_explorer(iterations=10_000)
    before_prediction, before_png = explorer.prediction, explorer.plot.value
    explorer.iterations.value = 100
    assert explorer.history.steps[-1] == 100
    assert explorer.prediction < before_prediction  # less training, less confident
    assert explorer.plot.value != before_png
    explorer.learning_rate.value = 10.0
    assert explorer.prediction > 0.9


def test_plain_text_form_is_stable():
    bundle = make_explorer(iterations=50)._repr_mimebundle_()
    assert bundle["text/plain"].startswith("NeuronExplorer: move 'iterations'")
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_training_in_chunks_for_the_progress_bar_equals_one_run():
    X, y = first_column_data()
    w0 = 2 * np.random.RandomState(1).random_sample((3, 1)) - 1
    for iterations in (10, 1000, 12_345, 50_000):
        explorer = make_explorer(iterations=iterations, learning_rate=1.5)
        whole = train_neuron(X, y, w0, iterations, 1.5, record_every=max(1, iterations // 500))
        np.testing.assert_array_equal(explorer.history.steps, whole.steps)
        np.testing.assert_array_equal(explorer.history.weights, whole.weights)
        np.testing.assert_array_equal(explorer.history.mean_abs_error, whole.mean_abs_error)
        np.testing.assert_array_equal(explorer.history.w, whole.w)
        assert explorer.progress.value == explorer.progress.max == iterations
