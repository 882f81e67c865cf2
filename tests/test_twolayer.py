import json
import math
import subprocess
import sys

import numpy as np
import pytest

from nnlib.data import study_sleep_data, xor_data
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.optim import SGD
from nnlib.train import fit
from nnlib.twolayer import TwoLayerNet
from nnlib.validation import DivergenceError
from notebook_code import notebook_definitions


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
    net = model(use_bias=False, reduction="half_sum")
    W1, W2 = net.params["W1"].copy(), net.params["W2"].copy()
    hidden = 1 / (1 + np.exp(-(X @ W1)))
    o = 1 / (1 + np.exp(-(hidden @ W2)))
    o_delta = (y - o) * o * (1 - o)
    hidden_delta = (o_delta @ W2.T) * hidden * (1 - hidden)
    fit(net, X, y, SGD(1.0), epochs=1)
    np.testing.assert_allclose(net.params["W1"], W1 + X.T @ hidden_delta, rtol=0, atol=1e-14)
    np.testing.assert_allclose(net.params["W2"], W2 + hidden.T @ o_delta, rtol=0, atol=1e-14)
    assert set(net.params) == {"W1", "W2"}


def test_xor_setting_loss_falls_monotonically_and_fits():
    X, y = xor_data()
    net = TwoLayerNet(3, 4, 1, rng=np.random.default_rng(1), init="rand", use_bias=False,
                      reduction="sum")
    history = fit(net, X, y, SGD(1.0), epochs=1500, metric=None)
    assert len(history.train_loss) == 1501 and history.steps[-1] == 1500
    assert np.all(np.diff(history.train_loss) < 0)
    np.testing.assert_array_equal(np.round(net.predict(X)), y)


def test_a_regression_model_predicts_its_outputs_and_has_no_probabilities():
    X, y = scaled_scores()
    net = model(hidden_size=4)
    assert net.task == "regression" and net.output_size == 1
    assert not hasattr(net, "predict_proba")
    outputs = net.predict(X)
    assert outputs.shape == (3, 1) and outputs.dtype == np.float64
    assert np.all((outputs > 0) & (outputs < 1))
    assert model().config["reduction"] == "mean"  # the default: the mean over the entries of y


def test_biases_are_trained_only_when_asked():
    X, y = scaled_scores()
    with_bias, without = model(), model(use_bias=False)
    fit(with_bias, X, y, SGD(1.0), 20)
    fit(without, X, y, SGD(1.0), 20)
    assert np.all(with_bias.params["b1"] != 0)
    assert "b1" not in without.params and "b2" not in without.loss_and_grads(X, y)[1]


def test_same_seed_same_model_and_record_every():
    X, y = scaled_scores()
    a, b = model(seed=5), model(seed=5)
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])
    history = fit(a, X, y, SGD(1.0), epochs=100, record_every=30)
    np.testing.assert_array_equal(history.epochs, [0, 30, 60, 90, 100])
    assert not np.array_equal(a.params["W1"], model(seed=6).params["W1"])


def test_repr_and_config():
    net = model(hidden_size=5, reduction="mean", use_bias=False)
    assert net.config == {"input_size": 2, "hidden_size": 5, "output_size": 1, "init": "randn",
                          "use_bias": False, "reduction": "mean"}
    assert repr(net) == ("TwoLayerNet(input_size=2, hidden_size=5, output_size=1, init='randn', "
                         "use_bias=False, reduction='mean')")
    rebuilt = type(net)(**net.config, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(rebuilt.params["W1"], net.params["W1"])
    assert json.loads(json.dumps(net.config)) == net.config


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


def test_shapes_are_checked():
    X, y = scaled_scores()
    net = model()
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\), got \(3, 3\)"):
        net.predict(np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"y must have shape \(N, 1\) \(with N=3\), got \(2, 1\)"):
        net.loss_and_grads(X, y[:2])
    with pytest.raises(ValueError, match="X contains nan"):
        fit(net, np.where(X > 0.9, np.nan, X), y, SGD(1.0), 1)
    with pytest.raises(ValueError, match=r"W2 must have shape \(H, C\) \(with H=3\)"):
        TwoLayerNet.from_params({"W1": np.ones((2, 3)), "W2": np.ones((4, 1))})
    with pytest.raises(ValueError, match=r"W1 must have shape \(5, H\)"):
        TwoLayerNet.from_params({"W1": np.ones((2, 3)), "W2": np.ones((3, 1))}, input_size=5)
    with pytest.raises(ValueError, match=r"params must hold W1 and W2, got \['W1'\]"):
        TwoLayerNet.from_params({"W1": np.ones((2, 3))})


def test_a_non_finite_loss_stops_with_a_divergence_error(monkeypatch):
    # Sigmoid outputs keep this loss bounded, so force a NaN to test the wiring of the check.
    X, y = scaled_scores()
    net = model()
    monkeypatch.setattr(net, "_loss_and_grads", lambda X, y: (float("nan"), {}))
    with pytest.raises(DivergenceError, match="loss became nan at step 1.*try 0.1"):
        fit(net, X, y, SGD(1.0), epochs=10, metric=None, record_every=10)


def test_a_huge_learning_rate_saturates_instead_of_overflowing():
    X, y = scaled_scores()
    net = model()
    history = fit(net, X, y, SGD(1e300), epochs=10)
    assert np.all(np.isfinite(history.train_loss))
    assert history.train_loss[-1] == history.train_loss[-2]  # saturated: gradients are 0


def test_a_too_large_rate_collapses_the_study_sleep_net_to_a_constant_100():
    # Notebook 02's claim: at learning rate 30 the first step saturates the output unit.
    X, y = scaled_scores()
    net = model(seed=0, reduction="half_sum")
    history = fit(net, X, y, SGD(30.0), epochs=1000, metric=None)
    np.testing.assert_allclose(net.predict(X), 1.0, atol=1e-4)  # a score of 100 for all
    assert history.train_loss[-1] == pytest.approx(0.5 * np.sum((1 - y) ** 2), rel=1e-3)


def test_the_notebooks_networks_train_like_twolayernet_through_fit():
    # The notebook's affine_backward and numerical_gradient are the library's twins
    # (tests/twin_cases/twolayer.py); its two classes are the tutorials' whole networks.
    ns = notebook_definitions("02")
    X, y = scaled_scores()
    # ScoreNetwork (half-sum, no biases) against TwoLayerNet + fit, 50 steps from one start.
    score = ns["ScoreNetwork"](2, 3, 1, np.random.default_rng(2))
    net = TwoLayerNet.from_params({"W1": score.W1, "W2": score.W2}, use_bias=False,
                                  reduction="half_sum")
    for _ in range(50):
        score.train(X, y, 0.5)
    fit(net, X, y, SGD(0.5), epochs=50, metric=None)
    np.testing.assert_allclose(net.params["W1"], score.W1, rtol=0, atol=1e-12)
    # NeuralNetwork (the sum of squares, step 1) against reduction="sum".
    Xx, yx = xor_data()
    loy = ns["NeuralNetwork"](Xx, yx, 4, np.random.default_rng(2))
    net = TwoLayerNet.from_params({"W1": loy.W1, "W2": loy.W2}, reduction="sum")
    for _ in range(50):
        loy.feedforward()
        loy.backprop()
    fit(net, Xx, yx, SGD(1.0), epochs=50, metric=None)
    np.testing.assert_allclose(net.params["W2"], loy.W2, rtol=0, atol=1e-12)


def test_core_modules_import_no_presentation_libraries():
    code = ("import sys, nnlib.twolayer, nnlib.serialization; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("options", [dict(), dict(use_bias=False, init="rand", reduction="sum")])
def test_save_model_and_load_model_rebuild_the_net_bit_for_bit(tmp_path, options):
    from nnlib.model import load_model, load_weights, save_model
    from nnlib.serialization import WeightFileError

    net = model(**options)
    X, y = scaled_scores()
    fit(net, X, y, SGD(1.0), 20, metric=None)
    save_model(tmp_path / "net.npz", net)
    restored = load_model(tmp_path / "net.npz")
    assert type(restored) is TwoLayerNet and restored.config == net.config
    assert sorted(restored.params) == sorted(net.params)
    for key in net.params:
        assert restored.params[key].tobytes() == net.params[key].tobytes()
    same = model(seed=1, **options)
    load_weights(same, tmp_path / "net.npz")
    np.testing.assert_array_equal(same.predict(X), net.predict(X))
    with pytest.raises(WeightFileError, match="but this model is TwoLayerNet"):
        load_weights(model(hidden_size=5, **options), tmp_path / "net.npz")
