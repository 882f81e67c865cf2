import numpy as np

from nnlib.data import first_column_data
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
