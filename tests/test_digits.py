"""nnlib.data.digits and course.digits: the digits data, one-hot, the stratified split, the
confusion matrix, the stacked XOR networks and the run-time estimate; and notebook 06's
source-style class against nnlib's TwoLayerNet."""

from pathlib import Path

import numpy as np
import pytest

from course.digits import (XOR_X, XOR_Y, estimated_seconds, line_errors, train_xor_networks,
                           xor_forward, xor_grads, xor_scores)
from nnlib.data.digits import confusion_matrix, load_digits_data, one_hot, stratified_split
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.losses import binary_cross_entropy_with_logits
from notebook_code import notebook_definitions, notebook_path


def test_digits_are_scaled_images_with_ten_classes():
    X, y = load_digits_data()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.array_equal(np.unique(y), np.arange(10))
    # the first image is a 0; its top-left pixel is blank and pixel (0, 3) is 13/16
    assert y[0] == 0 and X[0, 0] == 0.0 and X[0, 3] == 13 / 16


def test_one_hot_known_value():
    assert np.array_equal(one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    assert one_hot([1], 10).shape == (1, 10)


def test_one_hot_rejects_bad_labels():
    with pytest.raises(ValueError, match="labels must hold class labels 0 .. 2"):
        one_hot([0, 3], 3)
    with pytest.raises(ValueError, match="labels must hold integer class labels"):
        one_hot([0.5], 3)
    with pytest.raises(ValueError, match="classes must be an integer >= 1"):
        one_hot([0], 0)


def test_split_is_stratified_disjoint_complete_and_seeded():
    X, y = load_digits_data()
    parts = stratified_split(X, y, np.random.default_rng(0))
    X_train, X_val, X_test, y_train, y_val, y_test = parts
    assert len(y_train) + len(y_val) + len(y_test) == len(y)
    counts = np.bincount(y, minlength=10)
    for labels, fraction in ((y_val, 0.2), (y_test, 0.2)):
        assert np.all(np.abs(np.bincount(labels, minlength=10) - fraction * counts) <= 0.5)
    # every image lands in exactly one part, with its own label
    rows = {row.tobytes(): label for row, label in zip(X, y)}
    seen = [row.tobytes() for row in np.vstack([X_train, X_val, X_test])]
    assert sorted(seen) == sorted(rows)  # load_digits has no duplicate images
    for X_part, y_part in ((X_train, y_train), (X_val, y_val), (X_test, y_test)):
        assert all(rows[row.tobytes()] == label for row, label in zip(X_part, y_part))
    again = stratified_split(X, y, np.random.default_rng(0))
    assert all(np.array_equal(a, b) for a, b in zip(parts, again))
    other = stratified_split(X, y, np.random.default_rng(1))
    assert not np.array_equal(parts[5], other[5])
    # the parts are shuffled, not grouped by class
    assert not np.all(np.diff(y_test) >= 0)


def test_split_rejects_bad_arguments():
    X, y = np.zeros((10, 2)), np.arange(10) % 2
    with pytest.raises(ValueError, match="fractions must sum to 1"):
        stratified_split(X, y, np.random.default_rng(0), (0.5, 0.2, 0.2))
    with pytest.raises(ValueError, match="rng must be a np.random.Generator"):
        stratified_split(X, y, 0)
    with pytest.raises(ValueError, match=r"y must have shape \(10,\)"):
        stratified_split(X, y[:9], np.random.default_rng(0))
    with pytest.raises(ValueError, match="too few to split"):
        stratified_split(X[:4], y[:4], np.random.default_rng(0), (0.2, 0.4, 0.4))


def test_confusion_matrix_known_value():
    counts = confusion_matrix([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], classes=3)
    assert np.array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 1]])
    assert counts.sum() == 5
    with pytest.raises(ValueError, match=r"y_pred must have shape \(2,\)"):
        confusion_matrix([0, 1], [0], classes=2)


def test_xor_gradients_match_central_differences():
    params, _, _, _ = train_xor_networks(3, 2, 0, 1.0, np.random.default_rng(5))
    targets = np.broadcast_to(XOR_Y[None, :, None], (2, 4, 1))
    grads = xor_grads(params, targets)

    def total_loss():  # the sum over networks of each one's mean cross-entropy
        _, logits = xor_forward(params)
        return sum(binary_cross_entropy_with_logits(logits[s], targets[s])[0]
                   for s in range(2))

    for key in params:
        assert relative_error(numerical_gradient(total_loss, params[key]), grads[key]) < 1e-7


def test_stacked_networks_train_independently():
    # Network s of a stack of two trains exactly as it would alone from the same start.
    params, start, losses, solved = train_xor_networks(2, 2, 50, 1.0, np.random.default_rng(3))
    single = {key: value[1:].copy() for key, value in start.items()}
    from nnlib.optim import SGD
    optimizer = SGD(1.0)
    targets = np.broadcast_to(XOR_Y[None, :, None], (1, 4, 1))
    for _ in range(50):
        optimizer.update(single, xor_grads(single, targets))
    for key in params:
        assert np.allclose(params[key][1:], single[key], rtol=1e-12, atol=1e-14)
    assert losses.shape == solved.shape == (2,)


def test_xor_is_solved_often_by_wide_nets_and_scored_right():
    _, _, losses, solved = train_xor_networks(4, 20, 2000, 1.0, np.random.default_rng(0))
    assert solved.mean() >= 0.9
    assert np.all(losses[solved] < 0.1)
    # hand-made perfect network: hidden units OR-ish and AND-ish
    params = {"W1": np.array([[[6.0, 6.0], [6.0, 6.0]]]), "b1": np.array([[[-3.0, -9.0]]]),
              "W2": np.array([[[8.0], [-8.0]]]), "b2": np.array([[[-4.0]]])}
    _, ok = xor_scores(params)
    assert ok.tolist() == [True]
    params["W2"] *= -1
    _, ok = xor_scores(params)
    assert ok.tolist() == [False]
    assert XOR_X.shape == (4, 2)


def test_xor_rejects_bad_arguments():
    with pytest.raises(ValueError, match="hidden_size must be an integer >= 1"):
        train_xor_networks(0, 1, 1, 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="learning_rate must be a number > 0"):
        train_xor_networks(2, 1, 1, 0.0, np.random.default_rng(0))


def test_line_errors_known_values():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    # the vertical line x1 = 0.5, "1" to its right: gets XOR's (0, 1) and (1, 1) wrong
    errors = line_errors(X, [0, 1, 1, 0], [0.0], [0.5])
    assert errors.tolist() == [[2]]
    # the same line for AND: only (1, 0) wrong
    assert line_errors(X, [0, 0, 0, 1], [0.0], [0.5]).tolist() == [[1]]
    # a full turn of angles and many offsets: XOR never below 1, AND reaches 0
    angles, offsets = np.linspace(0, 2 * np.pi, 73), np.linspace(-2, 2, 81)
    assert line_errors(X, [0, 1, 1, 0], angles, offsets).min() == 1
    assert line_errors(X, [0, 0, 0, 1], angles, offsets).min() == 0
    with pytest.raises(ValueError, match="y must hold class labels 0 .. 1"):
        line_errors(X, [0, 2, 1, 0], angles, offsets)


def test_a_stacked_network_trains_like_nnlib_mlp_through_fit():
    from nnlib.mlp import MLP, make_architecture
    from nnlib.optim import SGD
    from nnlib.train import fit

    params, start, _, _ = train_xor_networks(2, 3, 300, 1.0, np.random.default_rng(4))
    model = MLP(make_architecture([2, 2, 1], hidden_activation="tanh"),
                rng=np.random.default_rng(0))
    model.set_params({"W1": start["W1"][2], "b1": start["b1"][2, 0], "W2": start["W2"][2],
                      "b2": start["b2"][2, 0]})
    fit(model, XOR_X, XOR_Y, SGD(1.0), 300, record_every=300)
    for key, stacked in (("W1", params["W1"][2]), ("b1", params["b1"][2, 0]),
                         ("W2", params["W2"][2]), ("b2", params["b2"][2, 0])):
        assert np.allclose(model.params[key], stacked, rtol=0, atol=1e-10), key


# --- the source-style class of the notebook and nnlib's TwoLayerNet -----------------------------

NOTEBOOK = notebook_path("06")


def notebook_neural_network_class():
    # The class exactly as the notebook defines it (tests/notebook_code.py runs its cell).
    return notebook_definitions("06")["NeuralNetwork"]


def class_params(net):
    return {"W1": net.weights[0], "b1": net.biases[0], "W2": net.weights[1], "b2": net.biases[1]}


@pytest.mark.parametrize("sizes, learning_rate, epochs", [([2, 2, 1], 0.5, 30),
                                                          ([64, 12, 10], 0.2, 3)])
def test_the_source_style_class_trains_exactly_like_twolayernet_through_fit(
        sizes, learning_rate, epochs):
    from nnlib.optim import SGD
    from nnlib.train import fit
    from nnlib.twolayer import TwoLayerNet

    NeuralNetwork = notebook_neural_network_class()
    if sizes[0] == 2:
        X, Y = XOR_X, XOR_Y[:, None]
    else:
        X, y = load_digits_data()
        X, Y = X[:120], one_hot(y[:120], 10)
    net = NeuralNetwork(sizes, "logistic", rng=np.random.default_rng(7))
    start = {key: value.copy() for key, value in class_params(net).items()}
    net.fit(X, Y, learning_rate=learning_rate, epochs=epochs, rng=np.random.default_rng(8))
    model = TwoLayerNet.from_params(start, reduction="half_sum")
    history = fit(model, X, Y, SGD(learning_rate), epochs, batch_size=1,
                  rng=np.random.default_rng(8), metric=None, record_every=epochs)
    assert int(history.steps[-1]) == epochs * len(X)
    for key, value in class_params(net).items():
        assert np.allclose(model.params[key], value, rtol=0, atol=1e-12), key
        assert not np.allclose(value, start[key], rtol=0, atol=1e-3), key  # it did train
    np.testing.assert_allclose(model.predict(X), net.predict(X), rtol=0, atol=1e-12)
    # The order matters: fit with another shuffle would end elsewhere, so the match is real.
    other = TwoLayerNet.from_params(start, reduction="half_sum")
    fit(other, X, Y, SGD(learning_rate), epochs, batch_size=1, rng=np.random.default_rng(9),
        metric=None, record_every=epochs)
    assert not np.allclose(other.params["W1"], net.weights[0], rtol=0, atol=1e-9)


# --- the budget check of the notebook's parameters ---------------------------------------------

DEFAULTS = dict(xor_networks=100, xor_epochs=2000, source_epochs=10, epochs=20, batch_size=32)


def total_seconds(**changes):
    parts = estimated_seconds(**{**DEFAULTS, **changes})
    return sum(seconds for seconds, _ in parts.values()), max(parts.values())[1]


def test_time_estimate_of_the_defaults_is_small_and_grows_with_each_parameter():
    seconds, _ = total_seconds()
    assert 1 < seconds < 15
    for name, bigger in (("xor_networks", 1000), ("xor_epochs", 20000), ("source_epochs", 200),
                         ("epochs", 300)):
        assert total_seconds(**{name: bigger})[0] > seconds + 5, name
    assert total_seconds(batch_size=1)[0] > 5 * seconds


@pytest.mark.parametrize("changes, parameter", [
    (dict(epochs=300, batch_size=1), "epochs, or raise batch_size"),
    (dict(epochs=120, batch_size=1), "epochs, or raise batch_size"),
    (dict(xor_networks=1000, xor_epochs=20000, source_epochs=200, epochs=300),
     "xor_networks or xor_epochs"),
])
def test_enormous_combinations_exceed_two_minutes_and_name_the_parameter(changes, parameter):
    seconds, named = total_seconds(**changes)
    assert seconds > 120 and named == parameter


def test_the_largest_single_parameters_stay_within_two_minutes():
    for name, largest in (("xor_networks", 1000), ("source_epochs", 200), ("epochs", 300)):
        assert total_seconds(**{name: largest})[0] < 120, name
    assert total_seconds(xor_networks=1000, xor_epochs=20000)[0] < 120


@pytest.mark.slow  # a papermill run
def test_the_notebook_stops_an_enormous_run_at_once(tmp_path):
    import sys

    import papermill

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    from notebook_run import execute_notebook  # how the course runs a notebook

    with pytest.raises(papermill.PapermillExecutionError) as raised:
        execute_notebook(NOTEBOOK, tmp_path / NOTEBOOK.name,
                         parameters=dict(epochs=300, batch_size=1), cwd=NOTEBOOK.parent)
    assert raised.value.ename == "ValueError"
    assert "more than the 120 s this notebook allows: reduce epochs, or raise batch_size" in (
        raised.value.evalue)
    assert raised.value.exec_count <= 3


def test_estimated_seconds_names_a_bad_argument():

    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        estimated_seconds(100, 2000, 10, 20, 0)


# --- course.parameters.ch06: the notebook's second cell ------------------------------------------

def _namespace(**changes):
    return {"seed": 0, **DEFAULTS, **changes}


def test_ch06_accepts_the_defaults_and_prints_them(capsys):
    from course.parameters import ch06

    namespace = _namespace(epochs=np.int64(20))
    values = ch06.check(namespace)
    assert values["epochs"] == 20 and type(namespace["epochs"]) is int
    assert capsys.readouterr().out.startswith("seed=0, xor_networks=100, xor_epochs=2000")


@pytest.mark.parametrize("changes, message", [
    (dict(seed=-1), "seed must be an integer >= 0"),
    (dict(xor_networks=0), "xor_networks"),
    (dict(xor_epochs=20001), "xor_epochs"),
    (dict(source_epochs=2.5), "source_epochs must be an integer"),
    (dict(epochs=0), "epochs"),
    (dict(batch_size=1080), "batch_size"),
])
def test_ch06_refuses_a_bad_value_naming_the_parameter(changes, message):
    from course.parameters import ch06

    with pytest.raises(ValueError, match=message):
        ch06.check(_namespace(**changes))


def test_ch06_refuses_an_over_budget_combination_naming_what_to_change():
    from course.parameters import ch06

    with pytest.raises(ValueError, match="more than the 120 s this notebook allows: reduce "
                                         "epochs, or raise batch_size"):
        ch06.check(_namespace(epochs=300, batch_size=1))
