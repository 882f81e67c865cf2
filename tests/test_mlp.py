import numpy as np
import pytest

from nnlib.data import make_moons, train_test_split
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.metrics import binary_accuracy, first_epoch_reaching
from nnlib.mlp import (MLP, check_architecture, init_params, layer_backward, layer_forward,
                       make_architecture, mlp_forward, mlp_loss_and_grads, train_mlp)
from nnlib.optim import SGD, Adam, Momentum
from nnlib.validation import DivergenceError, check_finite_loss

TUTORIAL = [2, 25, 50, 50, 25, 1]


def moons(n=200, seed=3):
    X, y = make_moons(n, noise=0.2, seed=seed)
    return train_test_split(X, y, 0.1, np.random.default_rng(0))


# --- architecture and initialisation ----------------------------------------------------------

def test_make_architecture_is_the_tutorials_list():
    architecture = make_architecture(TUTORIAL)
    assert architecture[0] == {"input_dim": 2, "output_dim": 25, "activation": "relu"}
    assert architecture[-1] == {"input_dim": 25, "output_dim": 1, "activation": "sigmoid"}
    assert [spec["output_dim"] for spec in architecture] == TUTORIAL[1:]


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
    ([{"input_dim": 2, "output_dim": 2, "activation": "sigmoid"}], "single sigmoid unit"),
    ([{"input_dim": 0, "output_dim": 1, "activation": "sigmoid"}],
     "layer 1 input_dim must be an integer >= 1"),
])
def test_bad_architectures_are_rejected(architecture, message):
    with pytest.raises(ValueError, match=message):
        check_architecture(architecture)


def test_mlp_repr_and_views():
    model = MLP(make_architecture(TUTORIAL), np.random.default_rng(0))
    assert repr(model) == ("MLP(2-25-50-50-25-1, hidden activation relu, sigmoid output, "
                           "5226 parameters)")
    assert np.shares_memory(model.params["W1"], model.blocks[0])
    assert np.shares_memory(model.params["b1"], model.blocks[0])
    assert np.shares_memory(model.params["W5"], model.flat) and model.flat.size == 5226


# --- gradient checks (float64, relative error < 1e-7) -----------------------------------------

@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "identity"])
def test_layer_gradient_check(activation):
    rng = np.random.default_rng(1)
    A_prev, W, b = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    dA = rng.normal(size=(6, 3))
    A, cache = layer_forward(A_prev, W, b, activation)
    assert A.shape == (6, 3) and cache[2].shape == (6, 3)
    np.testing.assert_allclose(cache[2], A_prev @ W + b)
    dA_prev, dW, db = layer_backward(dA, cache, activation)

    def f():
        return float(np.sum(layer_forward(A_prev, W, b, activation)[0] * dA))

    for analytic, array in ((dA_prev, A_prev), (dW, W), (db, b)):
        assert relative_error(analytic, numerical_gradient(f, array)) < 1e-7


@pytest.mark.parametrize("sizes, activation", [([2, 5, 4, 1], "relu"), ([2, 5, 4, 1], "tanh"),
                                               ([2, 5, 4, 1], "sigmoid"), (TUTORIAL, "relu")])
def test_network_gradient_check(sizes, activation):
    architecture = make_architecture(sizes, activation)
    rng = np.random.default_rng(2)
    params = init_params(architecture, rng, scale=0.5)
    X, y = rng.normal(size=(7, 2)), (rng.random(7) > 0.5).astype(float)
    _, grads = mlp_loss_and_grads(X, y, params, architecture)
    assert set(grads) == set(params)

    def loss():
        return mlp_loss_and_grads(X, y, params, architecture)[0]

    for key in params:
        error = relative_error(grads[key], numerical_gradient(loss, params[key]))
        assert error < 1e-7, (key, error)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "identity"])
def test_training_path_gives_the_reference_gradients(activation):
    # One full-batch SGD step with learning rate 1 moves the parameters by exactly -grads.
    X_train, _, y_train, _ = moons(60)
    model = MLP(make_architecture([2, 6, 5, 1], activation), np.random.default_rng(4), scale=0.5)
    before = model.copy_params()
    loss, grads = model.loss_and_grads(X_train, y_train)
    history = train_mlp(model, X_train, y_train, 1, SGD(1.0), record_every=1)
    assert history.train_loss[0] == pytest.approx(loss, rel=1e-12)
    for key in grads:
        np.testing.assert_allclose(before[key] - model.params[key], grads[key], rtol=1e-10,
                                   atol=1e-14)


def test_predict_proba_matches_reference_forward():
    X_train, _, _, _ = moons()
    model = MLP(make_architecture(TUTORIAL), np.random.default_rng(0), scale=0.5)
    y_hat, caches = model.forward(X_train)
    np.testing.assert_allclose(model.predict_proba(X_train), y_hat, rtol=1e-12)
    assert len(caches) == 5
    np.testing.assert_array_equal(model.predict(X_train), (y_hat[:, 0] > 0.5).astype(int))


# --- symmetry ------------------------------------------------------------------------------------

def test_identical_starting_weights_stay_identical():
    X_train, _, y_train, _ = moons()
    architecture = make_architecture([2, 8, 8, 1])
    model = MLP(architecture, np.random.default_rng(0))
    model.set_params({key: np.full_like(value, 0.1) for key, value in model.params.items()})
    train_mlp(model, X_train, y_train, 50, SGD(0.1))
    for key in ("W2", "b1", "b2"):  # every unit of a layer has the same incoming weights
        assert np.ptp(model.params[key], axis=-1).max() == 0.0
    assert np.ptp(model.params["W1"], axis=1).max() == 0.0


# --- training ----------------------------------------------------------------------------------

def test_full_batch_gradient_descent_learns_the_moons():
    X, y = make_moons(1000, noise=0.2, seed=100)
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.1, np.random.default_rng(0))
    model = MLP(make_architecture([2, 16, 16, 1]), np.random.default_rng(0))
    history = train_mlp(model, X_train, y_train, 500, SGD(0.5), X_test=X_test, y_test=y_test,
                        record_every=100)
    assert list(history.epochs) == [0, 100, 200, 300, 400, 500]
    assert history.train_loss[-1] < 0.2 < 0.6 < history.train_loss[0]
    assert history.test_accuracy[-1] > 0.9
    assert history.test_accuracy[-1] == binary_accuracy(model.predict_proba(X_test), y_test)


@pytest.mark.parametrize("optimizer", [Momentum(0.05), Adam(0.01)])
def test_mini_batches_reach_95_percent_quickly(optimizer):
    X, y = make_moons(1000, noise=0.2, seed=100)
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.1, np.random.default_rng(0))
    model = MLP(make_architecture(TUTORIAL), np.random.default_rng(0))
    history = train_mlp(model, X_train, y_train, 60, optimizer, batch_size=32,
                        rng=np.random.default_rng(1), X_test=X_test, y_test=y_test,
                        stop_at_test_accuracy=0.95)
    assert history.stopped_early
    reached = history.epochs_to_reach(0.95)
    assert reached == history.epochs[-1] <= 60
    assert history.steps == reached * 29  # 900 examples in batches of 32: 28 full and 1 of 4


def test_mini_batch_training_is_reproducible_and_seed_dependent():
    X_train, X_test, y_train, y_test = moons()

    def run(seed):
        model = MLP(make_architecture([2, 8, 1]), np.random.default_rng(0))
        train_mlp(model, X_train, y_train, 3, Adam(0.01), batch_size=16,
                  rng=np.random.default_rng(seed))
        return model.params["W1"]

    assert np.array_equal(run(1), run(1))
    assert not np.array_equal(run(1), run(2))


def test_snapshots_progress_and_records():
    X_train, X_test, y_train, y_test = moons()
    model = MLP(make_architecture([2, 8, 1]), np.random.default_rng(0))
    seen = []
    history = train_mlp(model, X_train, y_train, 10, SGD(0.1), X_test=X_test, y_test=y_test,
                        record_every=4, snapshot_epochs=[0, 3, 10], progress=seen.append)
    assert list(history.epochs) == [0, 3, 4, 8, 10] == seen
    assert sorted(history.snapshots) == [0, 3, 10]
    assert np.array_equal(history.snapshots[10]["W1"], model.params["W1"])
    assert not np.array_equal(history.snapshots[0]["W1"], model.params["W1"])
    assert "epochs=10, steps=10" in repr(history)


def test_divergence_stops_with_a_message_naming_the_step(recwarn):
    X_train, _, y_train, _ = moons()
    model = MLP(make_architecture(TUTORIAL), np.random.default_rng(0))
    with pytest.raises(DivergenceError, match=r"loss became (nan|inf) at step \d+\. The learning "
                                              r"rate 100 is probably too large: try 10\."):
        train_mlp(model, X_train, y_train, 200, SGD(100.0))
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_the_per_step_check_decides_like_check_finite_loss():
    # The loop skips the loss between recorded epochs; its cheap check must raise exactly when
    # check_finite_loss would, with the same message, including where z.z overflows but the
    # loss does not.
    from nnlib.mlp import _bce_with_logits, _check_finite_step
    y = np.array([[1.0], [0.0], [1.0]])
    for dtype in (np.float64, np.float32):
        for logits in ([[3.0], [-2.0], [0.5]], [[1e30], [-1e30], [2.0]], [[1e300], [0], [0]],
                       [[np.inf], [0], [0]], [[-np.inf], [0], [0]], [[np.nan], [0], [0]]):
            with np.errstate(over="ignore", invalid="ignore"):
                z = np.array(logits, dtype=dtype)  # 1e300 becomes inf in float32
                loss = _bce_with_logits(z, y.astype(dtype))[0]
                expected = None
                try:
                    check_finite_loss(loss, 7, 0.5)
                except DivergenceError as error:
                    expected = str(error)
                try:
                    _check_finite_step(z, y.astype(dtype), 7, 0.5)
                    got = None
                except DivergenceError as error:
                    got = str(error)
            assert got == expected, (dtype, logits)
    with pytest.raises(DivergenceError, match="loss became nan at step 7"):
        _check_finite_step(np.array([[np.nan]]), np.array([[1.0]]), 7, 0.5)


def test_float32_training_follows_float64_and_keeps_float64_parameters():
    X, y = make_moons(1000, noise=0.2, seed=100)
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.1, np.random.default_rng(0))
    runs = {}
    for dtype in (np.float64, np.float32, "float32"):
        model = MLP(make_architecture(TUTORIAL), np.random.default_rng(0))
        history = train_mlp(model, X_train, y_train, 300, SGD(0.1), X_test=X_test,
                            y_test=y_test, record_every=100, snapshot_epochs=[100], dtype=dtype)
        assert model.flat.dtype == np.float64 and model.params["W1"].dtype == np.float64
        assert np.shares_memory(model.params["W1"], model.flat)
        assert history.test_accuracy[-1] == binary_accuracy(model.predict_proba(X_test), y_test)
        runs[str(dtype)] = model, history
    model64, history64 = runs[str(np.float64)]
    model32, history32 = runs[str(np.float32)]
    assert np.array_equal(runs["float32"][0].flat, model32.flat)
    assert not np.array_equal(model32.flat, model64.flat)
    # float32 values (7 digits) carried back into the float64 model
    assert np.array_equal(model32.flat, model32.flat.astype(np.float32).astype(np.float64))
    assert np.array_equal(history32.snapshots[100]["W2"],
                          history32.snapshots[100]["W2"].astype(np.float32))
    np.testing.assert_allclose(model32.flat, model64.flat, rtol=0, atol=1e-4)
    np.testing.assert_allclose(history32.train_loss, history64.train_loss, rtol=1e-4)


def test_float32_reaches_95_percent_like_float64():
    # The tutorial's network with Adam on mini-batches: both precisions get there in a few
    # epochs (the full tutorial run, 10 000 epochs of full-batch GD, is in the benchmark).
    X, y = make_moons(1000, noise=0.2, seed=100)
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.1, np.random.default_rng(0))
    reached = {}
    for dtype in (np.float64, np.float32):
        model = MLP(make_architecture(TUTORIAL), np.random.default_rng(0))
        history = train_mlp(model, X_train, y_train, 60, Adam(0.01), batch_size=32,
                            rng=np.random.default_rng(1), X_test=X_test, y_test=y_test,
                            stop_at_test_accuracy=0.95, dtype=dtype)
        reached[dtype] = history.epochs_to_reach(0.95)
        assert history.stopped_early and history.test_accuracy[-1] >= 0.95
    assert abs(reached[np.float32] - reached[np.float64]) <= 2


def test_float32_reaches_95_percent_in_the_tutorial_setting():
    # Full-batch GD, learning rate 0.01, 2-25-50-50-25-1: in float64 the test accuracy first
    # reaches 95 % after epoch 5350 (notebook 03); float32 must get there too, at about then.
    X, y = make_moons(1000, noise=0.2, seed=100)
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.1, np.random.default_rng(0))
    model = MLP(make_architecture(TUTORIAL), np.random.default_rng(0))
    history = train_mlp(model, X_train, y_train, 10_000, SGD(0.01), X_test=X_test,
                        y_test=y_test, record_every=10, stop_at_test_accuracy=0.95,
                        dtype=np.float32)
    assert history.stopped_early
    assert abs(history.epochs_to_reach(0.95) - 5350) <= 250
    assert binary_accuracy(model.predict_proba(X_test), y_test) >= 0.95


def test_float32_divergence_names_the_step_and_keeps_the_last_parameters(recwarn):
    X_train, _, y_train, _ = moons()
    model = MLP(make_architecture(TUTORIAL), np.random.default_rng(0))
    with pytest.raises(DivergenceError, match=r"loss became (nan|inf) at step \d+\. The learning "
                                              r"rate 100 is probably too large: try 10\."):
        train_mlp(model, X_train, y_train, 200, SGD(100.0), dtype=np.float32)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    assert not np.array_equal(model.flat,
                              MLP(make_architecture(TUTORIAL), np.random.default_rng(0)).flat)


@pytest.mark.parametrize("kwargs, message", [
    (dict(epochs=-1), "epochs must be an integer >= 0"),
    (dict(batch_size=0), "batch_size must be an integer >= 1"),
    (dict(batch_size=8), "rng must be a np.random.Generator"),
    (dict(record_every=0), "record_every must be an integer >= 1"),
    (dict(stop_at_test_accuracy=0.9), "stop_at_test_accuracy needs X_test"),
    (dict(optimizer="adam"), "optimizer must be nnlib.optim.SGD, Momentum or Adam"),
    (dict(y=np.full(180, 2.0)), "y must hold class labels 0 or 1"),
    (dict(y=np.zeros(5)), r"y must have shape \(180,\) or \(180, 1\), got \(5,\)"),
    (dict(X=np.zeros((180, 3))), r"X must have shape \(N, 2\), got \(180, 3\)"),
    (dict(dtype=np.float16), "dtype must be np.float64 or np.float32, got "),
    (dict(dtype="int"), "dtype must be np.float64 or np.float32, got 'int'"),
    (dict(dtype=None), "dtype must be np.float64 or np.float32, got None"),
])
def test_train_rejects_bad_inputs(kwargs, message):
    X_train, _, y_train, _ = moons()
    arguments = dict(X=X_train, y=y_train, epochs=5, optimizer=SGD(0.1))
    arguments.update(kwargs)
    model = MLP(make_architecture([2, 4, 1]), np.random.default_rng(0))
    with pytest.raises(ValueError, match=message):
        train_mlp(model, **arguments)


def test_forward_rejects_bad_params():
    architecture = make_architecture([2, 4, 1])
    params = init_params(architecture, np.random.default_rng(0))
    with pytest.raises(ValueError, match="params must be a dict with the keys"):
        mlp_forward(np.zeros((3, 2)), {"W1": params["W1"]}, architecture)
    params["W2"] = params["W2"].T
    with pytest.raises(ValueError, match=r"W2 must have shape \(4, 1\), got \(1, 4\)"):
        mlp_forward(np.zeros((3, 2)), params, architecture)
    with pytest.raises(ValueError, match="rng must be a np.random.Generator"):
        init_params(architecture, rng=1)


# --- metrics -----------------------------------------------------------------------------------

def test_binary_accuracy_and_first_epoch():
    assert binary_accuracy([[0.9], [0.2], [0.5], [0.7]], [1, 0, 1, 0]) == 0.5
    assert first_epoch_reaching([0, 10, 20, 30], [0.5, 0.96, 0.94, 0.97], 0.95) == 10
    assert first_epoch_reaching([0, 10], [0.5, 0.6], 0.95) is None
    with pytest.raises(ValueError, match="class labels 0 or 1"):
        binary_accuracy([0.2, 0.4], [0, 2])
