import numpy as np
import pytest

from nnlib.data import first_column_data
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.neuron import half_sse_gradient, neuron_predict, neuron_step, train_neuron


def original_start():
    # The original program's starting weights: legacy generator, seed 1. A local RandomState
    # draws the same numbers without touching NumPy's global state.
    return 2 * np.random.RandomState(1).random_sample((3, 1)) - 1


def test_first_column_data():
    X, y = first_column_data()
    assert X.shape == (4, 3) and y.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0], X[:, 0])
    np.testing.assert_array_equal(X[:, 2], 1.0)


def test_reproduces_the_published_prediction():
    X, y = first_column_data()
    history = train_neuron(X, y, original_start(), iterations=10_000)
    prediction = neuron_predict([[1, 0, 0]], history.w)[0, 0]
    assert f"{prediction:.8f}" == "0.99993704"


def test_step_is_gradient_descent_on_half_sse():
    X, y = first_column_data()
    w = np.array([[0.3], [-0.2], [0.1]])

    def half_sse():
        return 0.5 * float(np.sum((y - neuron_predict(X, w)) ** 2))

    numerical = numerical_gradient(half_sse, w)
    assert relative_error(half_sse_gradient(X, y, w), numerical) < 1e-7
    w_new, _ = neuron_step(X, y, w, learning_rate=0.5)
    np.testing.assert_allclose(w_new, w - 0.5 * numerical, atol=1e-9)


def test_history_records():
    X, y = first_column_data()
    history = train_neuron(X, y, original_start(), iterations=100, record_every=30)
    np.testing.assert_array_equal(history.steps, [0, 30, 60, 90, 100])
    assert history.weights.shape == (5, 3)
    assert np.all(np.diff(history.mean_abs_error) < 0)  # the error falls on this problem
    assert "iterations=100" in repr(history)


def test_zero_iterations_returns_the_start():
    X, y = first_column_data()
    w0 = original_start()
    history = train_neuron(X, y, w0, iterations=0)
    np.testing.assert_array_equal(history.w, w0)


@pytest.mark.parametrize("kwargs, message", [
    (dict(iterations=-1), "iterations must be an integer >= 0, got -1"),
    (dict(iterations=10, learning_rate=0.0), "learning_rate must be a number > 0"),
    (dict(iterations=10, learning_rate="1"), "got '1' of type str"),
    (dict(iterations=10, record_every=0), "record_every must be an integer >= 1"),
])
def test_train_rejects_bad_settings(kwargs, message):
    X, y = first_column_data()
    with pytest.raises(ValueError, match=message):
        train_neuron(X, y, original_start(), **kwargs)


def test_shapes_and_values_are_checked():
    X, y = first_column_data()
    w = original_start()
    with pytest.raises(ValueError, match=r"w must have shape \(D, 1\) \(with D=3\), got \(1, 3\)"):
        neuron_predict(X, w.T)
    with pytest.raises(ValueError, match=r"y must have shape \(N, 1\)"):
        neuron_step(X, y[:, 0], w)
    with pytest.raises(ValueError, match="X contains nan"):
        neuron_step(np.where(X == 0, np.nan, X), y, w)
    with pytest.raises(ValueError, match="must hold real numbers"):
        neuron_predict(X.astype(str), w)
