import numpy as np

from nnlib.data import first_column_data
from nnlib.neuron import Neuron, mean_abs_error
from nnlib.optim import SGD
from nnlib.train import fit
from course.widgets import NeuronExplorer


def original_start():
    return 2 * np.random.RandomState(1).random_sample((3, 1)) - 1


def make_explorer(**kwargs):
    X, y = first_column_data()
    return NeuronExplorer(X, y, original_start(), [1, 0, 0], **kwargs)


def test_explorer_trains_on_construction_and_reproduces_the_original():
    explorer = make_explorer(epochs=10_000, learning_rate=1.0)
    assert f"{explorer.prediction:.8f}" == "0.99993704"
    assert "0.99993704" in explorer.status.value
    assert explorer.plot.value[:4] == b"\x89PNG"


def test_moving_a_control_retrains_and_redraws():
    explorer = make_explorer(epochs=10_000)
    before_prediction, before_png = explorer.prediction, explorer.plot.value
    explorer.epochs.value = 100
    assert explorer.history.epochs[-1] == 100
    assert explorer.prediction < before_prediction  # less training, less confident
    assert explorer.plot.value != before_png
    explorer.learning_rate.value = 10.0
    assert explorer.prediction > 0.9


def test_plain_text_form_is_stable():
    bundle = make_explorer(epochs=50)._repr_mimebundle_()[0]
    assert bundle["text/plain"].startswith("NeuronExplorer: move 'epochs'")
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_the_progress_bar_moves_through_fit_and_training_is_fits():
    X, y = first_column_data()
    for epochs in (10, 1000, 12_345):
        explorer = make_explorer(epochs=epochs, learning_rate=1.5)
        model = Neuron.from_params({"w": original_start()}, reduction="half_sum")
        whole = fit(model, X, y, SGD(1.5), epochs, record_every=max(1, epochs // 500),
                    metric=mean_abs_error)
        np.testing.assert_array_equal(explorer.history.epochs, whole.epochs)
        np.testing.assert_array_equal(explorer.history.train_metric, whole.train_metric)
        np.testing.assert_array_equal(explorer.model.params["w"], model.params["w"])
        assert explorer.weights.shape == (len(whole.epochs), 3)
        np.testing.assert_array_equal(explorer.weights[-1], model.params["w"][:, 0])
        np.testing.assert_array_equal(explorer.weights[0], original_start()[:, 0])
        assert explorer.progress.value == explorer.progress.max == epochs


def test_every_explorer_shares_the_base_and_names_itself():
    import course.widgets
    from course.widgets.common import Explorer

    explorers = [getattr(course.widgets, name) for name in course.widgets.__all__
                 if isinstance(getattr(course.widgets, name), type)]
    assert len(explorers) == 10
    for explorer in explorers:
        assert issubclass(explorer, Explorer), explorer.__name__
        assert explorer.description.startswith(f"{explorer.__name__}: "), explorer.__name__
        assert explorer.description.endswith("(interactive in JupyterLab)"), explorer.__name__
    bundle = make_explorer(epochs=10)._repr_mimebundle_()[0]
    assert bundle["text/plain"] == NeuronExplorer.description


def test_the_display_bundle_keeps_a_static_picture_of_the_opening_state():
    import base64

    from course.widgets.common import png_width

    explorer = make_explorer(epochs=10)
    bundle = explorer._repr_mimebundle_()[0]
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == explorer.plot.value  # what the widget shows
    assert explorer.plot.value[:4] == b"\x89PNG"
    assert int(explorer.plot.width) == png_width(explorer.plot.value) // 2  # drawn at 2x


def test_the_static_picture_is_shown_at_the_widget_size_not_its_pixel_size():
    from course.widgets.common import png_width

    bundle, metadata = make_explorer(epochs=10)._repr_mimebundle_()
    import base64
    png = base64.b64decode(bundle["image/png"])
    assert metadata["image/png"]["width"] == png_width(png) // 2
