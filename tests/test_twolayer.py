import math
import subprocess
import sys

import numpy as np
import pytest

from nnlib.data import study_sleep_data, xor_data
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.twolayer import TrainingHistory, TwoLayerNet
from nnlib.validation import DivergenceError


def scaled_scores():
    X, y = study_sleep_data()
    return X / X.max(axis=0), y / 100


def model(hidden_size=3, seed=0, **kwargs):
    return TwoLayerNet(2, hidden_size, 1, rng=np.random.default_rng(seed), **kwargs)


def test_data_sets():
    X, y = xor_data()
    assert X.shape == (4, 3) and y.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(X[:, 0], X[:, 1]))
    X, y = study_sleep_data()
    np.testing.assert_array_equal(X, [[2, 9], [1, 5], [3, 6]])
    np.testing.assert_array_equal(y[:, 0], [92, 86, 89])


def test_forward_known_value_worked_by_hand():
    # The study/sleep tutorial's worked example: input [2, 9], weights .2 .6 .1 / .8 .3 .7 and
    # .4 .5 .9, computed here with math.exp, independently of numpy and nnlib.
    W1 = [[0.2, 0.6, 0.1], [0.8, 0.3, 0.7]]
    W2 = [[0.4], [0.5], [0.9]]
    s = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    hidden = [s(2 * W1[0][j] + 9 * W1[1][j]) for j in range(3)]
    expected = s(sum(h * w[0] for h, w in zip(hidden, W2)))
    net = TwoLayerNet.from_params({"W1": W1, "W2": W2})
    assert net.predict([[2, 9]])[0, 0] == pytest.approx(expected, rel=1e-15)
    assert f"{expected:.4f}" == "0.8567"


@pytest.mark.parametrize("reduction", ["sum", "half_sum", "mean"])
def test_gradients_match_numerical_gradients(reduction):
    X, y = scaled_scores()
    net = model(hidden_size=4, seed=3, reduction=reduction)
    net.params["b1"] += np.random.default_rng(1).normal(size=4)  # non-zero biases too
    net.params["b2"] += 0.3
    _, grads = net.loss_and_grads(X, y)
    for name, value in net.params.items():
        numerical = numerical_gradient(lambda: net.loss(X, y), value)
        assert relative_error(grads[name], numerical) < 1e-7, name
    assert set(grads) == set(net.params)


def test_reductions_scale_the_loss_and_gradients():
    X, y = scaled_scores()
    losses = {r: model(reduction=r).loss_and_grads(X, y) for r in ("sum", "half_sum", "mean")}
    assert losses["half_sum"][0] == pytest.approx(losses["sum"][0] / 2)
    assert losses["mean"][0] == pytest.approx(losses["sum"][0] / 3)
    np.testing.assert_allclose(losses["mean"][1]["W1"], losses["sum"][1]["W1"] / 3)


def test_one_step_equals_the_tutorial_update():
    # The study/sleep tutorial adds X^T delta with delta = (y - o) o (1 - o): gradient descent
    # with step 1 on half the sum of squared errors, no biases.
    X, y = scaled_scores()
    net = model(use_bias=False)
    W1, W2 = net.params["W1"].copy(), net.params["W2"].copy()
    hidden = 1 / (1 + np.exp(-(X @ W1)))
    o = 1 / (1 + np.exp(-(hidden @ W2)))
    o_delta = (y - o) * o * (1 - o)
    hidden_delta = (o_delta @ W2.T) * hidden * (1 - hidden)
    net.train(X, y, iterations=1)
    np.testing.assert_allclose(net.params["W1"], W1 + X.T @ hidden_delta, rtol=0, atol=1e-14)
    np.testing.assert_allclose(net.params["W2"], W2 + hidden.T @ o_delta, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(net.params["b1"], 0.0)


def test_xor_setting_loss_falls_monotonically_and_fits():
    X, y = xor_data()
    net = TwoLayerNet(3, 4, 1, rng=np.random.default_rng(1), init="rand", use_bias=False,
                      reduction="sum")
    history = net.train(X, y, iterations=1500)
    assert isinstance(history, TrainingHistory)
    assert len(history.loss) == 1501 and history.steps[-1] == 1500
    assert np.all(np.diff(history.loss) < 0)
    np.testing.assert_array_equal(np.round(net.predict(X)), y)
    assert "iterations=1500" in repr(history)


def test_biases_are_trained_only_when_asked():
    X, y = scaled_scores()
    with_bias, without = model(), model(use_bias=False)
    with_bias.train(X, y, 20)
    without.train(X, y, 20)
    assert np.all(with_bias.params["b1"] != 0)
    np.testing.assert_array_equal(without.params["b2"], 0.0)


def test_same_seed_same_model_and_record_every():
    X, y = scaled_scores()
    a, b = model(seed=5), model(seed=5)
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])
    history = a.train(X, y, iterations=100, record_every=30)
    np.testing.assert_array_equal(history.steps, [0, 30, 60, 90, 100])
    assert not np.array_equal(a.params["W1"], model(seed=6).params["W1"])


def test_repr_and_config():
    net = model(hidden_size=5, reduction="mean", use_bias=False)
    assert repr(net) == ("TwoLayerNet(2-5-1, sigmoid hidden and output, loss=mean of squared "
                         "errors, biases fixed at zero)")
    assert net.config()["layer_sizes"] == [2, 5, 1]
    assert net.config()["activations"] == ["sigmoid", "sigmoid"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(hidden_size=0), "hidden_size must be an integer >= 1, got 0"),
    (dict(hidden_size=2.5), "hidden_size must be an integer >= 1, got 2.5"),
    (dict(init="zeros"), "init must be one of"),
    (dict(reduction="max"), "reduction must be one of"),
    (dict(use_bias="yes"), "use_bias must be True or False"),
])
def test_constructor_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        model(**kwargs)


def test_rng_must_be_a_generator():
    with pytest.raises(ValueError, match="rng must be a np.random.Generator"):
        TwoLayerNet(2, 3, 1, rng=np.random.RandomState(0))


@pytest.mark.parametrize("kwargs, message", [
    (dict(iterations=-1), "iterations must be an integer >= 0, got -1"),
    (dict(iterations=5, learning_rate=0), "learning_rate must be a number > 0"),
    (dict(iterations=5, learning_rate="1"), "got '1' of type str"),
    (dict(iterations=5, record_every=0), "record_every must be an integer >= 1"),
])
def test_train_rejects_bad_settings(kwargs, message):
    X, y = scaled_scores()
    with pytest.raises(ValueError, match=message):
        model().train(X, y, **kwargs)


def test_shapes_are_checked():
    X, y = scaled_scores()
    net = model()
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\), got \(3, 3\)"):
        net.predict(np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"y must have shape \(N, 1\) \(with N=3\), got \(2, 1\)"):
        net.loss_and_grads(X, y[:2])
    with pytest.raises(ValueError, match="X contains nan"):
        net.train(np.where(X > 0.9, np.nan, X), y, 1)
    with pytest.raises(ValueError, match=r"W2 must have shape \(H, C\) \(with H=3\)"):
        TwoLayerNet.from_params({"W1": np.ones((2, 3)), "W2": np.ones((4, 1))})
    with pytest.raises(ValueError, match="params must hold W1 and W2, missing W2"):
        TwoLayerNet.from_params({"W1": np.ones((2, 3))})


def test_a_non_finite_loss_stops_with_a_divergence_error(monkeypatch):
    # Sigmoid outputs keep this loss bounded, so force a NaN to test the wiring of the check.
    X, y = scaled_scores()
    net = model()
    monkeypatch.setattr(net, "loss_and_grads", lambda X, y: (float("nan"), {}))
    with pytest.raises(DivergenceError, match="loss became nan at step 0.*try 0.1"):
        net.train(X, y, iterations=10, learning_rate=1.0)


def test_a_huge_learning_rate_saturates_instead_of_overflowing():
    X, y = scaled_scores()
    net = model()
    history = net.train(X, y, iterations=10, learning_rate=1e300)
    assert np.all(np.isfinite(history.loss))
    assert history.loss[-1] == history.loss[-2]  # every sigmoid saturated: gradients are 0


def test_core_modules_import_no_presentation_libraries():
    code = ("import sys, nnlib.twolayer, nnlib.serialization; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
