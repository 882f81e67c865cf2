import numpy as np
import pytest

from nnlib.data import first_column_data
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.neuron import Neuron, mean_abs_error, train_step
from nnlib.optim import SGD
from nnlib.train import fit
from notebook_code import notebook_definitions


def original_start():
    # The original program's starting weights: legacy generator, seed 1. A local RandomState
    # draws the same numbers without touching NumPy's global state.
    return 2 * np.random.RandomState(1).random_sample((3, 1)) - 1


def original(w, **settings):
    # The original's loss: half the sum of squared errors (notebook 01 names it).
    return Neuron.from_params({"w": w}, reduction="half_sum", **settings)


def test_first_column_data():
    X, y = first_column_data()
    assert X.shape == (4, 3) and y.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0], X[:, 0])
    np.testing.assert_array_equal(X[:, 2], 1.0)


def test_fit_reproduces_the_published_prediction():
    X, y = first_column_data()
    model = original(original_start())
    fit(model, X, y, SGD(1.0), epochs=10_000, record_every=10_000)
    assert f"{model.predict_proba([[1, 0, 0]])[0, 1]:.8f}" == "0.99993704"


def test_fit_with_sgd_is_the_error_weighted_update_bit_for_bit():
    X, y = first_column_data()
    model, w = original(original_start()), original_start()
    fit(model, X, y, SGD(0.7), epochs=50, metric=None)
    for _ in range(50):
        w = train_step(X, y, w, 0.7)
    np.testing.assert_array_equal(model.params["w"], w)


@pytest.mark.parametrize("loss, reduction", [("squared_error", "mean"),
                                             ("squared_error", "half_sum"),
                                             ("squared_error", "sum"),
                                             ("cross_entropy", "mean"), ("cross_entropy", "sum")])
def test_gradients_match_numerical_gradients(loss, reduction):
    X, y = first_column_data()
    model = Neuron(3, rng=np.random.default_rng(4), loss=loss, reduction=reduction)
    _, grads = model.loss_and_grads(X, y)
    numerical = numerical_gradient(lambda: model.loss(X, y), model.params["w"])
    assert relative_error(grads["w"], numerical) < 1e-7
    assert set(grads) == {"w"}


def test_known_losses():
    X, y = first_column_data()
    w = {"w": np.zeros((3, 1))}  # every output 1/2
    assert Neuron.from_params(w, reduction="half_sum").loss(X, y) == pytest.approx(4 * 0.5 * 0.25)
    assert Neuron.from_params(w, reduction="sum").loss(X, y) == pytest.approx(4 * 0.25)
    assert Neuron.from_params(w).loss(X, y) == pytest.approx(0.25)  # the mean by default
    model = Neuron.from_params(w, loss="cross_entropy", reduction="sum")
    assert model.loss(X, y) == pytest.approx(4 * np.log(2))
    np.testing.assert_allclose(model.loss_and_grads(X, y)[1]["w"], X.T @ (0.5 - y))
    mean = Neuron.from_params(w, loss="cross_entropy")
    assert mean.loss(X, y) == pytest.approx(np.log(2))
    np.testing.assert_allclose(mean.loss_and_grads(X, y)[1]["w"], X.T @ (0.5 - y) / 4)


def test_cross_entropy_drops_the_slope_so_a_confident_wrong_neuron_still_learns():
    X, y = np.array([[1.0]]), np.array([[1.0]])
    w = np.array([[-8.0]])  # says 0.0003 where the target is 1
    squared = Neuron.from_params({"w": w}).loss_and_grads(X, y)[1]["w"]
    entropy = Neuron.from_params({"w": w}, loss="cross_entropy").loss_and_grads(X, y)[1]["w"]
    assert abs(entropy[0, 0]) > 1000 * abs(squared[0, 0])


def test_protocol_config_repr_and_predict():
    model = Neuron(3, rng=np.random.default_rng(0), loss="cross_entropy")
    assert model.config == {"input_size": 3, "loss": "cross_entropy", "reduction": "mean"}
    assert repr(model) == "Neuron(input_size=3, loss='cross_entropy', reduction='mean')"
    rebuilt = type(model)(**model.config, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(rebuilt.params["w"], model.params["w"])
    X, y = first_column_data()
    fit(model, X, y, SGD(4.0), epochs=500, metric=None)
    np.testing.assert_array_equal(model.predict(X), y[:, 0].astype(int))
    probabilities = model.predict_proba(X)
    assert probabilities.shape == (4, 2) and model.output_size == 2
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), probabilities.argmax(axis=1))


def test_history_records_the_mean_abs_error():
    X, y = first_column_data()
    history = fit(original(original_start()), X, y, SGD(1.0), epochs=100,
                  record_every=30, metric=mean_abs_error)
    np.testing.assert_array_equal(history.epochs, [0, 30, 60, 90, 100])
    assert np.all(np.diff(history.train_metric) < 0)  # the error falls on this problem


def test_train_step_known_value_and_checks():
    X, y = first_column_data()
    w = np.zeros((3, 1))
    # Every output is 1/2, every slope 1/4: the step is X^T (y - 1/2) / 4.
    np.testing.assert_allclose(train_step(X, y, w), X.T @ (y - 0.5) / 4)
    with pytest.raises(ValueError, match=r"y must have shape \(N, 1\) \(with N=4\), got \(3, 1\)"):
        train_step(X, y[:3], w)
    with pytest.raises(ValueError, match="learning_rate must be a number > 0, got 'fast'"):
        train_step(X, y, w, learning_rate="fast")
    with pytest.raises(ValueError, match="X contains nan"):
        train_step(np.where(X == 0, np.nan, X), y, w)


@pytest.mark.parametrize("kwargs, message", [
    (dict(input_size=0), "input_size must be an integer >= 1, got 0"),
    (dict(loss="mse"), "loss must be one of"),
    (dict(loss="half_sse"), "loss must be one of"),
    (dict(reduction="half"), "reduction must be one of"),
    (dict(loss="cross_entropy", reduction="half_sum"), "'half_sum' belongs to the squared"),
    (dict(rng=np.random.RandomState(0)), "rng must be a np.random.Generator"),
])
def test_constructor_rejects_bad_settings(kwargs, message):
    settings = dict(input_size=3, rng=np.random.default_rng(0)) | kwargs
    with pytest.raises(ValueError, match=message):
        Neuron(**settings)


def test_inputs_and_targets_are_checked():
    X, y = first_column_data()
    model = Neuron(3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"X must have shape \(N, 3\), got \(4, 2\)"):
        model.predict(X[:, :2])
    with pytest.raises(ValueError, match=r"y must have shape \(4,\) or \(4, 1\)"):
        model.loss_and_grads(X, y[:2])
    with pytest.raises(ValueError, match=r"y must hold targets in \[0, 1\]"):
        model.loss(X, 2 * y)


def test_the_notebooks_cross_entropy_step_is_a_step_on_the_summed_cross_entropy():
    # sigmoid, sigmoid_slope and train_step are the library's twins (tests/twin_cases/neuron.py);
    # cross_entropy_step has no twin of that name: it is one SGD step of the Neuron.
    cross_entropy_step = notebook_definitions("01")["cross_entropy_step"]
    rng = np.random.default_rng(8)
    X = rng.integers(0, 2, size=(6, 3)).astype(float)
    y = rng.integers(0, 2, size=(6, 1)).astype(float)
    w = rng.uniform(-1, 1, size=(3, 1))
    neuron = Neuron.from_params({"w": w}, loss="cross_entropy", reduction="sum")
    _, grads = neuron.loss_and_grads(X, y)
    np.testing.assert_allclose(cross_entropy_step(X, y, w, 0.5), w - 0.5 * grads["w"],
                               rtol=1e-13, atol=1e-15)


def test_from_params_reads_the_size_and_refuses_other_keys():
    model = Neuron.from_params({"w": np.ones((5, 1))})
    assert model.input_size == 5 and model.config["reduction"] == "mean"
    with pytest.raises(ValueError, match="params must be a dict with the key 'w'"):
        Neuron.from_params({"W1": np.ones((5, 1))})
    with pytest.raises(ValueError, match=r"w must have shape \(3, 1\)"):
        Neuron.from_params({"w": np.ones((5, 1))}, input_size=3)


def test_save_model_and_load_model_keep_the_loss_and_the_weights(tmp_path):
    from nnlib.model import load_model, save_model

    neuron = Neuron(3, rng=np.random.default_rng(0), loss="cross_entropy")
    save_model(tmp_path / "neuron.npz", neuron)
    restored = load_model(tmp_path / "neuron.npz")
    assert restored.config == neuron.config and restored.loss_name == "cross_entropy"
    assert restored.params["w"].tobytes() == neuron.params["w"].tobytes()
