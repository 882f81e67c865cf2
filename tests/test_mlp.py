"""nnlib.architecture and nnlib.mlp: the architecture, the MLP model (sigmoid and softmax
outputs), its gradients, and training through nnlib.train.fit."""

import numpy as np
import pytest

from nnlib.activations import sigmoid
from nnlib.architecture import check_architecture, check_params, init_params, make_architecture
from nnlib.data import make_moons, train_test_split
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.losses import binary_cross_entropy_with_logits, softmax_cross_entropy
from nnlib.metrics import binary_accuracy, first_epoch_reaching
from nnlib.mlp import MLP, full_backward, full_forward, layer_backward, layer_forward
from nnlib.model import Model, build_model
from nnlib.optim import SGD, Adam, Momentum
from nnlib.train import fit
from nnlib.validation import DivergenceError
from notebook_code import notebook_definitions

TUTORIAL = [2, 25, 50, 50, 25, 1]


def moons(n=200, seed=3):
    X, y = make_moons(n, noise=0.2, seed=seed)
    return train_test_split(X, y, 0.1, np.random.default_rng(0))


def tutorial_data():
    X, y = make_moons(1000, noise=0.2, seed=100)
    return train_test_split(X, y, 0.1, np.random.default_rng(0))


# --- architecture and initialisation ----------------------------------------------------------

def test_make_architecture_is_the_tutorials_list():
    architecture = make_architecture(TUTORIAL)
    assert architecture[0] == {"input_dim": 2, "output_dim": 25, "activation": "relu"}
    assert architecture[-1] == {"input_dim": 25, "output_dim": 1, "activation": "sigmoid"}
    assert [spec["output_dim"] for spec in architecture] == TUTORIAL[1:]
    assert make_architecture([4, 8, 3], "tanh")[-1] == {"input_dim": 8, "output_dim": 3,
                                                        "activation": "softmax"}


def test_init_params_shapes_scale_and_seed():
    params = init_params(make_architecture(TUTORIAL), np.random.default_rng(0), scale=0.1)
    assert params["W2"].shape == (25, 50) and params["b2"].shape == (50,)
    assert sorted(params) == sorted(f"{k}{i}" for k in "Wb" for i in range(1, 6))
    assert 0.09 < params["W3"].std() < 0.11
    again = init_params(make_architecture(TUTORIAL), np.random.default_rng(0))
    assert all(np.array_equal(params[k], again[k]) for k in params)


def test_other_initialisations():
    architecture = make_architecture(TUTORIAL)
    he = init_params(architecture, np.random.default_rng(0), init="he")
    assert np.all(he["b3"] == 0) and 0.9 < he["W3"].std() / np.sqrt(2 / 50) < 1.1
    glorot = init_params(architecture, np.random.default_rng(0), init="glorot")
    bound = np.sqrt(6 / (50 + 25))
    assert np.abs(glorot["W4"]).max() <= bound and np.abs(glorot["W4"]).max() > 0.9 * bound
    with pytest.raises(ValueError, match="init must be one of"):
        init_params(architecture, np.random.default_rng(0), init="zeros")


@pytest.mark.parametrize("architecture, message", [
    ([], "non-empty list"),
    ([{"input_dim": 2, "output_dim": 1}], "must be a dict with the keys"),
    ([{"input_dim": 2, "output_dim": 3, "activation": "relu"},
      {"input_dim": 4, "output_dim": 1, "activation": "sigmoid"}],
     r"layer 2 input_dim must equal layer 1 output_dim \(3\), got 4"),
    ([{"input_dim": 2, "output_dim": 3, "activation": "softplus"},
      {"input_dim": 3, "output_dim": 1, "activation": "sigmoid"}], "activation must be one of"),
    ([{"input_dim": 2, "output_dim": 2, "activation": "sigmoid"}], "one sigmoid unit"),
    ([{"input_dim": 2, "output_dim": 1, "activation": "softmax"}], "C > 1"),
    ([{"input_dim": 2, "output_dim": 1, "activation": "relu"}], r"\(the output layer\)"),
    ([{"input_dim": 2, "output_dim": 3, "activation": "softmax"},
      {"input_dim": 3, "output_dim": 1, "activation": "sigmoid"}], "activation must be one of"),
    ([{"input_dim": 0, "output_dim": 1, "activation": "sigmoid"}],
     "layer 1 input_dim must be an integer >= 1"),
])
def test_bad_architectures_are_rejected(architecture, message):
    with pytest.raises(ValueError, match=message):
        check_architecture(architecture)


# --- the model protocol ------------------------------------------------------------------------

def test_mlp_is_a_model_with_repr_config_and_views():
    model = MLP(make_architecture(TUTORIAL), rng=np.random.default_rng(0))
    assert isinstance(model, Model)
    assert repr(model) == (f"MLP(architecture={model.architecture!r}, scale=0.1, "
                           "init='normal')")
    assert model.num_params == 5226 and model.output_size == 2 and model.task == "classification"
    same = build_model("MLP", model.config)
    rebuilt = type(model)(**model.config, rng=np.random.default_rng(0))
    assert same.config == rebuilt.config == model.config
    assert all(np.array_equal(rebuilt.params[k], model.params[k]) for k in model.params)
    softmax_model = MLP(make_architecture([4, 6, 3]), rng=np.random.default_rng(0), init="he")
    assert softmax_model.output_size == 3 and softmax_model.num_params == 51


def test_init_matches_init_params_draw_for_draw():
    architecture = make_architecture(TUTORIAL, "tanh")
    for init in ("normal", "he", "glorot"):
        model = MLP(architecture, rng=np.random.default_rng(5), scale=0.3, init=init)
        params = init_params(architecture, np.random.default_rng(5), scale=0.3, init=init)
        assert all(np.array_equal(model.params[k], params[k]) for k in params)


# --- gradient checks (float64, relative error < 1e-7) -----------------------------------------

@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "identity"])
def test_layer_gradient_check(activation):
    rng = np.random.default_rng(1)
    A_prev, W, b = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    dA = rng.normal(size=(6, 3))
    A, cache = layer_forward(A_prev, W, b, activation)
    assert A.shape == (6, 3) and cache[2].shape == (6, 3)
    np.testing.assert_allclose(cache[2], A_prev @ W + b)
    dA_before = dA.copy()
    dA_prev, dW, db = layer_backward(dA, cache, activation)
    assert np.array_equal(dA, dA_before)  # the caller's array is left alone

    def f():
        return float(np.sum(layer_forward(A_prev, W, b, activation)[0] * dA))

    for analytic, array in ((dA_prev, A_prev), (dW, W), (db, b)):
        assert relative_error(analytic, numerical_gradient(f, array)) < 1e-7


@pytest.mark.parametrize("sizes, activation", [
    ([2, 5, 4, 1], "relu"), ([2, 5, 4, 1], "tanh"), ([2, 5, 4, 1], "sigmoid"),
    ([2, 5, 4, 1], "identity"), (TUTORIAL, "relu"),
    ([3, 5, 4, 4], "relu"), ([3, 5, 4, 4], "tanh"), ([3, 6, 10], "sigmoid"), ([3, 2], "relu")])
def test_network_gradient_check_both_heads(sizes, activation):
    architecture = make_architecture(sizes, activation)
    rng = np.random.default_rng(2)
    model = MLP(architecture, rng=rng, scale=0.5)
    X = rng.normal(size=(7, sizes[0]))
    y = ((rng.random(7) > 0.5).astype(float) if sizes[-1] == 1
         else rng.integers(0, sizes[-1], size=7))
    loss, grads = model.loss_and_grads(X, y)
    assert set(grads) == set(model.params)
    for key in model.params:
        error = relative_error(grads[key],
                               numerical_gradient(lambda: model.loss(X, y), model.params[key]))
        assert error < 1e-7, (key, error)
    # The model computes the functions' loop: full_forward, the loss from the logits,
    # full_backward.
    logits, caches = full_forward(X, model.params, architecture)
    if sizes[-1] == 1:
        function_loss, dlogits = binary_cross_entropy_with_logits(logits, y[:, None])
    else:
        function_loss, dlogits = softmax_cross_entropy(logits, y)
    function_grads = full_backward(dlogits, caches, architecture)
    # The model runs the same maths on packed buffers: equal up to the order of the sums.
    assert function_loss == pytest.approx(loss, rel=1e-12)
    for key in grads:
        np.testing.assert_allclose(function_grads[key], grads[key], rtol=1e-10, atol=1e-14)


def test_model_agrees_with_notebook_03s_network():
    # Notebook 03's own functions (its definitions, read by tests/notebook_code.py), not a copy:
    # the model's loss and gradients are the notebook's forward, loss and backward.
    notebook = notebook_definitions("03")
    architecture = make_architecture(TUTORIAL)
    model = MLP(architecture, rng=np.random.default_rng(4), scale=0.5)
    X_train, _, y_train, _ = moons(60)
    y = y_train[:, None].astype(float)
    logits, caches = notebook["full_forward"](X_train, model.params, architecture)
    loss, dlogits = notebook["binary_cross_entropy_with_logits"](logits, y)
    expected = notebook["full_backward"](dlogits, caches, architecture)
    model_loss, grads = model.loss_and_grads(X_train, y_train)
    assert model_loss == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(model.predict_proba(X_train)[:, 1:], sigmoid(logits),
                               rtol=1e-12, atol=1e-15)
    for key in expected:
        np.testing.assert_allclose(grads[key], expected[key], rtol=1e-10, atol=1e-14)


def test_params_is_the_truth_for_the_mlp():
    X_train, _, y_train, _ = moons(40)
    model = MLP(make_architecture([2, 5, 1]), rng=np.random.default_rng(0))
    before = model.loss(X_train, y_train)
    model.params["W2"] = model.params["W2"] + 1.0   # a new array: the model reads it
    changed = model.loss(X_train, y_train)
    assert changed != before
    new = model.params["W2"]
    fit(model, X_train, y_train, SGD(0.1), 1, metric=None)  # fit updates that array in place
    assert model.params["W2"] is new and model.loss(X_train, y_train) != changed


def test_loss_and_grads_returns_copies_and_predict():
    X_train, _, y_train, _ = moons()
    model = MLP(make_architecture([2, 8, 3]), rng=np.random.default_rng(0), scale=0.5)
    labels = y_train + (X_train[:, 1] > 0.5)
    _, first = model.loss_and_grads(X_train, labels)
    kept = {k: v.copy() for k, v in first.items()}
    model.loss_and_grads(X_train[:10], labels[:10])
    assert all(np.array_equal(first[k], kept[k]) for k in kept)
    probabilities = model.predict_proba(X_train)
    assert probabilities.shape == (len(X_train), 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert np.array_equal(model.predict(X_train), probabilities.argmax(axis=1))


@pytest.mark.parametrize("sizes, y, message", [
    ([2, 4, 1], np.full(5, 2.0), "y must hold class labels 0 or 1"),
    ([2, 4, 1], np.zeros(4), r"y must have shape \(5,\) or \(5, 1\), got \(4,\)"),
    ([2, 4, 3], np.array([0, 1, 2, 3, 0]), r"class labels 0 \.\. 2"),
    ([2, 4, 3], np.zeros((5, 1), dtype=int), r"y must have shape \(5,\)"),
])
def test_bad_targets_are_rejected(sizes, y, message):
    model = MLP(make_architecture(sizes), rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=message):
        model.loss_and_grads(np.zeros((5, 2)), y)


def test_bad_inputs_and_params_are_rejected():
    architecture = make_architecture([2, 4, 1])
    model = MLP(architecture, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\), got \(3, 3\)"):
        model.predict(np.zeros((3, 3)))
    params = init_params(architecture, np.random.default_rng(0))
    with pytest.raises(ValueError, match="params must be a dict with the keys"):
        check_params({"W1": params["W1"]}, architecture)
    params["W2"] = params["W2"].T
    with pytest.raises(ValueError, match=r"W2 must have shape \(4, 1\), got \(1, 4\)"):
        MLP.from_params(params, architecture=architecture)
    with pytest.raises(ValueError, match="rng must be a np.random.Generator"):
        init_params(architecture, rng=1)
    with pytest.raises(ValueError, match="scale must be a number > 0"):
        MLP(architecture, rng=np.random.default_rng(0), scale=0)


# --- symmetry ------------------------------------------------------------------------------------

def test_identical_starting_weights_stay_identical():
    X_train, _, y_train, _ = moons()
    model = MLP(make_architecture([2, 8, 8, 1]), rng=np.random.default_rng(0))
    model.set_params({key: np.full_like(value, 0.1) for key, value in model.params.items()})
    fit(model, X_train, y_train, SGD(0.1), 50)
    for key in ("W2", "b1", "b2"):  # every unit of a layer has the same incoming weights
        assert np.ptp(model.params[key], axis=-1).max() == 0.0
    assert np.ptp(model.params["W1"], axis=1).max() == 0.0


# --- training through nnlib.train.fit ---------------------------------------------------------

def test_one_sgd_step_moves_the_parameters_by_minus_the_gradient():
    X_train, _, y_train, _ = moons(60)
    model = MLP(make_architecture([2, 6, 5, 1], "tanh"), rng=np.random.default_rng(4), scale=0.5)
    before = model.copy_params()
    loss, grads = model.loss_and_grads(X_train, y_train)
    history = fit(model, X_train, y_train, SGD(1.0), 1)
    assert history.train_loss[0] == pytest.approx(loss, rel=1e-12)
    for key in grads:
        np.testing.assert_allclose(before[key] - model.params[key], grads[key], rtol=1e-10,
                                   atol=1e-14)


def test_full_batch_gradient_descent_learns_the_moons():
    X_train, X_test, y_train, y_test = tutorial_data()
    model = MLP(make_architecture([2, 16, 16, 1]), rng=np.random.default_rng(0))
    history = fit(model, X_train, y_train, SGD(0.5), 500, X_val=X_test, y_val=y_test,
                  record_every=100)
    assert list(history.epochs) == [0, 100, 200, 300, 400, 500]
    assert history.train_loss[-1] < 0.2 < 0.6 < history.train_loss[0]
    assert history.val_metric[-1] > 0.9
    assert history.val_metric[-1] == binary_accuracy(model.predict_proba(X_test)[:, 1], y_test)


@pytest.mark.parametrize("optimizer", [Momentum(0.05), Adam(0.01)])
def test_mini_batches_reach_95_percent_quickly(optimizer):
    X_train, X_test, y_train, y_test = tutorial_data()
    model = MLP(make_architecture(TUTORIAL), rng=np.random.default_rng(0))
    history = fit(model, X_train, y_train, optimizer, 60, batch_size=32,
                  rng=np.random.default_rng(1), X_val=X_test, y_val=y_test,
                  stop=lambda h: h.val_metric[-1] >= 0.95)
    assert history.stopped_early
    reached = history.epochs_to_reach(0.95)
    assert reached == history.epochs[-1] <= 60
    assert history.steps[-1] == reached * 29  # 900 examples in batches of 32: 28 full, 1 of 4


def test_softmax_head_learns_three_classes():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    labels = rng.integers(0, 3, 300)
    X = centres[labels] + 0.5 * rng.standard_normal((300, 2))
    model = MLP(make_architecture([2, 16, 3]), rng=np.random.default_rng(1), init="he")
    history = fit(model, X, labels, Adam(0.01), 30, batch_size=32, rng=np.random.default_rng(2))
    assert history.train_loss[-1] < 0.2 < np.log(3) - 0.3 < history.train_loss[0]
    assert history.train_metric[-1] > 0.95


def test_mini_batch_training_is_reproducible_and_seed_dependent():
    X_train, _, y_train, _ = moons()

    def run(seed):
        model = MLP(make_architecture([2, 8, 1]), rng=np.random.default_rng(0))
        fit(model, X_train, y_train, Adam(0.01), 3, batch_size=16,
            rng=np.random.default_rng(seed))
        return model.params["W1"]

    assert np.array_equal(run(1), run(1))
    assert not np.array_equal(run(1), run(2))


def test_divergence_stops_with_a_message_naming_the_step(recwarn):
    X_train, _, y_train, _ = moons()
    model = MLP(make_architecture(TUTORIAL), rng=np.random.default_rng(0))
    with pytest.raises(DivergenceError, match=r"loss (became (nan|inf)|exploded to \S+) at step "
                                              r"\d+\. The learning rate 100 is probably too "
                                              r"large: try 10\."):
        fit(model, X_train, y_train, SGD(100.0), 200)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


@pytest.mark.slow  # 5 350 epochs
def test_the_tutorial_setting_reaches_95_percent_after_epoch_5350():
    # Full-batch GD, learning rate 0.01, 2-25-50-50-25-1 from init_params(seed 0): notebook 03.
    X_train, X_test, y_train, y_test = tutorial_data()
    model = MLP(make_architecture(TUTORIAL), rng=np.random.default_rng(0))
    history = fit(model, X_train, y_train, SGD(0.01), 5400, X_val=X_test, y_val=y_test,
                  record_every=10, stop=lambda h: h.val_metric[-1] >= 0.95)
    assert history.stopped_early and history.epochs_to_reach(0.95) == 5350


# --- metrics -----------------------------------------------------------------------------------

def test_binary_accuracy_and_first_epoch():
    assert binary_accuracy([[0.9], [0.2], [0.5], [0.7]], [1, 0, 1, 0]) == 0.5
    assert first_epoch_reaching([0, 10, 20, 30], [0.5, 0.96, 0.94, 0.97], 0.95) == 10
    assert first_epoch_reaching([0, 10], [0.5, 0.6], 0.95) is None
    with pytest.raises(ValueError, match="class labels 0 or 1"):
        binary_accuracy([0.2, 0.4], [0, 2])


def test_glorot_sigmoid_widens_only_the_sigmoid_hidden_layers_four_times():
    architecture = make_architecture([2, 30, 40, 1], "sigmoid")
    plain = init_params(architecture, np.random.default_rng(5), init="glorot")
    wide = init_params(architecture, np.random.default_rng(5), init="glorot_sigmoid")
    for l in (1, 2):  # the same draws, the bound 4 times larger
        np.testing.assert_allclose(wide[f"W{l}"], 4 * plain[f"W{l}"], rtol=1e-12)
        np.testing.assert_allclose(wide[f"b{l}"], 4 * plain[f"b{l}"], rtol=1e-12)
    np.testing.assert_array_equal(wide["W3"], plain["W3"])  # the output layer keeps Glorot's
    relu = make_architecture([2, 30, 1], "relu")
    for key, value in init_params(relu, np.random.default_rng(5), init="glorot").items():
        np.testing.assert_array_equal(
            init_params(relu, np.random.default_rng(5), init="glorot_sigmoid")[key], value)
